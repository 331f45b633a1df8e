"""The ``innosim`` command: a thin client of the ``model`` API.

User errors (a bad region, option, file or value) end with one line on
standard error and exit code 2; nothing is written.
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd

import model
from model import data
from model.export import write_csv

from . import __version__

EXIT_USAGE = 2


class UserError(Exception):
    """An error in what the user asked for; reported in one line."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and name the valid choices."""

    def error(self, message):
        raise UserError(message)


def _regions(value: str) -> list[str]:
    return list(data.REGIONS) if value == "all" else [value]


def cmd_run(args) -> int:
    m = model.load()
    tables = [m.project(region) for region in _regions(args.region)]
    table = pd.concat(tables, ignore_index=True)
    if args.out:
        write_csv(table, args.out)
        print(f"wrote {len(table)} rows to {args.out}", file=sys.stderr)
    elif args.format == "wide":
        for region, part in table.groupby("region", sort=False):
            wide = part.pivot(index="indicator", columns="year", values="value")
            wide = wide.loc[part["indicator"].unique()]
            print(f"# {region} — {part['scenario'].iloc[0]}")
            print(wide.round(2).to_string())
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


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
    m = model.load()
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

    p = sub.add_parser("run", help="run the plan scenario and print or write the long table")
    p.add_argument("--region", default="all", choices=region_choices, help="a region, or all (default)")
    p.add_argument("--out", metavar="FILE.csv", help="write the table to a CSV file instead of printing it")
    p.add_argument("--format", default="csv", choices=["csv", "wide"],
                   help="print the long table as CSV (default) or one wide table per region for reading")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("targets", help="show the targets of the policy documents with their clauses")
    p.add_argument("--region", default="all", choices=region_choices)
    p.add_argument("--modelled-only", action="store_true", help="hide targets the model does not project")
    p.add_argument("--format", default="text", choices=["text", "csv"])
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("levers", help="list the levers a planner can change, with defaults and sources")
    p.add_argument("--format", default="text", choices=["text", "csv"])
    p.set_defaults(func=cmd_levers)
    return parser


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
        if getattr(args, "out", None) and not str(args.out).lower().endswith(".csv"):
            raise UserError(f"--out {args.out}: the file must end in .csv")
        return args.func(args)
    except (UserError, model.InputError) as exc:
        print(f"innosim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `innosim run | head`
        sys.stderr.close()
        return 0
