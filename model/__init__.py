"""innosim's core: the innovation-system model, its data and its runs.

The public API is small:

* :func:`load` — the model with its levers, regions and variables (once per process);
* :func:`load_scenario` — read and check a scenario file;
* :func:`simulate` — run a scenario (the plan by default) for a region: the long table
  ``scenario, region, year, indicator, value, unit``;
* :func:`run_batch` — scenarios x regions into one table, with worker processes.
"""
from .api import Case, InputError, Lever, Model, load, long_table
from .batch import BatchResult, Failure, run_batch, simulate
from .data import REGIONS, indicators, targets
from .scenarios import Scenario, ScenarioError, load_scenario
from .tables import scorecard, wide_table

__all__ = ["BatchResult", "Case", "Failure", "InputError", "Lever", "Model", "REGIONS", "Scenario", "ScenarioError",
           "indicators", "load", "load_scenario", "long_table", "run_batch", "scorecard", "simulate", "targets",
           "wide_table"]
