"""`innosim data`: the observed record's coverage, region x series x year (a thin client of innosim.core.coverage)."""
from __future__ import annotations

import sys
from pathlib import Path

from innosim.core import coverage, data
from innosim.errors import InputError
from innosim.files import write_text

FORMATS = (".csv", ".md", ".txt")


def _text(table, regions) -> str:
    years = [str(y) for y in range(coverage.FIRST_YEAR, coverage.LAST_YEAR + 1)]
    width = max(len(s) for s in table.series) + 2
    lines = []
    for region in regions:
        part = table[table.region == region]
        lines.append(f"{data.REGION_LABELS[region]['en']} ({data.REGION_LABELS[region]['zh']})")
        lines.append(" " * width + " ".join(y[2:] for y in years) + "   years  goal")
        for row in part.itertuples(index=False):
            cells = " ".join(f"{getattr(row, '_' + str(i + 2)) or ' ':>2}" for i in range(len(years)))
            goal = f"{row.goal} {'met' if row.met == 'yes' else 'NOT MET'}" if row.goal != "" else ""
            lines.append(f"{row.series:<{width}}{cells}   {row.observed:>5}  {goal}")
        lines.append("")
    lines.append(coverage.LEGEND)
    return "\n".join(lines) + "\n"


def _markdown(table) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *body, "", coverage.LEGEND, ""])


def cmd_data(args) -> int:
    regions = list(data.REGIONS) if args.region == "all" else [args.region]
    table = coverage.grid(regions, None if args.all_series else coverage.SERIES)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in FORMATS:
            raise InputError(f"--out {args.out}: allowed: a file ending in {', '.join(FORMATS)}")
        text = {".csv": lambda: table.to_csv(index=False), ".md": lambda: _markdown(table),
                ".txt": lambda: _text(table, regions)}[out.suffix.lower()]()
        write_text(out, text)
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(_text(table, regions))
    short = [c for c in coverage.shortfalls(regions)]
    if short:
        print(f"data: {len(short)} series below their coverage goal: "
              + ", ".join(f"{c.region} {c.series} ({len(c.years)}/{c.required})" for c in short)
              + "; calibration/sources/gaps.csv says where each was looked for", file=sys.stderr)
    return 0


def register(sub, region_choices) -> None:
    p = sub.add_parser("data", help="show which years of 2015-2025 the observed record covers, by region and series")
    p.add_argument("--region", default="all", choices=region_choices)
    p.add_argument("--all-series", action="store_true", help="every series in the record, not only the headline ones")
    p.add_argument("--out", metavar="FILE", help="write the grid to a .csv, .md or .txt file instead of printing it")
    p.set_defaults(func=cmd_data)
