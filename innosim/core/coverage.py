"""How much of 2015-2025 the observed record covers: a region x series x year grid.

A year counts as observed for a series when the record holds an annual figure
for it: final, preliminary (预计), a lower bound (突破, 超过) or a figure derived
from published ones.  A partial year never counts, nor does a proxy (another
definition), nor a row calibration excludes; they show in the grid with their
own marks so that a reader sees what stands in.

The goals are issue 10's: for Ningbo, each headline series in at least 8 of
the 11 years (or every year since it was first published); for Cixi and
Yuyao, the core series in at least 5 years each.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from innosim.core import data

FIRST_YEAR, LAST_YEAR = 2015, 2025
# The grid's marks, strongest first: one per cell.
MARKS = {"final": "●", "preliminary": "◐", "lower_bound": ">", "derived": "d", "proxy": "p", "partial_year": "·"}
MARK_ORDER = tuple(MARKS)

# Issue 10's series, in the order a reader looks for them.
SERIES = (
    "gdp", "real_gdp_growth", "general_budget_revenue", "general_budget_expenditure", "fiscal_st_spending",
    "fiscal_talent_spending", "rd_expenditure", "rd_intensity", "enterprise_rd_expenditure",
    "enterprise_rd_expense", "enterprise_rd_expense_intensity", "hightech_share", "hightech_enterprises",
    "new_certifications", "tech_smes", "rd_personnel", "rd_personnel_per_10k", "invention_applications",
    "invention_grants", "valid_invention_patents", "high_value_patents_per_10k", "pct_applications",
    "digital_economy_va", "digital_economy_share", "population", "employed", "top_talent", "leading_talent",
    "new_top_talent",
)
# Ningbo's headline series (every one 8 of 11 years, or every year since it began: FIRST_PUBLISHED).
NINGBO_HEADLINE = ("gdp", "general_budget_revenue", "fiscal_st_spending", "rd_intensity", "enterprise_rd_expense",
                   "hightech_share", "hightech_enterprises", "tech_smes", "rd_personnel_per_10k",
                   "invention_grants", "valid_invention_patents", "high_value_patents_per_10k", "pct_applications",
                   "digital_economy_share")
FIRST_PUBLISHED = {"high_value_patents_per_10k": 2021}
COUNTY_CORE = ("gdp", "general_budget_revenue", "fiscal_st_spending", "rd_intensity", "hightech_enterprises",
               "hightech_share")
GOALS = {"ningbo": (NINGBO_HEADLINE, 8), "cixi": (COUNTY_CORE, 5), "yuyao": (COUNTY_CORE, 5)}


@dataclass(frozen=True)
class SeriesCoverage:
    region: str
    series: str
    years: tuple[int, ...]          # years observed (data.ANNUAL_KINDS)
    required: int | None            # the goal, or None if the series has none for the region

    @property
    def met(self) -> bool | None:
        return None if self.required is None else len(self.years) >= self.required


def _required(region: str, series: str) -> int | None:
    names, years = GOALS.get(region, ((), 0))
    if series not in names:
        return None
    first = FIRST_PUBLISHED.get(series)
    return min(years, LAST_YEAR - first + 1) if first else years


def grid(regions=None, series=None) -> pd.DataFrame:
    """One row per region and series, one column per year (the strongest mark there, or ''), then the number
    of observed years, the goal and whether it is met."""
    regions = list(regions or data.REGIONS)
    marks = _marks(regions)
    names = list(series or dict.fromkeys([*SERIES, *sorted({k[1] for k in marks} - set(SERIES))]))
    out = []
    for region in regions:
        for name in names:
            cov = series_coverage(region, name, marks)
            row = {"region": region, "series": name}
            row.update({str(y): MARKS.get(marks.get((region, name, y), ""), "") for y in range(FIRST_YEAR, LAST_YEAR + 1)})
            row.update({"observed": len(cov.years), "goal": cov.required if cov.required is not None else "",
                        "met": {None: "", True: "yes", False: "NO"}[cov.met]})
            out.append(row)
    return pd.DataFrame(out)


def _marks(regions) -> dict[tuple[str, str, int], str]:
    """The strongest kind of figure the record holds for each (region, series, year) of 2015-2025."""
    marks: dict[tuple, str] = {}
    for o in data.observations():
        if o.region not in regions or not FIRST_YEAR <= o.year <= LAST_YEAR:
            continue
        kind = "proxy" if o.exclude and o.kind in data.ANNUAL_KINDS else o.kind
        key = (o.region, o.series, o.year)
        if key not in marks or MARK_ORDER.index(kind) < MARK_ORDER.index(marks[key]):
            marks[key] = kind
    return marks


def cells(regions=None) -> pd.DataFrame:
    """The grid's non-empty cells, one row each: region, series, year, kind and whether the year counts."""
    marks = _marks(list(regions or data.REGIONS))
    order = {name: k for k, name in enumerate(SERIES)}
    rows = [{"region": r, "series": n, "year": y, "kind": kind, "counted": kind in data.ANNUAL_KINDS}
            for (r, n, y), kind in marks.items()]
    frame = pd.DataFrame(rows, columns=["region", "series", "year", "kind", "counted"])
    return frame.sort_values(["region", "series", "year"], key=lambda c: c.map(order).fillna(len(order))
                             if c.name == "series" else c, ignore_index=True)


def series_coverage(region: str, series: str, marks: dict | None = None) -> SeriesCoverage:
    if marks is None:
        marks = _marks([region])
    years = tuple(y for y in range(FIRST_YEAR, LAST_YEAR + 1) if marks.get((region, series, y)) in data.ANNUAL_KINDS)
    return SeriesCoverage(region, series, years, _required(region, series))


def shortfalls(regions=None) -> list[SeriesCoverage]:
    """The series below their coverage goal."""
    regions = list(regions or data.REGIONS)
    marks = _marks(regions)
    return [c for region in regions for name in GOALS[region][0]
            if not (c := series_coverage(region, name, marks)).met]


LEGEND = ("● final  ◐ preliminary (预计)  > lower bound (突破/超过)  d derived from published figures  "
          "p proxy or excluded (not counted)  · partial year only (not counted)")
