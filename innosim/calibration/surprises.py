"""Revenue's observed deviations from its buoyancy path: the ``revenue_growth_surprise`` of the record.

The model's recurrent revenue moves one for one with prices and with real output at
its buoyancy; what the record shows beyond that (the 2022 VAT refunds, the flat
revenue of 2023-2025) enters as the lever ``revenue_growth_surprise`` during the
record (``calibration/observed_levers.toml``).  Those values must be derived from
the model's own price and output path, with the shipped parameter sets, or revenue
drifts away from the record (it once stood 26 % above Ningbo's 2024 figure).  So
they are derived here, not by hand (the command is ``innosim.cli.surprises``).

For each region the log gap between the record (one figure a year, the one
calibration fits) and the model is closed year by year where a figure
exists, spread evenly between figures, and after a county's last figure its
surprises are the city's (the ``[all]`` table).  Output feeds back on revenue
only weakly (knowledge, through fiscal R&D money), so a few passes converge.
``tests/test_record.py`` checks that the model reproduces every counted figure.
"""
from __future__ import annotations

import math
import re
from dataclasses import replace

from innosim.calibration.inputs import load_history
from innosim.core.case import Case
from innosim.core.timeline import forget, observed_file, observed_levers, trying
from innosim.errors import DataError
from innosim.files import read_text, write_text

LEVER = "revenue_growth_surprise"
SERIES = "general_budget_revenue"
CITY = "ningbo"
TABLE = {"ningbo": "all", "cixi": "cixi", "yuyao": "yuyao"}     # the city's surprises are everyone's default


def observed_revenue(region: str) -> dict[int, float]:
    """The record's figure for each year, chosen as calibration chooses the one that steers a fit (final
    before preliminary, then confidence and source; exact figures only)."""
    until = observed_levers().until
    return {o.year: o.value for o in load_history() if o.region == region and o.series == SERIES and o.fit
            and o.comparator == "=" and 2015 <= o.year <= until}


def modelled_revenue(model, region: str) -> dict[int, float]:
    until = observed_levers().until
    run = model.run(Case(region, final_year=until))
    return {y: float(run.loc[y, SERIES]) for y in range(2015, until + 1)}


def _interpolated(gaps: dict[int, float], years: range) -> dict[int, float]:
    """The log gap in every year from the first to the last figure, straight between figures."""
    known = sorted(gaps)
    out = {}
    for y in years:
        if y < known[0] or y > known[-1]:
            continue
        before = max(k for k in known if k <= y)
        after = min(k for k in known if k >= y)
        w = 0 if after == before else (y - before) / (after - before)
        out[y] = gaps[before] + w * (gaps[after] - gaps[before])
    return out


def corrected(current: dict[int, float], region: str, model) -> dict[int, float]:
    """One pass: the region's surprises with this run's remaining gap to the record closed."""
    observed = observed_revenue(region)
    modelled = modelled_revenue(model, region)
    until = observed_levers().until
    gaps = {y: math.log(v / modelled[y]) for y, v in observed.items()}
    gaps.setdefault(2015, 0.0)                   # the base year: revenue starts on the region's own figure
    closing = _interpolated(gaps, range(2015, until + 1))
    last = max(closing)
    out = {}
    for y in range(2016, last + 1):
        step = closing[y] - closing[y - 1]
        out[y] = round((1 + current.get(y, 0.0)) * math.exp(step) - 1, 4)
    return out


def derive(model, passes: int = 4) -> dict[str, dict[int, float]]:
    """Every region's surprises, the city first (the counties fall back on its values after their last
    figure), re-derived until the model reproduces the record.  The trials run in memory (:func:`trying`):
    nothing is written here."""
    tables = {region: dict(observed_levers().of(region).get(LEVER, {})) for region in TABLE}
    for _ in range(passes):
        for region in TABLE:
            with trying(with_surprises(tables)):
                own = corrected(tables[region], region, model)
            if region != CITY:                   # after the county's last figure: the city's, unchanged
                own.update({y: v for y, v in tables[CITY].items() if y > max(own)})
            tables[region] = own
    return tables


def _kept(tables: dict[str, dict[int, float]], region: str) -> dict[int, float]:
    """What the file keeps of a region's table: the city's in full (the ``[all]`` table, everyone's default),
    a county's up to its last figure (after it, the city's apply)."""
    if region == CITY:
        return tables[region]
    return {y: v for y, v in tables[region].items() if y <= max(observed_revenue(region))}


def with_surprises(tables: dict[str, dict[int, float]]):
    """The observed levers with these surprises, as the file would give them once written."""
    current = observed_levers()
    city = _kept(tables, CITY)
    paths = {region: {**levers, LEVER: {**city, **(_kept(tables, region) if region in TABLE else {})}}
             for region, levers in current.paths.items()}
    return replace(current, paths=paths)


def line(values: dict[int, float]) -> str:
    return f"{LEVER} = {{ " + ", ".join(f"{y} = {v:.4f}" for y, v in sorted(values.items())) + " }"


def write(tables: dict[str, dict[int, float]]) -> None:
    """Rewrite the ``revenue_growth_surprise`` line of each region's table in observed_levers.toml (the
    comments around it stay), and forget the cached file so that the next run reads it."""
    path = observed_file()
    text = read_text(path)
    for region, table in TABLE.items():
        values = _kept(tables, region)
        section = re.search(rf"^\[{table}\]\n(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
        body = section.group(1)
        new_body, n = re.subn(rf"^{LEVER} = .*$", line(values), body, count=1, flags=re.M)
        if n != 1:
            raise DataError(f"{path}: [{table}] has no {LEVER} line to rewrite")
        text = text[:section.start(1)] + new_body + text[section.end(1):]
    write_text(path, text)
    forget()
