"""Run peerfind as `python -m peerfind`."""

from peerfind.main import main

main()
