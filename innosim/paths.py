"""Where innosim's data live: the one module that knows.

The model file, region data, targets, history, calibration spec, shipped
parameter sets and scenarios are *data*, kept at the top of a checkout in
``model/``, ``calibration/`` and ``scenarios/`` (and the policy documents in
``docs/seeds/``).  A wheel carries the same files inside the package, under
``innosim/_data/`` (``setup.py`` copies them there at build time), so an
installed innosim and a checkout read identical files.

Everything a user writes goes elsewhere: calibrated parameter sets to the
user data folder (``$INNOSIM_DATA_HOME``, else ``$XDG_DATA_HOME/innosim``,
else ``~/.local/share/innosim``), generated code to the cache
(``$INNOSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/innosim``, else
``~/.cache/innosim``).  Nothing is ever written into the installed package.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"
_CHECKOUT = PACKAGE_DIR.parent

# The folders of data, relative to the data root; setup.py bundles exactly these.
DATA_FOLDERS = ("model", "calibration", "scenarios", "docs/seeds")


def data_root() -> Path:
    """The folder that holds ``model/``, ``calibration/`` and ``scenarios/``.

    An installed wheel has them bundled in the package; a checkout (editable
    install, or run from the source tree) has them beside the package.
    """
    if _BUNDLED.is_dir():
        return _BUNDLED
    return _CHECKOUT


def is_checkout() -> bool:
    """True when running from a source checkout (the shipped data may be edited there)."""
    return not _BUNDLED.is_dir() and (_CHECKOUT / "pyproject.toml").is_file()


def data_file(relative: str, must_exist: bool = True) -> Path:
    """A data file by its path under the data root; a missing file is a loud, one-line error."""
    path = data_root() / relative
    if must_exist and not path.exists():
        raise DataError(f"{path}: missing data file; innosim cannot run without it "
                        f"(reinstall innosim, or restore it from the repository)")
    return path


def model_file() -> Path:
    return data_file("model/innovation_system.mdl")


def scenario_dir() -> Path:
    return data_file("scenarios")


def shipped_sets_dir() -> Path:
    return data_file("calibration/sets")


def user_data_dir() -> Path:
    """Where innosim keeps what a user makes (calibrated parameter sets); never inside the package."""
    base = os.environ.get("INNOSIM_DATA_HOME")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "innosim"


def user_sets_dir() -> Path:
    return user_data_dir() / "sets"


def cache_root() -> Path:
    """Where generated files live (PySD's translation, the compiled engine): outside the source tree."""
    base = os.environ.get("INNOSIM_CACHE_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "innosim"


def display(path: Path) -> str:
    """A data path as a user reads it: relative to the data root when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(data_root().resolve()))
    except ValueError:
        return str(path)
