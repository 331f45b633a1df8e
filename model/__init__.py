"""innosim's core: the innovation-system model, its data and its runs.

The public API is small:

* :func:`load` — the model with its levers, regions and variables (once per process);
* :func:`simulate` — run a region and get the long table
  ``scenario, region, year, indicator, value, unit``.
"""
from .api import InputError, Lever, Model, load, simulate, long_table
from .data import REGIONS, indicators, targets

__all__ = ["InputError", "Lever", "Model", "load", "simulate", "long_table", "REGIONS", "indicators", "targets"]
