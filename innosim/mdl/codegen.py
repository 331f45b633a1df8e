"""Write the compiled engine's module: straight-line Python in the order :mod:`innosim.mdl.plan` sets.

The module has ``controls(C)`` (the time grid's values from the constants),
``run_scalar`` (Python floats, one run) and ``run_vector`` (NumPy arrays, an
ensemble in one pass), both generated from the same plan, and metadata
(``SAVED``, ``SHAPES``, ``COORDS``, ...) the engine reads.

Levers and driven inputs arrive compactly: ``LV`` maps a step index to the
tuple of their values from that step on, so a lever that is constant costs
nothing per step, and a schedule costs one tuple unpacking per change.
"""
from __future__ import annotations

import re

import numpy as np

from pysd.translators.structures import abstract_expressions as ax

from innosim.mdl.errors import UnsupportedConstruct
from innosim.mdl.expressions import array_literal, number
from innosim.mdl.hoist import hoist
from innosim.mdl.plan import Compiler, Plan, order
from innosim.mdl.source import CONTROL_IDS

RUNTIME = ("NAN, INF, zidz, xidz, vzidz, vxidz, integer, vinteger, quantum, vquantum, modulo, vmodulo, vlog, sqrt, "
           "sin, cos, ramp, vramp, pulse, vpulse, pulse_train, vpulse_train, vexp, vln, vtan, vsqrt, vsin, vcos, "
           "varcsin, varccos, varctan, vsinh, vcosh, vtanh, vabs, vnot, vwhere, vmaximum, vminimum, vpower, vand, "
           "vor, vpower_function, final_time_reached")
ARRAYS = ("tr, fill, vfill, stages, roll_in, delay_order, smooth_order, fixed_delay_order, vinvert_matrix, "
          "vector_select, vector_sort_order, vector_rank, vector_reorder, allocate_by_priority, allocate_available")


def _indent(lines, depth: int) -> list[str]:
    pad = "    " * depth
    return [pad + line for line in lines]


def generate(c: Compiler, p: Plan, source_hash: str, version: int) -> str:
    """Python source of the compiled module."""
    functions = _controls(c, p) + _run(c, p, vector=False) + _run(c, p, vector=True)
    elements = c.elements
    shapes = {k: c.axes.shape(elements[k].dims) for k in p.saved + p.once if elements[k].dims}
    coords = {k: [c.axes.coords(d) for d in elements[k].dims] for k in shapes}
    lines = [
        f'"""Generated from {c.source.path.name} (sha256 {source_hash}) by innosim\'s compiler v{version}.'
        f' Do not edit: it is a cache, rebuilt when the model changes."""',
        "import math",
        "",
        "import numpy as np",
        "",
        f"from innosim.mdl.runtime import ({RUNTIME})",
        f"from innosim.mdl.arrays import ({ARRAYS})",
        "from innosim.mdl.lookups import Lookup, Series, lookup_array, lookup_cells",
        "",
        f"STOCKS = {p.stocks!r}",
        f"LEVERS = {p.levers!r}",
        f"DRIVEN = {p.driven!r}",
        f"CONSTANTS = {p.constants!r}",
        f"ARRAYS = {p.arrays!r}",
        f"SAVED = {p.saved!r}",
        f"ONCE = {p.once!r}",
        f"SHAPES = {shapes!r}",
        f"COORDS = {coords!r}",
        f"HIDDEN = {[h.describe() for h in p.hidden]!r}",
        "",
    ]
    lines += [f"{name} = {code}" for name, code in c.registry.constants]
    lines.append("TABLES = {")
    for key in p.lookups:
        lines.append(f"    {key!r}: {_table(c, key)},")
    lines.append("}")
    lines.append("ARRAYS_DEFAULT = {")
    for key in p.arrays:
        values = c.array_default(elements[key])
        lines.append(f"    {key!r}: {array_literal(values) if elements[key].dims else number(values)},")
    lines.append("}")
    lines.append("SERIES = {")
    for key in p.series:
        lines.append(f"    {key!r}: {_series(c, key)},")
    lines.append("}")
    return "\n".join(lines + functions) + "\n"


