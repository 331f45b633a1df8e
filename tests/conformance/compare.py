"""Compare a run with a test model's canonical output, as PySD's integration suite does.

PySD's rule (``pysd.tools.benchmarking.assert_frames_close``): every column of
the canonical output must be present; a value passes when
``|canonical - actual| <= atol + rtol * |actual|`` or both are NaN; a column
Vensim saved only at the start (a constant) counts at every time.  One
difference: the canonical files print times to six significant digits
(99.9688 for 99.96875), so times are matched to that precision, not exactly.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
MODELS = HERE / "models"
DEFAULT_RTOL = DEFAULT_ATOL = 1e-5          # PySD's assert_allclose defaults


@dataclass(frozen=True)
class TestModel:
    name: str
    path: Path
    canonical: Path
    rtol: float
    atol: float
    data_files: Path | None = None       # the data files PySD's integration suite gives the run


def manifest() -> list[TestModel]:
    """The vendored models, with the tolerances PySD's integration suite gives them."""
    data = tomllib.loads((HERE / "manifest.toml").read_text(encoding="utf-8"))
    return [TestModel(name, MODELS / entry["model"], MODELS / entry["canonical"],
                      entry.get("rtol", DEFAULT_RTOL), entry.get("atol", DEFAULT_ATOL),
                      MODELS / entry["data_files"] if "data_files" in entry else None)
            for name, entry in data["models"].items()]


def canonical(path: Path) -> pd.DataFrame:
    """A canonical output (Vensim's .tab or .csv), read as PySD reads it."""
    from pysd.py_backend.utils import detect_encoding, load_outputs

    return load_outputs(path, encoding=detect_encoding(path))


def first_failure(actual: pd.DataFrame, expected: pd.DataFrame, rtol: float, atol: float) -> str | None:
    """Why ``actual`` does not pass against ``expected``, or None when it does."""
    missing = [c for c in expected.columns if c not in actual.columns]
    if missing:
        return f"no column {missing[0]!r}"
    if len(actual) != len(expected) or not np.allclose(actual.index.to_numpy(float), expected.index.to_numpy(float),
                                                       rtol=1e-5, atol=1e-9):
        return f"saved times differ ({len(actual)} against {len(expected)} rows)"
    x = expected.to_numpy(float, copy=True)
    y = actual[list(expected.columns)].to_numpy(float, copy=True)
    for values in (x, y):          # a constant Vensim saved only at the start counts at every time
        constant = np.isnan(values[1:]).all(axis=0)
        values[:, constant] = values[0, constant]
    ok = (np.abs(x - y) <= atol + rtol * np.abs(y)) | (np.isnan(x) & np.isnan(y))
    if ok.all():
        return None
    i, j = np.argwhere(~ok)[0]
    return (f"{expected.columns[j]!r} at t = {expected.index[i]:g}: {y[i, j]:.6g} against Vensim's {x[i, j]:.6g} "
            f"(rtol {rtol:g}, atol {atol:g})")
