"""`innosim calibrate`: fit, save the parameter set, write the report.

History mode writes ``calibration/sets/history/<region>.json``, the set
every run uses by default; plan mode writes ``calibration/sets/plan/``.  A
run with held-out years only reports: a set fitted on part of the data
never replaces the full one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import model
from model import data, paramsets
from model.source import MODEL_FILE, content_hash

from .fit import fit_history
from .inputs import HISTORY_FILE, SPEC_FILE, load_history, load_spec
from .plan import fit_plan
from .report import history_blocks, plan_blocks, write_report

DEFAULT_REPORT_DIR = Path("outputs") / "calibration"
MODES = ("history", "plan")


@dataclass
class CalibrationRun:
    region: str
    mode: str
    result: object
    set_path: Path | None
    report_paths: list


def _provenance(spec, mode, extra: dict) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        project = version("innosim")
    except PackageNotFoundError:
        project = "unknown"
    return {
        "mode": mode,
        "created": dt.date.today().isoformat(),
        "method": "penalised weighted least squares (scipy.optimize.least_squares, trf, bounded)",
        "history_sha256": content_hash(HISTORY_FILE),
        "spec_sha256": content_hash(spec.path),
        "history_inputs_sha256": content_hash(spec.history_inputs),
        "model_sha256": content_hash(MODEL_FILE),
        "region_data_sha256": content_hash(data.REGIONS_FILE),
        "parameter_ranges_sha256": content_hash(data.PARAMETERS_FILE),
        "innosim_version": project,
        **extra,
    }


def calibrate(region: str, mode: str, holdout_from: int | None = None, report_dir: Path | None = DEFAULT_REPORT_DIR,
              save: bool = True, progress=None, spec_path: Path = SPEC_FILE) -> CalibrationRun:
    """Calibrate one region in one mode; save its parameter set (unless years are held out) and report."""
    model.load().check_region(region)
    if mode not in MODES:
        raise model.InputError(f"unknown mode '{mode}'; choose history or plan")
    history = load_history()
    spec = load_spec(spec_path, history)
    meta = {"created": dt.date.today().isoformat(), "history_sha256": content_hash(HISTORY_FILE),
            "prior_sd_share": spec.prior_sd_share, "max_year": spec.plan.max_year,
            "target_tolerance": spec.plan.target_tolerance,
            "checks": {name: not s.fit for name, s in spec.series.items()},
            "growth": {name: s.transform == "growth" for name, s in spec.series.items()}}
    set_path = None
    if mode == "history":
        result = fit_history(region, spec, history, holdout_from, progress)
        if save and holdout_from is None:
            set_path = paramsets.write_set("history", region, {p.name: p.value for p in result.parameters},
                                           _provenance(spec, mode, {
                                               "data_cost": result.cost, "prior_cost": result.prior_cost,
                                               "n_observations": result.n_observations,
                                               "identified": result.identified,
                                               "fit": {s.series: dict(s.stats) for s in result.fit}}),
                                           {"standard_errors": {p.name: p.se for p in result.parameters},
                                            "correlation": [[round(float(v), 6) for v in row]
                                                            for row in result.correlation],
                                            "at_bound": [p.name for p in result.parameters if p.at_bound]})
        blocks = history_blocks(result, meta)
    else:
        if model.load().parameter_set("history", region).name != "history":
            raise model.InputError(f"plan mode starts from the history set; run "
                                   f"`innosim calibrate --region {region} --mode history` first")
        result = fit_plan(region, spec, progress)
        if save:
            set_path = paramsets.write_set("plan", region, {p.name: p.value for p in result.parameters},
                                           _provenance(spec, mode, {"cost": result.cost}),
                                           {"targets": [{"indicator": o.target.indicator, "year": o.target.year,
                                                         "history": o.history_value, "plan": o.plan_value,
                                                         "verdict": o.verdict} for o in result.targets]})
        blocks = plan_blocks(result, meta)
    report_paths = write_report(blocks, Path(report_dir) / mode, region) if report_dir else []
    return CalibrationRun(region, mode, result, set_path, report_paths)
