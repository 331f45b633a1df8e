"""Allocation shares that divide one budget: groups of levers that together may take at most all of it.

The groups are data (``model/share_groups.toml``), so a re-founded model
declares its own.  The model refuses a case whose shares of a group add up
to more than the group allows (:func:`check`, called by ``Model.inputs``);
the scenario files and the app read the same groups, so all three agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from innosim.errors import DataError, InputError
from innosim.files import read_toml
from innosim.paths import data_file, display

TOLERANCE = 1e-9          # slider steps are decimals: 0.35 + 0.65 must pass


@dataclass(frozen=True)
class ShareGroup:
    id: str
    name_zh: str
    name_en: str
    levers: tuple[str, ...]
    at_most: float

    def name(self, language: str = "en") -> str:
        return self.name_zh if language == "zh" else self.name_en


def groups_file():
    return data_file("model/share_groups.toml")


@lru_cache(maxsize=1)
def share_groups() -> tuple[ShareGroup, ...]:
    """The groups, in file order; a damaged file is a one-line error naming it."""
    path = groups_file()
    where = display(path)
    raw = read_toml(path)
    groups, seen = [], {}
    for key, table in raw.items():
        if not isinstance(table, dict):
            raise DataError(f"{where}: {key} must be a table [{key}]")
        levers = table.get("levers")
        if not isinstance(levers, list) or len(levers) < 2 or not all(isinstance(x, str) for x in levers):
            raise DataError(f"{where}: {key}.levers must list at least two lever names")
        at_most = table.get("at_most", 1.0)
        if isinstance(at_most, bool) or not isinstance(at_most, (int, float)) or not 0 < at_most <= 1:
            raise DataError(f"{where}: {key}.at_most = {at_most!r}: a fraction above 0, at most 1")
        for lever in levers:
            if lever in seen:
                raise DataError(f"{where}: {key}: lever '{lever}' is already in group '{seen[lever]}'")
            seen[lever] = key
        groups.append(ShareGroup(key, str(table.get("name_zh", key)), str(table.get("name_en", key)),
                                 tuple(levers), float(at_most)))
    return tuple(groups)


def group_of(lever_id: str) -> ShareGroup | None:
    return next((g for g in share_groups() if lever_id in g.levers), None)


def check_levers(lever_ids) -> None:
    """Every lever a group names must be a lever of the model (called when the model loads)."""
    known = set(lever_ids)
    for group in share_groups():
        for lever in group.levers:
            if lever not in known:
                raise DataError(f"{display(groups_file())}: {group.id}: '{lever}' is not a lever of the model")


def excess(values: Mapping[str, float]) -> tuple[ShareGroup, float] | None:
    """The first group whose shares in ``values`` (lever id -> value) add up to more than it allows."""
    for group in share_groups():
        total = sum(float(values[lever]) for lever in group.levers if lever in values)
        if total > group.at_most + TOLERANCE:
            return group, total
    return None


def room(lever_id: str, values: Mapping[str, float]) -> float:
    """The most ``lever_id`` may take with the other shares of its group as in ``values`` (inf if ungrouped)."""
    group = group_of(lever_id)
    if group is None:
        return float("inf")
    others = sum(float(values[lever]) for lever in group.levers if lever != lever_id and lever in values)
    return max(0.0, group.at_most - others)


def describe(group: ShareGroup, values: Mapping[str, float], total: float, when: str = "") -> str:
    """The one-line reason a set of shares is refused."""
    parts = " + ".join(f"{lever} {float(values[lever]):.0%}" for lever in group.levers if lever in values)
    return (f"the shares of {group.id} ({group.name_en}) add up to {total:.0%}{when} ({parts}); "
            f"allowed: at most {group.at_most:.0%} together")


def check_paths(paths: Mapping[str, object], where: str = "") -> None:
    """Refuse lever paths (a number, or ((year, value), ...)) whose shares exceed a group in any year."""
    years = sorted({float(t) for v in paths.values() if isinstance(v, tuple) for t, _ in v} or {0.0})
    for year in years:
        values = {k: _at(v, year) for k, v in paths.items() if group_of(k) is not None}
        found = excess(values)
        if found:
            group, total = found
            when = f" in {int(year)}" if any(isinstance(paths.get(k), tuple) for k in group.levers) else ""
            raise InputError(f"{where}{describe(group, values, total, when)}", group.id, total,
                             "shares add up to more than the budget", f"at most {group.at_most:.0%} together")


def _at(path, year: float) -> float:
    if not isinstance(path, tuple):
        return float(path)
    value = path[0][1]
    for t, v in path:
        if t <= year + 1e-9:
            value = v
    return float(value)
