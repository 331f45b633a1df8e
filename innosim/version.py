"""The one place innosim's version (and its dependencies' versions) are looked up."""
from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version


@lru_cache(maxsize=None)
def package_version(name: str = "innosim") -> str:
    """The installed version of ``name``; ``0+unknown`` when it is not installed (a bare source tree)."""
    try:
        return _version(name)
    except PackageNotFoundError:
        return "0+unknown"


__version__ = package_version()
