"""The ``innosim`` command: a thin client of the innosim API.

User errors (a bad region, option, file or value) and damaged local files
end with one line on standard error and exit code 2; nothing is written.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from innosim.analysis.batch import run_batch, simulate
from innosim.analysis.executor import Executor
from innosim.core import data
from innosim.core.model import load as load_model
from innosim.core.scenarios import as_scenario
from innosim.errors import InputError
from innosim.reports.export import FORMATS
from innosim.reports.outputs import write_directory, write_file
from innosim.version import __version__

EXIT_USAGE = 2


class UserError(Exception):
    """An error in what the user asked for; reported in one line."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and name the valid choices."""

    def error(self, message):
        raise UserError(message)


def _scenario_regions(scenario, requested: str) -> list[str]:
    if requested == "all":
        return list(scenario.regions)
    if requested not in scenario.regions:
        raise UserError(f"scenario '{scenario.id}' is for {', '.join(scenario.regions)}; "
                        f"--region {requested} is not one of them")
    return [requested]


def _check_out_file(out: str) -> None:
    """Refuse an --out file that cannot be written before any run starts."""
    path = Path(out)
    if path.is_dir():
        raise UserError(f"--out {out}: is a folder; give a file name ending in .csv, .xlsx or .parquet")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise UserError(f"--out {out}: {parent} is not a folder")
    if parent.exists() and not os.access(parent, os.W_OK):
        raise UserError(f"--out {out}: the folder {parent} is not writable")


def _out_format(out: str) -> str:
    fmt = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if fmt not in FORMATS:
        raise UserError(f"--out {out}: the file must end in {', '.join('.' + f for f in FORMATS)}")
    return fmt


def cmd_run(args) -> int:
    if args.out:
        _out_format(args.out)
        _check_out_file(args.out)
    scenario = as_scenario(args.scenario)
    table = pd.concat([simulate(region, scenario, parameter_set=args.parameter_set)
                       for region in _scenario_regions(scenario, args.region)], ignore_index=True)
    if args.out:
        from innosim.analysis.batch import momentum_table

        cases = [scenario.case(region, parameter_set=args.parameter_set)
                 for region in _scenario_regions(scenario, args.region)]
        write_file(args.out, table, [scenario], args.parameter_set, momentum_table(cases))
        print(f"wrote {len(table)} rows to {args.out} (metadata in {args.out}.meta.json)", file=sys.stderr)
    elif args.format == "wide":
        for region, part in table.groupby("region", sort=False):
            wide = part.pivot(index="indicator", columns="year", values="value")
            wide = wide.loc[part["indicator"].unique()]
            print(f"# {region} — {scenario.name}")
            print(wide.round(2).to_string())
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


class Progress:
    """A one-line progress bar on standard error."""

    def __init__(self, enabled: bool, label: str = "batch", unit: str = "runs", width: int = 30):
        self.enabled, self.label, self.unit, self.width = enabled, label, unit, width

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        filled = int(self.width * done / total)
        end = "\n" if done == total else ""
        print(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {self.unit}", end=end,
              file=sys.stderr, flush=True)


def _region_list(value: str) -> list[str] | None:
    if value == "all":
        return None
    regions = [r.strip() for r in value.split(",") if r.strip()]
    for r in regions:
        if r not in data.REGIONS:
            raise UserError(f"--regions {value}: unknown region '{r}'; choose from {', '.join(data.REGIONS)} or all")
    return regions


def cmd_batch(args) -> int:
    regions = _region_list(args.regions)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {args.out}: exists and is not a folder; give a folder to write the tables into")
    executor = Executor(_workers(args.workers), chunk_size=64)
    runs = len(args.scenarios) * len(regions or data.REGIONS)
    show = args.progress if args.progress is not None else (sys.stderr.isatty() and runs >= 10)
    result = run_batch(args.scenarios, regions=regions, executor=executor, progress=Progress(show),
                       parameter_set=args.parameter_set)
    for failure in result.failures:
        print(f"innosim: failed: {failure}", file=sys.stderr)
    if len(result.table):
        good = [s for s in result.scenarios if s.id in set(result.table["scenario"])]
        written = write_directory(args.out, args.format, result.table, good, result.failures, args.parameter_set,
                                  result.momentum)
        print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    else:
        print("innosim: nothing to write: every scenario failed", file=sys.stderr)
    return EXIT_USAGE if result.failures else 0


def _workers(value: int) -> int:
    from innosim.analysis.executor import check_workers

    try:
        return check_workers(value)
    except InputError as exc:
        raise UserError(f"--workers {value}: {str(exc).split(': ', 1)[1]}") from None


def cmd_targets(args) -> int:
    rows = [t for t in data.targets() if args.region == "all" or t.region == args.region]
    table = pd.DataFrame([t.__dict__ for t in rows])
    if args.modelled_only:
        table = table[table["status"] == "modelled"]
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        cols = ["region", "indicator", "year", "comparator", "value", "unit", "kind", "base_year", "status", "clause", "original"]
        text = table[cols].copy()
        text["base_year"] = text["base_year"].map(lambda y: "" if pd.isna(y) else str(int(y)))
        text["document"] = table["document"].str[:3]
        print(text.to_string(index=False))
    return 0


