"""Sort a model into the phases of an Euler integration, as PySD runs it.

* **static**: auxiliaries of constants only, computed once;
* **init**: at the initial time, every state (stocks and the hidden states of SMOOTH, DELAY, ...)
  takes its initial value, in dependency order, with ACTIVE INITIAL giving its initial value;
* **dynamic**: each time step, the auxiliaries that change, in dependency order; then every
  state's derivative (or pipeline input) from time t, and only then the states move.

:class:`Compiler` also answers the questions the expression emitter asks (the
local name of a variable, a subscript used as a number, the hidden state of a
stateful call) and assembles a subscripted variable from its equations.
"""
from __future__ import annotations

import graphlib
import re
from dataclasses import dataclass, field

import numpy as np
from pysd.translators.structures import abstract_expressions as ax

from innosim.mdl.errors import UnsupportedConstruct
from innosim.mdl.expressions import Context, Emitter, Registry, array_literal
from innosim.mdl.externals import Externals
from innosim.mdl.source import Element, Source, _is_number
from innosim.mdl.statefuls import Hidden, hidden_for
from innosim.mdl.subscripts import Axes

_RESERVED = {"time", "dt", "time_step_"}


@dataclass
class Equation:
    """The compiled statements of one variable (all its equations), with what they read."""

    lines: list
    refs: set
    hidden: set
    active: bool = False


@dataclass
class Plan:
    """The evaluation order the generated code follows."""

    constants: list           # scalar constants and control variables, read from C
    arrays: list              # subscripted constants: their values from the file, or from C
    levers: list              # scalar constants that may vary over time: read per step
    driven: list              # auxiliaries replaced by per-step input series
    lookups: list
    static: list              # auxiliaries of constants only: computed once
    initial: list             # ("stock" | "hidden" | "aux", name) in the order they are initialised
    dynamic: list             # auxiliaries evaluated every step
    stocks: list
    hidden: list              # every hidden state
    saved: list = field(default_factory=list)     # recorded at each save time
    once: list = field(default_factory=list)      # constant in time: recorded once
    series: list = field(default_factory=list)    # data series (GET XLS DATA): values at each time
    moving_end: bool = False  # FINAL TIME is computed as the run goes: the run stops once time reaches it


