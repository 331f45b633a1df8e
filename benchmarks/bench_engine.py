"""Time the compiled engine against PySD and against another checkout's engine (main's), in one run.

    python benchmarks/bench_engine.py [--baseline /tmp/engine-before] [--region ningbo] [--repeat 7]

Workloads, on the project's model with one region's plan (translation and
compilation cached, so excluded):

* a single run (the scalar variant; PySD's ``run`` for PySD);
* ensemble passes of 1, 100, 1,000 and 5,000 members (the vector variant), each member with its own
  draw of every bounded parameter (uniform within its range, fixed seed), as a Monte Carlo is;
* the 5,000-member pass on one thread and on all cores (threads of the one pass).

PySD has no ensemble pass: its figure is members x one run, measured on a few runs and scaled (said
so).  ``--baseline DIR`` runs the same workloads in a subprocess on the innosim found in DIR (a
checkout of main, say ``git worktree add /tmp/engine-before main``) with its own cache, so both
engines are timed on this machine in this run.  Times are the best of ``--repeat``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEMBERS = (1, 100, 1000, 5000)


def best_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def workload(region: str, seed: int = 7):
    """The inputs both engines get: the plan's constants and levers, and per-member parameter draws."""
    import numpy as np

    import innosim
    from innosim import Case
    from innosim.core import data

    m = innosim.load()
    constants, levers, final = m.inputs(Case(region))
    bounded = {n: s for n, s in data.parameter_sources().items()
               if s.low is not None and n in m.variables and not m.variables[n].is_lever}
    rng = np.random.default_rng(seed)
    draws = {n: rng.uniform(s.low, s.high, max(MEMBERS)) for n, s in sorted(bounded.items())}
    return m, constants, levers, final, draws


def measure(region: str, repeat: int, pysd: bool, threads: bool) -> dict:
    """Time this process's innosim; returns milliseconds by workload."""
    import numpy as np

    m, constants, levers, final, draws = workload(region)
    engine = m.engine()
    single = best_ms(lambda: engine.run(constants, levers, final_time=final), repeat * 5)
    out = {"engine": engine.name, "single": single}
    for n in MEMBERS:
        member_constants = {**constants, **{k: v[:n] for k, v in draws.items()}}
        runs = repeat if n < 5000 else max(2, repeat // 3)
        out[f"pass_{n}"] = best_ms(lambda: engine.run_vector(member_constants, levers, n=n, final_time=final), runs)
    # a batch of scenarios: the members differ in one lever's value from 2026, as a planner's sweep does
    from innosim.core.engines import schedule_values

    lever = next(k for k in ("fiscal_st_growth_rate",) + tuple(engine.levers) if k in engine.levers)
    times = engine.grid(final_time=final).step_times()
    base = schedule_values(0.0, levers[lever], times) if isinstance(levers[lever], tuple) else \
        np.full(times.shape, float(levers[lever]))
    for n in (100, 1000):
        sweep = np.column_stack([np.where(times >= 2026 - 1e-9, 0.05 + 0.2 * j / n, base) for j in range(n)])
        out[f"sweep_{n}"] = best_ms(lambda: engine.run_vector(constants, {**levers, lever: sweep}, n=n,
                                                              final_time=final), repeat)
    if "variant" in engine.run_vector.__code__.co_varnames:
        member_constants = {**constants, **{k: v[:2] for k, v in draws.items()}}
        out["pass_1_vector"] = best_ms(lambda: engine.run_vector(constants, levers, n=1, final_time=final,
                                                                 variant="vector"), repeat)
        out["pass_2"] = best_ms(lambda: engine.run_vector(member_constants, levers, n=2, final_time=final), repeat)
    if threads and "threads" in engine.run_vector.__code__.co_varnames:
        member_constants = {**constants, **{k: v[:5000] for k, v in draws.items()}}
        out["pass_5000_one_thread"] = best_ms(lambda: engine.run_vector(member_constants, levers, n=5000,
                                                                         final_time=final, threads=1), 2)
        out["threads"] = engine._threads(5000)
    if pysd:
        reference = m.pysd_engine()
        out["pysd_single"] = best_ms(lambda: reference.run(constants, levers, final_time=final), max(2, repeat // 2))
    return out


def baseline(directory: Path, region: str, repeat: int) -> dict:
    """The same workloads on another checkout's innosim, in a subprocess with its own cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, PYTHONPATH=str(directory), INNOSIM_CACHE_DIR=cache)
        done = subprocess.run([sys.executable, __file__, "--measure", "--region", region, "--repeat", str(repeat)],
                              env=env, capture_output=True, text=True, cwd=directory)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(ours: dict, base: dict | None) -> None:
    pysd = ours.get("pysd_single")
    rows = [("single run", "single", 1)] + [(f"pass of {n:,} member{'s' if n > 1 else ''}", f"pass_{n}", n)
                                           for n in MEMBERS]
    rows += [(f"sweep of {n:,} scenarios", f"sweep_{n}", n) for n in (100, 1000)]
    head = f"{'workload':24s} {'this engine':>12s} {'PySD':>12s} {'x PySD':>8s}"
    if base:
        head += f" {'baseline':>12s} {'x baseline':>10s}"
    print(head)
    for label, key, n in rows:
        line = f"{label:24s} {ours[key]:10.2f}ms"
        reference = pysd * n if pysd else None
        line += f" {reference:10.0f}ms{'*' if n > 1 else ' '} {reference / ours[key]:7.0f}x" if reference else ""
        if base and key in base:
            line += f" {base[key]:10.2f}ms {base[key] / ours[key]:9.2f}x"
        elif base:
            line += f" {'(' + base.get('error', 'n/a')[:30] + ')':>23s}"
        print(line)
    if "pass_1_vector" in ours:
        print(f"the vector variant itself: {ours['pass_1_vector']:.2f} ms for 1 member, {ours['pass_2']:.2f} ms for 2 "
              f"members that differ (its fixed cost); a 1-member pass above runs the scalar variant (same numbers)")
    if "pass_5000_one_thread" in ours:
        print(f"5,000 members on one thread: {ours['pass_5000_one_thread']:.1f} ms; on {ours['threads']} threads: "
              f"{ours['pass_5000']:.1f} ms ({ours['pass_5000_one_thread'] / ours['pass_5000']:.2f}x)")
    print("* PySD has no ensemble pass: members x its single run.  Ratios above 1 mean this engine is faster.")
    print("Passes: every member with its own draw of every bounded parameter.  Sweeps: the members differ only in "
          "one lever's value from 2026.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a checkout whose engine to compare with (e.g. main's)")
    parser.add_argument("--region", default="ningbo")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:                              # the subprocess side of --baseline
        print(json.dumps(measure(args.region, args.repeat, pysd=False, threads=False)))
        return 0
    import numpy as np

    ours = measure(args.region, args.repeat, pysd=True, threads=True)
    base = baseline(args.baseline, args.region, args.repeat) if args.baseline else None
    print(f"innosim engine benchmark: region {args.region}, {os.cpu_count()} cores, NumPy {np.__version__}")
    report(ours, base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
