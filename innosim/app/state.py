"""One browser session's settings, kept apart from the widgets that show them.

Streamlit drops a widget's value when a page stops drawing it and sends back
the label it displayed, so the settings live in plain session keys (``ss.s_*``)
that no widget owns: each widget is seeded from them and writes back to them in
its callback.  So the region, language, start year and levers survive a change
of page and of language, and the URL (``links``) carries them across a reload.

The levers are kept as the base scenario (a shipped or uploaded file) plus the
values the planner moved, per region; the overrides a run gets are composed from
the two and the year the moves apply from (:func:`compose`), so changing that
year re-dates every move, and a move never leaks into another region.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import streamlit as st

from innosim.core.scenarios import Scenario, load_scenario, parse_scenario
from innosim.core.timeline import observed_levers
from innosim.paths import scenario_dir

MAX_SAVED = 4            # saved entries per region in the comparison
MAX_UNDO = 50
SHIPPED_DEFAULT = "plan.toml"


def ss():
    return st.session_state


def first_free_year() -> int:
    return observed_levers().first_free_year


def init(m) -> bool:
    """The session's settings on its first run (the defaults; ``links.restore`` then reads the URL).
    Returns whether this was the first run."""
    s = ss()
    if s.get("s_ready"):
        return False
    s.s_lang, s.s_region, s.s_from_year = "zh", m.regions[0], first_free_year()
    s.s_moved, s.s_saved, s.s_undo, s.s_notes = {}, [], [], []
    set_base(load_scenario(scenario_dir() / SHIPPED_DEFAULT), SHIPPED_DEFAULT)
    s.s_ready = True
    return True


# ---- the base scenario ---------------------------------------------------------------------------------

def set_base(scenario: Scenario, file: str | None) -> None:
    """A scenario becomes the base: its levers, parameters and run settings; the planner's moves are cleared."""
    s = ss()
    s.s_base, s.s_file = scenario, file
    s.s_moved = {}
    s.s_report_name = None            # None: the scenario's title (marked when adjusted), in the language shown
    s.s_report_description = None


def base() -> Scenario:
    return ss().s_base


def parameters() -> dict:
    return dict(base().parameters)


RUN_FIELDS = ("end_year", "parameter_set", "policy_from")     # a scenario's [run] settings that reach its runs


def run_settings(scenario: Scenario | None = None) -> dict:
    """The ``[run]`` settings of a scenario (the base one by default) that are set."""
    b = scenario or base()
    return {k: getattr(b, k) for k in RUN_FIELDS if getattr(b, k) is not None}


def last_year(m) -> int:
    return base().end_year or m.final_year


def levers_act(m) -> bool:
    """Whether the runs reach the first year not yet observed, where the levers start to apply."""
    return last_year(m) >= first_free_year()


def scenario_from_toml(text: str, name: str = "link.toml") -> Scenario:
    return parse_scenario(text.encode("utf-8"), Path(name))


# ---- levers --------------------------------------------------------------------------------------------

def moved(region: str) -> dict:
    return ss().s_moved.get(region, {})


def compose(base_value, moved_value, from_year: int, first_free: int):
    """The override a run gets: the base scenario's (a number, a schedule or None for the plan) up to
    ``from_year`` and the planner's value from it."""
    if moved_value is None:
        return base_value
    if from_year <= first_free:
        return float(moved_value)
    if base_value is None:
        points = {}
    elif isinstance(base_value, dict):
        points = {int(y): float(v) for y, v in base_value.items() if int(y) < from_year}
    else:
        points = {first_free: float(base_value)}
    points[int(from_year)] = float(moved_value)
    return points


def overrides(region: str, m) -> dict:
    """The lever overrides of a region's run: the base scenario's, with the planner's moves composed in.
    A rerun asks for them once a lever and more (about 1 ms each), so the last answer is kept with what it
    was composed from: the region, the base scenario (the same object: a new base is a new one), the moves
    and the start year."""
    s = ss()
    mine = dict(moved(region))
    stamp = (region, mine, int(s.s_from_year))
    kept = s.get("_overrides")
    if kept is not None and kept[0] is base() and kept[1] == stamp:
        return dict(kept[2])
    out = _overrides(region, m, mine)
    s["_overrides"] = (base(), stamp, out)
    return dict(out)


def _overrides(region: str, m, mine: dict) -> dict:
    s = ss()
    out = {}
    first = first_free_year()
    for lever in m.levers:
        value = compose(base().levers.get(lever.id), mine.get(lever.id), int(s.s_from_year), first)
        if value is None or (not isinstance(value, dict) and value == lever.default(region)):
            continue
        out[lever.id] = value
    return out


def scenario_value(lever, region: str):
    """The base scenario's value of a lever (a number or schedule), the plan's if it sets none."""
    return base().levers.get(lever.id, lever.default(region))


