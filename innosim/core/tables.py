"""Tables built from runs: the long projection table, the wide layout and the target scorecard."""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from innosim.core import data, outcomes
from innosim.core.data import Target
from innosim.core.targets import is_met, judge, meets
from innosim.errors import InputError

SCORECARD_COLUMNS = [
    "scenario", "region", "indicator", "label_zh", "label_en", "year", "comparator", "target", "unit", "kind",
    "base_year", "base_value", "base_estimated", "projected_value", "projected", "gap", "met", "first_year_met",
    "status", "momentum", "momentum_met", "policy_adds", "official", "official_kind", "official_status",
    "judged_on", "verdict", "official_source", "document", "clause", "original",
]
# momentum:        what the target judges under no new policy (fiscal spending with revenue, other levers
#                  held at their last observed values); policy_adds = projected - momentum.
# official:        what it judges on the published figures, once its year is observed (and official_status);
# judged_on/verdict: "official" and the verdict in fact where published, else "model" and the projection's.
# base_estimated:  a doubling whose base-year value is the model's estimate, not a published figure.


def check_unique(long: pd.DataFrame) -> pd.DataFrame:
    """A long table holds each scenario, region, year and indicator once: two projections under one
    scenario id are refused, never averaged into a table that neither of them is."""
    twice = long.duplicated(["scenario", "region", "year", "indicator"])
    if twice.any():
        row = long[twice].iloc[0]
        raise InputError(f"scenario '{row['scenario']}' ({row['region']}) holds two projections; give each "
                         f"scenario its own id (its file name)", "scenario", row["scenario"])
    return long


