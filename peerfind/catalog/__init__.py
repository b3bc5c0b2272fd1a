"""peerfind.catalog.db: see DESIGN.md's layout."""
