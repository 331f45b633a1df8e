"""Compile one equation's syntax tree (PySD's parse) to a Python expression, in either variant.

The scalar variant computes on Python floats (a single run); the vector
variant on NumPy arrays whose last axis runs over ensemble members.  A
subscripted value is a NumPy array in both; its subscript axes are tracked
here, at generation time (see :mod:`innosim.mdl.subscripts`).  Every Vensim
function is written as PySD's runtime computes it, so both engines give the
same floats; anything not covered raises :class:`UnsupportedConstruct`
naming the variable and the construct.
"""
from __future__ import annotations

import ast as pyast
import math
from dataclasses import dataclass, field

import numpy as np
from pysd.translators.structures import abstract_expressions as ax

from innosim.mdl.errors import UnsupportedConstruct


@dataclass(frozen=True)
class Code:
    """A compiled expression and its subscript axes (range names; ``A!`` an axis to sum over)."""

    text: str
    dims: tuple = ()


# Elementwise functions: name -> (arity, scalar template, array template).  Arguments are compiled code.
# The scalar variant uses Python's floats and ``math`` (exp, log) where they answer, for speed: a step makes
# dozens of such calls, and NumPy's cost twice as much on a float.  Where ``math`` would raise (exp of a large
# number, log of 0 or less) it takes NumPy's answer (inf, nan), as PySD gets.  The two may differ in the
# last bit, as NumPy's array functions do from libm's: the variants agree to round-off, not bit for bit.
ELEMENTWISE = {
    "abs": (1, "abs({0})", "vabs({0})"),
    "min": (2, "min({0}, {1})", "vminimum({0}, {1})"),
    "max": (2, "max({0}, {1})", "vmaximum({0}, {1})"),
    # math's exp and log where they answer (the fast path), NumPy's inf and nan where math would raise
    "exp": (1, "(math.exp(_x) if (_x := {0}) < 709.78 else float(np.exp(_x)))", "vexp({0})"),
    "ln": (1, "(math.log(_x) if (_x := {0}) > 0.0 else float(np.log(_x)))", "vln({0})"),
    "log": (2, "float(vlog({0}, {1}))", "vlog({0}, {1})"),
    "sqrt": (1, "sqrt({0})", "vsqrt({0})"),
    "sin": (1, "sin({0})", "vsin({0})"),
    "cos": (1, "cos({0})", "vcos({0})"),
    "tan": (1, "float(np.tan({0}))", "vtan({0})"),
    "arcsin": (1, "float(np.arcsin({0}))", "varcsin({0})"),
    "arccos": (1, "float(np.arccos({0}))", "varccos({0})"),
    "arctan": (1, "float(np.arctan({0}))", "varctan({0})"),
    "sinh": (1, "float(np.sinh({0}))", "vsinh({0})"),
    "cosh": (1, "float(np.cosh({0}))", "vcosh({0})"),
    "tanh": (1, "float(np.tanh({0}))", "vtanh({0})"),
    "power": (2, "float(np.power({0}, {1}))", "vpower_function({0}, {1})"),       # PySD's POWER is np.power
    "integer": (1, "integer({0})", "vinteger({0})"),
    "quantum": (2, "quantum({0}, {1})", "vquantum({0}, {1})"),
    "modulo": (2, "modulo({0}, {1})", "vmodulo({0}, {1})"),
    "zidz": (2, "zidz({0}, {1})", "vzidz({0}, {1})"),
    "xidz": (3, "xidz({0}, {1}, {2})", "vxidz({0}, {1}, {2})"),
    "if_then_else": (3, "({1} if {0} else {2})", "vwhere({0}, {1}, {2})"),
    # time functions: {t} is the time, {dt} the time step
    "step": (2, "(({0}) * ({t} + {dt} / 2 > {1}))", "(({0}) * ({t} + {dt} / 2 > {1}))"),
    "ramp": (3, "ramp({t}, {0}, {1}, {2})", "vramp({t}, {0}, {1}, {2})"),
    "pulse": (2, "pulse({t}, {0}, {1})", "vpulse({t}, {0}, {1})"),
    "pulse_train": (4, "pulse_train({t}, {0}, {1}, {2}, {3})", "vpulse_train({t}, {0}, {1}, {2}, {3})"),
}
AGGREGATES = {"sum": "np.sum", "prod": "np.prod", "vmin": "np.min", "vmax": "np.max"}
STATEFUL = (ax.SmoothStructure, ax.SmoothNStructure, ax.DelayStructure, ax.DelayNStructure,
            ax.DelayFixedStructure, ax.TrendStructure, ax.ForecastStructure, ax.SampleIfTrueStructure,
            ax.InitialStructure)
