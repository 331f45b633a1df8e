"""Scenarios as data: one TOML file per scenario, checked against the model's lever registry.

A scenario file::

    name = "Fiscal slowdown"
    description = "What if fiscal S&T spending growth falls to 8 % a year from 2024?"
    name_zh = "财政放缓"                       # optional Chinese title and question for the app
    regions = ["ningbo", "yuyao"]        # or "all"

    [levers]                             # a number, or a year -> value table ("from this year on")
    fiscal_st_growth_rate = { 2020 = 0.15, 2024 = 0.08 }

    [parameters]                         # optional: experts may override non-lever constants
    knowledge_depreciation_rate = 0.18

    [run]                                # optional
    end_year = 2035
    parameter_set = "history"            # calibrated parameters: history (default), plan, or none

Every mistake raises :class:`ScenarioError` with one line that names the
file, the key, the value and what is allowed.  :func:`scenario_toml` writes
a scenario back in this form, so whatever the app saves the command line
reads unchanged (one module parses and writes the format).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from innosim.core import paramsets, shares
from innosim.core.case import Case
from innosim.core.model import MAX_FINAL_YEAR, Model, load
from innosim.core.timeline import observed_levers
from innosim.errors import InputError
from innosim.files import toml_problem
from innosim.paths import scenario_dir

MAX_BYTES = 1_000_000        # a scenario file is a page of text; anything bigger is refused unread
TOP_KEYS = {"name", "description", "name_zh", "description_zh", "regions", "levers", "parameters", "run"}
RUN_KEYS = {"end_year", "parameter_set", "policy_from"}


class ScenarioError(InputError):
    """A scenario file is not valid; the message names the file, key, value and what is allowed."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: overrides of the plan, for some regions."""

    id: str
    name: str
    description: str
    regions: tuple[str, ...]
    levers: Mapping[str, object] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)
    end_year: int | None = None
    path: Path | None = None
    sha256: str | None = None
    parameter_set: str | None = None
    name_zh: str = ""
    description_zh: str = ""
    policy_from: int | None = None       # a counterfactual's earlier start of its levers (default: first free year)

    @property
    def label(self) -> str:
        return self.id

    def title(self, language: str = "en") -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name

    def question(self, language: str = "en") -> str:
        return self.description_zh if language == "zh" and self.description_zh else self.description

    def case(self, region: str, levers=None, parameters=None, parameter_set: str | None = None) -> Case:
        """The run this scenario asks for in one region; ``levers`` and ``parameters`` apply on top of its own."""
        return Case(region, {**self.levers, **(levers or {})}, {**self.parameters, **(parameters or {})},
                    self.end_year, parameter_set or self.parameter_set, self.label, self.policy_from)


def plan() -> Scenario:
    """The plan: the policies as the documents state them (``scenarios/plan.toml``)."""
    return load_scenario(scenario_dir() / "plan.toml")


def shipped() -> list[Path]:
    """The scenario files that come with the project, the plan first."""
    files = sorted(scenario_dir().glob("*.toml"))
    return sorted(files, key=lambda p: p.stem != "plan")


