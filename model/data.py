"""The project's data tables: region data, indicators and targets.

Each is a CSV file with provenance, read once and returned as plain
records.  Nothing here knows how the model runs.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .source import MODEL_DIR

PROJECT_DIR = MODEL_DIR.parent
REGIONS_FILE = MODEL_DIR / "regions.csv"
INDICATORS_FILE = MODEL_DIR / "indicators.csv"
PARAMETERS_FILE = MODEL_DIR / "parameters.csv"
TARGETS_FILE = PROJECT_DIR / "calibration" / "targets.csv"
HISTORY_FILE = PROJECT_DIR / "calibration" / "history.csv"

REGIONS = ("ningbo", "cixi", "yuyao")
REGION_LABELS = {
    "ningbo": {"zh": "宁波市", "en": "Ningbo"},
    "cixi": {"zh": "慈溪市", "en": "Cixi"},
    "yuyao": {"zh": "余姚市", "en": "Yuyao"},
}


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


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
    rows = []
    for row in _read(REGIONS_FILE):
        rows.append(RegionValue(row["region"], row["variable"], float(row["value"]),
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
    return tuple(Indicator(r["indicator"], r["variable"], float(r["scale"]), r["unit"],
                           r["headline"] == "yes", r["label_zh"], r["label_en"])
                 for r in _read(INDICATORS_FILE))


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


@lru_cache(maxsize=None)
def targets() -> tuple[Target, ...]:
    out = []
    for r in _read(TARGETS_FILE):
        out.append(Target(r["region"], r["indicator"], int(r["year"]), r["comparator"], float(r["value"]),
                          r["unit"], r["kind"], int(r["base_year"]) if r["base_year"] else None,
                          r["document"], r["clause"], r["original"], r["status"], r["note"]))
    return tuple(out)


@dataclass(frozen=True)
class ParameterSource:
    """Literature range and source of a region-independent parameter."""

    variable: str
    low: float | None
    high: float | None
    source: str
    note: str


@lru_cache(maxsize=None)
def parameter_sources() -> dict[str, ParameterSource]:
    out = {}
    for r in _read(PARAMETERS_FILE):
        out[r["variable"]] = ParameterSource(
            r["variable"], float(r["low"]) if r["low"] else None,
            float(r["high"]) if r["high"] else None, r["source"], r["note"])
    return out


def history_rows(path: Path = HISTORY_FILE) -> list[dict]:
    """The observed history as recorded, one dict per figure (used, excluded and input rows alike)."""
    return _read(path)


def observed_points(region: str) -> list[dict]:
    """The figures a region's charts show: used rows, as series, year, value, comparator and source."""
    return [{"series": r["series"], "year": int(r["year"]), "value": float(r["value"]),
             "lower_bound": r["comparator"] == ">", "source": r["source"], "original": r["original"]}
            for r in history_rows() if r["region"] == region and r["status"] == "used"]
