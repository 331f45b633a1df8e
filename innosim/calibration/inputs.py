"""Calibration inputs: the observed history and the specification, read and checked.

Mistakes (an unknown parameter, a bound with min > max, a series with no
data) raise :class:`CalibrationError` with one line naming file, key and value.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from innosim.core import data
from innosim.core.model import load as load_model
from innosim.errors import InputError
from innosim.files import read_text
from innosim.paths import data_file


def spec_file() -> Path:
    return data_file("calibration/spec.toml")
TRANSFORMS = ("level", "growth", "annual_flow")
CONFIDENCE = ("high", "medium", "low")
STATUSES = ("used", "excluded", "input")


class CalibrationError(InputError):
    """Calibration input is not valid; the message is one line that says what to fix."""


@dataclass(frozen=True)
class Observation:
    region: str
    series: str
    year: int
    comparator: str      # "=" or ">" (a lower bound)
    value: float
    unit: str
    confidence: str
    source: str
    original: str


@dataclass(frozen=True)
class Series:
    name: str
    variable: str
    transform: str
    scale: float = 1.0
    headline: bool = False
    fit: bool = True

    def years_needed(self, year: int) -> list[int]:
        """The run years an observation of this series in ``year`` is computed from."""
        return {"growth": [year - 1, year], "annual_flow": [year, year + 1]}.get(self.transform, [year])

    def path(self, col, years) -> tuple[list[int], object]:
        """The series as the model computes it, year by year, from the variable's yearly values ``col``
        (years first; further axes, such as candidate runs, are carried along)."""
        years = [int(y) for y in years]
        if self.transform == "level":
            return years, col * self.scale
        if self.transform == "growth":
            return years[1:], 100 * (col[1:] / col[:-1] - 1)
        return years[:-1], (col[:-1] + col[1:]) / 2 * self.scale      # annual_flow: a flow at mid-year


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class Stage:
    name: str
    series: tuple[str, ...]
    parameters: tuple[str, ...]
    drivers: dict = field(default_factory=dict)   # model variable -> observed series


@dataclass(frozen=True)
class PlanSpec:
    parameters: tuple[str, ...]
    targets: str
    max_year: int
    target_tolerance: float
    prior_weight: float


@dataclass(frozen=True)
class Spec:
    prior_sd_share: float
    model_error: dict
    confidence: dict
    confidence_points: dict
    series: dict
    stages: tuple[Stage, ...]
    plan: PlanSpec
    bounds: dict
    path: Path

    def sigma(self, obs: Observation) -> float:
        """Measurement error of an observation, in the units of its residual."""
        if self.series[obs.series].transform == "growth":
            return math.hypot(self.confidence_points[obs.confidence], self.model_error.get("growth_points", 0.0))
        return math.hypot(self.confidence[obs.confidence], self.model_error.get("level", 0.0)) * abs(obs.value)


def load_history(path: Path | None = None) -> list[Observation]:
    """The observations marked ``used``; excluded and input rows are kept in the file for the record."""
    out = []
    path = path or data.history_file()
    for line, row in enumerate(data.history_rows(path), start=2):
        where = f"{Path(path).name} line {line}"
        if row["status"] not in STATUSES:
            raise CalibrationError(f"{where}: status = {row['status']}: allowed: {', '.join(STATUSES)}")
        if row["region"] not in data.REGIONS:
            raise CalibrationError(f"{where}: region = {row['region']}: allowed: {', '.join(data.REGIONS)}")
        if row["confidence"] not in CONFIDENCE:
            raise CalibrationError(f"{where}: confidence = {row['confidence']}: allowed: {', '.join(CONFIDENCE)}")
        if row["comparator"] not in ("=", ">"):
            raise CalibrationError(f"{where}: comparator = {row['comparator']}: allowed: =, >")
        if not row["source"] or not row["original"]:
            raise CalibrationError(f"{where}: every figure needs its source and original phrase")
        if row["status"] != "used":
            continue
        out.append(Observation(row["region"], row["series"], int(row["year"]), row["comparator"],
                               float(row["value"]), row["unit"], row["confidence"], row["source"], row["original"]))
    return out


def load_spec(path: Path | None = None, history: list[Observation] | None = None) -> Spec:
    """Read and check the specification against the model, its parameter sources and the history."""
    path = Path(path or spec_file())
    name = path.name
    try:
        raw = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{name}: cannot be read ({exc})") from None
    m = load_model()
    history = load_history() if history is None else history
    observed = {o.series for o in history}

    series = {}
    for item in raw.get("series", []):
        s = Series(item["name"], item["variable"], item.get("transform", "level"), float(item.get("scale", 1)),
                   bool(item.get("headline", False)), bool(item.get("fit", True)))
        if s.variable not in m.variables:
            raise CalibrationError(f"{name}: series {s.name}: variable = {s.variable}: not a model variable")
        if s.transform not in TRANSFORMS:
            raise CalibrationError(f"{name}: series {s.name}: transform = {s.transform}: allowed: {', '.join(TRANSFORMS)}")
        series[s.name] = s
    unknown = {o.series for o in history} - set(series)
    if unknown:
        raise CalibrationError(f"{name}: history series {sorted(unknown)} have no [[series]] definition")

    bounds = _bounds(raw, m, name)

    def check_parameter(param, where):
        var = m.variables.get(param)
        if var is None or var.kind != "constant":
            raise CalibrationError(f"{name}: {where}: parameter = {param}: not a constant of the model")
        if var.is_lever:
            raise CalibrationError(f"{name}: {where}: parameter = {param}: a lever is policy, not a free parameter")
        if param not in bounds:
            raise CalibrationError(f"{name}: {where}: parameter = {param}: has no bounds in model/parameters.csv")

    stages = []
    for item in raw.get("stage", []):
        st = Stage(item["name"], tuple(item.get("series", [])), tuple(item.get("parameters", [])),
                   dict(item.get("drivers", {})))
        for s in st.series:
            if s not in series:
                raise CalibrationError(f"{name}: stage '{st.name}': series = {s}: not defined under [[series]]")
            if s not in observed:
                raise CalibrationError(f"{name}: stage '{st.name}': series = {s}: has no data in history.csv")
        for p in st.parameters:
            check_parameter(p, f"stage '{st.name}'")
        for var, obs_series in st.drivers.items():
            if var not in m.variables or m.variables[var].kind != "auxiliary":
                raise CalibrationError(f"{name}: stage '{st.name}': driver = {var}: not an auxiliary of the model")
            if obs_series not in observed:
                raise CalibrationError(f"{name}: stage '{st.name}': driver series = {obs_series}: has no data")
        stages.append(st)

    plan_raw = raw.get("plan", {})
    plan = PlanSpec(tuple(plan_raw.get("parameters", [])), plan_raw.get("targets", "modelled"),
                    int(plan_raw.get("max_year", 2027)), float(plan_raw.get("target_tolerance", 0.01)),
                    float(plan_raw.get("prior_weight", 1.0)))
    for p in plan.parameters:
        check_parameter(p, "[plan]")

    for key in ("confidence", "confidence_points"):
        table = raw.get(key, {})
        for level in CONFIDENCE:
            value = table.get(level)
            if not isinstance(value, (int, float)) or not value > 0:
                raise CalibrationError(f"{name}: {key}.{level} = {value!r}: must be a positive number")
    prior = raw.get("history", {}).get("prior_sd_share", 0.25)
    if not isinstance(prior, (int, float)) or not prior > 0:
        raise CalibrationError(f"{name}: history.prior_sd_share = {prior!r}: must be a positive number")
    model_error = raw.get("model_error", {})
    for key, value in model_error.items():
        if key not in ("growth_points", "level") or not isinstance(value, (int, float)) or value < 0:
            raise CalibrationError(f"{name}: model_error.{key} = {value!r}: allowed: growth_points, level >= 0")
    return Spec(float(prior), dict(model_error), raw["confidence"], raw["confidence_points"], series, tuple(stages), plan, bounds,
                path)


def _bounds(raw, m, name) -> dict[str, Bounds]:
    """Bounds from model/parameters.csv, overridden by a spec's [bounds.<parameter>] with its source."""
    out = {}
    for var, src in data.parameter_sources().items():
        if src.low is not None and src.high is not None:
            out[var] = Bounds(src.low, src.high, src.source)
    for param, b in raw.get("bounds", {}).items():
        low, high, source = b.get("low"), b.get("high"), b.get("source", "")
        if param not in m.variables:
            raise CalibrationError(f"{name}: bounds.{param}: not a constant of the model")
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (low, high)):
            raise CalibrationError(f"{name}: bounds.{param} = [{low}, {high}]: low and high must be numbers")
        if low >= high:
            raise CalibrationError(f"{name}: bounds.{param} = [{low}, {high}]: min must be below max")
        if not source:
            raise CalibrationError(f"{name}: bounds.{param}: every bound needs a source")
        out[param] = Bounds(float(low), float(high), source)
    return out
