"""Time a batch of every shipped scenario x the three regions.

    python benchmarks/bench_batch.py [--skip-pysd]

Compares, in one run:
  * the naive serial loop: one PySD run per scenario and region (fresh state each time);
  * a serial loop of single compiled runs;
  * the batch path: vectorised compiled passes (``innosim.run_batch``), with 1 and 2 workers.
Prints wall-clock seconds and the ratios to the naive loop.
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

import innosim
from innosim.analysis.executor import Executor
from innosim.core.scenarios import as_scenario, shipped


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-pysd", action="store_true", help="leave out the slow PySD baseline")
    args = parser.parse_args()
    m = innosim.load()
    scenarios = [as_scenario(p) for p in shipped()]
    # every scenario for all three regions, whatever regions the file names
    scenarios = [innosim.Scenario(s.id, s.name, s.description, m.regions, s.levers, s.parameters, s.end_year)
                 for s in scenarios]
    cases = [(s, r) for s in scenarios for r in m.regions]
    print(f"batch: {len(scenarios)} scenarios x {len(m.regions)} regions = {len(cases)} runs, 2020-2035")

    results = {}
    if not args.skip_pysd:
        m.pysd_engine()
        results["naive serial loop, PySD"], _ = timed(
            lambda: [innosim.simulate(r, s, engine="pysd") for s, r in cases])
    results["serial loop, compiled"], serial = timed(
        lambda: pd.concat([innosim.simulate(r, s) for s, r in cases], ignore_index=True))
    innosim.run_batch(scenarios)  # warm-up
    results["run_batch, vectorised, 1 worker"], batch = timed(lambda: innosim.run_batch(scenarios))
    results["run_batch, vectorised, 2 workers"], _ = timed(lambda: innosim.run_batch(scenarios, executor=Executor(2, chunk_size=64)))
    assert (abs(batch.table["value"] - serial["value"]) <= 1e-9 * abs(serial["value"]) + 1e-12).all()

    baseline = results.get("naive serial loop, PySD", results["serial loop, compiled"])
    for name, seconds in results.items():
        print(f"{name:36s} {seconds:8.3f} s   {baseline / seconds:8.1f} x")


if __name__ == "__main__":
    main()
