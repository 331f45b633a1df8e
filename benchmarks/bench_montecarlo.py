"""Time a Monte Carlo of one region: the naive serial loop against the ensemble path.

    python benchmarks/bench_montecarlo.py [--samples 1000] [--region ningbo] [--pysd-runs 20]

Compares, in one run, for the same Latin-hypercube draws:
  * the naive serial loop: one PySD run of the .mdl per draw (fresh state each time); PySD takes
    ~0.8 s a run, so it is timed on ``--pysd-runs`` draws and scaled to the full sample (said so);
  * a serial loop of single compiled runs of the same .mdl;
  * the ensemble path (``model.montecarlo``): vectorised passes in one process, and in a pool of 2.
Prints wall-clock seconds, the ratios to the naive loop, and checks that the paths agree.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import innosim
from innosim import Case, as_scenario  # noqa: F401
from innosim.analysis.ensemble import draw_parameters
from innosim.analysis.executor import Executor
from innosim.analysis.montecarlo import montecarlo
from innosim.core import data


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def single_runs(region: str, factors, draws: np.ndarray, engine: str) -> np.ndarray:
    """The naive loop: one run per draw, indicators as years x indicators."""
    names = [i.indicator for i in data.indicators()]
    out = []
    for row in draws:
        table = innosim.simulate(region, parameters={f.name: float(v) for f, v in zip(factors, row)}, engine=engine)
        out.append(table.pivot(index="year", columns="indicator", values="value")[names].to_numpy())
    return np.stack(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--region", default="ningbo")
    parser.add_argument("--seed", type=int, default=20251)
    parser.add_argument("--pysd-runs", type=int, default=20, help="PySD runs to time (0: leave PySD out)")
    args = parser.parse_args()
    m = innosim.load()
    factors, draws = draw_parameters(Case(args.region), args.samples, args.seed)   # the draws montecarlo makes
    print(f"Monte Carlo: {args.region}, {args.samples} draws of {len(factors)} parameters, 2020-2035, dt 1/8")

    rows = []
    if args.pysd_runs:
        m.pysd_engine()
        k = min(args.pysd_runs, args.samples)
        seconds, pysd = timed(lambda: single_runs(args.region, factors, draws[:k], "pysd"))
        rows.append((f"naive serial loop, PySD ({k} runs timed, scaled)", seconds * args.samples / k))
    seconds, serial = timed(lambda: single_runs(args.region, factors, draws, "compiled"))
    rows.append(("serial loop, compiled single runs", seconds))
    montecarlo(Case(args.region), n=50, seed=1, executor=Executor(1))        # warm-up: imports, caches
    for workers in (1, 2):
        seconds, result = timed(lambda: montecarlo(Case(args.region), n=args.samples, seed=args.seed,
                                                   executor=Executor(workers), keep_values=True))
        rows.append((f"ensemble path, vectorised, {workers} process{'es' if workers > 1 else ''}", seconds))
        # the same draws give the same numbers on every path
        np.testing.assert_allclose(result.values, serial, rtol=1e-9, atol=1e-9)
    if args.pysd_runs:
        np.testing.assert_allclose(pysd, serial[:len(pysd)], rtol=1e-9, atol=1e-9)

    baseline = rows[0][1]
    for name, seconds in rows:
        print(f"{name:52s} {seconds:9.3f} s   {baseline / seconds:9.1f} x")
    print("(all paths agree to 1e-9; ratios are to the first line)")


if __name__ == "__main__":
    main()
