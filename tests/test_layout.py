"""One package, one home per concept: installs agree, writes go where the user says, the imports have no cycle."""
from __future__ import annotations

import ast
import graphlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import innosim
from innosim import paths

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "innosim"


def _import_graph() -> dict[str, set[str]]:
    """Every innosim module and the innosim modules it imports, at module level and inside functions alike."""
    mods = {}
    for f in PACKAGE.rglob("*.py"):
        name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = f
    graph = {}
    for name, f in mods.items():
        package = name if f.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("innosim")}
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(0, node.level - 1)):
                    base = base.rpartition(".")[0]
                module = (base + ("." + node.module if node.module else "")) if node.level else (node.module or "")
                if module.startswith("innosim"):
                    deps |= {f"{module}.{a.name}" if f"{module}.{a.name}" in mods else module for a in node.names}
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def test_the_import_graph_has_no_cycle_and_nothing_inside_uses_the_facade():
    graph = _import_graph()
    list(graphlib.TopologicalSorter(graph).static_order())            # raises CycleError on a cycle
    assert [m for m, deps in graph.items() if "innosim" in deps] == []  # the package's modules import each other
    # The pipeline runs one way: the .mdl layer knows nothing of the core, the core nothing of its clients.
    for module, deps in graph.items():
        layer = module.split(".")[1] if module.count(".") else ""
        if layer == "mdl":
            assert not {d for d in deps if d.split(".")[1] in ("core", "analysis", "reports", "cli", "app")}, module
        if layer in ("core", "analysis", "reports", "calibration"):
            assert not {d for d in deps if d.split(".")[1] in ("cli", "app")}, module


def test_the_core_names_keys_and_values_never_command_line_flags():
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]+|`innosim \w+")
    for layer in ("mdl", "core", "analysis", "reports", "calibration"):
        for f in (PACKAGE / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and not _is_docstring(node, f):
                    assert not flag.search(node.value), f"{f.relative_to(ROOT)}: {node.value!r}"


def _is_docstring(node, path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return any(isinstance(n, ast.Constant) and n.value == node.value and id(n) in docs for n in ast.walk(tree))


def test_data_are_found_in_the_checkout_and_a_missing_file_is_one_loud_line(tmp_path, monkeypatch):
    assert paths.data_root() == ROOT and paths.model_file() == ROOT / "model" / "innovation_system.mdl"
    monkeypatch.setattr(paths, "_CHECKOUT", tmp_path)
    with pytest.raises(innosim.DataError) as err:
        paths.model_file()
    assert "innovation_system.mdl" in str(err.value) and "missing data file" in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_the_wheel_holds_one_package_with_every_data_file(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"innosim"}
    bundled = {n.removeprefix("innosim/_data/") for n in names if n.startswith("innosim/_data/")}
    for folder in paths.DATA_FOLDERS:
        for f in (ROOT / folder).rglob("*"):
            if f.is_file() and f.suffix in {".mdl", ".csv", ".toml", ".json", ".md", ".txt"}:
                assert str(f.relative_to(ROOT)) in bundled, f
    assert "innosim/app/main.py" in names and not any(n.startswith(("model/", "ui/", "calibration/")) for n in names)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
                    str(ROOT)], check=True, capture_output=True)
    return next(out.glob("innosim-*.whl"))


@pytest.mark.slow
def test_a_plain_install_from_another_folder_works_and_gives_the_checkouts_numbers(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, capture_output=True)
    shown = subprocess.run([str(pip), "show", "-f", "innosim"], check=True, capture_output=True, text=True).stdout
    files = [line.strip() for line in shown.split("Files:")[1].splitlines() if line.strip()]
    assert {f.split("/")[0] for f in files if not f.startswith(("..", "innosim-"))} == {"innosim"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "INNOSIM_CACHE_DIR": str(tmp_path / "cache"), "INNOSIM_DATA_HOME": str(tmp_path / "home")}
    exe = str(venv / "bin" / "innosim")

    def innosim_cli(*args, cwd=elsewhere, binary=exe):
        return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True)

    installed = innosim_cli("run", "--region", "all")
    assert installed.returncode == 0, installed.stderr
    checkout = innosim_cli("run", "--region", "all", cwd=ROOT, binary=str(Path(sys.executable).parent / "innosim"))
    assert installed.stdout == checkout.stdout                      # byte-identical projections
    shipped = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import innosim.paths as p; "
                                   "print(p.data_root())"], capture_output=True, text=True, check=True).stdout.strip())
    before = {p: p.read_bytes() for p in (shipped / "calibration" / "sets").rglob("*.json")}
    for args in (["targets", "--region", "cixi"], ["levers"], ["run", "--parameter-set", "plan", "--region", "yuyao"],
                 ["batch", str(shipped / "scenarios" / "plan.toml"), "--out", "batch"],
                 ["montecarlo", "--region", "cixi", "--samples", "20", "--workers", "1"],
                 ["calibrate", "--region", "yuyao", "--mode", "history", "--report", "report.md"]):
        done = innosim_cli(*args)
        assert done.returncode == 0, (args, done.stderr)
    assert (elsewhere / "batch" / "metadata.json").exists() and (elsewhere / "report.md").is_file()
    assert (tmp_path / "home" / "sets" / "local-history" / "yuyao.json").exists()
    assert {p: p.read_bytes() for p in (shipped / "calibration" / "sets").rglob("*.json")} == before
    refused = innosim_cli("calibrate", "--region", "yuyao", "--mode", "history", "--update-shipped")
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "never rewritten" in refused.stderr


def test_calibrate_writes_to_the_user_folder_and_reports_where_asked(tmp_path, monkeypatch):
    from innosim.calibration.run import calibrate

    monkeypatch.setenv("INNOSIM_DATA_HOME", str(tmp_path / "home"))
    shipped = {p: p.read_bytes() for p in (ROOT / "calibration" / "sets").rglob("*.json")}
    run = calibrate("yuyao", "history", report=tmp_path / "one.md")
    assert run.set_path == tmp_path / "home" / "sets" / "local-history" / "yuyao.json"
    assert (tmp_path / "one.md").is_file() and not (tmp_path / "one.html").exists()
    html = calibrate("yuyao", "history", report=tmp_path / "one.html", save=False)
    assert html.report_paths == [tmp_path / "one.html"] and (tmp_path / "one.html").is_file()
    years = sorted(o.year for o in innosim.calibration.inputs.load_history() if o.region == "cixi")
    full = calibrate("cixi", "history", report=tmp_path / "reports", save=False)
    held = calibrate("cixi", "history", holdout_from=years[-1], report=tmp_path / "reports")
    assert held.set_path is None and full.report_paths[0] != held.report_paths[0]
    assert all(p.exists() for p in full.report_paths + held.report_paths)
    saved = calibrate("yuyao", "history", report=None, save_to=tmp_path / "mine")
    assert saved.set_path == tmp_path / "mine" / "yuyao.json"
    assert innosim.load().parameter_set(str(tmp_path / "mine"), "yuyao").values == \
        json.loads(saved.set_path.read_text(encoding="utf-8"))["parameters"]
    assert {p: p.read_bytes() for p in (ROOT / "calibration" / "sets").rglob("*.json")} == shipped