def shown_value(lever, region: str) -> float:
    """The value a slider shows: the planner's, else the scenario's last scheduled value, else the plan's."""
    mine = moved(region).get(lever.id)
    return float(mine) if mine is not None else shown_scenario(lever, region)


def remember() -> None:
    """Keep the settings before a change, for undo."""
    s = ss()
    s.s_undo = (s.s_undo + [(copy.deepcopy(s.s_moved), s.s_from_year)])[-MAX_UNDO:]


def undo() -> bool:
    s = ss()
    if not s.s_undo:
        return False
    s.s_moved, s.s_from_year = s.s_undo.pop()
    return True


def move(lever, region: str, value: float) -> None:
    remember()
    s = ss()
    mine = dict(moved(region))
    if value == shown_scenario(lever, region) and not isinstance(scenario_value(lever, region), dict):
        mine.pop(lever.id, None)          # back at the scenario's value: no move to remember
    else:
        mine[lever.id] = float(value)
    s.s_moved = {**s.s_moved, region: mine}


def shown_scenario(lever, region: str) -> float:
    value = scenario_value(lever, region)
    return float(value[max(value)]) if isinstance(value, dict) else float(value)


def reset_lever(lever, region: str) -> None:
    remember()
    s = ss()
    mine = dict(moved(region))
    mine.pop(lever.id, None)
    s.s_moved = {**s.s_moved, region: mine}


def reset_all() -> None:
    remember()
    ss().s_moved = {}


def set_from_year(year: int) -> None:
    remember()
    ss().s_from_year = int(year)


# ---- cache keys and scenarios ----------------------------------------------------------------------------

def key(levers: dict) -> str:
    """A stable, hashable form of lever overrides for caching."""
    return json.dumps({k: (sorted((int(y), v) for y, v in v.items()) if isinstance(v, dict) else v)
                       for k, v in sorted(levers.items())})


def inputs_key(parameters: dict, run: dict | None = None) -> str:
    """A stable, hashable form of expert parameters and ``[run]`` settings for caching."""
    return json.dumps({"parameters": parameters, "run": run or {}}, sort_keys=True)


def keys(region: str, m) -> tuple[str, str]:
    """The cache keys of the region's current settings: (overrides, parameters and run settings)."""
    return key(overrides(region, m)), inputs_key(parameters(), run_settings())


def adjusted(region: str, m) -> bool:
    """Whether the planner moved a lever of the region away from the base scenario."""
    return bool(moved(region))


def report_text(field: str, region: str, m, language: str) -> str:
    """The report's name or description: what the planner typed, else the scenario's own (the name marked
    when the settings are adjusted)."""
    from . import i18n

    typed = ss().get(field)
    if typed:
        return typed
    b = base()
    if field == "s_report_name":
        return b.title(language) + (i18n.t("adjusted", language) if adjusted(region, m) else "")
    return b.question(language)


def current_scenario(region: str, m, name: str | None = None, description: str | None = None) -> Scenario:
    """The region's settings as a scenario: what the exports describe and the TOML file holds, under the
    name and description the planner gave."""
    s = ss()
    b = base()
    lang = s.s_lang
    name = (name if name is not None else report_text("s_report_name", region, m, lang)).strip() or b.title("en")
    description = (description if description is not None else
                   report_text("s_report_description", region, m, lang)).strip() or b.question("en")
    zh = s.s_lang == "zh"
    return Scenario(id="app_settings", name=name, description=description, regions=(region,),
                    levers=overrides(region, m), parameters=parameters(), end_year=b.end_year,
                    parameter_set=b.parameter_set, name_zh=name if zh else "", description_zh=description if zh else "",
                    policy_from=b.policy_from)


# ---- the comparison ------------------------------------------------------------------------------------

def saved(region: str) -> list[dict]:
    return [e for e in ss().s_saved if e["region"] == region]


def save(region: str, m, name: str) -> str | None:
    """Save the region's settings under ``name``; None, or the key of the message that says why not."""
    name = name.strip()
    if not name:
        return "name_empty"
    if any(e["name"] == name for e in ss().s_saved):
        return "name_taken"
    if len(saved(region)) >= MAX_SAVED:
        return "saved_full"
    ss().s_saved = ss().s_saved + [{"name": name, "region": region, "levers": overrides(region, m),
                                    "parameters": parameters(), "run": run_settings()}]
    return None


def remove_saved(name: str) -> None:
    ss().s_saved = [e for e in ss().s_saved if e["name"] != name]


def suggested_name(region: str, m, language: str) -> str:
    """A name no saved entry has: the scenario's title, marked when adjusted, numbered if taken."""
    from . import i18n

    title = base().title(language) + (i18n.t("adjusted", language) if adjusted(region, m) else "")
    taken = {e["name"] for e in ss().s_saved}
    if title not in taken:
        return title
    n = 2
    while f"{title} {n}" in taken:
        n += 1
    return f"{title} {n}"
