"""The app's Monte Carlo worker: a process of its own, so the chances compute beside the page, not after it.

Python runs one thread at a time, so a background thread would only take turns
with the script that draws the page; a second process runs truly at once (a
laptop has at least two cores).  The process loads the model once and keeps
the parameters' draws per region and settings.  Nothing here imports
Streamlit, so the process starts quickly (spawned, the same on every OS).
"""
from __future__ import annotations

from functools import lru_cache


def warm() -> None:
    """Load the model when the process starts, so the first job does not wait for it."""
    import gc

    from innosim.core.model import load

    load()
    gc.freeze()          # the model lives as long as the process: out of the collector's full passes


@lru_cache(maxsize=32)
def _draws(case_key: tuple, n: int, seed: int):
    from innosim.analysis.ensemble import draw_parameters
    from innosim.core.case import Case

    region, parameters, final_year, parameter_set = case_key
    return draw_parameters(Case(region, {}, dict(parameters), final_year, parameter_set), n, seed)


def montecarlo(case, n: int, seed: int):
    """The bands and the chances of one case (what ``compute.uncertainty`` returns)."""
    from innosim.analysis.executor import Executor
    from innosim.analysis.montecarlo import montecarlo as run

    key = (case.region, tuple(sorted(case.parameters.items())), case.final_year, case.parameter_set)
    result = run(case, n=n, seed=seed, executor=Executor(workers=1), draws=_draws(key, n, seed))
    return result.bands, result.probabilities
