"""The project's data tables: region data, indicators, targets, parameter sources and the observed history.

Each is a CSV file with provenance, read once per process and returned as
plain records.  Nothing here knows how the model runs.  A damaged file (a
missing column, a ragged row, a number that is not one) is a one-line error
naming the file and the line; a byte-order mark (Excel's "CSV UTF-8") is fine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from innosim.errors import DataError
from innosim.files import read_csv_rows
from innosim.paths import data_file

REGIONS = ("ningbo", "cixi", "yuyao")
REGION_LABELS = {
    "ningbo": {"zh": "宁波市", "en": "Ningbo"},
    "cixi": {"zh": "慈溪市", "en": "Cixi"},
    "yuyao": {"zh": "余姚市", "en": "Yuyao"},
}


def regions_file() -> Path:
    return data_file("model/regions.csv")


def indicators_file() -> Path:
    return data_file("model/indicators.csv")


def parameters_file() -> Path:
    return data_file("model/parameters.csv")


def targets_file() -> Path:
    return data_file("calibration/targets.csv")


def history_file() -> Path:
    return data_file("calibration/history.csv")


def _number(path: Path, line: int, column: str, text: str, optional: bool = False) -> float | None:
    if optional and not str(text).strip():
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise DataError(f"{path}: line {line}: {column} = {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DataError(f"{path}: line {line}: {column} = {text!r} is not a finite number")
    return value


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict]]:
    """Rows with their line numbers (the header is line 1)."""
    return list(enumerate(read_csv_rows(path, required), start=2))


@dataclass(frozen=True)
class RegionValue:
    """One row of the region data: a value with its source."""

    region: str
    variable: str
    value: float
    unit: str
    source: str
    note: str
    line: int = 0            # where it stands in the file, for messages

    @property
    def is_estimate(self) -> bool:
        return self.source == "estimate"


@lru_cache(maxsize=None)
def region_values() -> tuple[RegionValue, ...]:
    path = regions_file()
    rows, seen = [], {}
    table = _rows(path, ("region", "variable", "value", "unit", "source", "note"))
    if not table:
        raise DataError(f"{path}: has no rows; every region needs its values")
    for line, row in table:
        if row["region"] not in REGIONS:
            raise DataError(f"{path}: line {line}: region = {row['region']!r}; allowed: {', '.join(REGIONS)}")
        key = (row["region"], row["variable"])
        if key in seen:          # two values for one variable: which one is meant? never guess
            raise DataError(f"{path}: line {line}: {row['region']}/{row['variable']} is given again (first on line "
                            f"{seen[key]}); keep one row")
        seen[key] = line
        rows.append(RegionValue(row["region"], row["variable"], _number(path, line, "value", row["value"]),
                                row["unit"], row["source"], row["note"], line))
    return tuple(rows)


def region_constants(region: str) -> dict[str, float]:
    """The region's values by variable identifier."""
    return {r.variable: r.value for r in region_values() if r.region == region}


@dataclass(frozen=True)
class Indicator:
    """A reported indicator: a model variable, scaled, with labels."""

    indicator: str
    variable: str
    scale: float
    unit: str
    headline: bool
    label_zh: str
    label_en: str
    line: int = 0

    def label(self, language: str = "zh") -> str:
        return self.label_zh if language == "zh" else self.label_en


@lru_cache(maxsize=None)
def indicators() -> tuple[Indicator, ...]:
    path = indicators_file()
    out, seen = [], {}
    for line, r in _rows(path, ("indicator", "variable", "scale", "unit", "headline", "label_zh", "label_en")):
        if r["indicator"] in seen:
            raise DataError(f"{path}: line {line}: indicator {r['indicator']!r} is given again (first on line "
                            f"{seen[r['indicator']]}); keep one row")
        seen[r["indicator"]] = line
        out.append(Indicator(r["indicator"], r["variable"], _number(path, line, "scale", r["scale"]), r["unit"],
                             r["headline"] == "yes", r["label_zh"], r["label_en"], line))
    if not out:
        raise DataError(f"{path}: has no rows; the model reports nothing without indicators")
    return tuple(out)


def indicator(name: str) -> Indicator:
    for ind in indicators():
        if ind.indicator == name:
            return ind
    raise KeyError(name)


@dataclass(frozen=True)
class Target:
    """One quantitative target of the policy documents."""

    region: str
    indicator: str
    year: int
    comparator: str
    value: float
    unit: str
    kind: str            # "level", "multiple" (of the base-year value) or "increase" (over it)
    base_year: int | None
    document: str
    clause: str
    original: str
    status: str          # "modelled" or "tracked, not modelled"
    note: str

    @property
    def modelled(self) -> bool:
        return self.status == "modelled"


COMPARATORS = (">=", ">", "<=", "=")
TARGET_KINDS = ("level", "multiple", "increase")


def _year(path: Path, line: int, column: str, text: str, optional: bool = False) -> int | None:
    """A whole year; '2027.5' or 'soon' is the file's mistake, never rounded or guessed."""
    value = _number(path, line, column, text, optional)
    if value is None:
        return None
    if value != int(value):
        raise DataError(f"{path}: line {line}: {column} = {text!r} is not a whole year")
    return int(value)


