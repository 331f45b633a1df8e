"""One browser session's settings: region, scenario, lever overrides, saved scenarios.

Everything lives in ``st.session_state``, which Streamlit keeps per browser
session, so two sessions never share settings.  Overrides are stored in the
scenario-file form (a number, or {year: value}), so the current settings can
be written as a scenario TOML that the command line runs unchanged.
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from innosim.core.scenarios import Scenario, load_scenario, parse_scenario, scenario_toml
from innosim.core.timeline import observed_levers
from innosim.paths import scenario_dir

MAX_SAVED = 4
DEFAULTS = {"language": "zh", "region": "ningbo", "scenario_file": "plan.toml", "overrides": {}, "parameters": {},
            "run": {}, "scenario_name": "Plan", "scenario_description": "", "saved": [], "uploaded_digest": None,
            "change_year": None, "lever_epoch": 0}


def init() -> None:
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = json.loads(json.dumps(value))
    if st.session_state.change_year is None:           # changes apply from the first year not yet observed
        st.session_state.change_year = observed_levers().first_free_year
    if "scenario_loaded" not in st.session_state:
        st.session_state.base_scenario = load_scenario(scenario_dir() / st.session_state.scenario_file)
        apply(st.session_state.base_scenario)
        st.session_state.scenario_loaded = True


def apply(scenario: Scenario) -> None:
    """Take a scenario's overrides as the current settings; sliders are rebuilt from them."""
    st.session_state.overrides = {k: (dict(v) if isinstance(v, dict) else v) for k, v in scenario.levers.items()}
    st.session_state.parameters = dict(scenario.parameters)
    st.session_state.scenario_name = scenario.name
    st.session_state.scenario_description = scenario.description
    st.session_state.run = run_settings(scenario)
    st.session_state.lever_epoch += 1   # new widget keys: sliders start from the scenario's values


def apply_upload(raw: bytes, name: str) -> Scenario:
    """Validate an uploaded scenario (TOML is only parsed, never executed) and apply it."""
    scenario = parse_scenario(raw, Path(name))
    apply(scenario)
    return scenario


def effective(lever, region: str):
    """The lever's value now: the override (a number or a schedule) or the region's plan value."""
    return st.session_state.overrides.get(lever.id, lever.default(region))


def set_override(lever, region: str, value: float) -> None:
    """Record a slider move: from the chosen year on (the plan's value before it)."""
    year = int(st.session_state.change_year)
    if year <= observed_levers().first_free_year:
        override = value
    else:
        override = {year: value}
    if override == lever.default(region):      # a {year: value} override never equals the plain default
        st.session_state.overrides.pop(lever.id, None)
    else:
        st.session_state.overrides[lever.id] = override


def key(overrides: dict) -> str:
    """A stable, hashable form of overrides for caching."""
    return json.dumps({k: (sorted(v.items()) if isinstance(v, dict) else v) for k, v in sorted(overrides.items())})


def run_settings(scenario: Scenario) -> dict:
    """A scenario's ``[run]`` table (end year, parameter set), only what it sets."""
    return {k: v for k, v in (("end_year", scenario.end_year), ("parameter_set", scenario.parameter_set))
            if v is not None}


def inputs_key(parameters: dict, run: dict | None = None) -> str:
    """A stable, hashable form of expert parameters and ``[run]`` settings for caching."""
    return json.dumps({"parameters": parameters, "run": run or {}}, sort_keys=True)


def keys() -> tuple[str, str]:
    """The cache keys of this session's settings: (overrides, parameters and run settings)."""
    ss = st.session_state
    return key(ss.overrides), inputs_key(ss.parameters, ss.run)


def current_scenario(region: str, name: str, description: str, overrides: dict, parameters: dict,
                     run: dict | None = None) -> Scenario:
    """The settings as a Scenario object: what the app runs, exports and describes in metadata."""
    run = run or {}
    return Scenario(id="app_settings", name=name, description=description or "Settings saved from the innosim app?",
                    regions=(region,), levers=dict(overrides), parameters=dict(parameters),
                    end_year=run.get("end_year"), parameter_set=run.get("parameter_set"))


def settings_toml(region: str, name: str, description: str, overrides: dict, parameters: dict,
                  run: dict | None = None) -> str:
    """The settings as a scenario file the command line runs unchanged: only what differs from the plan."""
    scenario = current_scenario(region, name, description if "?" in description else description + " (What if?)",
                                overrides, parameters, run)
    return scenario_toml(scenario)


def save_current(name: str) -> bool:
    if len(st.session_state.saved) >= MAX_SAVED:
        return False
    st.session_state.saved.append({"name": name, "overrides": dict(st.session_state.overrides),
                                   "parameters": dict(st.session_state.parameters), "run": dict(st.session_state.run)})
    return True
