"""Run peerfind as `python -m peerfind`."""

from peerfind.cli import main

main()
