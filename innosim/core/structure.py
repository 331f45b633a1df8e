"""The model's causal structure: its dependency graph and its named loops.

The graph is read from PySD's translation of the ``.mdl`` (its
``dependencies`` table), so the loops documented in ``loops.toml`` are
checked against the model PySD actually runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from innosim.files import read_toml
from innosim.paths import data_file


@dataclass(frozen=True)
class Loop:
    id: str
    polarity: str
    name_en: str
    name_zh: str
    description: str
    paths: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=None)
def loops() -> tuple[Loop, ...]:
    raw = read_toml(data_file("model/loops.toml"))["loop"]
    return tuple(Loop(r["id"], r["polarity"], r["name_en"], r["name_zh"], r["description"],
                      tuple(tuple(p) for p in r["paths"])) for r in raw)


def causal_edges(dependencies: dict) -> set[tuple[str, str]]:
    """Edges cause -> effect from PySD's dependency table.

    PySD lists a stock as depending on its stateful object (``_integ_x``),
    whose ``step`` entry names the flows; the stock is linked to those
    flows directly.  Initial-value dependencies are not causal links.
    """
    edges = set()
    for var, deps in dependencies.items():
        if var.startswith("_"):
            continue
        for dep in deps:
            if dep.startswith("_integ_"):
                for flow in dependencies[dep].get("step", {}):
                    edges.add((flow, var))
            elif not dep.startswith("__") and dep != "time":
                edges.add((dep, var))
    return edges


def missing_links(path: tuple[str, ...], edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Links of ``path`` that the graph does not contain (empty for a real loop)."""
    links = list(zip(path, path[1:]))
    return [link for link in links if link not in edges]


def pysd_dependencies() -> dict:
    """PySD's dependency table of the model (translates on first use)."""
    return load_pysd_model().dependencies


@lru_cache(maxsize=1)
def load_pysd_model():
    from innosim.core.model import load

    return load().pysd_engine()._model
