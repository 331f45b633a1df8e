"""Time in innosim: what has been observed, and from when a scenario's own levers apply.

Every run follows the levers as they were (``calibration/observed_levers.toml``:
realised fiscal growth, the super-deduction's changes, inflation) up to the last
observed year, and the case's own levers from the first year not yet observed.
A case may start earlier on purpose, as a counterfactual ("had we kept 15 %
since 2021"), by setting ``policy_from``.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache

from innosim.core.case import Case
from innosim.core.data import REGIONS
from innosim.errors import DataError
from innosim.files import content_hash, read_toml
from innosim.paths import data_file, display


@dataclass(frozen=True)
class ObservedLevers:
    """The observed lever paths: the last observed year, and per region {lever: {year: value}}."""

    until: int
    paths: dict            # region -> lever -> {year: value}
    sha256: str
    no_new_policy: dict    # lever -> value of the no-new-policy reference (the rest hold their last value)
    keep: tuple = ()       # levers the reference takes from the case itself (scenario assumptions, not policy)

    def of(self, region: str) -> dict[str, dict[int, float]]:
        return self.paths.get(region, {})

    @property
    def first_free_year(self) -> int:
        """The first year not yet observed: where a scenario's own levers start by default."""
        return self.until + 1


def observed_file():
    return data_file("calibration/observed_levers.toml")


_trial: ObservedLevers | None = None


def observed_levers() -> ObservedLevers:
    """The observed lever paths every run follows: the file's, or those being tried (:func:`trying`)."""
    return _trial if _trial is not None else _from_file()


@contextmanager
def trying(levers: ObservedLevers):
    """Runs inside follow ``levers`` instead of the file's: a derivation (revenue's surprises) tries its
    values in memory, and the shipped file is written once at the end, if at all."""
    global _trial
    before, _trial = _trial, levers
    try:
        yield
    finally:
        _trial = before


def forget() -> None:
    """Read the file again at the next call (it was rewritten)."""
    _from_file.cache_clear()


@lru_cache(maxsize=1)
def _from_file() -> ObservedLevers:
    path = observed_file()
    where = display(path)
    raw = read_toml(path)
    until = raw.get("observed_until")
    if isinstance(until, bool) or not isinstance(until, int):
        raise DataError(f"{where}: observed_until = {until!r}: must be a year")
    unknown = set(raw) - {"observed_until", "all", "no_new_policy", *REGIONS}
    if unknown:
        raise DataError(f"{where}: unknown table '{sorted(unknown)[0]}'; allowed: all, no_new_policy, "
                        f"{', '.join(REGIONS)}")
    paths = {}
    for region in REGIONS:
        merged: dict[str, dict[int, float]] = {}
        for table in ("all", region):
            body = raw.get(table, {})
            if not isinstance(body, dict):
                raise DataError(f"{where}: {table} = {body!r}: must be a table, written [{table}]")
            for lever, points in body.items():
                if not isinstance(points, dict):
                    raise DataError(f"{where}: {table}.{lever} must be a table year = value")
                series = {}
                for year, value in points.items():
                    if not (str(year).isascii() and str(year).isdigit()) or int(year) > until:
                        raise DataError(f"{where}: {table}.{lever}.{year}: a year up to observed_until ({until})")
                    if isinstance(value, bool) or not isinstance(value, (int, float)):
                        raise DataError(f"{where}: {table}.{lever}.{year} = {value!r} is not a number")
                    series[int(year)] = float(value)
                merged[lever] = series if table == "all" else {**merged.get(lever, {}), **series}
        paths[region] = merged
    reference = dict(raw.get("no_new_policy", {}))
    keep = reference.pop("keep", [])
    if not isinstance(keep, list) or not all(isinstance(k, str) for k in keep):
        raise DataError(f"{where}: no_new_policy.keep = {keep!r}: must be a list of lever names")
    for lever, value in reference.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DataError(f"{where}: no_new_policy.{lever} = {value!r} is not a number")
    return ObservedLevers(until, paths, content_hash(path), {k: float(v) for k, v in reference.items()},
                          tuple(keep))


def no_new_policy(case: Case, levers) -> Case:
    """The case's no-new-policy reference: its region, parameters and horizon, with the levers of
    ``[no_new_policy]`` and every other lever at its last observed value, from the case's policy start."""
    observed = observed_levers()
    start = case.policy_from if case.policy_from is not None else observed.first_free_year
    held = {}
    for lever in levers:
        path = {y: v for y, v in observed.of(case.region).get(lever.id, {}).items() if y < start}
        held[lever.id] = path[max(path)] if path else lever.default(case.region)
    held.update(observed.no_new_policy)
    for lever in observed.keep:                       # a scenario assumption is the case's own
        if lever in case.levers:
            held[lever] = case.levers[lever]
        else:
            held.pop(lever, None)
    return replace(case, levers=held, label=MOMENTUM)


MOMENTUM = "momentum"
