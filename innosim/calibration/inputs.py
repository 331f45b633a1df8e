"""Calibration inputs: the observed record and the specification, read and checked.

The record is ``calibration/history.csv`` (every row with its source, original
phrase, kind and confidence).  What calibration may fit follows from the row
itself: final, preliminary, derived and lower-bound figures of a series the
spec fits; never a partial year, a proxy or an excluded row (those are
reported as checks).  GDP and ratios to GDP are compared on the vintage they
were published in: the model runs on the bureau's current (census-revised)
series, and the spec's ``[gdp_revision]`` converts.

Mistakes (an unknown parameter, a bound with min > max, a series with no data)
raise :class:`CalibrationError` with one line naming file, key and value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from innosim.core import data
from innosim.core.model import load as load_model
from innosim.errors import InputError
from innosim.files import read_toml
from innosim.paths import data_file, display

TRANSFORMS = ("level", "growth", "annual_flow")
CONFIDENCE = ("high", "medium", "low")
VINTAGE_ROLES = ("", "gdp", "per_gdp")      # a GDP level, a ratio to GDP, or neither


def spec_file() -> Path:
    return data_file("calibration/spec.toml")


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
    kind: str = "final"
    vintage: str = ""
    fit: bool = True     # may steer the fit (False: reported as a check only)


@dataclass(frozen=True)
class Series:
    name: str
    variable: str
    transform: str
    scale: float = 1.0
    headline: bool = False
    fit: bool = True
    vintage_role: str = ""

    def years_needed(self, year: int) -> list[int]:
        """The run years an observation of this series in ``year`` is computed from."""
        return {"growth": [year - 1, year], "annual_flow": [year - 1, year]}.get(self.transform, [year])

    def path(self, col, years) -> tuple[list[int], object]:
        """The series as the model computes it, year by year, from the variable's yearly values ``col``
        (years first; further axes, such as candidate runs, are carried along).

        Values at year Y are year Y's (stocks at its end); a year's flow is the mean of the rate at the
        start and at the end of the year, and its growth the ratio of its level to the year before's.
        """
        years = [int(y) for y in years]
        if self.transform == "level":
            return years, col * self.scale
        if self.transform == "growth":
            return years[1:], 100 * (col[1:] / col[:-1] - 1)
        return years[1:], (col[:-1] + col[1:]) / 2 * self.scale      # annual_flow over [Y-1, Y]


@dataclass(frozen=True)
class Prior:
    """A free parameter's evidence: its centre, spread and the bounds it may not leave."""

    mean: float
    sd: float
    low: float
    high: float
    source: str
    relative: bool = False    # low and high are multiples of the region's value (an initial state)


@dataclass(frozen=True)
class Stage:
    name: str
    series: tuple[str, ...]
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class PlanSpec:
    parameters: tuple[str, ...]
    targets: str
    max_year: int
    target_tolerance: float
    prior_weight: float
    history_weight: float


@dataclass(frozen=True)
class Spec:
    model_error: dict
    confidence: dict
    confidence_points: dict
    kind_factor: dict
    series: dict
    stages: tuple[Stage, ...]
    region_parameters: dict          # region -> parameters fitted only there (initial states and the like)
    shared_from: str                 # the region whose posterior is the counties' prior for shared parameters
    plan: PlanSpec
    bounds: dict                     # parameter -> Prior (from model/parameters.csv, overridden by [bounds])
    region_prior_sd: float           # relative sd of a region-data value used as a prior
    gdp_revision: dict               # region -> vintage -> {year or "default": ratio of current to that vintage}
    path: Path
    census_year: int = 2023          # the last year first published before the census revision

    def sigma(self, obs: Observation) -> float:
        """Measurement error of an observation, in the units of its residual."""
        factor = self.kind_factor.get(obs.kind, 1.0)
        if self.series[obs.series].transform == "growth":
            return factor * math.hypot(self.confidence_points[obs.confidence], self.model_error.get("growth_points", 0))
        return factor * math.hypot(self.confidence[obs.confidence], self.model_error.get("level", 0.0)) * abs(obs.value)

    def revision(self, region: str, year: int, vintage: str) -> float:
        """Ratio of the current GDP series to the vintage an observation was published on (1 for current)."""
        if year > self.census_year and vintage in ("", "first_published"):
            return 1.0                    # first published on the revised basis already
        key = vintage or "first_published"
        table = self.gdp_revision.get(region, {}).get(key)
        if table is None:
            return 1.0
        return float(table.get(str(year), table.get("default", 1.0)))

    def prior(self, parameter: str, region: str) -> Prior:
        """The prior of a free parameter for a region: its evidence, or its region-data value with a spread."""
        bound = self.bounds[parameter]
        if not math.isnan(bound.mean) and not bound.relative:
            return bound
        value = data.region_constants(region).get(parameter, load_model().file_defaults[parameter])
        if bound.relative:
            low, high = sorted((value * bound.low, value * bound.high))
            return Prior(value, self.region_prior_sd * abs(value), low, high, bound.source, True)
        sd = self.region_prior_sd * abs(value) or 0.25 * (bound.high - bound.low)
        return Prior(value, sd, bound.low, bound.high, bound.source)


