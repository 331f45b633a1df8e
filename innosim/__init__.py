"""innosim's command line; the model itself is the ``model`` package."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("innosim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