@lru_cache(maxsize=None)
def targets() -> tuple[Target, ...]:
    path = targets_file()
    known = {i.indicator for i in indicators()}
    out = []
    for line, r in _rows(path, ("region", "indicator", "year", "comparator", "value", "unit", "kind", "base_year",
                                "document", "clause", "original", "status", "note")):
        if r["region"] not in REGIONS:
            raise DataError(f"{path}: line {line}: region = {r['region']!r}; allowed: {', '.join(REGIONS)}")
        if r["comparator"] not in COMPARATORS:
            raise DataError(f"{path}: line {line}: comparator = {r['comparator']!r}; allowed: {', '.join(COMPARATORS)}")
        if r["kind"] not in TARGET_KINDS:
            raise DataError(f"{path}: line {line}: kind = {r['kind']!r}; allowed: {', '.join(TARGET_KINDS)}")
        if r["status"] == "modelled" and r["indicator"] not in known:
            raise DataError(f"{path}: line {line}: indicator = {r['indicator']!r} is not in "
                            f"{indicators_file().name}; allowed for a modelled target: {', '.join(sorted(known))}")
        base = _year(path, line, "base_year", r["base_year"], optional=True)
        if r["kind"] != "level" and base is None:
            raise DataError(f"{path}: line {line}: a {r['kind']} target needs its base_year")
        out.append(Target(r["region"], r["indicator"], _year(path, line, "year", r["year"]), r["comparator"],
                          _number(path, line, "value", r["value"]), r["unit"], r["kind"], base, r["document"],
                          r["clause"], r["original"], r["status"], r["note"]))
    return tuple(out)


@dataclass(frozen=True)
class ParameterSource:
    """Literature range and source of a region-independent parameter."""

    variable: str
    low: float | None           # the literature range: what the evidence supports
    high: float | None
    source: str
    note: str
    minimum: float | None = None    # the validity range: what the equations allow at all (an override outside
    maximum: float | None = None    # it is refused)
    prior_mean: float | None = None  # the evidence's central value and spread (calibration priors; Monte Carlo
    prior_sd: float | None = None    # draws for what calibration does not inform)
    line: int = 0

    def valid(self) -> str:
        """The validity range as a message shows it."""
        if self.minimum is not None and self.minimum == self.maximum:
            return f"{self.minimum:g} (a fixed constant)"
        low = "" if self.minimum is None else f"{self.minimum:g}"
        high = "" if self.maximum is None else f"{self.maximum:g}"
        return f"{low or '-inf'} to {high or 'inf'}"


@lru_cache(maxsize=None)
def parameter_sources() -> dict[str, ParameterSource]:
    """Each parameter's literature range (low, high) and validity range (min, max), checked for sense."""
    path = parameters_file()
    out, lines = {}, {}
    for line, r in _rows(path, ("variable", "low", "high", "source", "note")):
        name = r["variable"]
        if name in lines:
            raise DataError(f"{path}: line {line}: {name} is given again (first on line {lines[name]}); keep one row")
        lines[name] = line

        def number(column):
            return _number(path, line, f"{name}: {column}", r.get(column, ""), optional=True)

        src = ParameterSource(name, number("low"), number("high"), r["source"], r["note"], number("min"),
                              number("max"), number("prior_mean"), number("prior_sd"), line)
        for a, b, what in ((src.low, src.high, "low above high"), (src.minimum, src.maximum, "min above max"),
                           (src.minimum, src.low, "the literature range (low) reaches below min"),
                           (src.high, src.maximum, "the literature range (high) reaches above max")):
            if a is not None and b is not None and a > b:
                raise DataError(f"{path}: line {line}: {name}: {what} ({a:g} > {b:g})")
        out[name] = src
    return out


@dataclass(frozen=True)
class Observation:
    """One published figure of the observed record (``calibration/history.csv``)."""

    region: str
    series: str
    year: int
    value: float
    unit: str
    kind: str            # final, preliminary, partial_year, lower_bound, proxy, derived
    confidence: str
    source: str
    original: str
    judges: bool         # may judge a target in fact
    vintage: str = ""    # GDP and ratios to GDP: first_published, revised or current
    exclude: str = ""    # why calibration leaves the row out (blank: it may be used)
    source_type: str = ""

    @property
    def annual(self) -> bool:
        """An annual figure calibration may use and coverage counts: not a partial year, not a proxy (another
        definition), not a row the record excludes."""
        return self.kind in ANNUAL_KINDS and not self.exclude


KINDS = ("final", "preliminary", "partial_year", "lower_bound", "proxy", "derived")
ANNUAL_KINDS = ("final", "preliminary", "lower_bound", "derived")   # the kinds that are annual figures


@lru_cache(maxsize=1)
def observations() -> tuple[Observation, ...]:
    """The observed record as typed rows (every row, whether calibration fits it or not)."""
    path = history_file()
    out = []
    for line, row in _rows(path, ("region", "series", "year", "value", "unit", "kind", "vintage", "confidence",
                                  "source", "original", "exclude")):
        if row["kind"] not in KINDS:
            raise DataError(f"{path}: line {line}: kind = {row['kind']!r}; allowed: {', '.join(KINDS)}")
        out.append(Observation(row["region"], row["series"], int(_number(path, line, "year", row["year"])),
                               _number(path, line, "value", row["value"]), row["unit"], row["kind"],
                               row["confidence"], row["source"], row["original"],
                               row["kind"] in ("final", "preliminary", "lower_bound") and not row["exclude"],
                               row["vintage"], row["exclude"], row.get("source_type", "")))
    return tuple(out)


def history_rows(path: Path | None = None) -> list[dict]:
    """The observed history as recorded, one dict per figure (used, excluded and input rows alike)."""
    return read_csv_rows(path or history_file())


def observed_points(region: str) -> list[dict]:
    """The figures a region's charts show: every annual figure (partial years and excluded rows left out)."""
    return [{"series": o.series, "year": o.year, "value": o.value, "lower_bound": o.kind == "lower_bound",
             "kind": o.kind, "source": o.source, "original": o.original}
            for o in observations() if o.region == region and o.kind != "partial_year" and not o.exclude]