def cmd_levers(args) -> int:
    m = load_model()
    records = []
    for lv in m.levers:
        record = {"lever": lv.id, "sector": lv.sector, "unit": lv.unit,
                  "range": f"{lv.low:g} to {lv.high:g} step {lv.step:g}"}
        for region in m.regions:
            record[region] = lv.default(region)
        for region in m.regions:
            record[f"source_{region}"] = lv.sources[region]
        record["description"] = lv.description
        records.append(record)
    table = pd.DataFrame(records)
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        for r in records:
            print(f"{r['lever']}  [{r['unit']}, {r['range']}]  ({r['sector']})")
            print(f"    {r['description']}")
            for region in m.regions:
                print(f"    {region:7s} {r[region]:g}   source: {r['source_' + region]}")
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="innosim", description="Innovation-policy scenarios for Ningbo, Cixi and Yuyao.")
    parser.add_argument("--version", action="version", version=f"innosim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    region_choices = [*data.REGIONS, "all"]

    p = sub.add_parser("run", help="run a scenario (the plan by default) and print or write the long table")
    p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml", help="a scenario file (default: scenarios/plan.toml)")
    p.add_argument("--region", default="all", choices=region_choices,
                   help="a region, or all of the scenario's regions (default)")
    p.add_argument("--out", metavar="FILE", help="write to FILE.csv, FILE.xlsx or FILE.parquet instead of printing")
    p.add_argument("--format", default="csv", choices=["csv", "wide"],
                   help="print the long table as CSV (default) or one wide table per region for reading")
    p.add_argument("--parameter-set", metavar="NAME", help="calibrated parameters: history (default), plan or none")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("batch", help="run scenarios x regions and write tables, scorecard and metadata to a folder")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.toml")
    p.add_argument("--regions", default="all", metavar="REGIONS",
                   help="comma-separated regions, or all (default: each scenario's own regions)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.add_argument("--format", default="csv", choices=list(FORMATS))
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: on a terminal, for 10 runs or more)")
    p.add_argument("--parameter-set", metavar="NAME", help="calibrated parameters: history (default), plan or none")
    p.set_defaults(func=cmd_batch)

    from .calibrate import register as register_calibrate
    register_calibrate(sub, region_choices)
    from .backtest import register as register_backtest
    register_backtest(sub, region_choices)
    from .data import register as register_data
    register_data(sub, region_choices)

    from .analyses import register
    register(sub, region_choices, lambda enabled, label, unit="chunks": Progress(enabled, label, unit))

    p = sub.add_parser("targets", help="show the targets of the policy documents with their clauses")
    p.add_argument("--region", default="all", choices=region_choices)
    p.add_argument("--modelled-only", action="store_true", help="hide targets the model does not project")
    p.add_argument("--format", default="text", choices=["text", "csv"])
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("levers", help="list the levers a planner can change, with defaults and sources")
    p.add_argument("--format", default="text", choices=["text", "csv"])
    p.set_defaults(func=cmd_levers)

    p = sub.add_parser("app", help="open the planner app in the browser (Streamlit)")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(func=cmd_app, needs_model=False)
    return parser


def cmd_app(args) -> int:
    """Serve the planner app from the installed package: the same app `streamlit run app.py` serves."""
    import subprocess

    from innosim.paths import PACKAGE_DIR

    script = PACKAGE_DIR / "app" / "main.py"
    return subprocess.call([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(args.port)])


def _options_hint(parser: Parser, argv) -> str:
    """The valid options of the subcommand in ``argv`` (or the commands)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if w in sub.choices), None)
    if command is None:
        return f"commands: {', '.join(sub.choices)}"
    options = [o for a in sub.choices[command]._actions for o in a.option_strings if o.startswith("--")]
    return f"options of 'innosim {command}': {', '.join(options)}"


def main(argv=None) -> int:
    parser = build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except UserError as exc:
            if "unrecognized arguments" in str(exc) or "required" in str(exc):
                raise UserError(f"{exc}; {_options_hint(parser, argv)}") from None
            raise
        if getattr(args, "needs_model", True):
            m = load_model()
            if m.notice:
                print(f"innosim: notice: {m.notice}", file=sys.stderr)
        return args.func(args)
    except (UserError, InputError) as exc:
        print(f"innosim: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("innosim: interrupted; nothing half-written was left behind", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `innosim run | head`
        _quiet_stdout()
        return 0
    except OSError as exc:
        if exc.errno is not None and getattr(exc, "filename", None) is None and _stdout_closed():
            _quiet_stdout()
            return 0
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"innosim: error: {where}{exc.strerror or exc.__class__.__name__}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("innosim: error: out of memory; ask for fewer runs or a shorter horizon", file=sys.stderr)
        return EXIT_USAGE


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _stdout_closed() -> bool:
    try:
        sys.stdout.flush()
        return False
    except (OSError, ValueError):
        return True


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit cannot print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
