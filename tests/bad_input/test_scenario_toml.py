"""Hostile scenario files: each gets one line naming the file, the key and the value, and nothing is written."""
from __future__ import annotations

import pytest

from innosim.core.model import MAX_FINAL_YEAR

from .conftest import SCENARIO_HEAD, accepted, files_under, refused


def lever(n, value) -> str:
    return f"[levers]\n{n.smooth.id} = {value}\n"


def schedule(n, items: str) -> str:
    return f"[levers]\n{n.smooth.id} = {{ {items} }}\n"


def key(n, suffix="") -> str:
    return f"levers.{n.smooth.id}{suffix}"


# (id, the file's body after a valid name and description, what the one line must name)
BAD = [
    # the file as a whole
    ("not TOML", lambda n: "name = \n", lambda n: ["line 3"]),
    ("unclosed string", lambda n: 'extra = "abc\n', lambda n: ["line 3"]),
    ("duplicate key", lambda n: 'name = "again"\n', lambda n: ["name"]),
    ("not UTF-8", lambda n: b"# \xff\xfe\xfd\n", lambda n: ["UTF-8"]),
    ("NUL bytes", lambda n: b"\x00" * 64, lambda n: ["s.toml"]),
    ("nested too deeply (arrays)", lambda n: "x = " + "[" * 5000 + "]" * 5000 + "\n", lambda n: ["nested"]),
    ("nested too deeply (tables)", lambda n: "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
     lambda n: ["nested"]),
    ("over 1 MB", lambda n: "# " + "x" * 1_000_100 + "\n", lambda n: ["1000000"]),
    # the head
    ("empty file", None, lambda n: ["name"]),
    ("name missing", lambda n: 'description = "d"\n', lambda n: ["name"]),
    ("description missing", lambda n: 'name = "n"\n', lambda n: ["description"]),
    ("name a number", lambda n: 'name = 5\ndescription = "d"\n', lambda n: ["name", "5"]),
    ("name blank", lambda n: 'name = "  "\ndescription = "d"\n', lambda n: ["name"]),
    ("name a table", lambda n: 'description = "d"\n[name]\nx = 1\n', lambda n: ["name"]),
    ("name_zh a list", lambda n: 'name_zh = ["a"]\n', lambda n: ["name_zh"]),
    ("unknown top key", lambda n: "colour = 1\n", lambda n: ["colour"]),
    ("regions unknown", lambda n: 'regions = ["hangzhou"]\n', lambda n: ["regions", "hangzhou"]),
    ("regions empty", lambda n: "regions = []\n", lambda n: ["regions"]),
    ("regions a number", lambda n: "regions = 5\n", lambda n: ["regions", "5"]),
    ("regions nested", lambda n: f'regions = [["{n.region}"]]\n', lambda n: ["regions"]),
    ("regions any", lambda n: 'regions = "any"\n', lambda n: ["regions", "any"]),
    # levers
    ("levers not a table", lambda n: "levers = 5\n", lambda n: ["levers", "5"]),
    ("unknown lever", lambda n: "[levers]\nno_such_lever = 1\n", lambda n: ["levers.no_such_lever"]),
    ("a parameter as a lever", lambda n: f"[levers]\n{n.parameter} = 1\n", lambda n: [f"levers.{n.parameter}"]),
    ("lever text", lambda n: lever(n, '"fast"'), lambda n: [key(n), "fast"]),
    ("lever true", lambda n: lever(n, "true"), lambda n: [key(n), "True"]),
    ("lever nan", lambda n: lever(n, "nan"), lambda n: [key(n), "nan"]),
    ("lever inf", lambda n: lever(n, "inf"), lambda n: [key(n), "inf"]),
    ("lever -inf", lambda n: lever(n, "-inf"), lambda n: [key(n), "-inf"]),
    ("lever above range", lambda n: lever(n, n.smooth.high + 1), lambda n: [key(n), f"{n.smooth.high:g}"]),
    ("lever below range", lambda n: lever(n, n.smooth.low - 1), lambda n: [key(n), f"{n.smooth.low:g}"]),
    ("lever 1e308", lambda n: lever(n, "1e308"), lambda n: [key(n), "1e+308"]),
    ("lever a list", lambda n: lever(n, "[0.1, 0.2]"), lambda n: [key(n)]),
    ("lever a date", lambda n: lever(n, "2027-01-01"), lambda n: [key(n), "2027"]),
    ("switch 0.5", lambda n: f"[levers]\n{n.switch.id} = 0.5\n", lambda n: [f"levers.{n.switch.id}", "0.5"]),
    ("switch 2", lambda n: f"[levers]\n{n.switch.id} = 2\n", lambda n: [f"levers.{n.switch.id}", "2"]),
    ("switch 0.5 in a schedule", lambda n: f"[levers]\n{n.switch.id} = {{ {n.first_free} = 0.5 }}\n",
     lambda n: [f"levers.{n.switch.id}.{n.first_free}", "0.5"]),
    # lever schedules
    ("schedule year 2_024", lambda n: schedule(n, f"{str(n.first_free)[:1]}_{str(n.first_free)[1:]} = 0.1"),
     lambda n: [key(n, f".{str(n.first_free)[:1]}_{str(n.first_free)[1:]}")]),
    ("schedule year with a space", lambda n: schedule(n, f'" {n.first_free}" = 0.1'),
     lambda n: [key(n, f". {n.first_free}")]),
    ("schedule year 2026.0", lambda n: schedule(n, f"{n.first_free}.0 = 0.1"), lambda n: [key(n)]),
    ("schedule year text", lambda n: schedule(n, "soon = 0.1"), lambda n: [key(n, ".soon")]),
    ("schedule year negative", lambda n: schedule(n, '"-2030" = 0.1'), lambda n: [key(n, ".-2030")]),
    ("schedule year observed", lambda n: schedule(n, f"{n.m.initial_year} = {n.value}"),
     lambda n: [key(n, f".{n.m.initial_year}")]),
    ("schedule year after the run", lambda n: schedule(n, f"{n.m.final_year + 1} = {n.value}"),
     lambda n: [key(n, f".{n.m.final_year + 1}")]),
    ("schedule year 99999", lambda n: schedule(n, f"99999 = {n.value}"), lambda n: [key(n, ".99999")]),
    ("schedule empty", lambda n: schedule(n, ""), lambda n: [key(n)]),
    ("schedule value text", lambda n: schedule(n, f'{n.first_free} = "x"'), lambda n: [key(n, f".{n.first_free}")]),
    ("schedule value out of range", lambda n: schedule(n, f"{n.first_free} = {n.smooth.high + 1}"),
     lambda n: [key(n, f".{n.first_free}")]),
    ("schedule value nan", lambda n: schedule(n, f"{n.first_free} = nan"), lambda n: [key(n, f".{n.first_free}")]),
    ("schedule nested deeper than the schema", lambda n: schedule(n, f"{n.first_free} = {{ a = 1 }}"),
     lambda n: [key(n, f".{n.first_free}")]),
    # parameters
    ("parameters not a table", lambda n: "parameters = 1\n", lambda n: ["parameters", "1"]),
    ("unknown parameter", lambda n: "[parameters]\nno_such_constant = 1\n", lambda n: ["parameters.no_such_constant"]),
    ("a lever as a parameter", lambda n: f"[parameters]\n{n.smooth.id} = {n.value}\n",
     lambda n: [f"parameters.{n.smooth.id}"]),
    ("parameter text", lambda n: f'[parameters]\n{n.parameter} = "x"\n', lambda n: [f"parameters.{n.parameter}"]),
    ("parameter true", lambda n: f"[parameters]\n{n.parameter} = true\n", lambda n: [f"parameters.{n.parameter}"]),
    ("parameter nan", lambda n: f"[parameters]\n{n.parameter} = nan\n", lambda n: [f"parameters.{n.parameter}"]),
    ("parameter inf", lambda n: f"[parameters]\n{n.parameter} = inf\n", lambda n: [f"parameters.{n.parameter}"]),
    ("a rate of -5", lambda n: f"[parameters]\n{n.rate} = -5\n", lambda n: [f"parameters.{n.rate}", "-5"]),
    ("a rate of 50", lambda n: f"[parameters]\n{n.rate} = 50\n", lambda n: [f"parameters.{n.rate}", "50"]),
    ("a parameter of 1e308", lambda n: f"[parameters]\n{n.parameter} = 1e308\n",
     lambda n: [f"parameters.{n.parameter}", "1e+308"]),
    ("a time of 0", lambda n: f"[parameters]\n{n.time} = 0\n", lambda n: [f"parameters.{n.time}", "0"]),
    ("a time below zero", lambda n: f"[parameters]\n{n.time} = -1\n", lambda n: [f"parameters.{n.time}", "-1"]),
    ("a parameter of 2**63-1", lambda n: f"[parameters]\n{n.parameter} = 9223372036854775807\n",
     lambda n: [f"parameters.{n.parameter}"]),
    ("parameter a table", lambda n: f"[parameters]\n{n.parameter} = {{ a = 1 }}\n",
     lambda n: [f"parameters.{n.parameter}"]),
    ("parameter a list", lambda n: f"[parameters]\n{n.parameter} = [1, 2]\n", lambda n: [f"parameters.{n.parameter}"]),
    # run
    ("run not a table", lambda n: "run = 1\n", lambda n: ["run", "1"]),
    ("run unknown key", lambda n: "[run]\nspeed = 1\n", lambda n: ["run.speed"]),
    ("end_year text", lambda n: '[run]\nend_year = "2030"\n', lambda n: ["run.end_year", "2030"]),
    ("end_year fractional", lambda n: "[run]\nend_year = 2030.5\n", lambda n: ["run.end_year", "2030.5"]),
    ("end_year the start", lambda n: f"[run]\nend_year = {n.m.initial_year}\n",
     lambda n: ["run.end_year", str(n.m.initial_year)]),
    ("end_year too late", lambda n: f"[run]\nend_year = {MAX_FINAL_YEAR + 1}\n",
     lambda n: ["run.end_year", str(MAX_FINAL_YEAR + 1)]),
    ("end_year true", lambda n: "[run]\nend_year = true\n", lambda n: ["run.end_year"]),
    ("end_year negative", lambda n: "[run]\nend_year = -1\n", lambda n: ["run.end_year", "-1"]),
    ("parameter_set unknown", lambda n: '[run]\nparameter_set = "no_such_set"\n',
     lambda n: ["run.parameter_set", "no_such_set"]),
    ("parameter_set a path", lambda n: '[run]\nparameter_set = "../../../../tmp/evil/x"\n',
     lambda n: ["run.parameter_set", "../../../../tmp/evil/x"]),
    ("parameter_set a number", lambda n: "[run]\nparameter_set = 5\n", lambda n: ["run.parameter_set"]),
    ("policy_from before the start", lambda n: f"[run]\npolicy_from = {n.m.initial_year - 1}\n",
     lambda n: ["run.policy_from", str(n.m.initial_year - 1)]),
    ("policy_from after the end", lambda n: f"[run]\npolicy_from = {n.m.final_year + 1}\n",
     lambda n: ["run.policy_from", str(n.m.final_year + 1)]),
    ("policy_from text", lambda n: '[run]\npolicy_from = "2021"\n', lambda n: ["run.policy_from"]),
]


