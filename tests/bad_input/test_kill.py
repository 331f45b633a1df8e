"""SIGKILL mid-batch and mid-export, several times: no partial file, no mixed set, and no leftovers after.

A kill can land anywhere: before the export (the old output must be
untouched), while the new set is being staged (likewise), or after it is in
place (then it must be whole).  Temporary files a kill leaves behind are
hidden and are gone after the next run.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from innosim.core.scenarios import shipped

pytestmark = pytest.mark.slow

TMP = ".innosim-tmp-"


def _start(argv, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "innosim", *map(str, argv)], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _until(proc, condition, poll=0.001) -> bool:
    """Poll until ``condition()`` holds while ``proc`` runs; False if it ended first."""
    while proc.poll() is None:
        if condition():
            return True
        time.sleep(poll)
    return False


def _kill(proc) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _visible(folder: Path) -> set:
    return {p.name for p in folder.iterdir() if not p.name.startswith(TMP)}


def _check_set(out: Path, old: dict) -> str:
    """The folder holds the old set exactly, or a complete new one."""
    now = _snapshot(out)
    if now == old:
        return "old"
    listed = (out / ".innosim-set").read_text(encoding="utf-8").split()
    assert sorted(p.name for p in out.iterdir() if p.name != ".innosim-set") == sorted(listed)
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["project"] == "innosim"
    for name in listed:
        if name.endswith(".csv"):
            pd.read_csv(out / name, encoding="utf-8-sig")
        elif name.endswith(".xlsx"):
            openpyxl.load_workbook(out / name, read_only=True).close()
    assert (out / "innosim.xlsx").exists(), "a mixed set: new metadata beside old tables"
    return "new"


@pytest.fixture
def many(tmp_path):
    """Enough scenario files that a batch and its workbook take a moment."""
    folder = tmp_path / "in"
    folder.mkdir()
    for copy in range(6):
        for path in shipped():
            shutil.copy(path, folder / f"{path.stem}_{copy}.toml")
    return sorted(folder.glob("*.toml"))


def test_sigkill_mid_export_leaves_the_old_set_or_the_new_one(many, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    first = subprocess.run([sys.executable, "-m", "innosim", "batch", many[0], "--out", "out", "--regions",
                            "ningbo"], cwd=work, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    old = _snapshot(work / "out")
    seen = set()
    for delay in (0.0, 0.0, 0.02, 0.1, 0.3, 1.0):
        proc = _start(["batch", *many, "--out", "out", "--format", "xlsx"], work)
        staged = _until(proc, lambda: any(p.name.startswith(TMP) for p in work.iterdir()))
        time.sleep(delay)
        _kill(proc)
        state = _check_set(work / "out", old)
        seen.add((staged, state))
        assert _visible(work) == {"out"}, _visible(work)
        if state == "new":
            old = _snapshot(work / "out")
    assert any(staged for staged, _ in seen), "no kill landed during the export"
    done = subprocess.run([sys.executable, "-m", "innosim", "batch", many[0], "--out", "out"], cwd=work,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == ["out"], "temporary files of the killed runs were left behind"


def test_sigkill_mid_batch_leaves_the_old_set(many, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    first = subprocess.run([sys.executable, "-m", "innosim", "batch", many[0], "--out", "out"], cwd=work,
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    old = _snapshot(work / "out")
    landed = 0
    for _ in range(3):
        proc = _start(["batch", *many, "--out", "out", "--progress"], work)
        os.set_blocking(proc.stderr.fileno(), False)
        progress = bytearray()

        def ticked():
            try:
                progress.extend(os.read(proc.stderr.fileno(), 65536))
            except BlockingIOError:
                pass
            return b"batch [" in progress
        if _until(proc, ticked) and not any(p.name.startswith(TMP) for p in work.iterdir()):
            landed += 1
        _kill(proc)
        assert _check_set(work / "out", old) in ("old", "new")
        assert _visible(work) == {"out"}
    assert landed, "no kill landed mid-batch"


def test_sigkill_mid_export_of_one_file_leaves_no_mixed_pair(names, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    argv = ["run", "--out", "book.xlsx"]
    first = subprocess.run([sys.executable, "-m", "innosim", *argv], cwd=work, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    for delay in (0.0, 0.01, 0.05, 0.2):
        before = _snapshot(work)
        proc = _start(argv, work)
        _until(proc, lambda: any(p.name.startswith(TMP) for p in work.iterdir()))
        time.sleep(delay)
        _kill(proc)
        after = _snapshot(work)
        visible = {k: v for k, v in after.items() if not k.startswith(TMP)}
        assert set(visible) == {"book.xlsx", "book.xlsx.meta.json"}
        changed = {k for k in visible if before.get(k) != visible[k]}
        assert changed in (set(), {"book.xlsx", "book.xlsx.meta.json"}), f"a mixed pair: only {changed} changed"
        openpyxl.load_workbook(work / "book.xlsx", read_only=True).close()
        json.loads((work / "book.xlsx.meta.json").read_text(encoding="utf-8"))


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_a_worker_killed_mid_batch_loses_nothing_else(many, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    hit = 0
    for _ in range(3):
        proc = _start(["batch", *many, "--out", "out", "--workers", "2"], work)
        found = []
        if _until(proc, lambda: found.extend(_children(proc.pid)) or bool(found)):
            try:
                os.kill(found[0], signal.SIGKILL)
                hit += 1
            except ProcessLookupError:
                pass
        proc.wait(timeout=300)
        err = proc.stderr.read().decode()
        assert proc.returncode in (0, 2) and "Traceback" not in err, err
        table = pd.read_csv(work / "out" / "projections.csv", encoding="utf-8-sig")
        failed = set()
        if proc.returncode == 2:
            failed = set(pd.read_csv(work / "out" / "failures.csv", encoding="utf-8-sig").scenario)
        assert set(table.scenario) | failed == {p.stem for p in many}
    assert hit, "no worker was killed"
