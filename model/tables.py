"""Report tables built from the long projection table: the wide layout and the target scorecard."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

from . import data
from .data import Target

SCORECARD_COLUMNS = [
    "scenario", "region", "indicator", "label_zh", "label_en", "year", "comparator", "target", "unit", "kind",
    "base_year", "base_value", "projected_value", "projected", "gap", "met", "first_year_met", "status",
    "document", "clause", "original",
]
# '=' targets (约, 左右) count as met within this relative tolerance.
EQUAL_TOLERANCE = 0.025


def wide_table(long: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario, region and year; one column per indicator (registry order)."""
    order = [i.indicator for i in data.indicators() if i.indicator in set(long["indicator"])]
    wide = long.pivot_table(index=["scenario", "region", "year"], columns="indicator", values="value",
                            sort=False)
    wide = wide.reindex(columns=order).reset_index()
    wide.columns.name = None
    return wide


def meets(value, comparator: str, target: float):
    """Whether ``value`` (a number or an array) satisfies ``comparator target``; NaN and infinity never do."""
    value = np.asarray(value, dtype=float)
    value = np.where(np.isfinite(value), value, np.nan)
    with np.errstate(invalid="ignore"):
        if comparator == ">=":
            return value >= target - 1e-12
        if comparator == ">":
            return value > target
        if comparator == "<=":
            return value <= target + 1e-12
        if comparator == "=":
            return np.abs(value - target) <= EQUAL_TOLERANCE * abs(target)
    raise ValueError(f"unknown comparator {comparator!r}")


def compare(value: float | None, comparator: str, target: float) -> bool:
    """Whether ``value`` satisfies ``comparator target`` (None and NaN never do)."""
    return value is not None and bool(meets(value, comparator, target))


def judge(now, base, kind: str):
    """What a target judges from the value in its year and in its base year (numbers or arrays alike):
    the level, its multiple of the base (NaN for a zero base) or its rise over it."""
    if kind == "level":
        return now
    if kind == "multiple":
        base = np.asarray(base, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base != 0, np.asarray(now, dtype=float) / base, np.nan)[()]
    if kind == "increase":
        return now - base
    raise ValueError(f"unknown target kind {kind!r}")


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
    met = compare(projected, target.comparator, target.value)
    first = next((int(y) for y in sorted(series) if compare(float(series[y]), target.comparator, target.value)), None)
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
