"""Parsers for the shared formats that peer-support groups are published in."""

from peerfind.platforms.registry import PLATFORMS as PLATFORMS
from peerfind.platforms.registry import platform_class as platform_class