def as_scenario(scenario) -> Scenario:
    """A scenario from a Scenario, a path, or None (the plan)."""
    if scenario is None:
        return plan()
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def load_scenario(path, model: Model | None = None) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    try:
        if path.is_dir():
            raise ScenarioError(f"{path}: is a folder, not a scenario file")
        if not path.is_file() and path.exists():
            raise ScenarioError(f"{path}: is not a regular file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(f"{path}: {size} bytes; a scenario file may have at most {MAX_BYTES} bytes")
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_scenario(raw_bytes, path, model)


def parse_scenario(raw_bytes: bytes, path: Path, model: Model | None = None) -> Scenario:
    """Validate a scenario given as TOML bytes (``path`` names it in messages)."""
    m = model or load()
    name = str(path)
    if len(raw_bytes) > MAX_BYTES:
        raise ScenarioError(f"{name}: {len(raw_bytes)} bytes; a scenario file may have at most {MAX_BYTES} bytes")
    try:
        text = raw_bytes.decode("utf-8-sig")                  # a byte-order mark (Windows editors) is fine
    except UnicodeDecodeError as exc:
        line = raw_bytes[:exc.start].count(b"\n") + 1
        raise ScenarioError(f"{name}: line {line}: is not UTF-8 text") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{name}: {toml_problem(exc, text)}") from None
    except RecursionError:
        raise ScenarioError(f"{name}: is nested too deeply; a scenario has tables at most two levels deep") from None
    check = _Checker(name, m)
    check.keys(raw, TOP_KEYS, "", "name, description, name_zh, description_zh, regions, [levers], [parameters], [run]")
    title = check.text(raw, "name", required=True)
    description = check.text(raw, "description", required=True)
    title_zh, description_zh = check.text(raw, "name_zh"), check.text(raw, "description_zh")
    regions = check.regions(raw.get("regions", "all"))
    run = check.table(raw, "run")
    check.keys(run, RUN_KEYS, "run.", "end_year, parameter_set, policy_from")
    end_year = check.end_year(run)
    parameter_set = check.parameter_set(run)
    final = end_year or m.final_year
    policy_from = check.policy_from(run, final)
    start = policy_from if policy_from is not None else observed_levers().first_free_year
    levers = {}
    for key, value in check.table(raw, "levers").items():
        levers[key] = check.lever(key, value, final, start)
    check.shares(levers, regions)
    parameters = {}
    for key, value in check.table(raw, "parameters").items():
        parameters[key] = check.parameter(key, value)
    return Scenario(id=Path(path).stem, name=title, description=description, regions=regions,
                    levers=levers, parameters=parameters, end_year=end_year, path=Path(path),
                    sha256=hashlib.sha256(raw_bytes).hexdigest(), parameter_set=parameter_set,
                    name_zh=title_zh, description_zh=description_zh, policy_from=policy_from)


class _Checker:
    """Builds the one-line messages: file, key, value, what is allowed."""

    def __init__(self, name: str, m: Model):
        self.name, self.m = name, m

    def fail(self, key: str, value, allowed: str):
        shown = value if isinstance(value, str) else repr(value)
        raise ScenarioError(f"{self.name}: {key} = {shown}: {allowed}")

    def keys(self, table: Mapping, allowed: set, prefix: str, listing: str):
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                raise ScenarioError(f"{self.name}: unknown key '{prefix}{key}'{extra}; allowed: {listing}")

    def text(self, raw, key, required=False) -> str:
        if key not in raw:
            if required:
                raise ScenarioError(f"{self.name}: missing key '{key}'; every scenario needs a name and a description")
            return ""
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "must be a non-empty text in quotes")
        return value.strip()

    def table(self, raw, key) -> Mapping:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, value, f"must be a table, written [{key}]")
        return value

    def regions(self, value) -> tuple[str, ...]:
        allowed = f"\"all\" or a list of {', '.join(self.m.regions)}"
        if value == "all":
            return tuple(self.m.regions)
        if not isinstance(value, list) or not value:
            self.fail("regions", value, f"must be {allowed}")
        for region in value:
            if region not in self.m.regions:
                self.fail("regions", region, f"unknown region; allowed: {allowed}")
        return tuple(r for r in self.m.regions if r in value)

    def end_year(self, run) -> int | None:
        if "end_year" not in run:
            return None
        value = run["end_year"]
        try:
            return self.m.check_final_year(value)
        except InputError:
            self.fail("run.end_year", value, f"must be a whole year from {self.m.initial_year + 1} to {MAX_FINAL_YEAR}")

    def parameter_set(self, run) -> str | None:
        if "parameter_set" not in run:
            return None
        value = run["parameter_set"]
        allowed = paramsets.available() + [paramsets.NONE]
        if not isinstance(value, str) or value not in allowed:
            self.fail("run.parameter_set", value, f"allowed: {', '.join(allowed)} (a set's name, not a path)")
        return value

    def policy_from(self, run, final_year) -> int | None:
        if "policy_from" not in run:
            return None
        value = run["policy_from"]
        if isinstance(value, bool) or not isinstance(value, int) or not self.m.initial_year <= value <= final_year:
            self.fail("run.policy_from", value, f"must be a whole year from {self.m.initial_year} to {final_year}: "
                                                f"the first year the scenario's levers apply")
        return value

    def lever(self, key, value, final_year, start):
        lever_ids = {lv.id for lv in self.m.levers}
        if key not in lever_ids:
            if key in self.m.variables and self.m.variables[key].kind == "constant":
                raise ScenarioError(f"{self.name}: levers.{key} is a parameter, not a lever; put it under [parameters]")
            hint = difflib.get_close_matches(key, lever_ids, n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ScenarioError(f"{self.name}: unknown lever 'levers.{key}'{extra}; "
                                f"allowed: {', '.join(sorted(lever_ids))}")
        try:  # ranges do not depend on the region
            self.m.lever_value(self.m.regions[0], key, value, final_year)
        except InputError as exc:
            self.fail(f"levers.{exc.key}", exc.value, f"{exc.problem}; allowed: {exc.allowed}")
        if isinstance(value, dict):
            early = sorted(int(y) for y in value if int(y) < start)
            if early:
                until = observed_levers().until
                self.fail(f"levers.{key}.{early[0]}", value[str(early[0])],
                          f"{early[0]} is already observed (the record runs to {until}), so the scenario's levers "
                          f"apply from {start}; allowed: years from {start}, or run.policy_from = {early[0]} for a "
                          f"counterfactual")
            return {int(y): float(v) for y, v in value.items()}
        return float(value)

    def shares(self, levers, regions) -> None:
        """Allocation shares of one group (model/share_groups.toml) may not exceed their budget in any region,
        the shares the file leaves alone at that region's plan values."""
        for region in regions:
            paths = {}
            for lv in self.m.levers:
                if shares.group_of(lv.id) is None:
                    continue
                value = levers.get(lv.id, lv.default(region))
                paths[lv.id] = (tuple(sorted({0.0: lv.default(region), **{float(y): v for y, v in value.items()}}
                                             .items())) if isinstance(value, dict) else float(value))
            try:
                shares.check_paths(paths)
            except InputError as exc:
                raise ScenarioError(f"{self.name}: [levers] in {region}: {exc}") from None

    def parameter(self, key, value) -> float:
        try:
            return self.m.parameter_value(key, value)
        except InputError as exc:
            self.fail(f"parameters.{exc.key}", exc.value, f"{exc.problem}; allowed: {exc.allowed}")


def scenario_toml(scenario: Scenario) -> str:
    """A scenario as the TOML file :func:`parse_scenario` reads back to an equal scenario."""
    lines = [f"name = {_toml_string(scenario.name)}",
             f"description = {_toml_string(scenario.description)}"]
    if scenario.name_zh:
        lines.append(f"name_zh = {_toml_string(scenario.name_zh)}")
    if scenario.description_zh:
        lines.append(f"description_zh = {_toml_string(scenario.description_zh)}")
    lines += [f"regions = [{', '.join(_toml_string(r) for r in scenario.regions)}]", "", "[levers]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in sorted(scenario.levers.items())]
    if scenario.parameters:
        lines += ["", "[parameters]"]
        lines += [f"{k} = {_toml_number(v)}" for k, v in sorted(scenario.parameters.items())]
    run = {k: v for k, v in (("end_year", scenario.end_year), ("parameter_set", scenario.parameter_set),
                             ("policy_from", scenario.policy_from)) if v is not None}
    if run:
        lines += ["", "[run]"]
        lines += [f"{k} = {int(v) if k != 'parameter_set' else _toml_string(v)}" for k, v in sorted(run.items())]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{int(y)} = {_toml_number(v)}" for y, v in sorted(value.items())) + " }"
    return _toml_number(value)


def _toml_number(value) -> str:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return repr(round(value, 10))


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)   # a JSON string is a valid TOML basic string
