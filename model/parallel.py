"""Run ensemble chunks in a local process pool (the default) or on a Dask cluster.

Chunks are cut the same way whatever runs them and put back in order, and
every run is deterministic, so a local pool and a Dask cluster give
identical results for the same seed.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence

import numpy as np

CHUNK = 500          # runs per vectorised pass: large enough to amortise, small enough to spread


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class Executor:
    """Maps a function over chunks: serially, in local processes, or on a Dask cluster."""

    def __init__(self, workers: int | None = None, dask: str | None = None):
        self.workers = default_workers() if workers is None else max(1, int(workers))
        self.dask = dask

    def describe(self) -> str:
        if self.dask:
            return f"dask cluster at {self.dask}"
        return f"{self.workers} local process{'es' if self.workers > 1 else ''}"

    def map(self, fn: Callable, items: Sequence, progress: Callable[[int, int], None] | None = None) -> list:
        results: list = [None] * len(items)
        done = 0

        def report():
            if progress:
                progress(done, len(items))

        if self.dask:
            from distributed import as_completed

            with _connect(self.dask) as client:
                futures = client.map(fn, list(items), pure=False)
                order = {f.key: i for i, f in enumerate(futures)}
                for future in as_completed(futures):
                    results[order[future.key]] = future.result()
                    done += 1
                    report()
            return results
        if self.workers == 1 or len(items) == 1:
            for i, item in enumerate(items):
                results[i] = fn(item)
                done += 1
                report()
            return results
        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            futures = [pool.submit(fn, item) for item in items]
            for i, future in enumerate(futures):
                results[i] = future.result()
                done += 1
                report()
        return results


def _connect(address: str):
    """A client of the Dask scheduler at ``address``; an unreachable address is the user's error."""
    from distributed import Client

    from .api import InputError

    _reachable(address)
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--dask {address}: cannot reach a Dask scheduler there ({exc.__class__.__name__}); "
                         f"start one with `dask scheduler` and `dask worker ADDRESS`") from None


def _reachable(address: str) -> None:
    """Fail fast, in one line, when nothing listens at a tcp:// address (Dask itself retries for its timeout)."""
    import socket
    from urllib.parse import urlsplit

    from .api import InputError

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme != "tcp" or not host or not port:
        if parts.scheme == "tcp":
            raise InputError(f"--dask {address}: give the scheduler as tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")
        return              # other transports (tls, inproc): let Dask connect
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise InputError(f"--dask {address}: nothing answers there ({exc.strerror or exc.__class__.__name__}); "
                         f"start a scheduler with `dask scheduler` and workers with `dask worker ADDRESS`") from None


def chunks(n: int, size: int = CHUNK) -> list[slice]:
    """Slices of ``range(n)`` in runs of at most ``size``, the same on every executor."""
    count = max(1, math.ceil(n / size))
    edges = np.linspace(0, n, count + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def _columns_chunk(job):
    from .ensemble import run_columns

    region, columns, levers, parameters, final_year, parameter_set = job
    return run_columns(region, columns, levers, parameters, final_year, parameter_set)


def run_ensemble(region: str, columns: dict[str, np.ndarray], executor: Executor | None = None, levers=None,
                 parameters=None, final_year=None, parameter_set: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indicator values (runs x years x indicators) of an ensemble, chunked over the executor."""
    executor = executor or Executor()
    n = np.shape(next(iter(columns.values())))[-1]
    jobs = [(region, {k: np.asarray(v)[..., s] for k, v in columns.items()}, levers, parameters, final_year,
             parameter_set) for s in chunks(n)]
    results = executor.map(_columns_chunk, jobs, progress)
    return results[0][0], np.concatenate([values for _, values in results], axis=0)
