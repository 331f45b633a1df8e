"""A damaged cache heals: an entry whose files do not match its manifest is rebuilt, never run or trusted.

Each case copies the warm cache, damages the copy, and runs ``innosim run``
on it: the run must succeed with the same table as before, and the entry
must be whole again.  What cannot be healed (the cache folder is a file the
user made, or cannot be written) is one line naming the folder.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import innosim
from innosim import paths
from innosim.mdl import cache

from .conftest import accepted, clear_caches, files_under, refused


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rewrite_manifest(entry: Path) -> None:
    """Make the manifest agree with damaged files: a damage the hashes alone cannot see."""
    record = json.loads((entry / "manifest.json").read_text())
    record["files"] = {name: _sha(entry / name) for name in record["files"]}
    (entry / "manifest.json").write_text(json.dumps(record))


def truncate(entry, name):
    data = (entry / name).read_bytes()
    (entry / name).write_bytes(data[: len(data) // 2])


def rewritten(name: str, text: str):
    """A cached file replaced by ``text``, with a manifest that agrees (so only the content is wrong)."""
    def damage(entry):
        (entry / name).write_text(text)
        _rewrite_manifest(entry)
    return damage


engine_syntax = rewritten("engine.py", "def broken(:\n")
engine_raises = rewritten("engine.py", "raise RuntimeError('stale cache')\n")
engine_incomplete = rewritten("engine.py", "X = 1\n")
variables_wrong_shape = rewritten("variables.json", '{"variables": [{"name": 1}], "defaults": []}')


def manifest_outside(entry):
    record = json.loads((entry / "manifest.json").read_text())
    record["files"]["/etc/hostname"] = "0" * 64
    (entry / "manifest.json").write_text(json.dumps(record))


def entry_is_a_file(entry):
    shutil.rmtree(entry)
    entry.write_text("not a folder")


def compiled_is_a_file(entry):
    shutil.rmtree(entry.parent)
    entry.parent.write_text("not a folder")


HEALS = [
    ("engine.py truncated", lambda e: truncate(e, "engine.py")),
    ("engine.py emptied", lambda e: (e / "engine.py").write_text("")),
    ("engine.py not Python, manifest agreeing", engine_syntax),
    ("engine.py raising, manifest agreeing", engine_raises),
    ("engine.py incomplete, manifest agreeing", engine_incomplete),
    ("variables.json truncated", lambda e: truncate(e, "variables.json")),
    ("variables.json of the wrong shape, manifest agreeing", variables_wrong_shape),
    ("manifest missing", lambda e: (e / "manifest.json").unlink()),
    ("manifest not JSON", lambda e: (e / "manifest.json").write_text("{{{")),
    ("manifest naming a file outside the entry", manifest_outside),
    ("the entry a file", entry_is_a_file),
    ("the compiled folder a file", compiled_is_a_file),
]


@pytest.fixture
def cache_copy(tmp_path, monkeypatch):
    """A copy of the warm cache, used through INNOSIM_CACHE_DIR; yields the model's compiled entry."""
    innosim.load()                                   # make sure the real cache is warm
    root = tmp_path / "cache"
    shutil.copytree(paths.cache_root(), root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(root))
    monkeypatch.setenv("INNOSIM_ENGINE", "compiled")
    clear_caches()
    yield cache.compiled_folder(paths.model_file())
    clear_caches()


@pytest.mark.parametrize("case", HEALS, ids=[c[0] for c in HEALS])
def test_a_damaged_cache_entry_is_rebuilt(case, names, cache_copy, cli, tmp_path):
    label, damage = case
    entry = cache_copy
    accepted(cli("run", "--region", names.region, "--out", "before.csv"))
    damage(entry)
    clear_caches()
    accepted(cli("run", "--region", names.region, "--out", "after.csv"))
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()
    assert cache._intact(entry), "the entry was not rebuilt whole"


def test_a_cache_folder_that_is_a_users_file_is_one_line(names, tmp_path, monkeypatch, cli):
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes")
    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(mine))
    clear_caches()
    try:
        before = files_under(tmp_path)
        refused(cli("run", "--region", names.region, "--out", "out.csv"), "notes.txt", before=before, folder=tmp_path)
        assert mine.read_text() == "my notes"
    finally:
        clear_caches()


def test_a_cache_folder_that_cannot_be_written_is_one_line(names, tmp_path, monkeypatch, cli, readonly_dir):
    monkeypatch.setenv("INNOSIM_CACHE_DIR", str(readonly_dir / "innosim-cache"))
    clear_caches()
    try:
        before = files_under(tmp_path)
        refused(cli("run", "--region", names.region, "--out", "out.csv"), "innosim-cache", before=before,
                folder=tmp_path)
    finally:
        clear_caches()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["not JSON", "a list", "no verdict"])
def test_a_damaged_verification_record_is_made_again(damage, names, cache_copy, cli, monkeypatch, tmp_path):
    """The record of the check against PySD is redone, not trusted and not a traceback."""
    monkeypatch.setenv("INNOSIM_ENGINE", "auto")
    records = list(cache_copy.glob("verified-*.json"))
    assert records
    text = {"not JSON": "{", "a list": "[1]", "no verdict": '{"agree": "yes"}'}[damage]
    for record in records:
        record.write_text(text)
    clear_caches()
    result = cli("run", "--region", names.region, "--out", "out.csv")
    accepted(result)
    assert "notice" not in result.err
    assert all(json.loads(r.read_text())["agree"] is True for r in records)


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["module truncated", "stamp wrong"])
def test_a_damaged_pysd_translation_is_made_again(damage, names, cache_copy, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("INNOSIM_ENGINE", "pysd")
    folder = next((Path(cache_copy).parents[1] / "pysd").iterdir())
    module = next(folder.glob("*.py"))
    if damage == "module truncated":
        module.write_text(module.read_text()[:500])
    else:
        (folder / "translated.ok").write_text("0" * 64)
    clear_caches()
    accepted(cli("run", "--region", names.region, "--out", "out.csv"))
