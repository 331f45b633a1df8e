"""Derive revenue's surprises from the record (innosim.calibration.surprises) and print or write them.

    python -m innosim.cli.surprises            # print the derived tables and the gap left
    python -m innosim.cli.surprises --write    # rewrite them in calibration/observed_levers.toml

Run it after a change to the model's prices or output, to the record's revenue or to the shipped history
sets (then recalibrate and run it again: output feeds back on revenue only weakly).
"""
from __future__ import annotations

import argparse

from innosim.calibration.surprises import TABLE, derive, line, modelled_revenue, observed_revenue, with_surprises, write
from innosim.core.timeline import trying


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite observed_levers.toml (else print only)")
    args = parser.parse_args(argv)
    from innosim.core.model import load

    model = load()
    tables = derive(model)                       # in memory: a print-only run never touches the file
    with trying(with_surprises(tables)):
        for region in TABLE:
            observed, modelled = observed_revenue(region), modelled_revenue(model, region)
            worst = max(abs(modelled[y] / v - 1) for y, v in observed.items())
            print(f"{region}: {line(tables[region])}  (largest gap to the record now {worst:.2%})")
    if args.write:
        write(tables)

if __name__ == "__main__":
    main()