class Compiler:
    """One model's compilation: its variables, subscript axes, constants and hidden states."""

    def __init__(self, source: Source, driven: frozenset = frozenset(), data_files: tuple = ()):
        self.source = source
        self.elements: dict[str, Element] = source.elements
        self.axes = Axes(source.ranges, source.mappings, source.subscripts)
        self.registry = Registry()
        self.externals = Externals(source, self.axes, data_files)
        self.driven = frozenset(driven)
        self._locals: dict[str, str] = {}
        self._taken: set[str] = set()
        self._cache: dict = {}
        if source.macros:
            raise UnsupportedConstruct(f"the model uses macros ({', '.join(source.macros)}), which the compiled "
                                       f"engine does not support")
        for key in sorted(self.driven):
            if key not in self.elements or self.elements[key].kind != "auxiliary" or self.elements[key].dims:
                raise UnsupportedConstruct(f"only scalar auxiliaries can be driven by data, not '{key}'")

    # ---- questions of the emitter ---------------------------------------------------------------------
    def local(self, key: str) -> str:
        """A valid, unique Python name for a variable's local (Vensim names may hold any character)."""
        if key not in self._locals:
            base = "v_" + (re.sub(r"[^0-9a-zA-Z_]", "_", key) if not key.isidentifier() or not key.isascii()
                           else key)
            name, i = base, 1
            while name in self._taken or name[2:] in _RESERVED:
                name, i = f"{base}_{i}", i + 1
            self._taken.add(name)
            self._locals[key] = name
        return self._locals[key]

    def subscript_number(self, ref: str):
        """A subscript range or element used as a number (its positions, from 1), as PySD reads it."""
        entry = self.source.subscripts.subscript2num.get(ref)
        if entry is None:
            return None
        expression, subs = entry
        if not subs:
            return float(expression), ()
        values = eval(expression, {"np": np, "_subscript_dict": self.source.subscripts.subscripts})  # noqa: S307
        return np.asarray(values, dtype=float), tuple(subs)

    def hidden_state(self, node, ctx: Context) -> Hidden:
        hidden = self.registry.hidden.get(id(node))
        if hidden is None:
            name = f"h{len(self.registry.order)}"
            hidden = hidden_for(node, name, ctx, self.axes.shape(ctx.loop))
            self.registry.hidden[id(node)] = hidden
            self.registry.order.append(hidden)
        return hidden

    # ---- equations ----------------------------------------------------------------------------------
    def context(self, element: Element, component) -> Context:
        subs = component.subscripts
        loop = tuple(s for s in subs if self.axes.is_range(s))
        if len(set(loop)) != len(loop):
            raise UnsupportedConstruct(f"'{element.name}' repeats a subscript range on its left-hand side, which "
                                       f"the compiled engine does not support")
        return Context(element.py_name, element.name, self.axes.coord_dict(subs) if subs else {}, loop)

    def emitter(self, ctx: Context, vector: bool, mode: str) -> Emitter:
        return Emitter(self, ctx, vector, mode)

    def equation(self, key: str, part: str, vector: bool, mode: str, target: str | None = None) -> Equation:
        """Statements assigning ``target`` (the variable's local) from every equation of ``key``.

        ``part`` is "value" (an auxiliary), "flow" or "initial" (a stock's INTEG arguments).
        """
        cache_key = (key, part, vector, mode, target)
        if cache_key in self._cache:
            return self._cache[cache_key]
        element = self.elements[key]
        target = target or self.local(key)
        dims = tuple(element.dims)
        refs, hidden, active, lines = set(), set(), False, []
        compiled = []
        for component in element.components:
            node = component.ast
            if part != "value":
                if not isinstance(node, ax.IntegStructure):
                    raise UnsupportedConstruct(f"'{element.name}' mixes INTEG with other equations, which the "
                                               f"compiled engine does not support")
                node = node.flow if part == "flow" else node.initial
            ctx = self.context(element, component)
            em = self.emitter(ctx, vector, mode)
            code = em.expr(node)
            refs |= em.refs
            hidden |= em.hidden
            active |= em.active
            compiled.append((component, ctx, em, code))
        if not dims:
            lines.append(f"{target} = {compiled[0][3].text}")
            return self._keep(cache_key, Equation(lines, refs, hidden, active))
        shape = self.axes.shape(dims)
        fill = "vfill" if vector else "fill"
        component, ctx, em, code = compiled[0]
        if len(compiled) == 1 and tuple(component.subscripts) == dims and not component.excepts:
            # always filled to the variable's shape: IF THEN ELSE on a shared condition returns one branch as it is
            lines.append(f"{target} = {fill}({em.align(code, list(dims))}, {shape!r})")
            return self._keep(cache_key, Equation(lines, refs, hidden, active))
        lines.append(f"{target} = np.full({shape!r}{' + (n,)' if vector else ''}, NAN)")
        for component, ctx, em, code in compiled:
            fail = em.fail
            block = self.axes.positions(component.subscripts, dims, fail)
            ix = self.registry.constant(f"np.ix_(*{block!r})", prefix="IX")
            axes = [s if self.axes.is_range(s) else None for s in component.subscripts]
            value = em.align(code, axes)
            if component.excepts:
                mask = self.axes.except_mask(component.subscripts, component.excepts, dims, fail)
                literal = f"{array_literal(mask)}.astype(bool)" + ("[..., None]" if vector else "")
                mask_name = self.registry.constant(literal, prefix="MASK")
                lines.append(f"{target}[{ix}] = np.where({mask_name}, {value}, {target}[{ix}])")
            else:
                lines.append(f"{target}[{ix}] = {value}")
        return self._keep(cache_key, Equation(lines, refs, hidden, active))

    def _keep(self, cache_key, equation: Equation) -> Equation:
        self._cache[cache_key] = equation
        return equation

    def hidden_code(self, hidden: Hidden, piece: str, vector: bool, mode: str) -> tuple[list, set, set]:
        """A hidden state's ``init``, ``flow`` or ``output`` code, with the names it reads."""
        em = self.emitter(hidden.ctx, vector, mode)
        if piece == "init":
            lines = hidden.init(em.aligned, vector)
        elif piece == "flow":
            lines = hidden.flow(em.aligned, vector)
        else:
            lines = [hidden.output(em.aligned, vector)]
        return lines, em.refs, em.hidden

    def array_default(self, element: Element, skip=()) -> np.ndarray:
        """A subscripted constant's values from the file (NaN where no equation defines a cell); equations
        of the types in ``skip`` are left out (the cells a data series fills)."""
        dims = tuple(element.dims)
        out = np.full(self.axes.shape(dims), np.nan)
        read = None
        for component in element.components:
            if isinstance(component.ast, skip):
                continue
            ctx = self.context(element, component)
            fail = self.emitter(ctx, False, "run").fail
            block = self.axes.positions(component.subscripts, dims, fail)
            if isinstance(component.ast, ax.GetConstantsStructure):
                if read is None:
                    read = self.externals.values(element, "constant")[1]
                values = read[np.ix_(*block)] if dims else read
            else:
                values = np.asarray(component.ast, dtype=float)
            try:
                values = np.broadcast_to(values, tuple(len(b) for b in block)) if values.ndim == 0 else \
                    values.reshape(tuple(len(b) for b in block))
            except ValueError:
                fail("a table of numbers whose shape does not match its subscripts")
            if component.excepts:
                mask = self.axes.except_mask(component.subscripts, component.excepts, dims, fail)
                values = np.where(mask, values, out[np.ix_(*block)])
            out[np.ix_(*block)] = values
        return out


def order(graph: dict, describe) -> list:
    """A topological order of ``graph`` (node -> needs); a circle becomes UnsupportedConstruct."""
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        names = " -> ".join(describe(n) for n in exc.args[1])
        raise UnsupportedConstruct(f"{names} depend on one another in a circle the compiled engine cannot "
                                   f"order") from None


