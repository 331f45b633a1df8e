"""Render the model's parameters, levers and region data as Markdown tables.

One rendering serves docs/model.md (kept in step by a test) and the app's
model page.  Regenerate the document's tables with ``python -m innosim.reports.model_doc``.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from innosim.core import data
from innosim.core.model import load
from innosim.paths import PACKAGE_DIR

DOC = PACKAGE_DIR.parent / "docs" / "model.md"     # the document lives in the checkout, beside the data
START, END = "<!-- tables:start (python -m innosim.reports.model_doc) -->", "<!-- tables:end -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _num(x) -> str:
    return f"{x:g}"


def levers_markdown() -> str:
    m = load()
    lines = ["| lever | unit | range (step) | Ningbo | Cixi | Yuyao | meaning | source |",
             "|---|---|---|---|---|---|---|---|"]
    for lv in m.levers:
        sources = "; ".join(f"{r}: {lv.sources[r]}" for r in m.regions)
        lines.append(f"| `{lv.id}` | {lv.unit} | {_num(lv.low)}–{_num(lv.high)} ({_num(lv.step)}) | "
                     + " | ".join(_num(lv.default(r)) for r in m.regions)
                     + f" | {_cell(lv.description)} | {_cell(sources)} |")
    return "\n".join(lines)


def _calibrated() -> set[str]:
    """The parameters history mode fits in some region (calibration/spec.toml)."""
    from innosim.calibration.fit import free_parameters
    from innosim.calibration.inputs import load_spec

    spec = load_spec()
    return {p for region in data.REGIONS for p in free_parameters(spec, region)}


def _prior(src) -> str:
    return f"{_num(src.prior_mean)} ± {_num(src.prior_sd)}" if src.prior_sd is not None and src.prior_mean is not None \
        else ""


def parameters_markdown() -> str:
    m = load()
    regional = {r.variable for r in data.region_values()}
    sources = data.parameter_sources()
    fitted = _calibrated()
    lines = ["| parameter | sector | value | unit | prior (mean ± sd) | range | calibrated | source | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, var in m.variables.items():
        if var.kind != "constant" or var.is_lever or name in regional:
            continue
        src = sources[name]
        rng = f"{_num(src.low)}–{_num(src.high)}" if src.low is not None else ""
        lines.append(f"| `{name}` | {var.sector} | {_num(m.file_defaults[name])} | {var.units} | {_prior(src)} | "
                     f"{rng} | {'yes' if name in fitted else ''} | {_cell(src.source)} | {_cell(src.note or var.doc)} |")
    return "\n".join(lines)


def unestimated(m=None) -> list[str]:
    """Region-independent parameters with no estimate behind them: assumptions, not calibrated anywhere."""
    m = m or load()
    regional = {r.variable for r in data.region_values()}
    fitted = _calibrated()
    out = []
    for name, src in data.parameter_sources().items():
        var = m.variables.get(name)
        if var is None or var.is_lever or name in regional or name in fitted:
            continue
        if src.source.lower().startswith("assumption") or "unestimated" in (src.note or "").lower():
            out.append(name)
    return out


def unestimated_markdown() -> str:
    m = load()
    sources = data.parameter_sources()
    lines = ["| assumption | value | drawn in Monte Carlo and ranked in sensitivity over | what it rests on |",
             "|---|---|---|---|"]
    for name in unestimated(m):
        src = sources[name]
        spread = (f"normal {_prior(src)}, within {_num(src.low)}–{_num(src.high)}" if _prior(src) else
                  f"{_num(src.low)}–{_num(src.high)}" if src.low is not None else "not drawn (no range)")
        lines.append(f"| `{name}` | {_num(m.file_defaults[name])} | {spread} | {_cell(src.source)} |")
    return "\n".join(lines)


def region_data_markdown() -> str:
    m = load()
    by_var: dict[str, dict[str, data.RegionValue]] = {}
    for row in data.region_values():
        by_var.setdefault(row.variable, {})[row.region] = row
    lines = ["| variable | unit | Ningbo | Cixi | Yuyao | sources (E = estimate, reasoning in model/regions.csv) |",
             "|---|---|---|---|---|---|"]
    for name, rows in by_var.items():
        if m.variables[name].is_lever:
            continue
        srcs = "; ".join(f"{r}: {'E' if rows[r].is_estimate else rows[r].source}" for r in m.regions)
        lines.append(f"| `{name}` | {rows['ningbo'].unit} | "
                     + " | ".join(_num(rows[r].value) for r in m.regions) + f" | {_cell(srcs)} |")
    return "\n".join(lines)


def tables_markdown() -> str:
    return "\n\n".join([
        "### Levers\n\nSlider ranges come from the units field of the `.mdl`; defaults are each region's plan.",
        levers_markdown(),
        "### Region data\n\nInitial conditions and region constants; every row's source and reasoning is in "
        "`model/regions.csv`.",
        region_data_markdown(),
        "### Parameters\n\nRegion-independent constants: value from the `.mdl`; prior, range and source from "
        "`model/parameters.csv`; *calibrated* where history mode fits it (`calibration/spec.toml`).",
        parameters_markdown(),
        "### Assumptions still unestimated\n\nNo estimate from the record or a study stands behind these; each is "
        "drawn over its spread in Monte Carlo and appears in the sensitivity ranking (docs/analyses.md).",
        unestimated_markdown(),
    ])


def document_tables(text: str) -> str:
    match = re.search(re.escape(START) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else ""


def update(path: Path = DOC) -> None:
    text = path.read_text(encoding="utf-8")
    new = text.replace(document_tables(text), tables_markdown()) if document_tables(text) else \
        text.replace(f"{START}\n{END}", f"{START}\n{tables_markdown()}\n{END}")
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    update(Path(sys.argv[1]) if len(sys.argv) > 1 else DOC)
