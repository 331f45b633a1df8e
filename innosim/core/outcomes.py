"""What happened: the published outcomes a target is judged against once its year has passed.

A target whose year is observed is judged in fact: on the figure the
statistics bureau (or the city) published, read from ``calibration/history.csv``
(the row of the target's indicator, region and year).  A final figure is
preferred to a preliminary one (预计); a lower bound (突破) says only "at
least"; partial years and proxies never judge a target.  A doubling is judged
in fact only when both its year and its base year are published.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from innosim.core import data
from innosim.core.data import Target
from innosim.core.targets import judge

JUDGING_KINDS = ("final", "preliminary", "lower_bound")     # in order of preference


@dataclass(frozen=True)
class Outcome:
    """One published figure that can judge a target."""

    region: str
    indicator: str
    year: int
    value: float
    kind: str            # final, preliminary or lower_bound
    source: str
    original: str


@lru_cache(maxsize=1)
def _published() -> dict[tuple[str, str, int], Outcome]:
    """The best published figure per (region, indicator, year), on the indicator's own scale."""
    indicators = {i.indicator for i in data.indicators()}
    best: dict[tuple[str, str, int], Outcome] = {}
    for row in data.observations():
        if row.series not in indicators or row.kind not in JUDGING_KINDS or not row.judges:
            continue
        key = (row.region, row.series, row.year)
        candidate = Outcome(row.region, row.series, row.year, row.value, row.kind, row.source, row.original)
        if key not in best or JUDGING_KINDS.index(row.kind) < JUDGING_KINDS.index(best[key].kind):
            best[key] = candidate
    return best


def published(region: str, indicator: str, year: int) -> Outcome | None:
    return _published().get((region, indicator, int(year)))


def judged_outcome(target: Target) -> tuple[float, str, str] | None:
    """What the target judges in fact (value, kind, source), or None when it is not published (yet).

    A multiple or rise needs both years; its kind is the weaker of the two figures'.
    """
    now = published(target.region, target.indicator, target.year)
    if now is None:
        return None
    if target.kind == "level":
        return now.value, now.kind, now.source
    base = published(target.region, target.indicator, target.base_year) if target.base_year else None
    if base is None or base.kind == "lower_bound":
        return None
    value = float(judge(now.value, base.value, target.kind))
    if not math.isfinite(value):
        return None
    weaker = max(now.kind, base.kind, key=JUDGING_KINDS.index)
    return value, weaker, f"{now.source}; base: {base.source}"


def base_is_estimated(target: Target) -> bool:
    """Whether a doubling's base-year value is the model's estimate rather than a published figure."""
    if target.kind == "level" or not target.base_year:
        return False
    base = published(target.region, target.indicator, target.base_year)
    return base is None or base.kind not in ("final", "preliminary")
