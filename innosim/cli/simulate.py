"""``innosim simulate FILE.mdl``: run any Vensim model and write every variable at each save time.

The table is laid out as PySD's ``run()`` returns it: a ``Time`` column, then
one column per variable under its Vensim name (``name[a,b]`` for each element
of a subscripted variable), in PySD's order.  The engine:

* ``auto`` (default): the compiled engine when it supports the model and its run of this model has
  been checked against PySD's (once per model version, cached); PySD otherwise, with a one-line
  notice that names the variable and the construct;
* ``compiled``: the compiled engine, or a one-line refusal naming the variable and the construct;
* ``pysd``: PySD itself.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from innosim.errors import InputError

ENGINES = ("auto", "compiled", "pysd")


def register(sub) -> None:
    p = sub.add_parser("simulate", help="run any Vensim model (.mdl) and write all its variables, laid out as PySD's")
    p.add_argument("model", metavar="FILE.mdl", help="a Vensim model file")
    p.add_argument("--out", metavar="FILE.csv", help="write the table to FILE.csv instead of printing it")
    p.add_argument("--engine", default="auto", choices=ENGINES,
                   help="auto (default): compiled when supported and checked against PySD, else PySD")
    p.add_argument("--return-columns", nargs="+", metavar="COLUMN",
                   help="only these columns: Vensim names (a subscripted variable's name gives all its elements, "
                        "'name[a,b]' one element)")
    p.add_argument("--data-files", nargs="+", metavar="FILE",
                   help="files the model's data series (without GET ... DATA) are read from, as PySD's data_files")
    p.set_defaults(func=cmd_simulate, needs_model=False)


def _check_out(out: str) -> Path:
    path = Path(out)
    if path.suffix.lower() != ".csv":
        raise InputError(f"--out {out}: the file must end in .csv")
    if path.is_dir():
        raise InputError(f"--out {out}: is a folder; give a file name ending in .csv")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"--out {out}: the folder {parent} does not exist")
    return path


def _check_model(model: str) -> Path:
    path = Path(model)
    if path.is_dir():
        raise InputError(f"{model}: is a folder; give a Vensim model file (.mdl)")
    if not path.is_file():
        raise InputError(f"{model}: no such model file")
    if path.suffix.lower() != ".mdl":
        raise InputError(f"{model}: not a Vensim model file (.mdl)")
    return path


def simulate(path: Path, engine: str = "auto", return_columns=None, data_files=()
             ) -> tuple[pd.DataFrame, str, str | None]:
    """Run ``path``; returns the table (index ``time``), the engine that ran it and any notice."""
    from innosim.core.engines import CompiledEngine
    from innosim.mdl.reference import pysd_frame, verify_against_pysd
    from innosim.mdl.errors import UnsupportedConstruct
    from innosim.mdl.source import read_source

    read_source(path)                  # a file that is not Vensim fails here, in one line, whatever the engine
    data_files = [_check_data_file(f) for f in data_files or ()]

    def reference():
        return _select(pysd_frame(path, data_files=data_files), return_columns)

    if engine == "pysd":
        return reference(), "pysd", None
    try:
        compiled = CompiledEngine(path, data_files=data_files)
    except UnsupportedConstruct as exc:
        if engine == "compiled":
            raise InputError(f"{path}: {exc}") from None
        return reference(), "pysd", f"running through PySD: {exc}"
    except InputError:
        raise
    except Exception as exc:            # a gap in the compiler: never a wrong answer, and never a traceback
        reason = f"the compiled engine cannot build it ({exc.__class__.__name__}: {str(exc)[:200]})"
        if engine == "compiled":
            raise InputError(f"{path}: {reason}") from None
        return reference(), "pysd", f"running through PySD: {reason}"
    notice = None
    if engine == "auto":
        verdict = verify_against_pysd(compiled)
        if verdict["agree"] is None:
            notice = f"the compiled run is not checked against PySD, which cannot run this model ({verdict['reason']})"
        elif not verdict["agree"]:
            return reference(), "pysd", f"running through PySD: {_disagreement(verdict)}"
    try:
        with np.errstate(all="ignore"):
            frame = compiled.frame()
    except (ArithmeticError, ValueError) as exc:
        if isinstance(exc, InputError) or engine == "compiled":
            raise InputError(f"{path}: the compiled run stopped ({exc.__class__.__name__}: {exc})") from None
        return (reference(), "pysd",
                f"running through PySD: the compiled run stopped ({exc.__class__.__name__}: {exc})")
    return _select(frame, return_columns), "compiled", notice


def _check_data_file(name) -> Path:
    path = Path(name)
    if not path.is_file():
        raise InputError(f"--data-files {name}: no such file")
    return path


def _disagreement(verdict: dict) -> str:
    if verdict.get("time") is None:
        return f"the compiled engine's run differs from PySD's ({verdict.get('column')}: {verdict.get('compiled')} " \
               f"against {verdict.get('pysd')})"
    return (f"the compiled engine disagrees with PySD on '{verdict['column']}' (t = {verdict['time']:g}: "
            f"{verdict['compiled']:.10g} against {verdict['pysd']:.10g})")


def _select(frame: pd.DataFrame, wanted) -> pd.DataFrame:
    """The columns asked for: exact column names, or a subscripted variable's name for all its elements."""
    if not wanted:
        return frame
    picked: list[str] = []
    for name in wanted:
        if name in frame.columns:
            matches = [name]
        else:
            matches = [c for c in frame.columns if c.startswith(name + "[")]
        if not matches:
            close = [c for c in frame.columns if c.lower() == name.lower() or c.lower().startswith(name.lower() + "[")]
            hint = f"; did you mean '{close[0]}'?" if close else "; the columns are the model's Vensim names"
            raise InputError(f"--return-columns: no column '{name}' in the model{hint}")
        picked += [c for c in matches if c not in picked]
    return frame[picked]


def cmd_simulate(args) -> int:
    from innosim.files import atomic_path

    out = _check_out(args.out) if args.out else None
    path = _check_model(args.model)
    frame, engine, notice = simulate(path, args.engine, args.return_columns, args.data_files)
    if notice:
        print(f"innosim: notice: {notice}", file=sys.stderr)
    table = frame.reset_index().rename(columns={"time": "Time"})
    if out is None:
        table.to_csv(sys.stdout, index=False)
        return 0
    with atomic_path(out) as tmp:
        table.to_csv(tmp, index=False)
    print(f"wrote {len(table)} rows x {len(table.columns) - 1} variables to {out} ({engine} engine)", file=sys.stderr)
    return 0
