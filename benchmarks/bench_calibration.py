"""Time a full calibration of each region (history mode, then plan mode) on this machine.

    python benchmarks/bench_calibration.py [--regions ningbo,cixi,yuyao]

Jacobians by finite differences are computed three ways, in one run:
  serial  one scalar model run per perturbed parameter (the naive baseline);
  vector  every perturbed run in one vectorised pass of the compiled model;
  auto    serial below 8 free parameters, vector from 8 (the default).
Nothing is saved: the repository's parameter sets and reports stay as they are.
"""
from __future__ import annotations

import argparse
import time

from innosim.calibration import fit
from innosim.calibration.inputs import load_history, load_spec
from innosim.calibration.run import calibrate


def timed(mode: str, region: str, how: str) -> tuple[float, object]:
    fit.JACOBIAN = how
    start = time.perf_counter()
    run = calibrate(region, mode, report=None, save=False)
    return time.perf_counter() - start, run.result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", default="ningbo,cixi,yuyao")
    args = parser.parse_args()
    load_spec(), load_history()
    calibrate("yuyao", "history", report=None, save=False)   # warm-up: load and compile
    print(f"{'region':7s} {'mode':8s} {'serial':>9s} {'vector':>9s} {'auto':>9s} {'serial/auto':>12s}")
    totals = {}
    for region in args.regions.split(","):
        for mode in ("history", "plan"):
            seconds = {how: timed(mode, region, how)[0] for how in ("serial", "vector", "auto")}
            totals[region] = totals.get(region, 0.0) + seconds["auto"]
            print(f"{region:7s} {mode:8s} {seconds['serial']:8.2f}s {seconds['vector']:8.2f}s "
                  f"{seconds['auto']:8.2f}s {seconds['serial'] / seconds['auto']:11.1f}x")
    fit.JACOBIAN = "auto"
    for region, total in totals.items():
        print(f"full calibration of {region} (history + plan, default path): {total:.1f} s")


if __name__ == "__main__":
    main()