def posterior_priors(spec: Spec, source: str, values: dict, ses: dict, region: str, label: str) -> dict:
    """Priors for a county from ``source``'s fit (``values`` and standard errors ``ses``): the posterior value
    and its standard error, floored at half the literature's sd, for every parameter they share; the county's
    initial states and own parameters keep their own priors."""
    own = set(spec.region_parameters.get(region, ()))
    out = {}
    for name, value in values.items():
        if name in own or name not in spec.bounds or name.endswith("_2015"):
            continue                       # initial states are the region's own
        base = spec.prior(name, source)
        se = ses.get(name)
        sd = se if isinstance(se, (int, float)) and math.isfinite(se) else base.sd
        out[name] = Prior(float(value), float(max(sd, 0.5 * base.sd)), base.low, base.high,
                          f"{label}, as a prior for the counties")
    return out


KIND_RANK = {"final": 0, "preliminary": 1, "derived": 2, "lower_bound": 3, "proxy": 4}
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
SOURCE_RANK = {"official": 0, "official_newspaper": 1, "repository": 2, "news": 3, "mirror": 4, "encyclopedia": 5}


def load_history(path: Path | None = None) -> list[Observation]:
    """Every annual figure of the three regions; ``fit`` says whether it may steer a fit.

    Where the record holds several figures for one series and year, one steers the fit (final before
    preliminary before derived, then the higher confidence and the more official source); the others
    are kept as checks, so that no year counts twice.
    """
    out = []
    rows = sorted(data.observations(), key=lambda r: (KIND_RANK.get(r.kind, 9), CONFIDENCE_RANK.get(r.confidence, 9),
                                                      SOURCE_RANK.get(getattr(r, "source_type", ""), 9)))
    taken: set[tuple] = set()
    for row in rows:
        if row.region not in data.REGIONS or row.kind == "partial_year":
            continue
        if row.confidence not in CONFIDENCE:
            raise CalibrationError(f"history.csv: {row.region} {row.series} {row.year}: confidence = "
                                   f"{row.confidence!r}; allowed: {', '.join(CONFIDENCE)}")
        if not row.source or not row.original:
            raise CalibrationError(f"history.csv: {row.region} {row.series} {row.year}: every figure needs its "
                                   f"source and original phrase")
        key = (row.region, row.series, row.year, row.vintage if row.series == "gdp" else "")
        usable = row.annual and key not in taken
        if usable:
            taken.add(key)
        out.append(Observation(row.region, row.series, row.year, ">" if row.kind == "lower_bound" else "=",
                               row.value, row.unit, row.confidence, row.source, row.original, row.kind, row.vintage,
                               usable))
    return sorted(out, key=lambda o: (o.region, o.series, o.year))



def load_spec(path: Path | None = None, history: list[Observation] | None = None) -> Spec:
    """Read and check the specification against the model, its parameter sources and the history."""
    path = Path(path or spec_file())
    name = display(path)
    raw = read_toml(path, CalibrationError)
    try:
        return _spec(raw, path, name, history)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:     # a table of the wrong shape
        if isinstance(exc, InputError):
            raise
        what = f"missing key {exc}" if isinstance(exc, KeyError) else f"{exc.__class__.__name__}: {exc}"
        raise CalibrationError(f"{name}: not a calibration specification ({what})") from None


