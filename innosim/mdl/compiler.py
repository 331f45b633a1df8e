"""Compile a Vensim model (PySD's parse of the ``.mdl``) to Python: the compiled engine.

PySD's own runtime evaluates one variable at a time through caches and
xarray, which costs about 0.3 s per run of the project's model.  The compiled
engine evaluates the same equations, in dependency order, as straight-line code:

* a *scalar* variant on Python floats, for single runs (about a millisecond);
* a *vector* variant on NumPy arrays, so that one pass integrates a whole
  ensemble of parameter sets (Monte Carlo, sensitivity, batch sweeps).

Both are generated from one parse of the one ``.mdl`` file and follow PySD's
semantics (Euler integration, PySD's formulas for every function and
stateful), so they agree with PySD to round-off.  The pieces:

* :mod:`~innosim.mdl.expressions`: one equation's syntax tree to a Python expression;
* :mod:`~innosim.mdl.subscripts`: subscript axes, references, mappings;
* :mod:`~innosim.mdl.statefuls`: SMOOTH, DELAY, TREND, ... as hidden states;
* :mod:`~innosim.mdl.plan`: the phases and their order; :mod:`~innosim.mdl.codegen`: the module text.

Anything not covered raises :class:`UnsupportedConstruct` naming the variable
and the construct, so such a model runs through PySD instead, never wrongly.
"""
from __future__ import annotations

import dataclasses

from innosim.mdl.errors import UnsupportedConstruct  # noqa: F401  (re-exported)
from innosim.mdl.source import Source


def references(node) -> set[str]:
    """Identifiers a syntax node reads, inside any function or stateful (lookups called count too)."""
    from pysd.translators.structures import abstract_expressions as ax

    found: set[str] = set()

    def walk(n):
        if isinstance(n, ax.ReferenceStructure):
            found.add(n.reference)
        elif isinstance(n, ax.CallStructure):
            if n.function.reference not in _FUNCTION_NAMES:
                found.add(n.function.reference)  # a lookup table
            for a in n.arguments:
                walk(a)
        elif isinstance(n, ax.AbstractSyntax) and dataclasses.is_dataclass(n):
            for f in dataclasses.fields(n):
                value = getattr(n, f.name)
                for item in (value if isinstance(value, (list, tuple)) else (value,)):
                    walk(item)
    walk(node)
    return found


def _function_names() -> set[str]:
    from innosim.mdl.expressions import AGGREGATES, ELEMENTWISE

    return set(ELEMENTWISE) | set(AGGREGATES) | {"active_initial", "elmcount", "pi", "invert_matrix", "get_time_value",
                                                 "vector_select", "vector_sort_order", "vector_rank", "vector_reorder"}


_FUNCTION_NAMES = _function_names()


def compile_source(source: Source, source_hash: str, driven: frozenset = frozenset(), version: int = 0,
                   data_files: tuple = ()):
    """The compiled module's source text, its plan, and the external data files it was generated from
    (``data_files``: the files PySD's ``data_files`` would give the run, read for its data series)."""
    from innosim.mdl.codegen import generate as write
    from innosim.mdl.plan import Compiler, plan

    c = Compiler(source, frozenset(driven), tuple(data_files))
    p = plan(c)
    return write(c, p, source_hash, version), p, set(c.externals.files)


def generate(source: Source, source_hash: str, driven: frozenset = frozenset(), version: int = 0) -> str:
    """Python source of a module with ``controls``, ``run_scalar`` and ``run_vector``."""
    return compile_source(source, source_hash, driven, version)[0]
