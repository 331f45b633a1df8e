"""`innosim backtest`: a thin client of :func:`innosim.calibration.backtest.backtest`."""
from __future__ import annotations

import sys

from innosim.core import data


def cmd_backtest(args) -> int:
    from innosim.calibration.backtest import backtest
    from innosim.calibration.backtest_report import write_backtest

    regions = list(data.REGIONS) if args.region == "all" else [args.region]

    def say(message):
        print(f"backtest: {message}", file=sys.stderr, flush=True)

    bt = backtest(args.fit_until, regions, final_year=args.final_year, progress=say)
    written = write_backtest(bt, args.out)
    for s in bt.scores:
        if s.headline:
            say(f"{s.region} {s.series}: MAE {s.mae_pct:.1f} % over {s.n} figure(s) after {bt.fit_until}: {s.status}")
    say(f"wrote {', '.join(str(p) for p in written)} ({bt.seconds:.1f} s)")
    return 0


def register(sub, region_choices) -> None:
    p = sub.add_parser("backtest", help="fit to the record up to a year, project the rest with the observed "
                                        "levers, and write projections, errors and a report")
    from innosim.calibration.backtest import DEFAULT_FIT_UNTIL

    p.add_argument("--fit-until", type=int, default=DEFAULT_FIT_UNTIL, metavar="YEAR",
                   help=f"the last year the fit may see (default: {DEFAULT_FIT_UNTIL})")
    p.add_argument("--region", default="all", choices=region_choices)
    p.add_argument("--final-year", type=int, metavar="YEAR",
                   help="project to this year (default: the last year of the record)")
    p.add_argument("--out", required=True, metavar="DIR", help="a new or earlier backtest folder")
    p.set_defaults(func=cmd_backtest)