def dynamic_final_time(elements: dict) -> bool:
    """Whether FINAL TIME is an equation that changes during the run (reads time or a changing variable)."""
    from innosim.mdl.source import control_value

    try:
        control_value(elements, "final_time")
    except UnsupportedConstruct:
        return True
    return False


def plan(c: Compiler) -> Plan:
    """Sort the model into phases (see the module's docstring)."""
    elements, driven = c.elements, c.driven
    # A data series without a GET ... DATA reads the files given for the run (PySD's data_files): the engine
    # takes them when it is generated, as it takes spreadsheets.
    readable = (ax.GetDataStructure, ax.GetConstantsStructure) + ((ax.DataStructure,) if c.externals.data_files else ())
    for key, el in elements.items():
        if el.kind == "data" and not all(isinstance(comp.ast, readable) or _is_number(comp.ast)
                                         for comp in el.components):
            raise UnsupportedConstruct(f"'{el.name}' is a data series read from files given at run time, and no "
                                       f"data files were given to the compiled engine")
    lookups = [k for k, e in elements.items() if e.kind == "lookup"]
    levers = [k for k, e in elements.items() if e.is_lever]
    numbers = {k for k, e in elements.items() if e.kind == "constant" and not e.dims and _is_number(e.ast)}
    # A FINAL TIME that changes during the run is computed each step, as an auxiliary (PySD evaluates it
    # as the run goes and stops once time reaches it); the other control variables must be constant.
    moving_end = dynamic_final_time(elements)
    constants = [k for k, e in elements.items() if (e.kind == "control" or k in numbers) and not e.is_lever
                 and not (moving_end and k == "final_time")]
    arrays = [k for k, e in elements.items() if e.kind == "constant" and k not in numbers]  # subscripted or read
    series = [k for k, e in elements.items() if e.kind == "data"]
    stocks = [k for k, e in elements.items() if e.kind == "stock"]
    auxes = [k for k, e in elements.items() if e.kind == "auxiliary" and k not in driven]
    auxes += ["final_time"] if moving_end else []

    run = {k: c.equation(k, "value", False, "run") for k in auxes}
    flows = {k: c.equation(k, "flow", False, "run") for k in stocks}
    inits = {k: c.equation(k, "initial", False, "init") for k in stocks}
    at_start = {k: c.equation(k, "value", False, "init") for k in auxes}    # ACTIVE INITIAL's other branch
    hidden_init: dict[str, tuple] = {}
    # Emitting a hidden state's arguments may create further hidden states (a SMOOTH of a DELAY): repeat.
    done = 0
    while done < len(c.registry.order):
        for h in c.registry.order[done:]:
            done += 1
            _, r_init, h_init = c.hidden_code(h, "init", False, "init")
            c.hidden_code(h, "flow", False, "run")
            c.hidden_code(h, "output", False, "init")
            hidden_init[h.name] = (r_init, h_init)
    known = set(elements) | {"time"}
    for key, eq in [*run.items(), *flows.items(), *inits.items(), *at_start.items()]:
        unknown = eq.refs - known
        if unknown:
            raise UnsupportedConstruct(f"'{elements[key].name}' reads unknown names: {sorted(unknown)}")

    # Which auxiliaries change during the run: those reading time, a lever, a state or a changing auxiliary.
    varying = {"time"} | set(levers) | set(driven) | set(stocks) | set(series)
    run_order = order({k: run[k].refs & set(auxes) for k in auxes}, lambda k: f"'{elements[k].name}'")
    dynamic: set = set()
    for key in run_order:
        eq = run[key]
        if eq.hidden or eq.active or eq.refs & (varying | dynamic):
            dynamic.add(key)
    static = [k for k in run_order if k not in dynamic]
    dynamic_order = [k for k in run_order if k in dynamic]

    # The initial time: every state, and the changing auxiliaries they need, in dependency order.
    init_eq = at_start
    graph: dict = {}
    names = {h.name: h for h in c.registry.order}

    def needs(refs: set, hidden: set) -> set:
        out = {("stock", r) for r in refs if r in stocks} | {("aux", r) for r in refs if r in dynamic}
        return out | {("hidden", h) for h in hidden}

    frontier = [("stock", k) for k in stocks] + [("hidden", h.name) for h in c.registry.order]
    while frontier:
        node = frontier.pop()
        if node in graph:
            continue
        kind, name = node
        if kind == "stock":
            graph[node] = needs(inits[name].refs, inits[name].hidden)
        elif kind == "hidden":
            graph[node] = needs(*hidden_init[name])
        else:
            graph[node] = needs(init_eq[name].refs, init_eq[name].hidden)
        frontier.extend(graph[node])

    def describe(node):
        kind, name = node
        return names[name].describe() if kind == "hidden" else f"'{elements[name].name}'"

    initial = order(graph, describe)
    saved = stocks + levers + sorted(driven) + series + dynamic_order
    once = static + arrays
    return Plan(constants, arrays, levers, sorted(driven), lookups, static, initial, dynamic_order, stocks,
                list(c.registry.order), saved, once, series, moving_end)
