"""The bad-input battery's fixtures: the command in this process or in a shell, and what a case must show.

Every refused input must end with exit code 2, one line on standard error that
names the file or key (and the value), no traceback, and nothing left behind
in the folder the command wrote to.  Names of levers, parameters, indicators
and targets come from the model and the shipped files at test time, never
from this file, so the battery follows the model as it changes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import innosim
from innosim import paths
from innosim.cli.main import main
from innosim.core import data

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def clear_caches() -> None:
    """Forget everything innosim read once per process (data tables, the model), so a damaged copy is read."""
    for name, module in list(sys.modules.items()):
        if name == "innosim" or name.startswith("innosim."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                    value.cache_clear()


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    """``cli(*argv)`` runs ``innosim`` in this process, in ``tmp_path``; returns its Result."""
    monkeypatch.chdir(tmp_path)

    def run(*argv) -> Result:
        capsys.readouterr()
        rc = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Result(rc, captured.out, captured.err)
    return run


def shell(*argv, cwd=None, env=None, stdout=subprocess.PIPE, timeout=120, **kwargs) -> Result:
    """``python -m innosim ARGV`` in a subprocess (the timeout only stops a hang; nothing asserts a time)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "innosim", *map(str, argv)], cwd=cwd, env=full_env,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=timeout, **kwargs)
    return Result(proc.returncode, proc.stdout or "", proc.stderr)


def files_under(folder: Path) -> set[str]:
    """Every file and folder under ``folder`` (hidden ones included), relative."""
    return {str(p.relative_to(folder)) for p in Path(folder).rglob("*")}


def refused(result: Result, *names, before: set | None = None, folder: Path | None = None) -> str:
    """Assert a refusal: exit 2, one line naming each of ``names``, no traceback, nothing new in ``folder``."""
    assert "Traceback" not in result.err, result.err
    assert result.rc == 2, (result.rc, result.err)
    assert len(result.lines) == 1, result.err
    line = result.lines[0]
    assert line.startswith("innosim: error: "), line
    for name in names:
        assert str(name) in line, f"{name!r} not named in: {line}"
    if folder is not None:
        assert files_under(folder) == (before or set()), sorted(files_under(folder) - (before or set()))
    return line


def accepted(result: Result) -> None:
    assert "Traceback" not in result.err, result.err
    assert result.rc == 0, result.err
    assert not any(line.startswith("innosim: error") for line in result.lines), result.err


@dataclass
class Names:
    """What the battery needs from the model, found at test time."""

    m: object
    smooth: object          # a lever with a continuous range
    switch: object          # a rule switch (None when the model has none)
    parameter: str          # a region-independent parameter
    rate: str               # a parameter in 1/Year
    time: str               # a time constant (Year)
    region: str
    indicator: str          # an indicator with a modelled target of ``region``
    target_year: int
    first_free: int         # the first year a scenario's levers apply

    @property
    def value(self) -> float:
        """A valid value of the smooth lever."""
        return (self.smooth.low + self.smooth.high) / 2


@pytest.fixture(scope="session")
def names() -> Names:
    from innosim.core.timeline import observed_levers

    m = innosim.load()
    smooth = next(lv for lv in m.levers if not lv.is_switch and lv.low < lv.high)
    switch = next((lv for lv in m.levers if lv.is_switch), None)
    regional = {r.variable for r in data.region_values()}
    params = [n for n, v in m.variables.items() if v.kind == "constant" and not v.is_lever and n not in regional
              and n in data.parameter_sources()]
    rate = next(n for n in params if m.variables[n].units == "1/Year")
    times = [n for n in params if m.variables[n].units == "Year"]
    time = next((n for n in times if any(w in n for w in ("time", "lag", "delay"))), times[0])
    region = m.regions[0]
    first_free = observed_levers().first_free_year
    target = next(t for t in data.targets() if t.region == region and t.modelled and t.kind == "level"
                  and first_free <= t.year <= m.final_year)
    return Names(m, smooth, switch, next(n for n in params if n not in (rate, time)), rate, time, region,
                 target.indicator, target.year, first_free)


SCENARIO_HEAD = 'name = "Battery"\ndescription = "What does a hostile input do?"\n'


@pytest.fixture
def scenario(tmp_path):
    """``scenario(text)`` writes a scenario file (a head is added unless ``head=False``); returns its path."""
    def write(body, name="s.toml", head=True, folder=None) -> Path:
        where = Path(folder or tmp_path)
        where.mkdir(parents=True, exist_ok=True)
        path = where / name
        if isinstance(body, bytes):
            path.write_bytes((SCENARIO_HEAD.encode() if head else b"") + body)
        else:
            path.write_text((SCENARIO_HEAD if head else "") + body, encoding="utf-8")
        return path
    return write


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the data folders that innosim reads instead of the checkout's: damage it freely.

    The compiled engine is used without re-verifying it against PySD (the
    model file is the checkout's, already verified; only the data change).
    """
    root = tmp_path / "data"
    for folder in paths.DATA_FOLDERS:
        if (paths.data_root() / folder).is_dir():
            shutil.copytree(paths.data_root() / folder, root / folder)
    monkeypatch.setattr(paths, "_BUNDLED", tmp_path / "no-bundle")
    monkeypatch.setattr(paths, "_CHECKOUT", root)
    monkeypatch.setenv("INNOSIM_ENGINE", "compiled")
    clear_caches()
    yield root
    clear_caches()


@pytest.fixture
def user_home(tmp_path, monkeypatch):
    """An empty user data folder (for the user's own parameter sets)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("INNOSIM_DATA_HOME", str(home))
    return home


@pytest.fixture
def readonly_dir(tmp_path):
    """A folder nobody may write in: a read-only folder, or (for root, who may write anywhere) a read-only
    file system; skipped when there is none."""
    import os

    folder = tmp_path / "read-only"
    folder.mkdir()
    os.chmod(folder, 0o555)
    candidates = [folder, Path("/sys/kernel")]
    try:
        for candidate in candidates:
            probe = candidate / ".innosim-probe"
            try:
                probe.mkdir()
            except OSError:
                yield candidate
                return
            probe.rmdir()
        pytest.skip("no folder here refuses writing")
    finally:
        os.chmod(folder, 0o755)
