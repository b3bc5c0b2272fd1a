"""peerfind.search.engine: see DESIGN.md's layout."""
