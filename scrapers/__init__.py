"""Scrapers for the organizations people look for by name (one module per source)."""
