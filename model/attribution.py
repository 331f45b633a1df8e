"""Lever attribution: how much of a scenario's difference from the plan each lever makes.

One-at-a-time: each changed lever alone on top of the plan.  Shapley: each
lever's average marginal effect over every order of switching the changed
levers on (Shapley 1953), which splits the whole difference exactly, with
interactions shared fairly.  With up to ``EXACT_UP_TO`` changed levers all
subsets run in one vectorised pass; beyond that, ``permutations`` random
orders (seeded) estimate it.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import data
from .api import Case, InputError, load, within_run
from .batch import as_scenario

EXACT_UP_TO = 10


@dataclass
class Attribution:
    region: str
    scenario: str
    year: int
    levers: list
    table: pd.DataFrame       # indicator, lever, one_at_a_time, shapley, share
    totals: pd.DataFrame      # indicator, plan, scenario, difference


def attribute(region: str, scenario, year: int, indicators: list[str] | None = None,
              permutations: int = 200, seed: int = 20251, parameter_set: str | None = None) -> Attribution:
    """Split scenario minus plan, indicator by indicator in ``year``, among the scenario's levers."""
    m = load()
    sc = as_scenario(scenario)
    levers = list(sc.levers)
    names = [i.indicator for i in data.indicators()]
    chosen = indicators or [i.indicator for i in data.indicators() if i.headline]
    unknown = [i for i in chosen if i not in names]
    if unknown:
        raise InputError(f"indicator '{unknown[0]}' is not one of the model's: {', '.join(names)}")
    if not m.initial_year < year <= (sc.end_year or m.final_year):
        raise InputError(f"year {year}: must be after {m.initial_year} and no later than "
                         f"{sc.end_year or m.final_year}")
    pick = [names.index(i) for i in chosen]
    final = year            # the split is of ``year``; the runs need go no further

    def runs(subsets: list[frozenset]) -> dict[frozenset, np.ndarray]:
        cases = [Case(region, within_run({k: sc.levers[k] for k in s}, final), sc.parameters, final,
                      parameter_set or sc.parameter_set) for s in subsets]
        out = {}
        for s, (years, values) in zip(subsets, m.indicators_many(cases)):
            out[s] = values[list(years).index(year), pick]
        return out

    n = len(levers)
    empty, full = frozenset(), frozenset(levers)
    if n <= EXACT_UP_TO:
        subsets = [frozenset(c) for r in range(n + 1) for c in itertools.combinations(levers, r)]
        f = runs(subsets)
        shapley = {lv: sum(math.factorial(len(s)) * math.factorial(n - len(s) - 1) / math.factorial(n)
                           * (f[s | {lv}] - f[s]) for s in subsets if lv not in s) for lv in levers}
    else:
        rng = np.random.default_rng(seed)
        orders = [list(rng.permutation(levers)) for _ in range(permutations)]
        prefixes = {frozenset(o[:k]) for o in orders for k in range(n + 1)}
        f = runs(sorted(prefixes, key=len))
        shapley = {lv: np.zeros(len(pick)) for lv in levers}
        for order in orders:
            for k, lv in enumerate(order):
                shapley[lv] += (f[frozenset(order[:k + 1])] - f[frozenset(order[:k])]) / permutations
        f.update(runs([frozenset({lv}) for lv in levers if frozenset({lv}) not in f]))
    total = f[full] - f[empty]
    rows = []
    for lv in levers:
        oat = f[frozenset({lv})] - f[empty]
        for j, ind in enumerate(chosen):
            rows.append({"indicator": ind, "lever": lv, "one_at_a_time": float(oat[j]),
                         "shapley": float(shapley[lv][j]),
                         "share": float(shapley[lv][j] / total[j]) if total[j] else math.nan})
    totals = pd.DataFrame({"indicator": chosen, "plan": f[empty], "scenario": f[full], "difference": total})
    return Attribution(region, sc.id, year, levers, pd.DataFrame(rows), totals)
