"""Writers for exports: CSV (one writer, from the catalog), JSON, NDJSON, iCalendar and HSDS."""