def wide_table(long: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario, region and year; one column per indicator (registry order)."""
    check_unique(long)
    order = [i.indicator for i in data.indicators() if i.indicator in set(long["indicator"])]
    wide = long.pivot_table(index=["scenario", "region", "year"], columns="indicator", values="value",
                            sort=False)
    wide = wide.reindex(columns=order).reset_index()
    wide.columns.name = None
    return wide


def judged(values: dict[int, float], target: Target) -> dict[int, float]:
    """What a target judges, by year: the level, its multiple or its rise over the base year."""
    if target.kind == "level":
        return values
    base = values.get(target.base_year, math.nan)
    series = np.atleast_1d(judge(np.fromiter(values.values(), float, len(values)), base, target.kind))
    return dict(zip(values, series.tolist()))           # one array operation, not one per year


def score_target(values: dict[int, float] | None, target: Target, labels: dict | None = None,
                 momentum: dict[int, float] | None = None) -> dict:
    """Score one target against one projection (``values``: indicator value by year), beside the
    no-new-policy reference (``momentum``, the same indicator's values) and the published outcome."""
    labels = labels if labels is not None else {i.indicator: i for i in data.indicators()}
    ind = labels.get(target.indicator)
    row = {
        "indicator": target.indicator, "label_zh": ind.label_zh if ind else "", "label_en": ind.label_en if ind else "",
        "year": target.year, "comparator": target.comparator, "target": target.value, "unit": target.unit,
        "kind": target.kind, "base_year": target.base_year, "base_value": np.nan, "projected_value": np.nan,
        "projected": np.nan, "gap": np.nan, "met": None, "first_year_met": None,
        "document": target.document, "clause": target.clause, "original": target.original,
        "base_estimated": outcomes.base_is_estimated(target), "momentum": np.nan, "momentum_met": None,
        "policy_adds": np.nan, "official": np.nan, "official_kind": "", "official_status": None,
        "official_source": "", "judged_on": "model", "verdict": None,
    }
    official = outcomes.judged_outcome(target)
    if official is not None:
        value, kind, source = official
        met_in_fact = is_met(value, target.comparator, target.value)
        if kind == "lower_bound" and not met_in_fact:
            met_in_fact = None                     # "over X" below the target says nothing either way
        row.update(official=value, official_kind=kind, official_source=source,
                   official_status=None if met_in_fact is None else ("met" if met_in_fact else "missed"))
    if not target.modelled or values is None:
        row["status"] = "not modelled"
        return _verdicts(row)
    if target.year not in values or (target.base_year and target.base_year not in values):
        row["status"] = "beyond horizon"
        return _verdicts(row)
    series = judged(values, target)
    projected = float(series[target.year])
    met = is_met(projected, target.comparator, target.value)
    years = sorted(series)
    met_each = meets(np.array([series[y] for y in years], dtype=float), target.comparator, target.value)
    first = int(years[int(np.argmax(met_each))]) if met_each.any() else None
    row.update(
        base_value=float(values[target.base_year]) if target.base_year else np.nan,
        projected_value=float(values[target.year]),
        projected=projected,
        gap=projected - target.value,
        met=met,
        first_year_met=first,
        status="met" if met else "missed",
    )
    if momentum is not None and target.year in momentum and (not target.base_year or target.base_year in momentum):
        under = float(judged(momentum, target)[target.year])
        row.update(momentum=under, momentum_met=is_met(under, target.comparator, target.value),
                   policy_adds=projected - under)
    return _verdicts(row)


def _verdicts(row: dict) -> dict:
    if row.get("official_status") is not None:
        row.update(judged_on="official", verdict=row["official_status"])
    elif row.get("status") in ("met", "missed"):
        row.update(judged_on="model", verdict=row["status"])
    return row


def _by_indicator(long: pd.DataFrame) -> dict[tuple, dict[str, dict[int, float]]]:
    """{(scenario, region): {indicator: {year: value}}} of a long table."""
    groups: dict[tuple, dict[str, dict[int, float]]] = {}
    columns = [long[c].to_numpy() for c in ("scenario", "region", "indicator", "year", "value")]
    for sc, rg, ind, yr, v in zip(*columns):
        groups.setdefault((sc, rg), {}).setdefault(ind, {})[int(yr)] = float(v)
    return groups


def scorecard(long: pd.DataFrame, targets: Iterable[Target] | None = None,
              momentum: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every target of every projected region, scored for every scenario in ``long``.

    ``projected`` is what the target judges: the level, the multiple of the
    base-year value (doublings) or the rise over it; ``gap`` is projected
    minus target, so a shortfall is negative for at-least targets.
    ``momentum`` is the long table of the no-new-policy runs (scenario column:
    the scenario each belongs to), which fills the momentum and policy_adds columns.
    """
    targets = list(data.targets() if targets is None else targets)
    labels = {i.indicator: i for i in data.indicators()}
    rows = []
    reference = _by_indicator(momentum) if momentum is not None and len(momentum) else {}
    for (scenario, region), by_indicator in _by_indicator(long).items():
        under = reference.get((scenario, region), {})
        for target in targets:
            if target.region != region:
                continue
            row = score_target(by_indicator.get(target.indicator), target, labels, under.get(target.indicator))
            row.update(scenario=scenario, region=region)
            rows.append(row)
    table = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    for column in ("met", "momentum_met"):
        table[column] = table[column].astype("boolean")
    table["first_year_met"] = table["first_year_met"].astype("Int64")
    table["base_year"] = table["base_year"].astype("Int64")
    return table


LONG_COLUMNS = ["scenario", "region", "year", "indicator", "value", "unit"]


def long_table(wide: pd.DataFrame, scenario: str, region: str) -> pd.DataFrame:
    """Years x indicators to the tidy long layout (year, then indicators in registry order)."""
    names = [i.indicator for i in data.indicators() if i.indicator in wide.columns]
    return long_table_many([(scenario, region, wide.index.to_numpy(), wide[names].to_numpy(dtype=float))], names)


def long_table_many(entries: Sequence[tuple[str, str, np.ndarray, np.ndarray]],
                    names: Sequence[str] | None = None) -> pd.DataFrame:
    """Many (scenario, region, years, values[years x indicators]) into one long table."""
    names = list(names or [i.indicator for i in data.indicators()])
    units = {i.indicator: i.unit for i in data.indicators()}
    n = len(names)
    names_arr = np.array(names, dtype=object)
    units_arr = np.array([units[c] for c in names], dtype=object)
    if not entries:
        return pd.DataFrame(columns=LONG_COLUMNS)
    parts = {c: [] for c in LONG_COLUMNS}
    for scenario, region, years, values in entries:
        rows = len(years) * n
        parts["scenario"].append(np.full(rows, scenario, dtype=object))
        parts["region"].append(np.full(rows, region, dtype=object))
        parts["year"].append(np.repeat(np.asarray(years), n))
        parts["indicator"].append(np.tile(names_arr, len(years)))
        parts["value"].append(np.asarray(values, dtype=float).ravel())
        parts["unit"].append(np.tile(units_arr, len(years)))
    return pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()}, columns=LONG_COLUMNS)


def non_finite(case, year: int, indicator: str, named: bool = True) -> str:
    """Why a run's results cannot be shown: the values given together are beyond what the model can follow."""
    return beyond_the_model(case, f"goes non-finite from {year} ({indicator})", named)


def beyond_the_model(case, what_happened: str, named: bool = True) -> str:
    """One line: the run ``what_happened``, and which of the case's own values to look at."""
    given = [f"{k} = {v:g}" for k, v in (case.parameters or {}).items()]
    given += [f"{k} = {v:g}" if not isinstance(v, dict) else k for k, v in (case.levers or {}).items()]
    what = f"the values given together ({', '.join(given[:4])}{' ...' if len(given) > 4 else ''})" if given \
        else "its inputs"
    who = f"{case.label} ({case.region}): " if named else ""       # a batch's failure names the case already
    return (f"{who}the run {what_happened}; {what} are beyond what the model can follow, "
            f"each within its range but not together; move them toward their literature ranges")


def check_finite(case, years, values) -> None:
    """Refuse results with a NaN or an infinity (a run the integration could not follow) in one line."""
    bad = ~np.isfinite(values)
    if bad.any():
        year = int(np.asarray(years)[bad.any(axis=1)][0])
        column = [i.indicator for i in data.indicators()][int(np.argmax(bad.any(axis=0)))]
        raise InputError(non_finite(case, year, column))
