"""peerfind.schedule.recurrence: see DESIGN.md's layout."""
