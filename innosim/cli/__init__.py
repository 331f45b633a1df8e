"""The ``innosim`` command line: a thin client of the innosim API."""
from innosim.cli.main import main

__all__ = ["main"]