def _body(n, build):
    if build is None:
        return b""
    return build(n)


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_a_bad_scenario_file_is_one_line_and_writes_nothing(case, names, cli, scenario, tmp_path):
    label, build, must = case
    if "switch" in label and names.switch is None:
        pytest.skip("the model has no rule switch")
    head = label not in ("empty file",) and not label.startswith(("name ", "description missing"))
    path = scenario(_body(names, build), head=head)
    before = files_under(tmp_path)
    result = cli("run", path, "--out", "out.csv")
    refused(result, "s.toml", *must(names), before=before, folder=tmp_path)


GOOD = [
    ("a byte-order mark", lambda n: b"\xef\xbb\xbf" + (SCENARIO_HEAD + lever(n, n.value)).encode()),
    ("Windows line ends", lambda n: (SCENARIO_HEAD + lever(n, n.value)).replace("\n", "\r\n").encode()),
    ("an integer for a number", lambda n: (SCENARIO_HEAD + lever(n, int(n.smooth.low))).encode()),
    ("a schedule with quoted years", lambda n: (SCENARIO_HEAD + schedule(n, f'"{n.first_free}" = {n.value}')).encode()),
    ("a switch at either value", lambda n: (SCENARIO_HEAD + f"[levers]\n{n.switch.id} = {n.switch.high:g}\n").encode()),
]


