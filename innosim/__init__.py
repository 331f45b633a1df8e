"""innosim: a system-dynamics scenario simulator for regional innovation policy (Ningbo, Cixi, Yuyao).

The public API is small; everything else is reachable from it.

    >>> import innosim
    >>> plan = innosim.simulate("ningbo")                            # the plan, as a long table
    >>> case = innosim.load_scenario("scenarios/fiscal_slowdown.toml").case("ningbo")
    >>> mc = innosim.montecarlo(case, n=500, seed=1)                  # bands and chances
    >>> card = innosim.scorecard(innosim.run_batch(["scenarios/plan.toml"]).table)

* :func:`load` — the model with its levers, regions and variables (once per process);
* :class:`Case` — one run to make; every analysis takes one, with keyword options;
* :func:`load_scenario` — read and check a scenario file (``Scenario.case(region)`` gives its case);
* :func:`simulate`, :func:`run_batch` — projections as the long table
  ``scenario, region, year, indicator, value, unit``;
* :func:`scorecard` — every target judged by the one rule;
* :func:`montecarlo`, :func:`sensitivity`, :func:`goal_seek`, :func:`attribute` — the analyses.
"""
from innosim.core.case import Case
from innosim.core.data import REGIONS, indicators, targets
from innosim.core.model import Lever, Model, load
from innosim.core.scenarios import Scenario, ScenarioError, as_scenario, load_scenario
from innosim.core.tables import long_table, scorecard, wide_table
from innosim.errors import DataError, InputError
from innosim.version import __version__

_LAZY = {   # the analyses import SciPy and SALib: only when asked for
    "simulate": ("innosim.analysis.batch", "simulate"),
    "run_batch": ("innosim.analysis.batch", "run_batch"),
    "BatchResult": ("innosim.analysis.batch", "BatchResult"),
    "Failure": ("innosim.analysis.batch", "Failure"),
    "Executor": ("innosim.analysis.executor", "Executor"),
    "montecarlo": ("innosim.analysis.montecarlo", "montecarlo"),
    "sensitivity": ("innosim.analysis.sensitivity", "model_sensitivity"),
    "goal_seek": ("innosim.analysis.goalseek", "goal_seek"),
    "find_target": ("innosim.analysis.goalseek", "find_target"),
    "attribute": ("innosim.analysis.attribution", "attribute"),
}

__all__ = ["Case", "DataError", "InputError", "Lever", "Model", "REGIONS", "Scenario", "ScenarioError",
           "__version__", "as_scenario", "indicators", "load", "load_scenario", "long_table", "scorecard",
           "targets", "wide_table", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'innosim' has no attribute {name!r}")