VENSIM_NAMES = {
    "GetConstantsStructure": "GET XLS CONSTANTS", "GetDataStructure": "GET XLS DATA",
    "GetLookupsStructure": "GET XLS LOOKUPS", "DataStructure": "a data series",
    "AllocateAvailableStructure": "ALLOCATE AVAILABLE", "AllocateByPriorityStructure": "ALLOCATE BY PRIORITY",
    "IntegStructure": "INTEG inside an expression", "LookupsStructure": "a lookup table used as a value",
}
_COMPARE = {"=": "==", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_ARITH = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "**"}


class _Power(pyast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, pyast.Pow):
            return pyast.Call(pyast.Name("vpower", pyast.Load()), [node.left, node.right], [])
        return node


def _numpy_power(text: str) -> str:
    """``a ** b`` as ``vpower(a, b)`` (NumPy's power on arrays), with Python's own reading of the flat
    expression's precedence."""
    return pyast.unparse(_Power().visit(pyast.parse(text, mode="eval")))


def number(value) -> str:
    """A literal float as code (NaN and infinities by name)."""
    value = float(value)
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "(-INF)"
    return repr(value)


def array_literal(values: np.ndarray) -> str:
    values = np.asarray(values, dtype=float)
    flat = ", ".join(number(v) for v in values.ravel())
    return f"np.array([{flat}]).reshape({values.shape!r})"


@dataclass
class Context:
    """Where an expression sits: its variable, and the left-hand side's subscripts."""

    key: str                      # the variable's identifier
    name: str                     # its Vensim name, for messages
    def_subs: dict                # left-hand side: range (or the element's range) -> coordinates
    loop: tuple                   # the left-hand side's ranges: the axes the equation computes over

    @property
    def where(self) -> str:
        return f"'{self.name}'"


@dataclass
class Registry:
    """What equations need beyond expressions: module-level constants and hidden states."""

    constants: list = field(default_factory=list)         # (name, code) pairs
    hidden: dict = field(default_factory=dict)            # id(node) -> Hidden
    order: list = field(default_factory=list)             # hidden states in creation order

    def constant(self, code: str, prefix: str = "K") -> str:
        for name, existing in self.constants:
            if existing == code:
                return name
        name = f"{prefix}{len(self.constants)}"
        self.constants.append((name, code))
        return name


