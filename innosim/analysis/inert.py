"""Which levers do nothing under a case's settings, and which rule makes them so.

A lever is *inert* when moving it across its whole slider range, from the
case's policy start, changes no indicator in any year: the fixed growth rate
while the revenue rule is chosen, for instance.  This is found by running the
model, not read from a list, so a re-founded model needs no declaration: two
runs per lever (its low and high end) in one vectorised pass, and for each
inert lever two more per rule switch, flipped, to name the rule that makes it
inert.  The app greys inert levers out, and goal seeking refuses them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from innosim.analysis.ensemble import run_columns
from innosim.core.case import Case
from innosim.core.engines import schedule_values
from innosim.core.model import load

RTOL = 1e-12        # an inert lever leaves every indicator bit-for-bit (or all but) unchanged


@dataclass(frozen=True)
class Inert:
    lever: str
    switch: str | None          # the rule switch whose other choice makes the lever work (None: no rule does)
    switch_value: float | None  # that other choice
    switch_now: float | None = None   # the switch's choice now (from the policy start)


def inert_levers(case: Case, levers=None) -> dict[str, Inert]:
    """The smooth levers (or those of ``levers``) that move nothing under ``case``, with the rule to blame."""
    m = load()
    smooth = [lv for lv in m.levers if not lv.is_switch and (levers is None or lv.id in levers)]
    switches = [lv for lv in m.levers if lv.is_switch]
    if not smooth:
        return {}
    _, lever_values, final = m.inputs(case)
    times = m.engine().grid(final_time=final).step_times()
    after = times >= m.policy_start(case) - 1e-9
    paths = {lv.id: schedule_values(lv.default(case.region), lever_values[lv.id], times) for lv in m.levers}

    def effect(trials: list[tuple[str, str | None]]) -> np.ndarray:
        """For each (lever, flipped switch or None): does the lever's low end differ from its high end?"""
        runs = []
        for lever_id, switch in trials:
            lv = m.lever(lever_id)
            for end in (lv.low, lv.high):
                run = {lever_id: np.where(after, end, paths[lever_id])}
                if switch is not None:
                    sw = m.lever(switch)
                    run[switch] = np.where(after, sw.low + sw.high - paths[switch], paths[switch])
                runs.append(run)
        names = {k for run in runs for k in run}
        columns = {k: np.column_stack([run.get(k, paths[k]) for run in runs]) for k in names}
        _, values = run_columns(case, columns)
        low, high = values[0::2], values[1::2]
        scale = np.maximum(np.abs(low), np.abs(high))
        same = (np.abs(high - low) <= RTOL * scale) | (np.isnan(low) & np.isnan(high))
        return ~same.all(axis=(1, 2))

    if not after.any():                      # the run ends before the levers apply: none of them can act
        return {lv.id: Inert(lv.id, None, None) for lv in smooth}
    moves = effect([(lv.id, None) for lv in smooth])
    dead = [lv.id for lv, moved in zip(smooth, moves) if not moved]
    found = {}
    if dead and switches:
        trials = [(lever, sw.id) for lever in dead for sw in switches]
        flipped = effect(trials)
        for (lever, switch), moved in zip(trials, flipped):
            if moved and lever not in found:
                sw = m.lever(switch)
                now = float(paths[switch][after][0])
                found[lever] = Inert(lever, switch, sw.low + sw.high - now, now)
    return {lever: found.get(lever, Inert(lever, None, None)) for lever in dead}
