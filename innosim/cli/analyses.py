"""`innosim montecarlo`, `sensitivity`, `goalseek` and `attribute`: thin clients of the model's analyses."""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace

import pandas as pd

from innosim.analysis.executor import Executor, check_dask, check_workers
from innosim.core import data
from innosim.core.model import load
from innosim.core.scenarios import as_scenario
from innosim.errors import InputError
from innosim.reports.export import FORMATS, provenance
from innosim.reports.outputs import write_tables

from .options import checked, emit, output, parameter_set, translated, writing


def _scenario(path):
    return as_scenario(path)


def _case(args, scenario, region):
    case = scenario.case(region, parameter_set=args.parameter_set)
    if args.policy_from is None:
        return case
    case = replace(case, policy_from=args.policy_from)
    translated(lambda: load().policy_start(case), {"policy_from": ("--policy-from", args.policy_from)})
    return case


def _prepare(args, regions) -> None:
    """Everything that can be checked before a run: the output folder, the parameter set, the policy start."""
    output("--out", args.out, folder=True)
    parameter_set("--parameter-set", args.parameter_set, regions)


def _executor(args) -> Executor:
    workers = None if args.workers is None else checked("--workers", args.workers, check_workers)
    if args.dask:
        checked("--dask", args.dask, check_dask)
    return Executor(workers, args.dask)


def _numbers(args, minimum: int = 2) -> None:
    from innosim.analysis.montecarlo import check_samples, check_seed

    checked("--samples", args.samples, check_samples, minimum)
    checked("--seed", args.seed, check_seed)


def _show_progress(args) -> bool:
    """--progress / --no-progress, or by default only on a terminal."""
    return args.progress if args.progress is not None else sys.stderr.isatty()


def _write(args, tables: dict, scenario, regions, extra: dict, failures=()) -> None:
    if not args.out:
        return
    meta = provenance([scenario], regions, args.parameter_set, failures, **extra)
    written = writing("--out", args.out, lambda: write_tables(args.out, args.format, tables, meta, failures))
    print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)


