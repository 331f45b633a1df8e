"""Output paths: a place that cannot take the output is one line, and a failed write leaves nothing half-done.

A folder of tables is a set: the tables, failures.csv and metadata.json
appear together or the old set stays as it was.  A single file and its
``.meta.json`` are written together or not at all.
"""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time

import pytest

from innosim.reports import export

from .conftest import accepted, files_under, refused, shell


def plan():
    from innosim.core.scenarios import shipped

    return str(shipped()[0])


RUN = lambda n, out: ["run", "--region", n.region, "--out", out]                       # noqa: E731
BATCH = lambda n, out: ["batch", plan(), "--regions", n.region, "--out", out]         # noqa: E731
MC = lambda n, out: ["montecarlo", "--region", n.region, "--samples", "10", "--out", out]  # noqa: E731


def existing_folder(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    return "folder.csv"


def under_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    return "notes.txt/out.csv"


def file_for_folder(tmp_path):
    (tmp_path / "taken").write_text("mine")
    return "taken"


def foreign_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("years of work")
    return "mine"


def too_long(tmp_path):
    return "x" * 300 + ".csv"


# (id, command builder, out builder, what the one line must name)
BAD = [
    ("run --out an existing folder", RUN, existing_folder, ["--out", "folder.csv"]),
    ("run --out under a file", RUN, under_a_file, ["--out", "notes.txt"]),
    ("run --out a name too long", RUN, too_long, ["--out"]),
    ("run --out beside its metadata folder", RUN,
     lambda t: (t / "out.csv.meta.json").mkdir() or "out.csv", ["out.csv.meta.json"]),
    ("batch --out a file", BATCH, file_for_folder, ["--out", "taken"]),
    ("batch --out a folder of someone else's files", BATCH, foreign_folder, ["--out", "mine"]),
    ("batch --out under a file", BATCH, lambda t: under_a_file(t).removesuffix(".csv"), ["--out", "notes.txt"]),
    ("batch --out empty", BATCH, lambda t: "", ["--out"]),
    ("batch --out a name too long", BATCH, lambda t: "x" * 300, ["--out"]),
    ("montecarlo --out a file", MC, file_for_folder, ["--out", "taken"]),
    ("montecarlo --out a folder of someone else's files", MC, foreign_folder, ["--out", "mine"]),
    ("montecarlo --out under a file", MC, lambda t: "notes.txt/mc" if under_a_file(t) else "", ["--out", "notes.txt"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_an_output_path_that_cannot_be_written_is_one_line(case, names, cli, tmp_path):
    label, command, out, must = case
    target = out(tmp_path)
    before = files_under(tmp_path)
    refused(cli(*command(names, target)), *must, before=before, folder=tmp_path)


@pytest.mark.parametrize("command", [RUN, BATCH, MC], ids=["run", "batch", "montecarlo"])
def test_a_read_only_place_is_one_line(command, names, cli, readonly_dir, tmp_path):
    target = str(readonly_dir / ("out.csv" if command is RUN else "out"))
    before = files_under(tmp_path)
    refused(cli(*command(names, target)), "--out", before=before, folder=tmp_path)


def test_calibrate_report_under_a_file_is_one_line(names, cli, tmp_path):
    under_a_file(tmp_path)
    before = files_under(tmp_path)
    refused(cli("calibrate", "--region", names.region, "--mode", "history", "--report", "notes.txt/rep",
                "--save-to", "sets"), "--report", "notes.txt", before=before, folder=tmp_path)


def test_calibrate_save_to_a_file_is_one_line(names, cli, tmp_path):
    file_for_folder(tmp_path)
    before = files_under(tmp_path)
    refused(cli("calibrate", "--region", names.region, "--mode", "history", "--report", "rep",
                "--save-to", "taken"), "--save-to", "taken", before=before, folder=tmp_path)


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("command", [RUN, BATCH], ids=["run", "batch"])
def test_a_full_disk_while_writing_the_metadata_leaves_the_old_output(command, names, cli, tmp_path, monkeypatch):
    """The metadata is written last: its failure must take the new tables with it, and keep the old ones."""
    target = "out.csv" if command is RUN else "out"
    accepted(cli(*command(names, target)))
    before = {p: (tmp_path / p).read_bytes() for p in files_under(tmp_path) if (tmp_path / p).is_file()}
    monkeypatch.setattr(export, "write_json", _disk_full)
    from innosim.reports import outputs
    monkeypatch.setattr(outputs, "write_json", _disk_full)
    refused(cli(*command(names, target)), "No space left")
    after = {p: (tmp_path / p).read_bytes() for p in files_under(tmp_path) if (tmp_path / p).is_file()}
    assert after == before


def test_a_full_disk_while_writing_a_workbook_leaves_nothing(names, cli, tmp_path, monkeypatch):
    from innosim.reports import outputs
    monkeypatch.setattr(outputs, "write_workbook", _disk_full)
    before = files_under(tmp_path)
    refused(cli("batch", plan(), "--regions", names.region, "--format", "xlsx", "--out", "book"), "No space left",
            before=before, folder=tmp_path)
    refused(cli("run", "--region", names.region, "--out", "book.xlsx"), "No space left", before=before,
            folder=tmp_path)


def test_an_old_set_is_replaced_whole(names, cli, tmp_path):
    accepted(cli("batch", plan(), "--regions", names.region, "--out", "out"))
    first = json.loads((tmp_path / "out" / "metadata.json").read_text())
    accepted(cli("batch", plan(), "--regions", ",".join(names.m.regions), "--format", "xlsx", "--out", "out"))
    listing = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    assert listing == ["innosim.xlsx", "metadata.json"]
    assert json.loads((tmp_path / "out" / "metadata.json").read_text())["regions"] != first["regions"]
    assert not [p for p in files_under(tmp_path) if ".innosim-tmp" in p]


def test_old_temporary_files_are_cleaned_up(names, cli, tmp_path):
    """Leftovers of a run killed long ago (hidden temporary names beside the target) go at the next write."""
    old = time.time() - 2 * 24 * 3600
    leftovers = [tmp_path / ".innosim-tmp-out.csv.abc123", tmp_path / ".innosim-tmp-out.xyz789"]
    leftovers[0].write_text("half a tab")
    leftovers[1].mkdir()
    (leftovers[1] / "projections.csv").write_text("half")
    for p in leftovers:
        os.utime(p, (old, old))
    accepted(cli(*RUN(names, "out.csv")))
    assert not [p for p in leftovers if p.exists()]


@pytest.mark.parametrize("where", ["/dev/full", "closed"])
def test_a_standard_output_that_cannot_be_written_is_one_line(where, names, tmp_path):
    """`innosim run > /dev/full` (a full disk) or with standard output closed: one line, exit 2."""
    if where == "/dev/full":
        with open("/dev/full", "w") as full:
            result = shell("run", "--region", names.region, cwd=tmp_path, stdout=full)
    else:
        proc = subprocess.run([sys.executable, "-c", "import os, sys, runpy; os.close(1); sys.argv = ['innosim', "
                               f"'run', '--region', '{names.region}']; runpy.run_module('innosim', run_name='__main__')"],
                              cwd=tmp_path, stderr=subprocess.PIPE, text=True, timeout=120)
        from .conftest import Result
        result = Result(proc.returncode, "", proc.stderr)
    refused(result, "standard output")
    assert not list(tmp_path.iterdir())


def test_a_reader_that_stops_early_is_no_error(names, tmp_path):
    """`innosim run | head -1`: the reader closes the pipe; that is not a failure, and nothing is printed."""
    proc = subprocess.run(f"{sys.executable} -m innosim run --region {names.region} | head -1", shell=True,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.startswith("scenario,")


def test_a_killed_writers_leftovers_go_at_once_and_another_machines_wait(names, cli, tmp_path):
    """A temporary name carries its writer's process id and machine: a dead writer's leftover goes at the next
    write; one from another machine (a shared folder) is left until it is old, as its writer may be running."""
    from innosim import files

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    mine = tmp_path / f".innosim-tmp-{dead}.{files._host()}-out.csv.abc123"
    theirs = tmp_path / f".innosim-tmp-{dead}.0000beef-out.csv.def456"
    for p in (mine, theirs):
        p.write_text("half a tab")
    accepted(cli(*RUN(names, "out.csv")))
    assert not mine.exists() and theirs.exists()
