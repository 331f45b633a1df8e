"""Calibrate: fit, save the parameter set where the user says, write the report.

Sets are saved to the user data folder by default (``local-history`` and
``local-plan``), or to ``save_to``; the shipped sets in
``calibration/sets/`` are rewritten only when ``update_shipped`` is asked
for, and only in a checkout.  Nothing is ever written into an installed
package.  A run with held-out years saves no set and writes its report
beside the full one (``<region>-holdout-<year>``), never over it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from innosim.calibration.fit import fit_history
from innosim.calibration.inputs import load_history, load_spec, posterior_priors
from innosim.calibration.plan import fit_plan
from innosim.calibration.report import history_blocks, plan_blocks, write_report
from innosim.core import data, paramsets
from innosim.core.model import load as load_model
from innosim.core.timeline import observed_levers
from innosim.errors import InputError
from innosim.files import content_hash
from innosim.paths import is_checkout, shipped_sets_dir, user_sets_dir
from innosim.version import package_version

DEFAULT_REPORT_DIR = Path("outputs") / "calibration"
MODES = ("history", "plan")
LOCAL_PREFIX = "local-"


@dataclass
class CalibrationRun:
    region: str
    mode: str
    result: object
    set_path: Path | None
    report_paths: list
    blocks: list


def _provenance(spec, mode, extra: dict) -> dict:
    m = load_model()
    return {
        "mode": mode,
        "created": dt.date.today().isoformat(),
        "method": "penalised weighted least squares (scipy.optimize.least_squares, trf, bounded)",
        "history_sha256": content_hash(data.history_file()),
        "spec_sha256": content_hash(spec.path),
        "observed_levers_sha256": observed_levers().sha256,
        "model_sha256": m.sha256,
        "region_data_sha256": content_hash(data.regions_file()),
        "parameter_ranges_sha256": content_hash(data.parameters_file()),
        "innosim_version": package_version(),
        **extra,
    }


def shared_priors(spec, region: str) -> dict:
    """The counties' priors for the parameters they share with Ningbo: Ningbo's shipped history posterior
    where it exists; else the literature's."""
    source = spec.shared_from
    if region == source:
        return {}
    try:
        pset = load_model().parameter_set(paramsets.DEFAULT, source)
    except InputError:
        return {}
    return posterior_priors(spec, source, pset.fitted(), pset.extras.get("standard_errors", {}), region,
                            f"{source}'s history fit ({pset.path.name})")


def set_folder(mode: str, save_to: Path | None = None, update_shipped: bool = False) -> Path:
    """Where a calibration's set goes: ``save_to``, the shipped sets (only in a checkout), or the user's folder."""
    if save_to is not None and update_shipped:
        raise InputError("save_to and update_shipped: choose one place to save the set")
    if update_shipped:
        if not is_checkout():
            raise InputError("update_shipped: the shipped parameter sets belong to the installed package and are "
                             "never rewritten; save the set to a folder of your own instead")
        return shipped_sets_dir() / mode
    if save_to is not None:
        return Path(save_to)
    return user_sets_dir() / f"{LOCAL_PREFIX}{mode}"


def calibrate(region: str, mode: str, *, holdout_from: int | None = None, report: Path | None = DEFAULT_REPORT_DIR,
              save: bool = True, save_to: Path | None = None, update_shipped: bool = False,
              base: str | None = None, progress=None, spec_path: Path | None = None) -> CalibrationRun:
    """Calibrate one region in one mode; save its parameter set (unless years are held out) and report.

    ``base`` (plan mode) names the history set plan mode starts from, and that the plan set will sit on
    (default ``history``).
    """
    m = load_model()
    m.check_region(region)
    if mode not in MODES:
        raise InputError(f"mode '{mode}': allowed: {', '.join(MODES)}")
    history = load_history()
    spec = load_spec(spec_path, history)
    if holdout_from is not None:
        years = sorted({o.year for o in history if o.region == region})
        if not years or not (isinstance(holdout_from, int) and years[0] < holdout_from <= years[-1]):
            raise InputError(f"holdout_from {holdout_from!r}: allowed: a year from {years[0] + 1 if years else '?'} "
                             f"to {years[-1] if years else '?'}, so that some of {region}'s observations are fitted "
                             f"and some held out", "holdout_from", holdout_from)
    meta = {"created": dt.date.today().isoformat(), "history_sha256": content_hash(data.history_file()),
            "region_prior_sd": spec.region_prior_sd, "max_year": spec.plan.max_year,
            "target_tolerance": spec.plan.target_tolerance,
            "checks": {name: not s.fit for name, s in spec.series.items()},
            "growth": {name: s.transform == "growth" for name, s in spec.series.items()}}
    set_path = None
    folder = set_folder(mode, save_to, update_shipped) if save and holdout_from is None else None
    if mode == "history":
        result = fit_history(region, spec, history, holdout_from, progress, shared_priors(spec, region))
        if folder is not None:
            set_path = paramsets.write_set(folder, region, {p.name: p.value for p in result.parameters},
                                           _provenance(spec, mode, {
                                               "data_cost": result.cost, "prior_cost": result.prior_cost,
                                               "n_observations": result.n_observations,
                                               "identified": result.identified,
                                               "fit": {s.series: dict(s.stats) for s in result.fit}}),
                                           extra={"standard_errors": {p.name: p.se for p in result.parameters},
                                                  "priors": {p.name: {"mean": p.start, "sd": p.prior_sd}
                                                             for p in result.parameters},
                                                  "informed": [p.name for p in result.parameters if p.informed],
                                                  "correlation": [[round(float(v), 6) for v in row]
                                                                  for row in result.correlation],
                                                  "at_bound": [p.name for p in result.parameters if p.at_bound]})
        blocks = history_blocks(result, meta)
        if holdout_from is None:
            from innosim.calibration.backtest import backtest
            from innosim.calibration.backtest_report import backtest_blocks

            blocks += backtest_blocks(backtest(regions=[region], spec_path=spec_path), region)
    else:
        base_set = m.parameter_set(base or paramsets.DEFAULT, region)
        if base_set.name == paramsets.NONE:
            raise InputError(f"plan mode starts from a history set; base '{base}' is the region data alone")
        result = fit_plan(region, spec, progress, base or paramsets.DEFAULT)
        if folder is not None:
            set_path = paramsets.write_set(folder, region, {p.name: p.value for p in result.parameters},
                                           _provenance(spec, mode, {"cost": result.cost}), base=base_set,
                                           extra={"targets": [{"indicator": o.target.indicator, "year": o.target.year,
                                                               "history": o.history_value, "plan": o.plan_value,
                                                               "verdict": o.verdict} for o in result.targets]})
        blocks = plan_blocks(result, meta)
    stem = region if holdout_from is None else f"{region}-holdout-{holdout_from}"
    if report is None:
        report_paths = []
    else:
        report = Path(report)
        report_paths = write_report(blocks, report if report.suffix else report / mode, stem)
    return CalibrationRun(region, mode, result, set_path, report_paths, blocks)
