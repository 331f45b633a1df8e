"""`innosim calibrate`: a thin client of :func:`innosim.calibration.run.calibrate`."""
from __future__ import annotations

import sys
from pathlib import Path

from innosim.core import data

from .options import output, parameter_set, translated


def cmd_calibrate(args) -> int:
    from innosim.calibration.report import write_report
    from innosim.calibration.run import calibrate

    regions = list(data.REGIONS) if args.region == "all" else [args.region]
    report = Path(args.report)
    one_file = report.suffix.lower() in (".md", ".html")
    output("--report", args.report, folder=False, shared=not one_file)
    output("--save-to", args.save_to, folder=False, shared=True)
    parameter_set("--parameter-set", args.parameter_set, regions)

    def say(message):
        print(f"calibrate: {message}", file=sys.stderr, flush=True)

    runs = []
    for region in regions:
        run = translated(lambda: calibrate(region, args.mode, holdout_from=args.holdout_from,
                                           report=None if one_file and len(regions) > 1 else report,
                                           save_to=args.save_to, update_shipped=args.update_shipped,
                                           base=args.parameter_set, progress=say),
                         {"holdout_from": ("--holdout-from", args.holdout_from)})
        runs.append(run)
        if run.set_path:
            say(f"{region}: parameter set written to {run.set_path}")
        elif args.holdout_from is None:
            say(f"{region}: no parameter set saved")
        for path in run.report_paths:
            say(f"{region}: report {path}")
    if one_file and len(regions) > 1:                   # one document for every region
        blocks = [(b[0], f"{r.region}-{b[1]}", *b[2:]) if b[0] == "svg" else b for r in runs for b in r.blocks]
        for path in write_report(blocks, report, report.stem):
            say(f"report {path}")
    if runs and runs[0].set_path and not args.update_shipped:
        where = runs[0].set_path.parent
        name = where.name if args.save_to is None else str(where)
        say(f"use it with --parameter-set {name}")
    return 0


def register(sub, region_choices) -> None:
    p = sub.add_parser("calibrate", help="fit the model to history, or find what the plan assumes; write the report")
    p.add_argument("--region", required=True, choices=region_choices)
    p.add_argument("--mode", required=True, choices=["history", "plan"])
    p.add_argument("--holdout-from", type=int, metavar="YEAR",
                   help="fit on years before YEAR and report the error on the rest (no set is saved)")
    p.add_argument("--report", default="outputs/calibration", metavar="PATH",
                   help="a folder for the Markdown and HTML reports (default: outputs/calibration), "
                        "or a file ending in .md or .html")
    p.add_argument("--save-to", metavar="DIR", help="save the parameter set here (default: your user data folder, "
                                                    "as local-history or local-plan)")
    p.add_argument("--update-shipped", action="store_true",
                   help="rewrite the shipped set in calibration/sets/ (in a checkout only)")
    p.add_argument("--parameter-set", metavar="NAME",
                   help="plan mode: the history set to start from and sit on (default: history)")
    p.set_defaults(func=cmd_calibrate)
