"""Parsers for the shared formats that peer-support groups are published in."""

from peerfind.platforms.registry import platform_class as platform_class
from peerfind.platforms.registry import platforms as platforms
