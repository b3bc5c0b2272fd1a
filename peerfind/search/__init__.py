"""Searching the catalog: the query, the engine, ranking, online listings, free text, programs."""
