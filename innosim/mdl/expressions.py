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
from dataclasses import dataclass, field

import numpy as np
from pysd.translators.structures import abstract_expressions as ax

from innosim.mdl.calls import AGGREGATES, ELEMENTWISE, Calls  # noqa: F401  (re-exported)
from innosim.mdl.code import Code, array_literal, number  # noqa: F401  (re-exported)
from innosim.mdl.errors import UnsupportedConstruct


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


class Emitter(Calls):
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
