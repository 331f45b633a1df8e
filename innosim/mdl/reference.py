"""PySD's run of any Vensim model (the reference), and the compiled engine's check against it.

``innosim simulate`` lays every run out as PySD's ``run()`` does; before it
trusts the compiled engine with a model, the two runs must agree (to 1e-9),
once per model version (the verdict is kept in the compiled engine's cache).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from innosim.errors import InputError
from innosim.files import write_text
from innosim.mdl.cache import compiled_folder, translated_module


def pysd_frame(path: Path, return_columns: Sequence[str] | None = None, data_files: Sequence[Path] = ()
               ) -> pd.DataFrame:
    """PySD's own run of any Vensim model: its ``run()`` output, index ``time``, Vensim column names.

    External data (GET XLS ..., data files) are read from the model's folder, as when PySD runs the
    file in place; ``data_files`` are PySD's (the files data series without GET ... DATA read).
    Whatever PySD raises becomes one line naming the file.
    """
    import pysd

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pysd.load(str(translated_module(path, data_beside=True)),
                              data_files=[str(f) for f in data_files] or None)
            frame = model.run(return_columns=None if return_columns is None else list(return_columns))
    except InputError:
        raise
    except Exception as exc:          # PySD raises anything from KeyError to NotImplementedError
        detail = str(exc).strip().splitlines()
        raise InputError(f"{path}: PySD cannot run it ({exc.__class__.__name__}"
                         f"{': ' + detail[-1][:200] if detail else ''})") from None
    frame.index = pd.Index(frame.index.to_numpy(dtype=float), name="time")
    return frame


def first_difference(a: pd.DataFrame, b: pd.DataFrame, rtol: float, atol: float) -> dict | None:
    """Where two runs in PySD's layout first differ (beyond ``atol + rtol * |b|``), or None."""
    columns = [c for c in b.columns]
    missing = [c for c in columns if c not in a.columns]
    if missing:
        return {"column": missing[0], "time": None, "compiled": None, "pysd": None}
    if len(a) != len(b) or not np.allclose(a.index.to_numpy(), b.index.to_numpy(), rtol=0, atol=1e-9):
        return {"column": "time", "time": None, "compiled": len(a), "pysd": len(b)}
    x = a[columns].to_numpy(dtype=float)
    y = b[columns].to_numpy(dtype=float)
    close = (np.abs(x - y) <= atol + rtol * np.abs(y)) | (np.isnan(x) & np.isnan(y)) | (x == y)
    if close.all():
        return None
    i, j = np.argwhere(~close)[0]
    return {"column": columns[j], "time": float(a.index[i]), "compiled": float(x[i, j]), "pysd": float(y[i, j])}


def verify_against_pysd(engine, rtol: float = 1e-9, atol: float = 1e-9) -> dict:
    """The compiled engine's run of its model against PySD's, once per model version (the verdict is cached).

    ``agree`` is True or False, or None when PySD cannot run the model at all (``reason`` says why).
    """
    files = getattr(engine, "data_files", ())
    record = compiled_folder(engine.path, data_files=files) / "verified-pysd.json"
    try:
        verdict = json.loads(record.read_text(encoding="utf-8"))
        if isinstance(verdict, dict) and "agree" in verdict:
            return verdict
    except (OSError, ValueError):
        pass
    try:
        reference = pysd_frame(engine.path, data_files=files)
    except InputError as exc:              # PySD cannot run it: nothing to check against, and it is said
        verdict = {"agree": None, "reason": str(exc)}
        write_text(record, json.dumps(verdict, indent=1))
        return verdict
    try:
        with np.errstate(all="ignore"):
            ours = engine.frame()
        gap = first_difference(ours, reference, rtol, atol)
    except (ArithmeticError, ValueError) as exc:       # the compiled run stopped where PySD's did not
        gap = {"column": None, "time": None, "compiled": f"{exc.__class__.__name__}: {exc}", "pysd": None}
    verdict = {"agree": gap is None, "rtol": rtol, "atol": atol, **(gap or {})}
    write_text(record, json.dumps(verdict, indent=1))
    return verdict
