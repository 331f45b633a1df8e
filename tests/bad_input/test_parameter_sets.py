"""Hostile parameter sets: each gets one line naming the file (and line) and the problem; nothing is written."""
from __future__ import annotations

import json
import shutil

import pytest

from innosim.paths import shipped_sets_dir

from .conftest import accepted, files_under, refused


def shipped_record(region: str) -> dict:
    return json.loads((shipped_sets_dir() / "history" / f"{region}.json").read_text(encoding="utf-8"))


def with_parameter(n, key, value_json: str) -> str:
    """The shipped history record of the region, with one parameter set to a raw JSON value."""
    record = shipped_record(n.region)
    record["parameters"][key] = "__VALUE__"
    return json.dumps(record, indent=2).replace('"__VALUE__"', value_json)


def other_region(n) -> str:
    return next(r for r in n.m.regions if r != n.region)


def some_parameter(n) -> str:
    return next(iter(shipped_record(n.region)["parameters"]))


# (id, the set file's text (or bytes), what the one line must name besides the file)
BAD = [
    ("truncated JSON", lambda n: json.dumps(shipped_record(n.region), indent=2)[:200], lambda n: ["line"]),
    ("empty file", lambda n: "", lambda n: ["line 1"]),
    ("a trailing comma", lambda n: '{"parameters": {"x": 1,}}', lambda n: ["line 1"]),
    ("a list, not a set", lambda n: "[1, 2, 3]", lambda n: ["parameters"]),
    ("no parameters", lambda n: '{"region": "%s"}' % n.region, lambda n: ["parameters"]),
    ("parameters a list", lambda n: '{"parameters": [1, 2]}', lambda n: ["parameters"]),
    ("a value in text", lambda n: with_parameter(n, some_parameter(n), '"0.3"'), lambda n: [some_parameter(n), "line"]),
    ("a value NaN", lambda n: with_parameter(n, some_parameter(n), "NaN"), lambda n: [some_parameter(n), "line"]),
    ("a value Infinity", lambda n: with_parameter(n, some_parameter(n), "Infinity"), lambda n: [some_parameter(n)]),
    ("a value 1e999", lambda n: with_parameter(n, some_parameter(n), "1e999"), lambda n: [some_parameter(n)]),
    ("a value null", lambda n: with_parameter(n, some_parameter(n), "null"), lambda n: [some_parameter(n)]),
    ("a value true", lambda n: with_parameter(n, some_parameter(n), "true"), lambda n: [some_parameter(n)]),
    ("a value a table", lambda n: with_parameter(n, some_parameter(n), '{"a": 1}'), lambda n: [some_parameter(n)]),
    ("an unknown parameter", lambda n: with_parameter(n, "no_such_constant", "1"), lambda n: ["no_such_constant"]),
    ("a lever in the set", lambda n: with_parameter(n, n.smooth.id, str(n.value)), lambda n: [n.smooth.id]),
    ("a rate of -5", lambda n: with_parameter(n, n.rate, "-5"), lambda n: [n.rate, "-5"]),
    ("a parameter given twice", lambda n: with_parameter(n, n.rate, "0.1").replace(
        '"parameters": {', f'"parameters": {{\n    "{n.rate}": 0.2,', 1), lambda n: [n.rate]),
    ("another region's set", lambda n: json.dumps({**shipped_record(n.region), "region": other_region(n)}),
     lambda n: [other_region(n)]),
    ("region not text", lambda n: json.dumps({**shipped_record(n.region), "region": 5}), lambda n: ["region"]),
    ("an unknown base", lambda n: json.dumps({**shipped_record(n.region), "base": "no_such_base"}),
     lambda n: ["no_such_base"]),
    ("a base that is itself", lambda n: json.dumps({**shipped_record(n.region), "base": "mine"}), lambda n: ["base"]),
    ("a stale base", lambda n: json.dumps({**shipped_record(n.region), "base": "history", "base_sha256": "0" * 64}),
     lambda n: ["stale"]),
    ("not UTF-8", lambda n: b'{"parameters": {"\xff": 1}}', lambda n: ["UTF-8"]),
    ("nested too deeply", lambda n: '{"parameters": ' + "[" * 5000 + "]" * 5000 + "}", lambda n: ["nested"]),
    ("over 4 MB", lambda n: json.dumps({**shipped_record(n.region), "pad": "x" * 4_000_100}), lambda n: ["bytes"]),
]


@pytest.fixture
def user_set(user_home, names):
    """Write ``text`` as the user's set 'mine' for the battery's region; returns the file's path."""
    def write(text) -> object:
        folder = user_home / "sets" / "mine"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{names.region}.json"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path
    return write


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_a_damaged_parameter_set_is_one_line_and_writes_nothing(case, names, user_set, cli, tmp_path):
    label, build, must = case
    user_set(build(names))
    before = files_under(tmp_path)
    result = cli("run", "--region", names.region, "--parameter-set", "mine", "--out", "out.csv")
    refused(result, f"mine/{names.region}.json", *must(names), before=before, folder=tmp_path)


def test_a_set_file_that_is_a_folder(names, user_home, cli, tmp_path):
    (user_home / "sets" / "mine" / f"{names.region}.json").mkdir(parents=True)
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--parameter-set", "mine", "--out", "out.csv"),
            f"{names.region}.json", before=before, folder=tmp_path)


def test_a_path_must_lead_to_a_parameter_set_file(names, cli, tmp_path):
    """A JSON file that is not a set (here an export's metadata record) is refused, by name."""
    evil = tmp_path / "evil" / "x"
    evil.mkdir(parents=True)
    (evil / f"{names.region}.json").write_text('{"project": "innosim", "failures": []}', encoding="utf-8")
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--parameter-set", "evil/x", "--out", "out.csv"),
            f"{names.region}.json", "parameter set", before=before, folder=tmp_path)


def test_a_path_to_a_folder_without_the_regions_file(names, cli, tmp_path):
    (tmp_path / "sets").mkdir()
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--parameter-set", "./sets", "--out", "out.csv"),
            f"{names.region}.json", before=before, folder=tmp_path)


def test_a_bare_name_never_reaches_outside_the_set_folders(names, cli, tmp_path):
    """A name is looked up among the shipped and user sets only: a folder of that name here is not a set."""
    (tmp_path / "evil").mkdir()
    shutil.copy(shipped_sets_dir() / "history" / f"{names.region}.json", tmp_path / "evil" / f"{names.region}.json")
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--parameter-set", "evil", "--out", "out.csv"), "evil",
            before=before, folder=tmp_path)


def test_a_set_with_a_byte_order_mark_is_read(names, user_set, cli):
    user_set(b"\xef\xbb\xbf" + json.dumps(shipped_record(names.region)).encode())
    accepted(cli("run", "--region", names.region, "--parameter-set", "mine", "--out", "out.csv"))


def test_a_set_by_explicit_path_is_read(names, cli, tmp_path):
    shutil.copytree(shipped_sets_dir() / "history", tmp_path / "copy")
    accepted(cli("run", "--region", names.region, "--parameter-set", "./copy", "--out", "a.csv"))
    accepted(cli("run", "--region", names.region, "--parameter-set", f"copy/{names.region}.json", "--out", "b.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
