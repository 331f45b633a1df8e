"""Run SDXorg/test-models through the compiled engine and through PySD, with one comparator for both.

    python benchmarks/conformance_survey.py PATH/TO/test-models [--engines compiled,pysd] [--json FILE]
    python benchmarks/conformance_survey.py PATH/TO/test-models --vendor      # refresh tests/conformance/

Every ``.mdl`` under ``tests/`` and ``samples/`` with a canonical output
(``output.tab`` or ``output.csv`` beside it) is run and compared with
``tests/conformance/compare.py`` at PySD's tolerances (PySD's
``tests/pytest_integration/pytest_integration_vensim_pathway.py``: 1e-5
unless listed below).  Each model ends as *passed*, *unsupported* (the compiled
engine refuses it, naming the variable and the construct) or *failed*; the
totals are printed per engine.  ``--vendor`` copies the models the compiled
engine passes, with their canonical outputs, into ``tests/conformance/models``
and rewrites its manifest.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conformance.compare import DEFAULT_ATOL, DEFAULT_RTOL, canonical, first_failure  # noqa: E402

# PySD's integration suite: the tolerances it sets other than its default, and the data files it passes.
PYSD_RTOL = {"allocate_available": 2e-2, "arguments": 1e-2}
PYSD_DATA_FILES = {"data_from_other_model": "data.tab"}


def models(root: Path) -> list[tuple[str, Path, Path]]:
    found = []
    for mdl in sorted(list(root.glob("tests/*/*.mdl")) + list(root.glob("samples/**/*.mdl"))):
        folder = mdl.parent
        canon = next((folder / n for n in ("output.csv", "output.tab") if (folder / n).exists()), None)
        if canon is not None:
            found.append((str(mdl.relative_to(root)), mdl, canon))
    return found


def tolerance(key: str) -> tuple[float, float]:
    folder = Path(key).parent.name
    return PYSD_RTOL.get(folder, DEFAULT_RTOL) if key.startswith("tests/") else DEFAULT_RTOL, DEFAULT_ATOL


def run_compiled(mdl: Path, columns, data_files=None):
    from innosim.core.engines import CompiledEngine

    engine = CompiledEngine(mdl, data_files=data_files)
    return engine.frame(return_columns=[c for c in columns if c in set(engine.output_columns())])


def run_pysd(mdl: Path, columns, data_files=None):
    import pysd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pysd.read_vensim(str(mdl), data_files=data_files)
        return model.run(return_columns=list(columns))


def survey(root: Path, engine: str, scratch: Path, frames: dict | None = None) -> dict:
    from innosim.mdl.errors import UnsupportedConstruct

    results = {}
    for key, mdl, canon in models(root):
        rtol, atol = tolerance(key)
        expected = canonical(canon)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = PYSD_DATA_FILES.get(mdl.parent.name)
                if engine == "compiled":
                    actual = run_compiled(mdl, expected.columns, mdl.parent / data if data else None)
                else:        # PySD translates beside the model: work on a copy of its folder
                    copy = scratch / key.replace("/", "_")
                    shutil.copytree(mdl.parent, copy, dirs_exist_ok=True)
                    actual = run_pysd(copy / mdl.name, expected.columns, copy / data if data else None)
            if frames is not None:
                frames[key] = actual
            failure = first_failure(actual, expected, rtol, atol)
            results[key] = "passed" if failure is None else f"failed: {failure}"
        except UnsupportedConstruct as exc:
            results[key] = f"unsupported: {exc}"
        except Exception as exc:          # a model either engine cannot run at all
            detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
            results[key] = f"failed: {exc.__class__.__name__}: {detail}"
    return results


def totals(results: dict) -> str:
    values = list(results.values())
    return (f"{sum(v == 'passed' for v in values)} passed, {sum(v.startswith('unsupported') for v in values)} "
            f"unsupported, {sum(v.startswith('failed') for v in values)} failed, of {len(values)}")


def vendor(root: Path, results: dict) -> None:
    """Copy the models the compiled engine passes, with their canonical outputs, and write the manifest."""
    target = ROOT / "tests" / "conformance" / "models"
    shutil.rmtree(target, ignore_errors=True)
    lines = ["# The SDXorg/test-models the compiled engine passes (benchmarks/conformance_survey.py --vendor).",
             "# rtol/atol: PySD's integration suite's tolerances for the model (1e-5 unless given);",
             "# data_files: the data files it gives the run.", "",
             "[models]"]
    for key, mdl, canon in models(root):
        if results.get(key) != "passed":
            continue
        rel = Path(key)
        text = mdl.read_text(encoding="utf-8", errors="replace")
        data = [f for f in mdl.parent.iterdir() if f.is_file() and f.name in text and f != mdl]   # GET XLS files
        given = PYSD_DATA_FILES.get(mdl.parent.name)          # data files given for the run
        data += [mdl.parent / given] if given else []
        for source in (mdl, canon, *data):
            dest = target / rel.parent / source.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        rtol, atol = tolerance(key)
        name = rel.with_suffix("").as_posix()
        entry = f'"{name}" = {{ model = "{rel.as_posix()}", canonical = "{(rel.parent / canon.name).as_posix()}"'
        if rtol != DEFAULT_RTOL:
            entry += f", rtol = {rtol:g}"
        if given:
            entry += f', data_files = "{(rel.parent / given).as_posix()}"'
        lines.append(entry + " }")
    (ROOT / "tests" / "conformance" / "manifest.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="a checkout of SDXorg/test-models")
    parser.add_argument("--engines", default="compiled,pysd")
    parser.add_argument("--json", type=Path, help="write every model's result to this file")
    parser.add_argument("--vendor", action="store_true", help="copy the models the compiled engine passes")
    args = parser.parse_args(argv)
    import tempfile

    report, frames = {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        for engine in args.engines.split(","):
            start = time.perf_counter()
            frames[engine] = {}
            report[engine] = survey(args.root, engine, Path(scratch), frames[engine])
            print(f"{engine:9s} {totals(report[engine])}  ({time.perf_counter() - start:.0f} s)")
    if "compiled" in frames and "pysd" in frames:
        both = [k for k in frames["compiled"] if k in frames["pysd"]]
        agree = [k for k in both if first_failure(frames["compiled"][k], frames["pysd"][k], 1e-9, 1e-9) is None]
        print(f"the compiled engine's run agrees with PySD's to 1e-9 on {len(agree)} of the {len(both)} models "
              f"both ran{': not ' + ', '.join(sorted(set(both) - set(agree))) if len(agree) < len(both) else ''}")
    if "compiled" in report and "pysd" in report:
        both = [k for k, v in report["pysd"].items() if v == "passed"]
        passed = sum(report["compiled"][k] == "passed" for k in both)
        wrong = [k for k, v in report["compiled"].items() if v.startswith("failed") and report["pysd"][k] == "passed"]
        print(f"of the {len(both)} models PySD passes, the compiled engine passes {passed}; "
              f"fails {len(wrong)}{': ' + ', '.join(wrong) if wrong else ''}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.vendor:
        vendor(args.root, report["compiled"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