def _series(c: Compiler, key: str) -> str:
    element = c.elements[key]
    times, values = c.externals.values(element, "data")
    interp = getattr(c.externals.holder(element, "data"), "interp", None)
    if interp not in ("interpolate", "look_forward", "hold_backward", "raw"):
        raise UnsupportedConstruct(f"'{element.name}' is a data series with the '{interp}' rule, which the "
                                   f"compiled engine does not support")
    if times is None:
        raise UnsupportedConstruct(f"'{element.name}' is a data series without times")
    if not all(isinstance(comp.ast, (ax.GetDataStructure, ax.DataStructure)) for comp in element.components):
        # some elements are constants (numbers, or GET XLS CONSTANTS): the same value at every time
        constant = c.array_default(element, skip=(ax.GetDataStructure, ax.DataStructure))
        values = np.where(np.isnan(constant)[None], values, constant[None])
    return f"Series({times.tolist()!r}, {array_literal(values)}, {interp!r})"


def _external_table(c: Compiler, key: str) -> str:
    element = c.elements[key]
    xs, values = c.externals.values(element, "lookup")
    model = c.externals._pysd()
    interp = getattr(getattr(model.components, "_ext_lookup_" + model._namespace[element.name]), "interp", None)
    if interp != "interpolate" or xs is None:
        raise UnsupportedConstruct(f"'{element.name}' uses GET XLS LOOKUPS with the '{interp}' rule, which the "
                                   f"compiled engine does not support")
    if not element.dims:
        return f"Lookup({xs.tolist()!r}, {values.tolist()!r})"
    parts = []
    for cell in np.ndindex(*values.shape[1:]):
        ys = values[(slice(None),) + cell]
        keep = ~np.isnan(ys)            # a table's blank cells: the table is read without them
        parts.append(([[i] for i in cell], xs[keep].tolist(), ys[keep].tolist()))
    return f"lookup_array({c.axes.shape(element.dims)!r}, {parts!r})"


def _table(c: Compiler, key: str) -> str:
    element = c.elements[key]
    if any(isinstance(comp.ast, ax.GetLookupsStructure) for comp in element.components):
        if not all(isinstance(comp.ast, ax.GetLookupsStructure) for comp in element.components):
            raise UnsupportedConstruct(f"'{element.name}' mixes GET XLS LOOKUPS with other tables, which the "
                                       f"compiled engine does not support")
        return _external_table(c, key)
    parts = []
    for component in element.components:
        table = component.ast
        if not isinstance(table, ax.LookupsStructure) or table.type != "interpolate":
            kind = "GET XLS LOOKUPS" if isinstance(table, ax.GetLookupsStructure) else f"a '{table.type}' lookup"
            raise UnsupportedConstruct(f"'{element.name}' uses {kind}, which the compiled engine does not support")
        xs, ys = [float(x) for x in table.x], [float(y) for y in table.y]
        if len(set(xs)) != len(xs):
            raise UnsupportedConstruct(f"'{element.name}' is a lookup with a repeated x value")
        if not element.dims:
            return f"Lookup({xs!r}, {ys!r})"
        fail = c.emitter(c.context(element, component), False, "run").fail
        parts.append((c.axes.positions(component.subscripts, tuple(element.dims), fail), xs, ys))
    return f"lookup_array({c.axes.shape(element.dims)!r}, {parts!r})"


