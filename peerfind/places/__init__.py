"""peerfind.places: see DESIGN.md's layout."""
