"""Time the backtest of every region (fit to 2022, project 2023-2025) on this machine.

    python benchmarks/bench_backtest.py [--fit-until 2022]

Printed in one run:
  pysd    the naive baseline: every model evaluation the backtest makes, run through PySD (estimated from
          the count of evaluations times one PySD run, since running them all would take hours);
  serial  one scalar compiled run per evaluation and per perturbed parameter;
  auto    the default: serial below 8 free parameters, one vectorised pass of all perturbations from 8.
Nothing is saved.
"""
from __future__ import annotations

import argparse
import time

import innosim
from innosim.calibration import fit
from innosim.calibration.backtest import backtest
from innosim.calibration.evaluate import Evaluator


def counted(fn, counter, key, width=lambda args: 1):
    def wrapper(self, *args, **kwargs):
        counter[key] += width(args)
        return fn(self, *args, **kwargs)
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-until", type=int, default=2022)
    args = parser.parse_args()
    backtest(args.fit_until)                                      # warm-up: load, compile, verify
    seconds = {}
    for how in ("serial", "auto"):
        fit.JACOBIAN = how
        start = time.perf_counter()
        bt = backtest(args.fit_until)
        seconds[how] = time.perf_counter() - start
    fit.JACOBIAN = "auto"
    runs = {"runs": 0}
    one, many = Evaluator.simulate, Evaluator.simulate_many
    Evaluator.simulate = counted(one, runs, "runs")
    Evaluator.simulate_many = counted(many, runs, "runs", lambda a: len(a[0]))
    try:
        backtest(args.fit_until)
    finally:
        Evaluator.simulate, Evaluator.simulate_many = one, many
    m = innosim.load()
    start = time.perf_counter()
    m.run(innosim.Case("ningbo"), engine="pysd")
    pysd_run = time.perf_counter() - start
    seconds["pysd"] = runs["runs"] * pysd_run
    print(f"backtest of {len(bt.results)} regions, fitted to {args.fit_until}: {runs['runs']} model evaluations")
    print(f"{'pysd (estimated)':18s} {seconds['pysd']:10.1f} s   ({pysd_run:.2f} s a run)")
    print(f"{'serial':18s} {seconds['serial']:10.2f} s")
    print(f"{'auto (default)':18s} {seconds['auto']:10.2f} s")
    print(f"ratio pysd/auto {seconds['pysd'] / seconds['auto']:.0f}x, serial/auto {seconds['serial'] / seconds['auto']:.1f}x; "
          f"goal: at most 180 s")


if __name__ == "__main__":
    main()
