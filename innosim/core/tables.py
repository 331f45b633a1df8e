"""Tables built from runs: the long projection table, the wide layout and the target scorecard."""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from innosim.core import data
from innosim.core.data import Target
from innosim.core.targets import is_met, judge

SCORECARD_COLUMNS = [
    "scenario", "region", "indicator", "label_zh", "label_en", "year", "comparator", "target", "unit", "kind",
    "base_year", "base_value", "projected_value", "projected", "gap", "met", "first_year_met", "status",
    "document", "clause", "original",
]


def wide_table(long: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario, region and year; one column per indicator (registry order)."""
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
    return {y: float(judge(v, base, target.kind)) for y, v in values.items()}


def score_target(values: dict[int, float] | None, target: Target, labels: dict | None = None) -> dict:
    """Score one target against one projection (``values``: indicator value by year)."""
    labels = labels if labels is not None else {i.indicator: i for i in data.indicators()}
    ind = labels.get(target.indicator)
    row = {
        "indicator": target.indicator, "label_zh": ind.label_zh if ind else "", "label_en": ind.label_en if ind else "",
        "year": target.year, "comparator": target.comparator, "target": target.value, "unit": target.unit,
        "kind": target.kind, "base_year": target.base_year, "base_value": np.nan, "projected_value": np.nan,
        "projected": np.nan, "gap": np.nan, "met": None, "first_year_met": None,
        "document": target.document, "clause": target.clause, "original": target.original,
    }
    if not target.modelled or values is None:
        row["status"] = "not modelled"
        return row
    if target.year not in values or (target.base_year and target.base_year not in values):
        row["status"] = "beyond horizon"
        return row
    series = judged(values, target)
    projected = float(series[target.year])
    met = is_met(projected, target.comparator, target.value)
    first = next((int(y) for y in sorted(series) if is_met(float(series[y]), target.comparator, target.value)), None)
    row.update(
        base_value=float(values[target.base_year]) if target.base_year else np.nan,
        projected_value=float(values[target.year]),
        projected=projected,
        gap=projected - target.value,
        met=met,
        first_year_met=first,
        status="met" if met else "missed",
    )
    return row


def scorecard(long: pd.DataFrame, targets: Iterable[Target] | None = None) -> pd.DataFrame:
    """Every target of every projected region, scored for every scenario in ``long``.

    ``projected`` is what the target judges: the level, the multiple of the
    base-year value (doublings) or the rise over it; ``gap`` is projected
    minus target, so a shortfall is negative for at-least targets.
    """
    targets = list(data.targets() if targets is None else targets)
    labels = {i.indicator: i for i in data.indicators()}
    rows = []
    scenarios, regions = long["scenario"].to_numpy(), long["region"].to_numpy()
    indicators, years, values = long["indicator"].to_numpy(), long["year"].to_numpy(), long["value"].to_numpy()
    groups: dict[tuple, dict[str, dict[int, float]]] = {}
    for sc, rg, ind, yr, v in zip(scenarios, regions, indicators, years, values):
        groups.setdefault((sc, rg), {}).setdefault(ind, {})[int(yr)] = float(v)
    for (scenario, region), by_indicator in groups.items():
        for target in targets:
            if target.region != region:
                continue
            row = score_target(by_indicator.get(target.indicator), target, labels)
            row.update(scenario=scenario, region=region)
            rows.append(row)
    table = pd.DataFrame(rows, columns=SCORECARD_COLUMNS)
    table["met"] = table["met"].astype("boolean")
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