def cmd_montecarlo(args, progress_cls) -> int:
    from innosim.analysis.montecarlo import montecarlo

    scenario = _scenario(args.scenario)
    regions = list(scenario.regions) if args.region == "all" else [args.region]
    _prepare(args, regions)
    _numbers(args)
    executor = _executor(args)
    cases = {region: _case(args, scenario, region) for region in regions}
    bands, probabilities, samples, factors, failures, done = [], [], [], [], [], []
    for region in regions:
        try:
            result = montecarlo(cases[region], n=args.samples, seed=args.seed, executor=executor,
                                progress=progress_cls(_show_progress(args), f"{region} Monte Carlo"))
        except InputError as exc:
            if len(regions) == 1:
                raise
            # one region's failure (a damaged set of its own) loses only that region
            failures.append(f"{region}: {' '.join(str(exc).split())}")
            print(f"innosim: failed: {failures[-1]}", file=sys.stderr)
            continue
        failures += [f"{region}: {reason}" for reason in result.failures]
        for reason in result.failures:
            print(f"innosim: failed: {region}: {reason}", file=sys.stderr)
        left_out = f"; {result.excluded} non-finite runs left out" if result.excluded else ""
        print(f"# {region}: {result.n} runs in {result.seconds:.1f} s on {result.executor} (seed {result.seed})"
              f"{left_out}", file=sys.stderr)
        done.append(region)
        bands.append(result.bands.assign(region=region))
        probabilities.append(result.probabilities)
        samples.append(result.samples.assign(region=region))
        factors.append(pd.DataFrame([f.__dict__ for f in result.factors]).assign(region=region))
    if not bands:
        raise InputError(f"every region failed; the first: {failures[0]}")
    table = pd.concat(probabilities, ignore_index=True)
    emit(table[["region", "indicator", "year", "comparator", "target", "probability", "p5", "median", "p95"]]
         .to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n")
    _write(args, {"probabilities": table, "bands": pd.concat(bands, ignore_index=True),
                  "samples": pd.concat(samples, ignore_index=True), "factors": pd.concat(factors, ignore_index=True)},
           scenario, done, {"analysis": "montecarlo", "samples": args.samples, "seed": args.seed,
                            "executor": executor.describe()}, failures)
    return 2 if failures else 0


def cmd_sensitivity(args, progress_cls) -> int:
    from innosim.analysis.sensitivity import model_sensitivity

    if args.top < 1:
        raise InputError(f"--top {args.top}: must be 1 or more")
    scenario = _scenario(args.scenario)
    _prepare(args, [args.region])
    _numbers(args, minimum=1)
    executor = _executor(args)
    case = _case(args, scenario, args.region)
    result = translated(lambda: model_sensitivity(case, method=args.method, factor_set=args.factors,
                                                  n=args.samples, seed=args.seed, executor=executor,
                                                  progress=progress_cls(_show_progress(args), f"{args.method} runs")),
                        {"samples": ("--samples", args.samples)})
    key = "ST" if args.method == "sobol" else "mu_star"
    print(f"# {args.region}: {args.method}, {len(result.factors)} factors, {result.runs} runs in "
          f"{result.seconds:.1f} s on {result.executor}", file=sys.stderr)
    top = result.indices.sort_values(["output", key], ascending=[True, False]).groupby("output").head(args.top)
    emit(top.to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n")
    _write(args, {"indices": result.indices,
                  "factors": pd.DataFrame([f.__dict__ for f in result.factors])}, scenario, [args.region],
           {"analysis": f"sensitivity ({args.method})", "samples": args.samples, "seed": args.seed,
            "runs": result.runs, "executor": executor.describe()})
    return 0


def _parse_target(region: str, text: str):
    from innosim.analysis.goalseek import find_target

    indicator, _, year = text.partition("@")
    if year and not (year.isascii() and year.isdigit()):
        raise InputError(f"--target {text}: the year after @ must be a year, e.g. {indicator or 'rd_intensity'}@2027")
    return checked("--target", text, lambda _: find_target(region, indicator, int(year) if year else None))


def cmd_goalseek(args, progress_cls) -> int:
    from innosim.analysis.goalseek import goal_seek

    scenario = _scenario(args.scenario)
    _prepare(args, [args.region])
    if args.confidence is not None:
        _numbers(args)
    checked("--lever", args.lever, load().lever)
    if args.all_targets:
        wanted = set(args.indicators.split(",")) if args.indicators else None
        known = {t.indicator for t in data.targets() if t.region == args.region and t.modelled}
        unknown = sorted(wanted - known) if wanted else []
        if unknown:
            raise InputError(f"--indicators {args.indicators}: '{unknown[0]}' has no modelled {args.region} target; "
                             f"allowed: {', '.join(sorted(known))}")
        targets = [t for t in data.targets() if t.region == args.region and t.modelled and t.year == args.all_targets
                   and (wanted is None or t.indicator in wanted)]
        if not targets:
            years = sorted({t.year for t in data.targets() if t.region == args.region and t.modelled})
            raise InputError(f"--all-targets {args.all_targets}: no modelled {args.region} targets in that year"
                             f"{' among ' + args.indicators if args.indicators else ''}; allowed: "
                             f"{', '.join(map(str, years))}")
    elif args.target:
        targets = [_parse_target(args.region, text) for text in args.target]
    else:
        raise InputError("give --target INDICATOR[@YEAR] (repeatable) or --all-targets YEAR")
    case = _case(args, scenario, args.region)
    named = args.by_year if args.by_year is not None else (args.all_targets or ",".join(args.target or []))
    flags = {"lever": ("--lever", args.lever), "confidence": ("--confidence", args.confidence),
             "from_year": ("--from-year", args.from_year),
             "target": ("--by-year" if args.by_year is not None else
                        "--all-targets" if args.all_targets else "--target", named)}
    result = translated(lambda: goal_seek(case, lever=args.lever, targets=targets, from_year=args.from_year,
                                          year=args.by_year, confidence=args.confidence, samples=args.samples,
                                          seed=args.seed, progress=progress_cls(_show_progress(args), "goal seeking",
                                                                                "steps (scan, refine)")), flags)
    emit(result.describe() + "\n")
    rows = [{"lever": result.lever, "indicator": t.indicator, "year": t.year, "comparator": t.comparator,
             "target": t.value, "confidence": result.confidence, "bound": result.bound,
             "reachable": result.reachable, "lever_value": result.value,
             "achieved": a, "best_lever_value": result.best_value, "best_achieved": b}
            for t, a, b in zip(result.targets, result.achieved or [None] * len(result.targets), result.best_achieved)]
    _write(args, {"goalseek": pd.DataFrame(rows)}, scenario, [args.region],
           {"analysis": "goal seeking", "lever": result.lever, "from_year": result.from_year,
            "confidence": result.confidence, "samples": args.samples if args.confidence else None, "seed": args.seed})
    return 0


def cmd_attribute(args, progress_cls) -> int:
    from innosim.analysis.attribution import attribute

    scenario = _scenario(args.scenario)
    _prepare(args, [args.region])
    case = _case(args, scenario, args.region)
    result = translated(lambda: attribute(case, year=args.year,
                                          indicators=args.indicators.split(",") if args.indicators else None),
                        {"year": ("--year", args.year), "indicators": ("--indicators", args.indicators)})
    emit(result.totals.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n"
         + result.table.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n")
    _write(args, {"attribution": result.table, "totals": result.totals}, scenario, [args.region],
           {"analysis": "lever attribution (one-at-a-time and Shapley)", "year": args.year})
    return 0


def register(sub, region_choices, progress_cls) -> None:
    """Add the analysis commands to the `innosim` parser."""
    def common(p, regions_all=False):
        p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml", help="a scenario file (default: the plan)")
        p.add_argument("--region", required=True, choices=region_choices if regions_all else region_choices[:-1])
        p.add_argument("--parameter-set", metavar="NAME", help="calibrated parameters: history (default), plan, none")
        p.add_argument("--policy-from", type=int, metavar="YEAR",
                       help="a counterfactual: the levers apply from YEAR (default: the first year not yet observed)")
        p.add_argument("--out", metavar="DIR", help="write the tables and metadata.json to this folder")
        p.add_argument("--format", default="csv", choices=list(FORMATS))

    def parallel(p):
        p.add_argument("--seed", type=int, default=20251, help="random seed (same seed, same result)")
        p.add_argument("--workers", type=int, help="local worker processes (default: up to 4)")
        p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster instead, e.g. tcp://127.0.0.1:8786")
        progress_option(p)

    def progress_option(p):
        p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="show a progress bar (default: on a terminal)")

    p = sub.add_parser("montecarlo", help="percentile bands and the chance of meeting each target")
    common(p, regions_all=True)
    parallel(p)
    p.add_argument("--samples", type=int, default=1000)
    p.set_defaults(func=lambda a: cmd_montecarlo(a, progress_cls))

    p = sub.add_parser("sensitivity", help="which levers and parameters drive each headline indicator (SALib)")
    common(p)
    parallel(p)
    p.add_argument("--method", default="sobol", choices=["sobol", "morris"])
    p.add_argument("--factors", default="levers", choices=["levers", "parameters", "all"])
    p.add_argument("--samples", type=int, default=256, help="Sobol base samples, or Morris trajectories")
    p.add_argument("--top", type=int, default=5, help="factors shown per output")
    p.set_defaults(func=lambda a: cmd_sensitivity(a, progress_cls))

    p = sub.add_parser("goalseek", help="the lever value that meets a target, or all targets of a year")
    common(p)
    p.add_argument("--lever", required=True)
    p.add_argument("--target", action="append", metavar="INDICATOR[@YEAR]",
                   help="a target of the region, e.g. rd_intensity@2027 (repeatable)")
    p.add_argument("--all-targets", type=int, metavar="YEAR", help="every modelled target of that year")
    p.add_argument("--indicators", metavar="A,B", help="with --all-targets: only these indicators")
    p.add_argument("--by-year", type=int, metavar="YEAR", help="judge level targets in this year instead")
    p.add_argument("--from-year", type=int, metavar="YEAR", help="the lever takes its value from this year on")
    p.add_argument("--confidence", type=float, metavar="P",
                   help="meet each target in this share of a Monte Carlo ensemble (e.g. 0.8), not just centrally")
    p.add_argument("--samples", type=int, default=200, help="with --confidence: Monte Carlo draws (default 200)")
    p.add_argument("--seed", type=int, default=20251, help="with --confidence: random seed")
    progress_option(p)
    p.set_defaults(func=lambda a: cmd_goalseek(a, progress_cls))

    p = sub.add_parser("attribute", help="split a scenario's difference from the plan among its levers")
    common(p)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--indicators", metavar="A,B", help="indicators to split (default: the headline ones)")
    p.set_defaults(func=lambda a: cmd_attribute(a, progress_cls))
