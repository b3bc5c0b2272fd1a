"""peerfind.fetch.client: see DESIGN.md's layout."""
