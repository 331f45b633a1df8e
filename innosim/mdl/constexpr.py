"""Evaluate an expression of constants at compile time: control variables given as expressions.

Vensim's own default is ``SAVEPER = TIME STEP``; a modeller may also write
``TIME STEP = 1 / steps per year``.  Only numbers, references to constants and
control variables, arithmetic and MIN/MAX/ABS/INTEGER are evaluated; anything
else means the control variable changes during the run, which the compiled
engine does not support (PySD runs such models).
"""
from __future__ import annotations

import math
import operator

from innosim.mdl.errors import UnsupportedConstruct

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow}
_CALLS = {"min": min, "max": max, "abs": abs, "integer": lambda x: float(int(x)), "exp": math.exp,
          "ln": math.log, "sqrt": math.sqrt}


def evaluate(elements: dict, key: str, values: dict | None = None, seen=()) -> float:
    """The value of ``elements[key]``, a constant or a control variable defined by constants."""
    from pysd.translators.structures import abstract_expressions as ax

    element = elements[key]
    values = values or {}
    if key in values:
        return float(values[key])
    if key in seen:
        raise UnsupportedConstruct(f"'{element.name}' is defined in a circle of control variables")

    def ev(node):
        if isinstance(node, bool):
            return float(node)
        if isinstance(node, (int, float)):
            return float(node)
        if isinstance(node, ax.ReferenceStructure) and not node.subscripts and node.reference in elements:
            target = elements[node.reference]
            if target.kind in ("constant", "control") and not target.dims:
                return evaluate(elements, node.reference, values, seen + (key,))
        if isinstance(node, ax.ArithmeticStructure):
            args = [ev(a) for a in node.arguments]
            if node.operators == ["negative"]:
                return -args[0]
            if set(node.operators) == {"^"}:
                out = args[-1]
                for arg in reversed(args[:-1]):
                    out = arg ** out
                return out
            out = args[0]
            for op, arg in zip(node.operators, args[1:]):
                out = _BINARY[op](out, arg)
            return out
        if isinstance(node, ax.CallStructure) and node.function.reference in _CALLS:
            return float(_CALLS[node.function.reference](*[ev(a) for a in node.arguments]))
        raise UnsupportedConstruct(f"'{element.name}' changes during the run or depends on "
                                   f"non-constant variables, which the compiled engine does not support "
                                   f"for a control variable")

    try:
        return float(ev(element.ast))
    except (ArithmeticError, ValueError, TypeError) as exc:
        if isinstance(exc, UnsupportedConstruct):
            raise
        raise UnsupportedConstruct(f"'{element.name}' cannot be evaluated ({exc.__class__.__name__})") from None