def _controls(c: Compiler, p: Plan) -> list[str]:
    """``controls(C)``: INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER, each given or from its equation."""
    elements = c.elements
    controls = [k for k in elements if k in CONTROL_IDS]
    equations = {k: c.equation(k, "value", False, "run") for k in controls if elements[k].kind == "control"
                 and not (p.moving_end and k == "final_time")}      # that one is computed in the run
    for key, eq in equations.items():
        if eq.refs - set(p.constants) or eq.hidden or re.search(r"\bv_time\b", " ".join(eq.lines)):
            raise UnsupportedConstruct(f"'{elements[key].name}' changes during the run, which the compiled engine "
                                       f"does not support for a control variable other than FINAL TIME")
    reads = sorted({r for eq in equations.values() for r in eq.refs} - set(controls))
    body = ["", "", f"CONTROL_INPUTS = {reads!r}", "", "", "def controls(C):",
            '    """The control variables: given in C, or computed by their equations."""']
    body += [f"    {c.local(k)} = C[{k!r}]" for k in reads]
    for key in order({k: eq.refs & set(controls) for k, eq in equations.items()}, lambda k: elements[k].name):
        statement = equations[key].lines[0].split(" = ", 1)[1]
        body.append(f"    {c.local(key)} = C[{key!r}] if {key!r} in C else {statement}")
    values = [f"{k!r}: float({c.local(k)})" for k in equations]
    if p.moving_end:       # NaN unless given for the run: the engine then starts on a first grid (see engines)
        values.append("'final_time': float(C.get('final_time', NAN))")
    body.append("    return {" + ", ".join(values) + "}")
    return [f"MOVING_END = {p.moving_end!r}"] + body


def _run(c: Compiler, p: Plan, vector: bool) -> list[str]:
    name = "run_vector" if vector else "run_scalar"
    signature = "C, LV, n_steps, dt, save, out, n, slots" if vector else "C, LV, n_steps, dt, save, out"
    body = ["", "", f"def {name}({signature}):",
            f'    """Euler-integrate the model on {"NumPy arrays (members on the last axis)" if vector else "floats"}.',
            "",
            "    C: constants by identifier; LV: step -> values of the levers and driven inputs from that step;",
            "    save: per step, whether to record it into ``out`` (saves x columns[ x members]).",
            '    """',
            "    v_dt = dt"]
    body += [f"    {c.local(k)} = TABLES[{k!r}]" for k in p.lookups]
    body += [f"    {c.local(k)} = C[{k!r}]" for k in p.constants]
    body += [f"    {c.local(k)} = C[{k!r}] if {k!r} in C else ARRAYS_DEFAULT[{k!r}]"
             f"{'[..., None]' if vector and c.elements[k].dims else ''}" for k in p.arrays]
    body += [f"    S_{c.local(k)} = SERIES[{k!r}]" for k in p.series]
    read = [f"{c.local(k)} = S_{c.local(k)}.{'vat' if vector else 'at'}(v_time)" for k in p.series]
    body.append("    v_time = v_initial_time")
    varying = p.levers + p.driven
    unpack = "(" + ", ".join(c.local(k) for k in varying) + ",)" if varying else ""
    if varying:
        body.append(f"    {unpack} = LV[0]")
    body += _indent(read, 1)
    for key in p.static:
        body += _indent(c.equation(key, "value", vector, "run").lines, 1)
    end = _moving_end(c, p)
    if "final_time" in p.static:
        body += _indent(end, 1)
    hidden = {h.name: h for h in p.hidden}
    for kind, item in p.initial:
        if kind == "stock":
            body += _indent(c.equation(item, "initial", vector, "init").lines, 1)
        elif kind == "hidden":
            body += _indent(c.hidden_code(hidden[item], "init", vector, "init")[0], 1)
        else:
            body += _indent(c.equation(item, "value", vector, "init").lines, 1)
    if vector and p.saved:
        body.append("    (" + ", ".join(f"s{i}" for i in range(len(p.saved))) + ",) = slots")
    # The loop's equations, with their parts that do not change over the run computed once, before it.
    hoisted: dict[str, str] = {}
    static = _static_names(c, p, vector)
    dynamic = hoist([line for key in p.dynamic for line in c.equation(key, "value", vector, "run").lines],
                    static, hoisted)
    flows = [line for key in p.stocks
             for line in c.equation(key, "flow", vector, "run", target="d" + c.local(key)).lines]
    flows += [line for h in p.hidden for line in c.hidden_code(h, "flow", vector, "run")[0]]
    flows = hoist(flows, static, hoisted)
    body += [f"    {name} = {source}" for source, name in hoisted.items()]
    body += ["    row = 0", "    stop = None", "    for k in range(n_steps + 1):"]
    if varying:
        body += ["        c = LV.get(k)", "        if c is not None:", f"            {unpack} = c"]
    body += _indent(read, 2)
    body += _indent(dynamic, 2)
    if "final_time" in p.dynamic:
        body += _indent(end, 2)
    body.append("        if save[k]:")
    body += _indent(_saving(c, p, vector), 3)
    body.append("            row += 1")
    if p.moving_end:       # PySD's test, before each step: stop once time + TIME STEP * 1e-5 reaches FINAL TIME
        body += [f"        if final_time_reached(v_time, dt, {c.local('final_time')}):", "            stop = k",
                 "            break"]
    body += ["        if k == n_steps:", "            break"]
    body += _indent(flows, 2)
    for key in p.stocks:
        local = c.local(key)
        step = f"{local} + v_dt * d{local}"
        if any(getattr(comp.ast, "non_negative", False) for comp in c.elements[key].components):
            step = f"vmaximum({step}, 0.0)" if (vector or c.elements[key].dims) else f"max({step}, 0.0)"
        body.append(f"        {local} = {step}")
    for h in p.hidden:
        body += _indent(h.update(vector), 2)
    body.append("        v_time = v_time + dt")
    # "(stop)": the step at which a moving FINAL TIME ended the run (None: the grid ended first)
    body.append("    return {" + ", ".join([f"{k!r}: {c.local(k)}" for k in p.once] + ["'(stop)': stop"]) + "}")
    return _local_functions(body)


