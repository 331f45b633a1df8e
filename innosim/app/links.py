"""The settings in the URL, so that a link (or a reload) reproduces the view.

Plain parameters carry what a reader can check at a glance (``lang``,
``region``, ``from``, ``scenario``); one compact field, ``s``, carries the rest:
the levers the planner moved in each region, an uploaded base scenario, the
report's name and description, and the saved comparison.  It is JSON, deflated
and in URL-safe base64.  A link is input like any other: everything in it is
validated, and what is not valid is left out with one line, never a traceback.
"""
from __future__ import annotations

import base64
import json
import zlib

import streamlit as st

from innosim.core import paramsets
from innosim.core.scenarios import load_scenario, scenario_toml, shipped
from innosim.errors import InputError
from innosim.paths import scenario_dir

from . import i18n, state

MAX_FIELD = 20_000          # characters of the packed field: a link is a page of settings, never more


def pack(value) -> str:
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def unpack(text: str):
    if len(text) > MAX_FIELD:
        raise ValueError("too long")
    raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), 200_000)
    return json.loads(raw.decode("utf-8"))


def current(m) -> dict[str, str]:
    """The query parameters of the session's settings (only what differs from a fresh start)."""
    s = state.ss()
    params = {"lang": s.s_lang, "region": s.s_region}
    if s.s_from_year != state.first_free_year():
        params["from"] = str(s.s_from_year)
    blob = {}
    if s.s_file:
        if s.s_file != state.SHIPPED_DEFAULT:
            params["scenario"] = s.s_file.removesuffix(".toml")
    else:
        blob["b"] = scenario_toml(state.base())
    moved = {r: v for r, v in s.s_moved.items() if v}
    if moved:
        blob["m"] = moved
    if s.s_report_name or s.s_report_description:
        blob["n"], blob["d"] = s.s_report_name or "", s.s_report_description or ""
    if s.s_saved:
        blob["c"] = s.s_saved
    if blob:
        params["s"] = pack(blob)
    return params


def sync(m) -> None:
    """Write the settings to the URL when they changed (it costs the browser nothing otherwise)."""
    params = current(m)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def restore(m) -> None:
    """Take the settings a link carries, each checked; what is not valid is noted and left out."""
    query = dict(st.query_params)
    s = state.ss()
    problems = []
    if query.get("lang") in i18n.LANGUAGES:
        s.s_lang = query["lang"]
    if query.get("region") in m.regions:
        s.s_region = query["region"]
    elif "region" in query:
        problems.append(f"region = {query['region'][:40]}")
    if "from" in query:
        year = query["from"]
        if year.isdigit() and state.first_free_year() <= int(year) <= m.final_year:
            s.s_from_year = int(year)
        else:
            problems.append(f"from = {year[:20]}")
    if "scenario" in query:
        files = {p.name for p in shipped()}
        name = f"{query['scenario']}.toml"
        if name in files:
            state.set_base(load_scenario(scenario_dir() / name), name)
        else:
            problems.append(f"scenario = {query['scenario'][:40]}")
    if "s" in query:
        keep = {k: s[k] for k in ("s_moved", "s_base", "s_file", "s_report_name", "s_report_description", "s_saved")}
        try:
            _restore_blob(m, unpack(query["s"]))
        except (InputError, ValueError, TypeError, KeyError, AttributeError, zlib.error) as exc:
            for k, v in keep.items():          # all of the field or none of it
                s[k] = v
            problems.append(str(exc).splitlines()[0][:200] if isinstance(exc, InputError) else "s")
    if problems:
        s.s_notes = s.s_notes + [i18n.t("link_error", s.s_lang) + "; ".join(problems)]


def _levers(raw) -> dict:
    """Lever overrides as JSON brought them back (years as text) in the form the model takes."""
    return {str(k): ({int(y): float(x) for y, x in v.items()} if isinstance(v, dict) else float(v))
            for k, v in dict(raw).items()}


def _restore_blob(m, blob: dict) -> None:
    from innosim.core.case import Case

    s = state.ss()
    if not isinstance(blob, dict):
        raise ValueError("not a table")
    if "b" in blob:
        state.set_base(state.scenario_from_toml(str(blob["b"])), None)
    for region, values in dict(blob.get("m", {})).items():
        if region not in m.regions:
            raise ValueError(f"region {region}")
        mine = {}
        for lever_id, value in dict(values).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{lever_id}")
            mine[m.lever(lever_id).id] = m.lever_value(region, lever_id, float(value), m.final_year)
        s.s_moved = {**s.s_moved, region: mine}
        m.inputs(state.current_scenario(region, m).case(region))   # the whole setting must run (shares, ...)
    if "n" in blob:
        s.s_report_name = str(blob["n"])[:200] or None
        s.s_report_description = str(blob.get("d", ""))[:2000] or None
    saved = []
    for entry in list(blob.get("c", []))[:state.MAX_SAVED * len(m.regions)]:
        item = {"name": str(entry["name"])[:200], "region": str(entry["region"]), "levers": _levers(entry["levers"]),
                "parameters": {str(k): float(v) for k, v in dict(entry["parameters"]).items()},
                "run": {k: v for k, v in dict(entry["run"]).items() if k in state.RUN_FIELDS}}
        if item["region"] not in m.regions or any(e["name"] == item["name"] for e in saved):
            raise ValueError("saved entry")
        if item["run"].get("parameter_set") not in (None, *paramsets.available(), paramsets.NONE):
            raise ValueError("parameter set")          # a set's name, never a path on the server
        m.inputs(Case(item["region"], item["levers"], item["parameters"], item["run"].get("end_year"),
                      item["run"].get("parameter_set"), policy_from=item["run"].get("policy_from")))
        saved.append(item)
    s.s_saved = saved
