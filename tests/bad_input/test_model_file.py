"""A damaged model file (``model/innovation_system.mdl``) is one line naming the file and the problem.

Each case damages a copy of the data, with an empty cache of its own, so the
damaged model is parsed afresh.
"""
from __future__ import annotations

import re

import pytest

from .conftest import clear_caches, files_under, refused

MDL = "model/innovation_system.mdl"


def replace_first(pattern, new):
    def damage(text, n):
        changed, count = re.subn(pattern(n) if callable(pattern) else pattern, new(n) if callable(new) else new,
                                 text, count=1, flags=re.M)
        assert count == 1
        return changed
    return damage


def lever_range(n):
    """The smooth lever's units line, ``~ unit [low,high,step]``."""
    return rf"^(\t~\t[^\n\[]*)\[{n.smooth.low:g},\s*{n.smooth.high:g},\s*([^\]]+)\]"


def first_equation(n):
    """The first auxiliary's name line and expression line."""
    aux = next(v for v in n.m.variables.values() if v.kind == "auxiliary")
    return rf"(^{re.escape(aux.name)}\s*=\n\t)([^\n]+)"


BAD = [
    ("truncated", lambda text, n: text[: len(text) // 2], ["innovation_system.mdl"]),
    ("empty", lambda text, n: "", ["innovation_system.mdl"]),
    ("binary garbage", lambda text, n: "\x00\x01\x02" * 1000, ["innovation_system.mdl"]),
    ("an equation that does not parse", replace_first(first_equation, r"\1(((\2"), ["innovation_system.mdl"]),
    ("an equation naming no variable", replace_first(first_equation, r"\1no such variable at all * 2"),
     ["innovation_system.mdl", "no_such_variable_at_all"]),
    ("a lever's range upside down", replace_first(lever_range, lambda n: rf"\g<1>[{n.smooth.high:g},{n.smooth.low:g},\2]"),
     ["innovation_system.mdl", "range"]),
]


@pytest.fixture
def model_copy(data_copy, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(tmp_path_factory.mktemp("empty-cache")))
    clear_caches()
    return data_copy / MDL


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_a_damaged_model_file_is_one_line_and_writes_nothing(case, names, model_copy, cli, tmp_path):
    label, damage, must = case
    model_copy.write_text(damage(model_copy.read_text(encoding="utf-8"), names), encoding="utf-8")
    before = files_under(tmp_path)
    result = cli("run", "--region", names.region, "--out", "out.csv")
    refused(result, *must, before=before, folder=tmp_path)


def test_not_utf8(names, model_copy, cli, tmp_path):
    model_copy.write_bytes(model_copy.read_bytes().replace(b"One year, so that", b"One \xff year, so that", 1))
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--out", "out.csv"), "innovation_system.mdl", "UTF-8",
            before=before, folder=tmp_path)


def test_missing(names, model_copy, cli, tmp_path):
    model_copy.unlink()
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--out", "out.csv"), "innovation_system.mdl", "missing",
            before=before, folder=tmp_path)


def test_a_folder(names, model_copy, cli, tmp_path):
    model_copy.unlink()
    model_copy.mkdir()
    before = files_under(tmp_path)
    refused(cli("run", "--region", names.region, "--out", "out.csv"), "innovation_system.mdl",
            before=before, folder=tmp_path)