def _moving_end(c: Compiler, p: Plan) -> list[str]:
    """A FINAL TIME given for the run (C['final_time']) replaces its equation, as PySD's run(final_time=)."""
    if not p.moving_end:
        return []
    local = c.local("final_time")
    return ["if C.get('final_time') is not None:", f"    {local} = C['final_time']"]


def _static_names(c: Compiler, p: Plan, vector: bool) -> set[str]:
    """Names whose value does not change once the run has started: constants, subscripted constants,
    auxiliaries of constants, tables, module constants, the stateful orders fixed at the start, functions."""
    names = {c.local(k) for k in p.constants + p.arrays + p.static + p.lookups}
    names |= {name for name, _ in c.registry.constants}
    names |= {f"o_{h.name}" for h in p.hidden}
    names |= {name.strip() for name in (RUNTIME + "," + ARRAYS).split(",")}
    names |= {"Lookup", "Series", "lookup_array", "lookup_cells"}
    names |= {"np", "math", "float", "int", "abs", "min", "max", "bool", "v_dt", "NAN", "INF", "TABLES", "SERIES"}
    if vector:
        names.add("n")
    return names


_UFUNC = re.compile(r"\bnp\.(exp|log|tan|arcsin|arccos|arctan|sinh|cosh|tanh|power|where|maximum|minimum|abs|"
                    r"sqrt|sin|cos|logical_and|logical_or|logical_not)\(")


def _local_functions(body: list[str]) -> list[str]:
    """Call NumPy's functions (and ``float``) through locals bound once per run: a step calls them thousands
    of times, and a local costs less than a module attribute."""
    used = sorted({m.group(1) for line in body for m in _UFUNC.finditer(line)})
    if not used:
        return body
    at = body.index("    v_dt = dt")
    body = [_UFUNC.sub(r"_np_\1(", line) for line in body]
    body.insert(at, "    " + ", ".join(f"_np_{u}" for u in used) + " = " + ", ".join(f"np.{u}" for u in used))
    return body


def _saving(c: Compiler, p: Plan, vector: bool) -> list[str]:
    if not vector:
        items = [f"*{c.local(k)}.ravel()" if c.elements[k].dims else c.local(k) for k in p.saved]
        return [f"out[row] = ({', '.join(items)},)"] if items else []
    lines = []
    for i, key in enumerate(p.saved):
        dims = c.elements[key].dims
        value = f"{c.local(key)}.reshape({_size(c, dims)}, -1)" if dims else c.local(key)
        lines.append(f"if s{i} is not None: out[row, s{i}] = {value}")
    return lines


def _size(c: Compiler, dims) -> int:
    size = 1
    for length in c.axes.shape(dims):
        size *= length
    return size
