"""The command line: Typer commands, options and rendering; no SQL, parsing or rules."""
