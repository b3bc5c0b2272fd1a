"""peerfind.cli.app: see DESIGN.md's layout."""