class Emitter:
    """Compiles the syntax trees of one equation; records the names it reads and the hidden states it uses."""

    def __init__(self, model, ctx: Context, vector: bool, mode: str = "run"):
        self.model = model            # the Compiler: elements, axes, locals, registry, hidden-state factory
        self.ctx = ctx
        self.vector = vector
        self.mode = mode              # "run", or "init" (ACTIVE INITIAL takes its initial value)
        self.refs: set[str] = set()
        self.hidden: set[str] = set()
        self.active = False           # uses ACTIVE INITIAL: must be recomputed when the run starts

    # ---- entry points -------------------------------------------------------------------------------
    def fail(self, what: str):
        raise UnsupportedConstruct(f"{self.ctx.where} uses {what}, which the compiled engine does not support")

    def expr(self, n) -> Code:
        if isinstance(n, bool):
            return Code("True" if n else "False")
        if isinstance(n, (int, float, np.number)):
            return Code(number(n))
        if isinstance(n, np.ndarray):
            return self._array(n)
        if isinstance(n, ax.ReferenceStructure):
            return self._reference(n)
        if isinstance(n, ax.ArithmeticStructure):
            return self._arithmetic(n)
        if isinstance(n, ax.LogicStructure):
            return self._logic(n)
        if isinstance(n, ax.CallStructure):
            return self._call(n)
        if isinstance(n, ax.InlineLookupsStructure):
            return self._inline_lookup(n)
        if isinstance(n, ax.GameStructure):
            return self.expr(n.expression)
        if isinstance(n, ax.AllocateByPriorityStructure):
            return self._allocate_by_priority(n)
        if isinstance(n, ax.AllocateAvailableStructure):
            return self._allocate_available(n)
        if isinstance(n, STATEFUL):
            hidden = self.model.hidden_state(n, self.ctx)
            self.hidden.add(hidden.name)
            return Code(hidden.output(self._argument_emitter(), self), self.ctx.loop)
        self.fail(VENSIM_NAMES.get(type(n).__name__, type(n).__name__))

    def aligned(self, n) -> str:
        """``n`` compiled onto the equation's own axes (its left-hand side's ranges)."""
        return self.align(self.expr(n), list(self.ctx.loop))

    def align(self, code: Code, target: list) -> str:
        try:
            return self.model.axes.align(code.text, code.dims, target)
        except KeyError as missing:
            self.fail(f"the subscript range {missing} on its right-hand side but not on its left-hand side")

    def _argument_emitter(self):
        return lambda node: self.aligned(node)

    # ---- leaves -------------------------------------------------------------------------------------
    def _array(self, values) -> Code:
        if values.ndim != len(self.ctx.loop):
            self.fail("a table of numbers whose shape does not match its subscripts")
        literal = array_literal(values)
        name = self.model.registry.constant(f"{literal}[..., None]" if self.vector else literal)
        return Code(name, self.ctx.loop)

    def _reference(self, n) -> Code:
        ref = n.reference
        model = self.model
        if ref == "time":
            self.refs.add("time")
            return Code("v_time")
        element = model.elements.get(ref)
        if element is None:
            numeric = model.subscript_number(ref)
            if numeric is None:
                self.fail(f"the unknown name '{ref}'")
            value, dims = numeric              # a subscript used as a number: its position(s), from 1
            if not dims:
                return Code(number(value))
            name = model.registry.constant(array_literal(value) + ("[:, None]" if self.vector else ""))
            return Code(name, dims)
        if element.kind == "lookup":
            self.fail(f"the lookup table '{element.name}' as a value")
        self.refs.add(ref)
        local = model.local(ref)
        if not n.subscripts:
            if element.dims:     # a subscripted variable read whole: its own axes
                return Code(local, tuple(element.dims))
            return Code(local)
        if not element.dims:
            self.fail(f"subscripts on the unsubscripted variable '{element.name}'")
        text, dims = model.axes.reference(local, tuple(element.dims), n.subscripts.subscripts, self.ctx.def_subs,
                                          self.fail)
        return Code(text, dims)

    # ---- operators ----------------------------------------------------------------------------------
    def _broadcast(self, codes: list[Code]) -> tuple[list[str], tuple]:
        dims = self.model.axes.union(*(c.dims for c in codes))
        return [self.align(c, list(dims)) if c.dims else c.text for c in codes], dims

    def _arithmetic(self, n) -> Code:
        args, dims = self._broadcast([self.expr(a) for a in n.arguments])
        if n.operators == ["negative"]:
            return Code(f"(-{args[0]})", dims)
        # The same flat expression PySD writes: Python's precedence then matches PySD's evaluation,
        # down to a literal negative number being unparenthesised (Vensim's -2^2 is -4).
        literal = [isinstance(a, (int, float, np.number)) and not isinstance(a, bool) for a in n.arguments]
        wrap = [arg if bare else f"({arg})" for arg, bare in zip(args, literal)]
        out = wrap[0]
        for op, arg in zip(n.operators, wrap[1:]):
            out += f" {_ARITH[op]} {arg}"
        if "^" in n.operators and (self.vector or dims):   # arrays: ** is NumPy's power, written as a call
            out = _numpy_power(out)
        return Code(f"({out})", dims)

    def _logic(self, n) -> Code:
        codes = [self.expr(a) for a in n.arguments]
        args, dims = self._broadcast(codes)
        array = self.vector or bool(dims)
        if n.operators == [":NOT:"]:
            return Code(f"vnot({args[0]})" if array else f"(not {args[0]})", dims)
        # PySD nests one level's operations from the right: a :AND: b :OR: c is a AND (b OR c).
        out = args[-1]
        for op, arg in zip(reversed(n.operators), reversed(args[:-1])):
            if op in _COMPARE:
                out = f"({arg} {_COMPARE[op]} {out})"
            elif op in (":AND:", ":OR:"):
                if array:
                    out = f"{'vand' if op == ':AND:' else 'vor'}({arg}, {out})"
                else:
                    out = f"(bool({arg}) {'and' if op == ':AND:' else 'or'} bool({out}))"
            else:
                self.fail(f"the operator {op}")
        return Code(out, dims)

    # ---- calls --------------------------------------------------------------------------------------
    def _call(self, n) -> Code:
        name = n.function.reference
        if name == "active_initial":
            self.active = True
            return self.expr(n.arguments[1] if self.mode == "init" else n.arguments[0])
        if name in AGGREGATES:
            return self._aggregate(name, n.arguments)
        if name == "elmcount":
            arg = self.expr(n.arguments[0])
            if not arg.dims:
                self.fail("ELMCOUNT of something that is not a subscript range")
            return Code(number(len(self.model.axes.coords(arg.dims[0]))))
        if name == "pi":
            return Code("math.pi")
        if name == "invert_matrix":
            arg = self.expr(n.arguments[0])
            if len(arg.dims) < 2:
                self.fail("INVERT MATRIX of something with fewer than two subscript ranges")
            return Code(f"{'vinvert_matrix' if self.vector else 'np.linalg.inv'}({arg.text})", arg.dims)
        if name == "get_time_value":
            return self._time_value(n.arguments)
        if name == "vector_select":
            return self._vector_select(n.arguments)
        if name in ELEMENTWISE:
            return self._elementwise(name, n.arguments)
        element = self.model.elements.get(name)
        if element is not None and element.kind == "lookup":
            return self._lookup_call(element, n)
        self.fail(f"the function {name.upper().replace('_', ' ')}")

    def _vector_select(self, arguments) -> Code:
        """VECTOR SELECT(selection[A!], expression[A!], missing, action, error action), as PySD computes it."""
        if len(arguments) != 5:
            self.fail(f"VECTOR SELECT with {len(arguments)} arguments")
        args, dims = self._broadcast([self.expr(a) for a in arguments[:2]])
        options = [self.expr(a) for a in arguments[2:]]
        if any(o.dims for o in options):
            self.fail("VECTOR SELECT with a subscripted missing value or action")
        axes = tuple(i for i, d in enumerate(dims) if d.endswith("!"))
        kept = tuple(d for d in dims if not d.endswith("!"))
        code = (f"vector_select({args[0]}, {args[1]}, {axes!r}, {', '.join(o.text for o in options)}, "
                f"{self.ctx.name!r})")
        return Code(code, kept)

    def _allocation_axes(self, request: Code, *others: Code) -> tuple[list, str]:
        """The axes an allocation computes on: every argument's, the request's last (allocated over) last."""
        if not request.dims:
            self.fail("an allocation whose request has no subscript to allocate over")
        over = request.dims[-1]
        axes = [d for d in self.model.axes.union(request.dims, *(o.dims for o in others)) if d != over]
        return axes, over

    def _filled(self, code: Code, axes: list) -> str:
        aligned = self.align(code, axes) if code.dims else code.text
        return f"{'vfill' if self.vector else 'fill'}({aligned}, {self.model.axes.shape(axes)!r})" if axes else aligned

    def _allocate_by_priority(self, n) -> Code:
        """ALLOCATE BY PRIORITY(request[A], priority[A], size, width, supply), by PySD's own algorithm."""
        request, priority = self.expr(n.request), self.expr(n.priority)
        width, supply = self.expr(n.width), self.expr(n.supply)
        axes, over = self._allocation_axes(request, priority, width, supply)
        full = axes + [over]
        code = (f"allocate_by_priority({self._filled(request, full)}, {self._filled(priority, full)}, "
                f"{self._filled(width, axes) if axes else width.text}, "
                f"{self._filled(supply, axes) if axes else supply.text}, {len(axes)}, {self.vector}, "
                f"{self.ctx.name!r})")
        return Code(code, tuple(full))

    def _allocate_available(self, n) -> Code:
        """ALLOCATE AVAILABLE(request[A], pp[A, ptype], avail): PySD's algorithm, the priority profile on the
        priorities' own last subscript range."""
        request, avail = self.expr(n.request), self.expr(n.avail)
        pp = n.pp
        element = self.model.elements.get(getattr(pp, "reference", None))
        if element is None or not element.dims or pp.subscripts is None:
            self.fail("ALLOCATE AVAILABLE whose priority profile is not a subscripted variable")
        profile = element.dims[-1]
        whole = ax.ReferenceStructure(pp.reference, ax.SubscriptsReferenceStructure(
            list(pp.subscripts.subscripts[:-1]) + [profile]))
        priorities = self.expr(whole)
        rest = Code(priorities.text, priorities.dims)
        axes, over = self._allocation_axes(request, avail, Code("", tuple(d for d in rest.dims if d != profile)))
        code = (f"allocate_available({self._filled(request, axes + [over])}, "
                f"{self._filled(priorities, axes + [over, profile])}, {self._filled(avail, axes) if axes else avail.text}, "
                f"{len(axes)}, {self.vector}, {self.ctx.name!r})")
        return Code(code, tuple(axes + [over]))

    def _time_value(self, arguments) -> Code:
        """GET TIME VALUE(0, offset, 0): the model's time plus an offset; the computer's clock is not
        reproducible, so its other forms are refused."""
        relative, offset, measure = arguments
        if relative != 0 or measure != 0:
            self.fail("GET TIME VALUE of the computer's clock (only GET TIME VALUE(0, offset, 0) is covered)")
        self.refs.add("time")
        code = self.expr(offset)
        return Code(f"(v_time + {code.text})", code.dims)

    def _elementwise(self, name: str, arguments) -> Code:
        arity, scalar, array = ELEMENTWISE[name]
        counts = arity if isinstance(arity, tuple) else (arity,)
        if len(arguments) not in counts:
            self.fail(f"{name.upper().replace('_', ' ')} with {len(arguments)} arguments")
        args, dims = self._broadcast([self.expr(a) for a in arguments])
        if "{t}" in scalar:
            self.refs.add("time")
        template = array if (self.vector or dims) else scalar
        code = template.format(*args, t="v_time", dt="v_time_step", args=", ".join(args))
        return Code(code, dims)

    def _aggregate(self, name: str, arguments) -> Code:
        if len(arguments) != 1:
            self.fail(f"{name.upper()} with {len(arguments)} arguments")
        arg = self.expr(arguments[0])
        axes = tuple(i for i, d in enumerate(arg.dims) if d.endswith("!"))
        if not axes:
            return arg
        kept = tuple(d for d in arg.dims if not d.endswith("!"))
        return Code(f"{AGGREGATES[name]}({arg.text}, axis={axes!r})", kept)

    def _lookup_call(self, element, n) -> Code:
        if len(n.arguments) != 1:
            self.fail(f"the lookup '{element.name}' with {len(n.arguments)} arguments")
        arg = self.expr(n.arguments[0])
        table = self.model.local(element.py_name)
        if not element.dims:
            if n.function.subscripts:
                self.fail(f"subscripts on the unsubscripted lookup '{element.name}'")
            if self.vector or arg.dims:
                return Code(f"{table}.many({arg.text})", arg.dims)
            return Code(f"{table}({arg.text})", ())
        if n.function.subscripts:
            text, dims = self.model.axes.reference(table, tuple(element.dims), n.function.subscripts.subscripts,
                                                   self.ctx.def_subs, self.fail)
        else:
            text, dims = table, tuple(element.dims)
        union = self.model.axes.union(dims, arg.dims)
        tables = self.align(Code(text, dims), list(union))
        x = self.align(arg, list(union)) if arg.dims else arg.text
        x = f"{'vfill' if self.vector else 'fill'}({x}, {self.model.axes.shape(union)!r})"
        return Code(f"lookup_cells({tables}, {x})", union)

    def _inline_lookup(self, n) -> Code:
        table = n.lookups
        name = self.model.registry.constant(
            f"Lookup({[float(x) for x in table.x]!r}, {[float(y) for y in table.y]!r})", prefix="LK")
        arg = self.expr(n.argument)
        if self.vector or arg.dims:
            return Code(f"{name}.many({arg.text})", arg.dims)
        return Code(f"{name}({arg.text})", ())
