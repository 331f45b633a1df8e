"""Writing projection tables: CSV, Parquet and JSON, and the one provenance record beside every export.

Every write is atomic (``innosim.files``): an interrupted write leaves no
half-written file.
"""
from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path
from typing import Iterable

import pandas as pd

from innosim.core import data, paramsets
from innosim.core.model import load
from innosim.core.scenarios import Scenario
from innosim.files import atomic_path, content_hash, write_text
from innosim.paths import display
from innosim.version import package_version

FORMATS = ("csv", "xlsx", "parquet")
FORMULA_START = ("=", "+", "-", "@")


def safe_text(value):
    """A CSV cell a spreadsheet cannot run as a formula: text starting with ``= + - @`` that is not a number
    gets a leading apostrophe (OWASP's advice for CSV injection), so ``=HYPERLINK(...)`` stays text.
    Workbooks instead store such cells with the string type (``innosim.reports.workbook``)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
            return value
        except ValueError:
            return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell of a table made safe for a spreadsheet (see :func:`safe_text`).

    Text columns are object columns or, in newer pandas, the string dtype; numbers are left alone.
    """
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].map(safe_text)
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A table as UTF-8 CSV with a byte-order mark, so that Excel reads the Chinese."""
    with atomic_path(path) as tmp:
        safe_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


def write_parquet(frame: pd.DataFrame, path: Path, meta: dict | None = None) -> Path:
    """A table as Parquet; the metadata record rides in the file's key-value metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if meta:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"innosim": json.dumps(meta, ensure_ascii=False).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return Path(path)


def write_json(record: dict, path: Path) -> Path:
    return write_text(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def provenance(scenarios: Iterable[Scenario] = (), regions: Iterable[str] = (), parameter_set: str | None = None,
               failures: Iterable[str] = (), **extra) -> dict:
    """What produced an output: versions, file hashes, parameter sets, engine and time (the one record)."""
    m = load()
    scenarios, regions = list(scenarios), list(regions)
    used = [(parameter_set or s.parameter_set, r) for s in scenarios for r in s.regions if r in regions]
    sets, seen = [], set()
    for name, region in used:
        identity = m.parameter_set(name, region).identity()
        if (identity["name"], region) not in seen:
            seen.add((identity["name"], region))
            sets.append(identity)
    return {
        "project": "innosim",
        "project_version": package_version(),
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model_file": m.path.name,
        "model_sha256": m.sha256,
        "region_data_sha256": content_hash(data.regions_file()),
        "targets_sha256": content_hash(data.targets_file()),
        "history_sha256": content_hash(data.history_file()),
        "parameter_sets": sets,
        "scenarios": [{"id": s.id, "name": s.name, "file": display(s.path) if s.path else None, "sha256": s.sha256,
                       "parameter_set": parameter_set or s.parameter_set or paramsets.DEFAULT} for s in scenarios],
        "regions": regions,
        "failures": list(failures),
        "engine": m.engine_name + (f" ({m.notice})" if m.notice else ""),
        "python": platform.python_version(),
        "pysd": package_version("pysd"),
        **extra,
    }


def inputs_table(scenarios: Iterable[Scenario]) -> pd.DataFrame:
    """Scenario inputs: one row per override, with the plan value per region for comparison."""
    m = load()
    rows = []
    for s in scenarios:
        base = {"scenario": s.id, "name": s.name, "description": s.description, "regions": ", ".join(s.regions)}
        items = [("lever", k, v) for k, v in s.levers.items()] + [("parameter", k, v) for k, v in s.parameters.items()]
        if s.end_year:
            items.append(("run", "end_year", s.end_year))
        if not items:
            rows.append({**base, "kind": "", "key": "", "value": "(no overrides)", "unit": "", "plan_values": ""})
        for kind, key, value in items:
            shown = "; ".join(f"from {y}: {v:g}" for y, v in sorted(value.items())) if isinstance(value, dict) \
                else f"{value:g}"
            unit = m.variables[key].units if key in m.variables else ""
            plan = "; ".join(f"{r}: {data.region_constants(r).get(key, m.file_defaults.get(key, float('nan'))):g}"
                             for r in s.regions) if key in m.variables else ""
            rows.append({**base, "kind": kind, "key": key, "value": shown, "unit": unit, "plan_values": plan})
    return pd.DataFrame(rows)
