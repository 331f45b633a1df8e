"""Export a set of projections: tables in CSV, Parquet or Excel, always with their metadata record."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .export import FORMATS, inputs_table, metadata, write_csv, write_json, write_parquet
from .scenarios import Scenario
from .tables import scorecard, wide_table
from .workbook import write_workbook


def report_tables(long: pd.DataFrame, scenarios: Sequence[Scenario]) -> dict[str, pd.DataFrame]:
    return {"projections": long, "projections_wide": wide_table(long), "scorecard": scorecard(long),
            "inputs": inputs_table(scenarios)}


def _meta(long, scenarios, failures, parameter_set):
    regions = [r for r in pd.unique(long["region"])] if len(long) else []
    return metadata(scenarios, regions, parameter_set, [str(f) for f in failures])


def write_directory(out_dir: Path, fmt: str, long: pd.DataFrame, scenarios: Sequence[Scenario],
                    failures: Iterable = (), parameter_set: str | None = None) -> list[Path]:
    """A batch export: every table in ``fmt`` plus ``metadata.json`` in ``out_dir``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    out_dir = Path(out_dir)
    meta = _meta(long, scenarios, failures, parameter_set)
    tables = report_tables(long, scenarios)
    if fmt != "xlsx":
        return write_tables(out_dir, fmt, tables, meta)
    return [write_workbook(out_dir / "innosim.xlsx", long, tables["scorecard"], tables["inputs"], meta),
            write_json(meta, out_dir / "metadata.json")]


def write_file(path: Path, long: pd.DataFrame, scenarios: Sequence[Scenario],
               parameter_set: str | None = None) -> list[Path]:
    """A single export named by its extension, with ``<file>.meta.json`` beside it.

    CSV and Parquet hold the long table; a workbook holds every sheet.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    meta = _meta(long, scenarios, (), parameter_set)
    if fmt == "xlsx":
        tables = report_tables(long, scenarios)
        main = write_workbook(path, long, tables["scorecard"], tables["inputs"], meta)
    elif fmt == "csv":
        main = write_csv(long, path)
    else:
        main = write_parquet(long, path, meta)
    return [main, write_json(meta, path.with_name(path.name + ".meta.json"))]


def write_tables(out_dir: Path, fmt: str, tables: dict[str, pd.DataFrame], meta: dict) -> list[Path]:
    """Analysis tables (Monte Carlo, sensitivity, goal seeking) in ``fmt``, plus ``metadata.json``.

    A workbook holds one sheet per table with a frozen header; CSV and
    Parquet write one file per table.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    out_dir = Path(out_dir)
    written = []
    if fmt == "xlsx":
        from .workbook import write_sheets

        written.append(write_sheets(out_dir / "innosim.xlsx", tables, meta))
    else:
        for name, table in tables.items():
            path = out_dir / f"{name}.{fmt}"
            written.append(write_csv(table, path) if fmt == "csv" else write_parquet(table, path, meta))
    written.append(write_json(meta, out_dir / "metadata.json"))
    return written
