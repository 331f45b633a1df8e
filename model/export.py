"""Writing projection tables: atomically, with a metadata record beside every export.

An interrupted write leaves no half-written file: each file is written to a
temporary file in the same folder and renamed into place.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

import pandas as pd

from . import data, paramsets
from .scenarios import Scenario
from .source import MODEL_FILE, content_hash

FORMATS = ("csv", "xlsx", "parquet")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside ``path``; rename it into place on success.

    On any failure the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private; exports follow the umask
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A table as UTF-8 CSV with a byte-order mark, so that Excel reads the Chinese."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
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
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(path)


def parameter_set_identities(cases: Iterable[tuple[str | None, str]]) -> list[dict]:
    """Identities (name, region, file, sha256) of the parameter sets behind (set name, region) pairs."""
    from .api import load

    m = load()
    seen, out = set(), []
    for name, region in cases:
        identity = m.parameter_set(name, region).identity()
        key = (identity["name"], region)
        if key not in seen:
            seen.add(key)
            out.append(identity)
    return out


def metadata(scenarios: Iterable[Scenario], regions: Iterable[str], parameter_set: str | None = None,
             failures: Iterable[str] = ()) -> dict:
    """What produced an export: versions, file hashes, parameter sets and time."""
    from importlib.metadata import PackageNotFoundError, version

    scenarios, regions = list(scenarios), list(regions)
    try:
        project = version("innosim")
    except PackageNotFoundError:
        project = "unknown"
    try:
        pysd_version = version("pysd")
    except PackageNotFoundError:
        pysd_version = "unknown"
    used = [(parameter_set or s.parameter_set, r) for s in scenarios for r in s.regions if r in regions]
    return {
        "project": "innosim",
        "project_version": project,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model_file": MODEL_FILE.name,
        "model_sha256": content_hash(MODEL_FILE),
        "region_data_sha256": content_hash(data.REGIONS_FILE),
        "targets_sha256": content_hash(data.TARGETS_FILE),
        "parameter_sets": parameter_set_identities(used),
        "scenarios": [{"id": s.id, "name": s.name, "file": str(s.path) if s.path else None, "sha256": s.sha256,
                       "parameter_set": parameter_set or s.parameter_set or paramsets.DEFAULT} for s in scenarios],
        "regions": regions,
        "failures": list(failures),
        "engine": "compiled (generated from the .mdl; PySD is the reference)",
        "python": platform.python_version(),
        "pysd": pysd_version,
    }


def inputs_table(scenarios: Iterable[Scenario]) -> pd.DataFrame:
    """Scenario inputs: one row per override, with the plan value per region for comparison."""
    from .api import load

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
