"""Compile the model's abstract syntax tree (PySD's parse of the ``.mdl``) to Python.

PySD's own runtime evaluates one variable at a time through caches and
xarray, which costs about 0.7 s per run of this model.  The compiled engine
evaluates the same equations, in dependency order, as straight-line code:

* a *scalar* variant on Python floats, for single runs (a few milliseconds);
* a *vector* variant on NumPy arrays, so that one pass integrates a whole
  ensemble of parameter sets (Monte Carlo, sensitivity, batch sweeps).

Both are generated from one parse of the one ``.mdl`` file and are tested
against PySD's run to 1e-9.  Integration is Euler, as in Vensim and PySD.
Only the Vensim subset this model uses is supported; anything else raises
:class:`UnsupportedConstruct` naming the variable, so the PySD engine remains
the fallback for models that outgrow the compiler.
"""
from __future__ import annotations

import graphlib
from dataclasses import dataclass

from pysd.translators.structures import abstract_expressions as ax

from innosim.mdl.errors import UnsupportedConstruct
from innosim.mdl.source import Element

# Vensim function -> (scalar template, vector template).  Arguments are
# already-compiled Python expressions.
_FUNCTIONS = {
    "min": ("min({0}, {1})", "np.minimum({0}, {1})"),
    "max": ("max({0}, {1})", "np.maximum({0}, {1})"),
    "ln": ("math.log({0})", "np.log({0})"),
    "exp": ("math.exp({0})", "np.exp({0})"),
    "sqrt": ("math.sqrt({0})", "np.sqrt({0})"),
    "abs": ("abs({0})", "np.abs({0})"),
    "zidz": ("zidz({0}, {1})", "vzidz({0}, {1})"),
    "xidz": ("xidz({0}, {1}, {2})", "vxidz({0}, {1}, {2})"),
    "if_then_else": ("({1} if {0} else {2})", "np.where({0}, {1}, {2})"),
}
_LOGIC = {":AND:": ("and", "&"), ":OR:": ("or", "|")}
_COMPARE = {"=": "==", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


def references(node) -> set[str]:
    """Identifiers a syntax node reads (functions and lookups excluded)."""
    found: set[str] = set()

    def walk(n):
        if isinstance(n, ax.ReferenceStructure):
            found.add(n.reference)
        elif isinstance(n, ax.CallStructure):
            if n.function.reference not in _FUNCTIONS:
                found.add(n.function.reference)  # a lookup table
            for a in n.arguments:
                walk(a)
        elif isinstance(n, (ax.ArithmeticStructure, ax.LogicStructure)):
            for a in n.arguments:
                walk(a)
        elif isinstance(n, ax.IntegStructure):
            walk(n.flow)
            walk(n.initial)
    walk(node)
    return found


def flow_references(stock: Element) -> set[str]:
    """What a stock's net flow reads."""
    return references(stock.ast.flow)


def initial_references(stock: Element) -> set[str]:
    """What a stock's initial value reads."""
    return references(stock.ast.initial)


class _Emitter:
    """Turns one syntax tree into a Python expression string."""

    def __init__(self, elements: dict[str, Element], vector: bool, variable: str):
        self.elements = elements
        self.vector = vector
        self.variable = variable

    def expr(self, n) -> str:
        if isinstance(n, bool):
            return "True" if n else "False"
        if isinstance(n, (int, float)):
            return repr(float(n))
        if isinstance(n, ax.ReferenceStructure):
            if n.subscripts:
                self._unsupported("subscripts")
            return _local(n.reference)
        if isinstance(n, ax.ArithmeticStructure):
            return self._arithmetic(n)
        if isinstance(n, ax.LogicStructure):
            return self._logic(n)
        if isinstance(n, ax.CallStructure):
            return self._call(n)
        self._unsupported(type(n).__name__)

    def _arithmetic(self, n) -> str:
        args = [self.expr(a) for a in n.arguments]
        if n.operators == ["negative"]:
            return f"(-{args[0]})"
        if set(n.operators) == {"^"}:          # Vensim's power is right-associative: 2^3^2 = 2^9
            out = args[-1]
            for arg in reversed(args[:-1]):
                out = f"({arg} ** {out})"
            return out
        out = args[0]
        for op, arg in zip(n.operators, args[1:]):
            if op == "^":
                self._unsupported("a power mixed with other operators at one level")
            out = f"({out} {op} {arg})"
        return out

    def _logic(self, n) -> str:
        args = [self.expr(a) for a in n.arguments]
        if n.operators == [":NOT:"]:
            return f"(~{args[0]})" if self.vector else f"(not {args[0]})"
        out = args[0]
        for op, arg in zip(n.operators, args[1:]):
            if op in _LOGIC:
                out = f"({out} {_LOGIC[op][1 if self.vector else 0]} {arg})"
            elif op in _COMPARE:
                out = f"({out} {_COMPARE[op]} {arg})"
            else:
                self._unsupported(f"operator {op}")
        return out

    def _call(self, n) -> str:
        name = n.function.reference
        args = [self.expr(a) for a in n.arguments]
        if name in _FUNCTIONS:
            return _FUNCTIONS[name][1 if self.vector else 0].format(*args)
        target = self.elements.get(name)
        if target is not None and target.kind == "lookup":
            return f"{_local(name)}({args[0]})"
        self._unsupported(f"function {name.upper()}")

    def _unsupported(self, what):
        raise UnsupportedConstruct(
            f"'{self.elements[self.variable].name}' uses {what}, which the compiled engine does not support")


def _local(py_name: str) -> str:
    return "v_" + py_name


@dataclass(frozen=True)
class Plan:
    """The evaluation order the generated code follows."""

    constants: list[str]      # plain constants, read from the parameter dict
    levers: list[str]         # constants that may vary over time, read per step
    static: list[str]         # auxiliaries of constants only: computed once
    initial: list[str]        # order in which stocks and their needs are initialised
    dynamic: list[str]        # auxiliaries evaluated every step
    stocks: list[str]
    lookups: list[str]
    saved: list[str]          # variables recorded at each save time
    driven: list[str]         # auxiliaries replaced by per-step input series


def plan(elements: dict[str, Element], driven: frozenset[str] = frozenset()) -> Plan:
    """Sort the model into the phases of an Euler integration.

    ``driven`` auxiliaries are not computed: they are read each step from
    input series, so a sector can run on observed data (partial-model calibration).
    """
    for name in driven:
        if name not in elements or elements[name].kind != "auxiliary":
            raise UnsupportedConstruct(f"only auxiliaries can be driven by data, not '{name}'")
    deps = {}
    for key, el in elements.items():
        if key in driven:
            deps[key] = set()
        elif el.kind in ("auxiliary",):
            deps[key] = references(el.ast)
        elif el.kind == "stock":
            deps[key] = set()  # a stock's value is state, not computed
        else:
            deps[key] = set()
    for key, refs in deps.items():
        unknown = refs - set(elements) - {"time"}
        if unknown:
            raise UnsupportedConstruct(f"'{elements[key].name}' reads unknown names: {sorted(unknown)}")

    lookups = [k for k, e in elements.items() if e.kind == "lookup"]
    levers = [k for k, e in elements.items() if e.is_lever]
    constants = [k for k, e in elements.items() if e.kind in ("constant", "control") and not e.is_lever]
    stocks = [k for k, e in elements.items() if e.kind == "stock"]

    time_varying = set(levers) | set(stocks) | set(driven) | {"time"}
    order = list(graphlib.TopologicalSorter(
        {k: v & set(elements) for k, v in deps.items()}).static_order())
    dynamic_set: set[str] = set()
    for key in order:
        if key in driven:
            continue
        if elements[key].kind == "auxiliary" and deps[key] & (time_varying | dynamic_set):
            dynamic_set.add(key)
    static = [k for k in order if elements[k].kind == "auxiliary" and k not in dynamic_set and k not in driven]
    dynamic = [k for k in order if k in dynamic_set]

    # Stocks' initial values may read auxiliaries and other stocks' initial values.
    init_graph = {}
    for key in stocks:
        init_graph[key] = initial_references(elements[key]) & set(elements)
    needed: set[str] = set()
    frontier = [r for s in stocks for r in init_graph[s]]
    while frontier:
        name = frontier.pop()
        if name in needed or elements[name].kind != "auxiliary" or name not in dynamic_set:
            continue
        needed.add(name)
        frontier.extend(deps[name] & set(elements))
    for name in needed:
        init_graph[name] = deps[name] & set(elements)
    initial = [k for k in graphlib.TopologicalSorter(init_graph).static_order()
               if k in init_graph]

    saved = stocks + levers + sorted(driven) + dynamic + static
    return Plan(constants, levers, static, initial, dynamic, stocks, lookups, saved, sorted(driven))


def generate(elements: dict[str, Element], source_hash: str, driven: frozenset[str] = frozenset(),
             version: int = 0) -> str:
    """Python source of a module with ``run_scalar`` and ``run_vector``."""
    p = plan(elements, driven)
    lines = [
        f'"""Generated from innovation_system.mdl (sha256 {source_hash}) by model/compiler.py'
        f' v{version}. Do not edit: it is a cache, rebuilt when the model changes."""',
        "import math",
        "import numpy as np",
        "from innosim.mdl.runtime import zidz, xidz, vzidz, vxidz, Lookup",
        "",
        f"STOCKS = {p.stocks!r}",
        f"LEVERS = {p.levers!r}",
        f"CONSTANTS = {p.constants!r}",
        f"SAVED = {p.saved!r}",
        f"DRIVEN = {p.driven!r}",
        "LOOKUPS = {",
    ]
    for key in p.lookups:
        ast = elements[key].ast
        xs = [float(x) for x in ast.x]
        ys = [float(y) for y in ast.y]
        lines.append(f"    {key!r}: ({xs!r}, {ys!r}),")
    lines.append("}")
    for vector in (False, True):
        lines += _run_function(elements, p, vector)
    return "\n".join(lines) + "\n"


def _run_function(elements, p: Plan, vector: bool) -> list[str]:
    name = "run_vector" if vector else "run_scalar"
    emit = lambda key, node: _Emitter(elements, vector, key).expr(node)  # noqa: E731
    body = [
        "",
        "",
        f"def {name}(C, L, n_steps, dt, save_every, out):",
        f'    """Euler-integrate the model ({"NumPy arrays" if vector else "Python floats"}).',
        "",
        "    C: constants by identifier; L: per-step lever values by identifier;",
        "    out: array of shape (n_saves, len(SAVED)[, n]) filled in place.",
        '    """',
    ]
    for key in p.lookups:
        body.append(f"    {_local(key)} = Lookup(*LOOKUPS[{key!r}], vector={vector})")
    for key in p.constants:
        body.append(f"    {_local(key)} = C[{key!r}]")
    for key in p.levers + p.driven:
        body.append(f"    L_{key} = L[{key!r}]")
        body.append(f"    {_local(key)} = L_{key}[0]")
    body.append(f"    v_time = {_local('initial_time')}")
    for key in p.static:
        body.append(f"    {_local(key)} = {emit(key, elements[key].ast)}")
    for key in p.initial:
        el = elements[key]
        node = el.ast.initial if el.kind == "stock" else el.ast
        body.append(f"    {_local(key)} = {emit(key, node)}")
    body.append("    row = 0")
    body.append("    for k in range(n_steps + 1):")
    for key in p.levers + p.driven:
        body.append(f"        {_local(key)} = L_{key}[k]")
    for key in p.dynamic:
        body.append(f"        {_local(key)} = {emit(key, elements[key].ast)}")
    saved = ", ".join(_local(k) for k in p.saved)
    body.append("        if k % save_every == 0:")
    if vector:
        body.append(f"            for j, value in enumerate(({saved},)):")
        body.append("                out[row, j] = value")
    else:
        body.append(f"            out[row] = ({saved},)")
    body.append("            row += 1")
    body.append("        if k == n_steps:")
    body.append("            break")
    flows = [f"        d_{k} = {emit(k, elements[k].ast.flow)}" for k in p.stocks]
    body += flows
    for key in p.stocks:
        body.append(f"        {_local(key)} = {_local(key)} + dt * d_{key}")
    # Time accumulates as in PySD, so both engines see the same floats.
    body.append("        v_time = v_time + dt")
    body.append("    return out")
    return body

