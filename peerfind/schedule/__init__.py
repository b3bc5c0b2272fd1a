"""When groups meet: recurrence, phrases as written, RRULE, next meetings, the clock."""
