"""Crosspost: queue editorial items, route them to channels, publish each once, on time."""

__version__ = "0.1.0"
