"""peerfind.export.common: see DESIGN.md's layout."""
