"""Export a set of projections: tables in CSV, Parquet or Excel, always with their metadata record.

A folder of tables is written as a set (``innosim.files.output_set``): the
tables, ``failures.csv`` when something failed, and ``metadata.json`` appear
together or not at all.  A single file and its ``.meta.json`` are prepared
in full before either is moved into place.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from innosim.core.scenarios import Scenario
from innosim.core.tables import scorecard, wide_table
from innosim.errors import InputError
from innosim.files import atomic_path, content_hash, output_set
from innosim.reports.export import FORMATS, inputs_table, provenance, write_csv, write_json, write_parquet
from innosim.reports.workbook import write_sheets, write_workbook


def report_tables(long: pd.DataFrame, scenarios: Sequence[Scenario],
                  momentum: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The tables of an export; the scorecard shows momentum and what policy adds when ``momentum`` is given."""
    return {"projections": long, "projections_wide": wide_table(long), "scorecard": scorecard(long, momentum=momentum),
            "inputs": inputs_table(scenarios)}


def _meta(long, scenarios, failures, parameter_set):
    regions = [r for r in pd.unique(long["region"])] if len(long) else []
    return provenance(scenarios, regions, parameter_set, [str(f) for f in failures])


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"format '{fmt}': allowed: {', '.join(FORMATS)}")
    return fmt


def failures_frame(failures: Iterable) -> pd.DataFrame:
    """One row per failure, its reason in one line: a batch's (scenario, region, file) or an analysis's (text)."""
    return pd.DataFrame([{"scenario": getattr(f, "scenario", ""), "region": getattr(f, "region", ""),
                          "file": getattr(f, "file", ""), "reason": " ".join(getattr(f, "reason", str(f)).split())}
                         for f in failures], columns=["scenario", "region", "file", "reason"])


def write_directory(out_dir: Path, fmt: str, long: pd.DataFrame, scenarios: Sequence[Scenario],
                    failures: Iterable = (), parameter_set: str | None = None,
                    momentum: pd.DataFrame | None = None) -> list[Path]:
    """A batch export: every table in ``fmt``, ``failures.csv`` if any, and ``metadata.json``, as one set."""
    check_format(fmt)
    failures = list(failures)
    meta = _meta(long, scenarios, failures, parameter_set)
    tables = report_tables(long, scenarios, momentum)
    out_dir = Path(out_dir)
    with output_set(out_dir) as staging:
        if fmt == "xlsx":
            names = [write_workbook(staging / "innosim.xlsx", long, tables["scorecard"], tables["inputs"], meta).name]
        else:
            names = [_write_table(staging, name, fmt, table, meta).name for name, table in tables.items()]
        if failures:
            names.append(write_csv(failures_frame(failures), staging / "failures.csv").name)
        names.append(write_json(meta, staging / "metadata.json").name)
    return [out_dir / n for n in names]


def write_tables(out_dir: Path, fmt: str, tables: dict[str, pd.DataFrame], meta: dict,
                 failures: Iterable = ()) -> list[Path]:
    """Analysis tables (Monte Carlo, sensitivity, goal seeking) in ``fmt``, plus ``metadata.json``, as one set.

    A workbook holds one sheet per table with a frozen header; CSV and
    Parquet write one file per table.
    """
    check_format(fmt)
    failures = list(failures)
    out_dir = Path(out_dir)
    with output_set(out_dir) as staging:
        if fmt == "xlsx":
            names = [write_sheets(staging / "innosim.xlsx", tables, meta).name]
        else:
            names = [_write_table(staging, name, fmt, table, meta).name for name, table in tables.items()]
        if failures:
            names.append(write_csv(failures_frame(failures), staging / "failures.csv").name)
        names.append(write_json(meta, staging / "metadata.json").name)
    return [out_dir / n for n in names]


def _write_table(folder: Path, name: str, fmt: str, table: pd.DataFrame, meta: dict) -> Path:
    path = folder / f"{name}.{fmt}"
    return write_csv(table, path) if fmt == "csv" else write_parquet(table, path, meta)


def write_file(path: Path, long: pd.DataFrame, scenarios: Sequence[Scenario],
               parameter_set: str | None = None, momentum: pd.DataFrame | None = None) -> list[Path]:
    """A single export named by its extension, with ``<file>.meta.json`` beside it.

    CSV and Parquet hold the long table; a workbook holds every sheet.  Both
    files are written in full to temporary names first; only then do they
    replace the targets, so a failure leaves neither behind.  The record
    holds the file's SHA-256 (``file_sha256``), so a pair can be checked.
    """
    path = Path(path)
    fmt = check_format(path.suffix.lower().lstrip("."))
    meta = _meta(long, scenarios, (), parameter_set)
    meta_path = path.with_name(path.name + ".meta.json")
    if meta_path.is_dir():
        raise InputError(f"{meta_path}: is a folder, where the metadata record of {path.name} goes")
    with atomic_path(meta_path) as meta_tmp, atomic_path(path) as tmp:
        if fmt == "xlsx":
            tables = report_tables(long, scenarios, momentum)
            write_workbook(tmp, long, tables["scorecard"], tables["inputs"], meta)
        elif fmt == "csv":
            write_csv(long, tmp)
        else:
            write_parquet(long, tmp, meta)
        write_json({**meta, "file": path.name, "file_sha256": content_hash(tmp)}, meta_tmp)
    return [path, meta_path]
