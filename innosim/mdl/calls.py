"""Vensim's functions in a compiled equation: elementwise ones, aggregates over subscript ranges, lookups,
VECTOR SELECT and the vector sorts, the allocations, and the time functions.

Each is written as PySD's runtime computes it; the templates name the scalar
variant's form and the array form (the vector variant, or subscripted values).
"""
from __future__ import annotations

from pysd.translators.structures import abstract_expressions as ax

from innosim.mdl.code import Code, number

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


class Calls:
    """The part of the expression emitter (:class:`innosim.mdl.expressions.Emitter`) that compiles calls."""

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
        if name in ("vector_sort_order", "vector_rank", "vector_reorder"):
            return self._vector_order(name, n.arguments)
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

    def _vector_order(self, name: str, arguments) -> Code:
        """VECTOR SORT ORDER(v, direction), VECTOR RANK(v, direction), VECTOR REORDER(v, order): as in PySD,
        along the last subscript range of the (first) argument as it is written; the result keeps its axes."""
        what = name.upper().replace("_", " ")
        first, second = (self.expr(a) for a in arguments)
        if not first.dims or any(d.endswith("!") for d in first.dims + second.dims):
            self.fail(f"{what} of something without subscripts, or with a range marked '!'")
        if name != "vector_reorder":
            if second.dims:
                self.fail(f"{what} with a subscripted direction")
            return Code(f"{name}({first.text}, {second.text}, {len(first.dims) - 1})", first.dims)
        # PySD reorders along the order's last range, picking within each combination of its other ranges
        if set(first.dims) != set(second.dims):
            self.fail(f"{what} whose vector and order have different subscript ranges")
        vector = self.align(first, list(second.dims))
        return Code(f"vector_reorder({vector}, {second.text}, {len(second.dims) - 1}, {self.ctx.name!r})",
                    second.dims)

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
                f"{self._filled(priorities, axes + [over, profile])}, "
                f"{self._filled(avail, axes) if axes else avail.text}, "
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
