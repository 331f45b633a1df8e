"""Time one region's plan run, 2020-2035: PySD's run (the baseline) against the compiled engine.

    python benchmarks/bench_run.py [--repeat N]

Prints median wall-clock times after load (translation and compilation are
cached and excluded) and the speed-up ratio.  Both paths start every run
from fresh state: PySD reloads its module, the compiled engine is pure.
"""
from __future__ import annotations

import argparse
import statistics
import time

import innosim
from innosim import Case


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--region", default="ningbo")
    args = parser.parse_args()

    start = time.perf_counter()
    m = innosim.load()
    load_ms = (time.perf_counter() - start) * 1000
    m.pysd_engine()

    pysd_ms = median_ms(lambda: m.run(Case(args.region), engine="pysd"), max(3, args.repeat // 5))
    compiled_ms = median_ms(lambda: m.run(Case(args.region)), args.repeat)
    tidy_ms = median_ms(lambda: m.project(Case(args.region)), args.repeat)

    print(f"model load (cached translation): {load_ms:8.1f} ms")
    print(f"plan run, PySD engine (baseline): {pysd_ms:8.1f} ms")
    print(f"plan run, compiled engine:        {compiled_ms:8.2f} ms")
    print(f"plan run + long table:            {tidy_ms:8.2f} ms")
    print(f"speed-up, compiled over PySD:     {pysd_ms / compiled_ms:8.0f} x")


if __name__ == "__main__":
    main()
