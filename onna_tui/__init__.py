"""onna-tui: a terminal UI and CLI for the Onna Platform API."""

__version__ = "0.1.0"
