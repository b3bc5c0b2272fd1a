"""The polite HTTP client: robots.txt, pacing, retries, caching and size limits."""