@pytest.mark.parametrize("case", GOOD, ids=[c[0] for c in GOOD])
def test_an_unusual_but_valid_scenario_file_runs(case, names, cli, scenario):
    label, build = case
    if "switch" in label and names.switch is None:
        pytest.skip("the model has no rule switch")
    path = scenario(build(names), head=False)
    result = cli("run", path, "--out", "out.csv")
    accepted(result)


def test_every_parameter_refuses_an_absurd_value(names, cli, scenario, tmp_path):
    """Every overridable constant has a declared range: 1e308 and -1e308 are refused, each in one line."""
    from innosim.core.scenarios import ScenarioError, parse_scenario

    m = names.m
    constants = [k for k, v in m.variables.items() if v.kind == "constant" and not v.is_lever]
    unbounded = []
    for name in constants:
        for value in ("1e308", "-1e308"):
            text = (SCENARIO_HEAD + f"[parameters]\n{name} = {value}\n").encode()
            try:
                parse_scenario(text, tmp_path / "p.toml", m)
            except ScenarioError as exc:
                assert f"parameters.{name}" in str(exc) and len(str(exc).splitlines()) == 1
            else:
                unbounded.append(f"{name} = {value}")
    assert not unbounded, f"accepted: {', '.join(unbounded[:8])}{' …' if len(unbounded) > 8 else ''}"


@pytest.mark.parametrize("kind", ["/dev/zero", "a pipe", "/dev/stdin"])
def test_a_scenario_that_is_no_regular_file_is_refused_unread(kind, names, tmp_path):
    """`innosim run /dev/zero` must not read until memory runs out; a pipe must not block."""
    import os

    from .conftest import shell

    if kind == "a pipe":
        path = tmp_path / "pipe.toml"
        os.mkfifo(path)
    else:
        path = kind
    result = shell("run", path, "--region", names.region, "--out", "out.csv", cwd=tmp_path, stdin=None)
    refused(result, str(path).rsplit("/", 1)[-1], "regular file")
    assert not (tmp_path / "out.csv").exists()
