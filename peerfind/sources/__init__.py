"""peerfind.sources: see DESIGN.md's layout."""
