"""Run peerfind as `python -m peerfind`."""

from peerfind.cli.main import main

main()
