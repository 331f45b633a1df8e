"""Where runs happen: in this process, in a local process pool, or on a Dask cluster.

One executor serves batch runs and ensembles alike.  Work is cut into
chunks the same way whatever runs it and put back in order, and every run
is deterministic, so a local pool and a Dask cluster give identical results.

A chunk that fails (a bad input, a numerical error, a worker process that
dies) is isolated: :meth:`Executor.map` returns a :class:`Failed` in its place
and every other chunk's result.  A chunk whose worker died is tried once
more on its own, so a crash elsewhere in the pool does not take it down too.

Every worker checks that it runs the same model file (by SHA-256) as the
client that sent the work, and refuses otherwise.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from innosim.errors import InputError

CHUNK = 500          # runs per vectorised pass: large enough to amortise, small enough to spread


@dataclass(frozen=True)
class Failed:
    """A chunk that could not be computed, and why (one line)."""

    reason: str


class ModelMismatch(InputError):
    """A worker runs another model file than the client."""


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:        # not Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    return max(1, min(4, available_cores()))


def check_workers(workers) -> int:
    """A worker count the machine can serve: 1 up to the available cores."""
    cores = available_cores()
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not 1 <= workers <= cores:
        raise InputError(f"workers {workers!r}: allowed: 1 to {cores} (the cores of this machine); "
                         f"for more, use a Dask cluster", "workers", workers, "out of range", f"1 to {cores}")
    return int(workers)


class Executor:
    """Maps a function over chunks: serially, in local processes, or on a Dask cluster."""

    def __init__(self, workers: int | None = None, dask: str | None = None, chunk_size: int = CHUNK):
        self.workers = default_workers() if workers is None else check_workers(workers)
        self.dask = dask
        self.chunk_size = chunk_size

    def describe(self) -> str:
        if self.dask:
            return f"dask cluster at {self.dask}"
        return f"{self.workers} local process{'es' if self.workers > 1 else ''}"

    def map(self, fn: Callable, items: Sequence, progress: Callable[[int, int], None] | None = None) -> list:
        """``fn`` over ``items`` in order; a failed item gives a :class:`Failed` in its place."""
        from innosim.core.model import load

        expected = load().sha256
        jobs = [(fn, item, expected) for item in items]
        tick = _Ticker(len(jobs), progress)
        if self.dask:
            return self._map_dask(jobs, tick)
        if self.workers == 1 or len(jobs) <= 1:
            out = []
            for job in jobs:
                out.append(_guarded(job))
                tick()
            return _raise_mismatch(out)
        results: list = [None] * len(jobs)
        died = []
        try:
            with ProcessPoolExecutor(max_workers=self.workers) as pool:
                futures = []
                for job in jobs:
                    try:
                        futures.append(pool.submit(_guarded, job))
                    except BrokenProcessPool:          # the pool broke while work was still being handed out
                        futures.append(None)
                for i, future in enumerate(futures):
                    try:
                        if future is None:
                            raise BrokenProcessPool
                        results[i] = future.result()
                        tick()
                    except BrokenProcessPool:
                        died.append(i)
        except BrokenProcessPool:                      # shutting down a broken pool: what is done stays done
            died = [i for i, r in enumerate(results) if r is None]
        for i in died:                       # each on its own, in a fresh process: isolate the one that kills
            results[i] = _alone(jobs[i])
            tick()
        return _raise_mismatch(results)

    def _map_dask(self, jobs: list, tick) -> list:
        from distributed import as_completed

        results: list = [None] * len(jobs)
        with _connect(self.dask) as client:
            futures = client.map(_guarded, jobs, pure=False)
            order = {f.key: i for i, f in enumerate(futures)}
            for future in as_completed(futures):
                i = order[future.key]
                try:
                    results[i] = future.result()
                except Exception as exc:          # a worker lost mid-task: the chunk fails, the rest stand
                    results[i] = Failed(f"the Dask worker failed ({exc.__class__.__name__})")
                tick()
        return _raise_mismatch(results)


class _Ticker:
    def __init__(self, total: int, progress):
        self.total, self.done, self.progress = total, 0, progress

    def __call__(self):
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def _alone(job):
    """One job in a fresh process of its own: a job that kills its worker fails alone."""
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(_guarded, job).result()
    except BrokenProcessPool:
        return Failed("the worker process died (killed, or out of memory)")


def _guarded(job):
    """Run one job in a worker: refuse a different model, turn any error into a one-line failure."""
    fn, item, expected = job
    from innosim.core.model import load

    try:
        actual = load().sha256
        if actual != expected:
            return Failed(f"model mismatch: the worker runs model sha256 {actual[:12]}…, the client "
                          f"{expected[:12]}…")
        return fn(item)
    except InputError as exc:
        return Failed(" ".join(str(exc).split()))
    except (Exception, RecursionError, MemoryError) as exc:     # anything else fails this job alone, in one line
        first = str(exc).splitlines()[0] if str(exc).strip() else "no detail"
        return Failed(f"{exc.__class__.__name__}: {first}")


def _raise_mismatch(results: list) -> list:
    for r in results:
        if isinstance(r, Failed) and r.reason.startswith("model mismatch"):
            raise ModelMismatch(f"{r.reason}; install the same innosim and model file on every worker")
    return results


def _connect(address: str):
    """A client of the Dask scheduler at ``address``; an unreachable address is the user's error."""
    from distributed import Client

    _reachable(address)
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"dask address {address}: cannot reach a Dask scheduler there ({exc.__class__.__name__}); "
                         f"start one with `dask scheduler` and `dask worker ADDRESS`") from None


def check_dask(address: str) -> str:
    """A scheduler address that answers, checked before any work is sent; else a one-line error."""
    _reachable(address)
    return address


def _reachable(address: str) -> None:
    """Fail fast, in one line, when nothing listens at a tcp:// address (Dask itself retries for its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if parts.scheme != "tcp" or not host or not port:
        if parts.scheme == "tcp":
            raise InputError(f"dask address {address}: give the scheduler as tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")
        return              # other transports (tls, inproc): let Dask connect
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise InputError(f"dask address {address}: nothing answers there ({exc.strerror or exc.__class__.__name__}); "
                         f"start a scheduler with `dask scheduler` and workers with `dask worker ADDRESS`") from None


def chunks(n: int, size: int = CHUNK) -> list[slice]:
    """Slices of ``range(n)`` in runs of at most ``size``, the same on every executor."""
    count = max(1, math.ceil(n / size))
    edges = np.linspace(0, n, count + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]
