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

    @property
    def is_estimate(self) -> bool:
        return self.source == "estimate"


@lru_cache(maxsize=None)
def region_values() -> tuple[RegionValue, ...]:
    path = regions_file()
    rows = []
    for line, row in _rows(path, ("region", "variable", "value", "unit", "source", "note")):
        if row["region"] not in REGIONS:
            raise DataError(f"{path}: line {line}: region = {row['region']!r}; allowed: {', '.join(REGIONS)}")
        rows.append(RegionValue(row["region"], row["variable"], _number(path, line, "value", row["value"]),
                                row["unit"], row["source"], row["note"]))
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

    def label(self, language: str = "zh") -> str:
        return self.label_zh if language == "zh" else self.label_en


@lru_cache(maxsize=None)
def indicators() -> tuple[Indicator, ...]:
    path = indicators_file()
    return tuple(Indicator(r["indicator"], r["variable"], _number(path, line, "scale", r["scale"]), r["unit"],
                           r["headline"] == "yes", r["label_zh"], r["label_en"])
                 for line, r in _rows(path, ("indicator", "variable", "scale", "unit", "headline", "label_zh",
                                             "label_en")))


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


@lru_cache(maxsize=None)
def targets() -> tuple[Target, ...]:
    path = targets_file()
    out = []
    for line, r in _rows(path, ("region", "indicator", "year", "comparator", "value", "unit", "kind", "base_year",
                                "document", "clause", "original", "status", "note")):
        if r["comparator"] not in COMPARATORS or r["kind"] not in TARGET_KINDS:
            raise DataError(f"{path}: line {line}: comparator {r['comparator']!r} or kind {r['kind']!r} not allowed; "
                            f"comparators {', '.join(COMPARATORS)}, kinds {', '.join(TARGET_KINDS)}")
        base = _number(path, line, "base_year", r["base_year"], optional=True)
        out.append(Target(r["region"], r["indicator"], int(_number(path, line, "year", r["year"])), r["comparator"],
                          _number(path, line, "value", r["value"]), r["unit"], r["kind"],
                          int(base) if base is not None else None, r["document"], r["clause"], r["original"],
                          r["status"], r["note"]))
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


@lru_cache(maxsize=None)
def parameter_sources() -> dict[str, ParameterSource]:
    path = parameters_file()
    out = {}
    for line, r in _rows(path, ("variable", "low", "high", "source", "note")):
        out[r["variable"]] = ParameterSource(r["variable"], _number(path, line, "low", r["low"], True),
                                             _number(path, line, "high", r["high"], True), r["source"], r["note"],
                                             _number(path, line, "min", r.get("min", ""), True),
                                             _number(path, line, "max", r.get("max", ""), True),
                                             _number(path, line, "prior_mean", r.get("prior_mean", ""), True),
                                             _number(path, line, "prior_sd", r.get("prior_sd", ""), True))
    return out


def parameter_bounds(name: str, variable=None) -> tuple[float, float]:
    """What values a parameter may take at all: its declared validity range (``min``, ``max`` in parameters.csv)."""
    src = parameter_sources().get(name)
    low = src.minimum if src is not None and src.minimum is not None else -math.inf
    high = src.maximum if src is not None and src.maximum is not None else math.inf
    return low, high


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


KINDS = ("final", "preliminary", "partial_year", "lower_bound", "proxy", "derived")


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
