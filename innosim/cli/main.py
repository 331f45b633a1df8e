"""The ``innosim`` command: a thin client of the innosim API.

User errors (a bad region, option, file or value) and damaged local files
end with one line on standard error and exit code 2; nothing is written.
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd

from innosim.analysis.batch import run_batch, simulate
from innosim.analysis.executor import Executor
from innosim.core import data
from innosim.core.model import load as load_model
from innosim.core.scenarios import as_scenario
from innosim.errors import InputError
from innosim.reports.export import FORMATS, safe_frame
from innosim.reports.outputs import write_directory, write_file
from innosim.version import __version__

from .options import UserError, checked, emit, output, parameter_set, quiet_stdout, writing

EXIT_USAGE = 2


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


def _out_format(out: str) -> str:
    fmt = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if fmt not in FORMATS:
        raise UserError(f"--out {out}: the file must end in {', '.join('.' + f for f in FORMATS)}")
    return fmt


def cmd_run(args) -> int:
    if args.out is not None:
        output("--out", args.out, folder=False)
        _out_format(args.out)
    scenario = as_scenario(args.scenario)
    regions = _scenario_regions(scenario, args.region)
    parameter_set("--parameter-set", args.parameter_set, regions)
    table = pd.concat([simulate(region, scenario, parameter_set=args.parameter_set) for region in regions],
                      ignore_index=True)
    if args.out:
        from innosim.analysis.batch import momentum_table

        momentum = momentum_table([scenario.case(region, parameter_set=args.parameter_set) for region in regions])
        writing("--out", args.out, lambda: write_file(args.out, table, [scenario], args.parameter_set, momentum))
        print(f"wrote {len(table)} rows to {args.out} (metadata in {args.out}.meta.json)", file=sys.stderr)
    elif args.format == "wide":
        blocks = []
        for region, part in table.groupby("region", sort=False):
            wide = part.pivot(index="indicator", columns="year", values="value")
            wide = wide.loc[part["indicator"].unique()]
            blocks.append(f"# {region} — {scenario.name}\n{wide.round(2).to_string()}\n")
        emit("".join(blocks))
    else:
        emit(safe_frame(table).to_csv(index=False, lineterminator="\n"))    # the CSV --out writes, cell for cell
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
    if not regions:
        raise UserError(f"--regions {value!r}: names no region; allowed: {', '.join(data.REGIONS)} (comma-separated) "
                        f"or all")
    for r in regions:
        if r not in data.REGIONS:
            raise UserError(f"--regions {value}: unknown region '{r}'; choose from {', '.join(data.REGIONS)} or all")
    return regions


def cmd_batch(args) -> int:
    from innosim.analysis.executor import check_workers

    regions = _region_list(args.regions)
    output("--out", args.out, folder=True)
    workers = checked("--workers", args.workers, check_workers)
    parameter_set("--parameter-set", args.parameter_set, regions or data.REGIONS)
    executor = Executor(workers, chunk_size=64)
    runs = len(args.scenarios) * len(regions or data.REGIONS)
    show = args.progress if args.progress is not None else (sys.stderr.isatty() and runs >= 10)
    result = run_batch(args.scenarios, regions=regions, executor=executor, progress=Progress(show),
                       parameter_set=args.parameter_set)
    for failure in result.failures:
        print(f"innosim: failed: {failure}", file=sys.stderr)
    if len(result.table):
        good = [s for s in result.scenarios if s.id in set(result.table["scenario"])]
        written = writing("--out", args.out, lambda: write_directory(args.out, args.format, result.table, good,
                                                                     result.failures, args.parameter_set,
                                                                     result.momentum))
        print(f"wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    else:
        print("innosim: nothing to write: every scenario failed", file=sys.stderr)
    return EXIT_USAGE if result.failures else 0


def cmd_targets(args) -> int:
    rows = [t for t in data.targets() if args.region == "all" or t.region == args.region]
    table = pd.DataFrame([t.__dict__ for t in rows])
    if args.modelled_only:
        table = table[table["status"] == "modelled"]
    if args.format == "csv":
        emit(safe_frame(table).to_csv(index=False, lineterminator="\n"))
    else:
        cols = ["region", "indicator", "year", "comparator", "value", "unit", "kind", "base_year", "status", "clause", "original"]
        text = table[cols].copy()
        text["base_year"] = text["base_year"].map(lambda y: "" if pd.isna(y) else str(int(y)))
        text["document"] = table["document"].str[:3]
        emit(text.to_string(index=False) + "\n")
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
        emit(safe_frame(table).to_csv(index=False, lineterminator="\n"))
    else:
        lines = []
        for r in records:
            lines += [f"{r['lever']}  [{r['unit']}, {r['range']}]  ({r['sector']})", f"    {r['description']}"]
            lines += [f"    {region:7s} {r[region]:g}   source: {r['source_' + region]}" for region in m.regions]
        emit("\n".join(lines) + "\n")
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

    from .simulate import register as register_simulate
    register_simulate(sub)

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
    return subprocess.call([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(args.port),
                            *APP_SETTINGS])


# The checkout's .streamlit/config.toml is not there for an install: the same settings as flags (a test keeps
# the two equal).
APP_SETTINGS = ["--server.showEmailPrompt", "false", "--server.maxUploadSize", "1", "--runner.postScriptGC", "false",
                "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
                "--client.showErrorDetails", "none", "--theme.base", "light"]


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
    except BrokenPipeError:  # e.g. `innosim run | head`: the reader has all it wanted
        quiet_stdout()
        return 0
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"innosim: error: {where}{exc.strerror or exc.__class__.__name__}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("innosim: error: out of memory; ask for fewer runs or a shorter horizon", file=sys.stderr)
        return EXIT_USAGE


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
