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

from innosim.core import data
from innosim.core.case import Case, within_run
from innosim.core.tables import check_finite
from innosim.core.model import load
from innosim.errors import InputError

EXACT_UP_TO = 10


@dataclass
class Attribution:
    region: str
    scenario: str
    year: int
    levers: list
    table: pd.DataFrame       # indicator, lever, one_at_a_time, shapley, share
    totals: pd.DataFrame      # indicator, plan, scenario, difference


def attribute(case: Case, *, year: int, indicators: list[str] | None = None, permutations: int = 200,
              seed: int = 20251) -> Attribution:
    """Split the case minus the plan, indicator by indicator in ``year``, among the case's changed levers."""
    m = load()
    m.inputs(case)
    levers = list(case.levers)
    names = [i.indicator for i in data.indicators()]
    chosen = indicators or [i.indicator for i in data.indicators() if i.headline]
    unknown = [i for i in chosen if i not in names]
    if unknown:
        raise InputError(f"indicator '{unknown[0]}' is not one of the model's: {', '.join(names)}", "indicators",
                         unknown[0])
    last = case.final_year or m.final_year
    if isinstance(year, bool) or not isinstance(year, int) or not m.initial_year < year <= last:
        raise InputError(f"year {year!r}: must be after {m.initial_year} and no later than {last}", "year", year)
    if not levers:
        raise InputError(f"{case.label}: changes no lever, so there is no difference from the plan to split")
    pick = [names.index(i) for i in chosen]
    final = year            # the split is of ``year``; the runs need go no further

    def runs(subsets: list[frozenset]) -> dict[frozenset, np.ndarray]:
        cases = [Case(case.region, within_run({k: case.levers[k] for k in s}, final), case.parameters, final,
                      case.parameter_set) for s in subsets]
        out = {}
        for s, c, (years, values) in zip(subsets, cases, m.indicators_many(cases)):
            check_finite(c, years, values)
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
    return Attribution(case.region, case.label, year, levers, pd.DataFrame(rows), totals)