def _spec(raw: dict, path: Path, name: str, history) -> Spec:
    m = load_model()
    history = load_history() if history is None else history
    observed = {o.series for o in history}

    series = {}
    for item in raw.get("series", []):
        s = Series(item["name"], item["variable"], item.get("transform", "level"), float(item.get("scale", 1)),
                   bool(item.get("headline", False)), bool(item.get("fit", True)), item.get("vintage", ""))
        if s.variable not in m.variables:
            raise CalibrationError(f"{name}: series {s.name}: variable = {s.variable}: not a model variable")
        if s.transform not in TRANSFORMS:
            raise CalibrationError(f"{name}: series {s.name}: transform = {s.transform}: allowed: {', '.join(TRANSFORMS)}")
        if s.vintage_role not in VINTAGE_ROLES:
            raise CalibrationError(f"{name}: series {s.name}: vintage = {s.vintage_role}: allowed: gdp, per_gdp")
        series[s.name] = s

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
        st = Stage(item["name"], tuple(item.get("series", [])), tuple(item.get("parameters", [])))
        for s in st.series:
            if s not in series:
                raise CalibrationError(f"{name}: stage '{st.name}': series = {s}: not defined under [[series]]")
            if s not in observed:
                raise CalibrationError(f"{name}: stage '{st.name}': series = {s}: has no data in history.csv")
        for p in st.parameters:
            check_parameter(p, f"stage '{st.name}'")
        stages.append(st)
    region_parameters = {r: tuple(v) for r, v in raw.get("region_parameters", {}).items()}
    for region, params in region_parameters.items():
        if region not in data.REGIONS:
            raise CalibrationError(f"{name}: region_parameters.{region}: allowed: {', '.join(data.REGIONS)}")
        for p in params:
            check_parameter(p, f"region_parameters.{region}")

    plan_raw = raw.get("plan", {})
    plan = PlanSpec(tuple(plan_raw.get("parameters", [])), plan_raw.get("targets", "modelled"),
                    int(plan_raw.get("max_year", 2027)), float(plan_raw.get("target_tolerance", 0.01)),
                    float(plan_raw.get("prior_weight", 1.0)), float(plan_raw.get("history_weight", 1.0)))
    for p in plan.parameters:
        check_parameter(p, "[plan]")

    for key in ("confidence", "confidence_points"):
        table = raw.get(key, {})
        for level in CONFIDENCE:
            value = table.get(level)
            if not isinstance(value, (int, float)) or not value > 0:
                raise CalibrationError(f"{name}: {key}.{level} = {value!r}: must be a positive number")
    model_error = raw.get("model_error", {})
    for key, value in model_error.items():
        if key not in ("growth_points", "level") or not isinstance(value, (int, float)) or value < 0:
            raise CalibrationError(f"{name}: model_error.{key} = {value!r}: allowed: growth_points, level >= 0")
    history_raw = raw.get("history", {})
    region_sd = history_raw.get("region_prior_sd", 0.2)
    if not isinstance(region_sd, (int, float)) or not region_sd > 0:
        raise CalibrationError(f"{name}: history.region_prior_sd = {region_sd!r}: must be a positive number")
    return Spec(dict(model_error), raw["confidence"], raw["confidence_points"], dict(raw.get("kind_factor", {})),
                series, tuple(stages), region_parameters, history_raw.get("shared_from", "ningbo"), plan, bounds,
                float(region_sd), raw.get("gdp_revision", {}), path, _census_year(name, history_raw))


def _census_year(name: str, history_raw: dict) -> int:
    year = history_raw.get("census_year", 2023)
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise CalibrationError(f"{name}: history.census_year = {year!r}: allowed: a year (the last one first "
                               f"published before the economic census revised GDP)")
    return year


def _bounds(raw, m, name) -> dict[str, Prior]:
    """Priors and bounds from model/parameters.csv, overridden by a spec's [bounds.<parameter>] with its source."""
    out = {}
    for var, src in data.parameter_sources().items():
        if src.low is not None and src.high is not None:
            mean = src.prior_mean if src.prior_mean is not None else math.nan
            sd = src.prior_sd if src.prior_sd is not None else 0.25 * (src.high - src.low)
            out[var] = Prior(mean, sd, src.low, src.high, src.source)
    for param, b in raw.get("bounds", {}).items():
        if "relative" in b:
            rel = b["relative"]
            if not (isinstance(rel, list) and len(rel) == 2 and all(isinstance(v, (int, float)) for v in rel)
                    and 0 < rel[0] < 1 < rel[1]):
                raise CalibrationError(f"{name}: bounds.{param}.relative = {rel!r}: give [below 1, above 1]")
            if not b.get("source"):
                raise CalibrationError(f"{name}: bounds.{param}: every bound needs a source")
            out[param] = Prior(math.nan, math.nan, float(rel[0]), float(rel[1]), b["source"], True)
            continue
        low, high, source = b.get("low"), b.get("high"), b.get("source", "")
        if param not in m.variables:
            raise CalibrationError(f"{name}: bounds.{param}: not a constant of the model")
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (low, high)):
            raise CalibrationError(f"{name}: bounds.{param} = [{low}, {high}]: low and high must be numbers")
        if low >= high:
            raise CalibrationError(f"{name}: bounds.{param} = [{low}, {high}]: min must be below max")
        if not source:
            raise CalibrationError(f"{name}: bounds.{param}: every bound needs a source")
        out[param] = Prior(float(b.get("mean", math.nan)), float(b.get("sd", 0.25 * (high - low))), float(low),
                           float(high), source)
    return out
