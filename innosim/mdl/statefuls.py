"""Vensim's stateful functions as hidden states of the compiled engine.

SMOOTH, DELAY, DELAY FIXED, TREND, FORECAST, SAMPLE IF TRUE and INITIAL keep
state between time steps.  PySD runs each as an object (``statefuls.py``);
here each becomes hidden state variables with four pieces of code:

* ``init``: the state at the initial time (from the initial-value arguments, with ACTIVE INITIAL
  taking its initial value);
* ``output``: the function's value, inlined where the equation uses it;
* ``flow``: what the state needs from time t, computed before any state moves (Euler's derivative,
  or the value a pipeline takes in);
* ``update``: the state at t + dt.

Each piece is PySD's own formula, in the same order of operations, so both
engines give the same floats.  DELAY's order is lowered at the start when the
delay time is shorter than order x TIME STEP, as PySD lowers it.  Fixed-order
SMOOTH and DELAY keep one variable per stage (fast on floats); SMOOTH N and
DELAY N keep their stages in one array, since their order is only known when
the run starts.
"""
from __future__ import annotations

from typing import Callable

from pysd.translators.structures import abstract_expressions as ax

Arg = Callable[[object], str]      # compiles an argument onto the equation's axes, in the current mode


class Hidden:
    """One stateful function call of one equation."""

    label = ""
    init_args: tuple = ()       # needed to initialise the state
    output_args: tuple = ()     # read by the function's value
    flow_args: tuple = ()       # read when the state moves

    def __init__(self, name: str, node, ctx, shape: tuple):
        self.name, self.node, self.ctx, self.shape = name, node, ctx, shape

    # the syntax node's arguments by the names PySD's structures give them
    def arg(self, key: str):
        return getattr(self.node, key)

    def fill(self, code: str, vector: bool) -> str:
        """A value broadcast to the equation's subscript shape (a stage of a subscripted smooth)."""
        if not self.shape:
            return code
        return f"{'vfill' if vector else 'fill'}({code}, {self.shape!r})"

    def array(self, vector: bool) -> bool:
        return vector or bool(self.shape)

    def init(self, a: Arg, vector: bool) -> list[str]:
        raise NotImplementedError

    def output(self, a: Arg, vector: bool) -> str:
        raise NotImplementedError

    def flow(self, a: Arg, vector: bool) -> list[str]:
        return []

    def update(self, vector: bool) -> list[str]:
        return []

    def describe(self) -> str:
        return f"{self.label} in '{self.ctx.name}'"


class Smooth(Hidden):
    """SMOOTH, SMOOTHI, SMOOTH3, SMOOTH3I: a chain of first-order smooths, one variable per stage."""

    init_args = ("initial",)
    flow_args = ("input", "smooth_time")

    @property
    def order(self) -> int:
        return int(self.node.order)

    @property
    def label(self):
        return "SMOOTH3" if self.order == 3 else "SMOOTH"

    def stages(self) -> list[str]:
        return [f"{self.name}_{j}" for j in range(1, self.order + 1)]

    def init(self, a, vector):
        return [" = ".join(self.stages()) + f" = {self.fill(a(self.arg('initial')), vector)}"]

    def output(self, a, vector):
        return self.stages()[-1]

    def flow(self, a, vector):
        s, k = self.stages(), self.order
        lines = [f"t_{self.name} = {a(self.arg('smooth_time'))}"]
        targets = [f"({a(self.arg('input'))})"] + s[:-1]
        for j, (target, stage) in enumerate(zip(targets, s), start=1):
            lines.append(f"d_{self.name}_{j} = (({target} - {stage}) * {k}) / t_{self.name}")
        return lines

    def update(self, vector):
        return [f"{st} = {st} + v_dt * d_{self.name}_{j}" for j, st in enumerate(self.stages(), start=1)]


class SmoothN(Hidden):
    """SMOOTH N: the order is an expression, read when the run starts; the stages are one array."""

    label = "SMOOTH N"
    init_args = ("initial", "order")
    flow_args = ("input", "smooth_time")

    def init(self, a, vector):
        n = self.name
        return [f"o_{n} = smooth_order({a(self.arg('order'))}, {self.ctx.name!r}, {vector})",
                f"{n} = stages({self.fill(a(self.arg('initial')), vector)}, o_{n}, {vector})"]

    def output(self, a, vector):
        return f"{self.name}[-1]"

    def flow(self, a, vector):
        n = self.name
        return [f"d_{n} = ((roll_in({n}, {a(self.arg('input'))}) - {n}) * o_{n}) / ({a(self.arg('smooth_time'))})"]

    def update(self, vector):
        return [f"{self.name} = {self.name} + v_dt * d_{self.name}"]


class Delay(Hidden):
    """DELAY1, DELAY1I, DELAY3, DELAY3I: a material delay, one variable per stage, with PySD's lowering
    of the order when the delay time is short (the output then comes from an earlier stage)."""

    init_args = ("delay_time", "initial")
    output_args = ("delay_time",)
    flow_args = ("input", "delay_time")

    @property
    def order(self) -> int:
        return int(self.node.order)

    @property
    def label(self):
        return f"DELAY{self.order}" if self.order in (1, 3) else "DELAY"

    def stages(self) -> list[str]:
        return [f"{self.name}_{j}" for j in range(1, self.order + 1)]

    def _last(self) -> list[str]:
        if self.order == 1:
            return []
        return [f"l_{self.name} = ({', '.join(self.stages())},)[o_{self.name} - 1]"]

    def init(self, a, vector):
        n = self.name
        start = self.fill(f"({a(self.arg('initial'))}) * t0_{n}", vector)
        lines = [f"t0_{n} = {a(self.arg('delay_time'))}",
                 f"o_{n} = delay_order({self.order}, v_time_step, t0_{n}, {self.ctx.name!r}, {vector})",
                 " = ".join(self.stages()) + f" = {start}"]
        return lines + self._last()

    def output(self, a, vector):
        last = self.stages()[0] if self.order == 1 else f"l_{self.name}"
        return f"({last} / ({a(self.arg('delay_time'))}))"

    def flow(self, a, vector):
        n, s = self.name, self.stages()
        lines = [f"t_{n} = {a(self.arg('delay_time'))}"]
        lines += [f"q_{n}_{j} = {stage} / t_{n}" for j, stage in enumerate(s, start=1)]
        inflows = [f"({a(self.arg('input'))})"] + [f"q_{n}_{j}" for j in range(1, self.order)]
        lines += [f"d_{n}_{j} = ({inflow} - q_{n}_{j}) * o_{n}" for j, inflow in enumerate(inflows, start=1)]
        return lines

    def update(self, vector):
        return [f"{st} = {st} + v_dt * d_{self.name}_{j}" for j, st in enumerate(self.stages(), start=1)] + self._last()


class DelayN(Hidden):
    """DELAY N: PySD's DelayN, whose stages remember the delay time they were entered with."""

    label = "DELAY N"
    init_args = ("delay_time", "initial", "order")
    flow_args = ("input", "delay_time")

    def init(self, a, vector):
        n = self.name
        start = self.fill(f"({a(self.arg('initial'))}) * t0_{n}", vector)
        return [f"t0_{n} = {a(self.arg('delay_time'))}",
                f"o_{n} = delay_order(int({a(self.arg('order'))}), v_time_step, t0_{n}, {self.ctx.name!r}, {vector})",
                f"{n} = stages({start}, o_{n}, {vector})",
                f"times_{n} = stages({self.fill('t0_' + n, vector)}, o_{n}, {vector})"]

    def output(self, a, vector):
        return f"({self.name}[-1] / times_{self.name}[0])"

    def flow(self, a, vector):
        n = self.name
        return [f"times_{n} = roll_in(times_{n}, {a(self.arg('delay_time'))})",
                f"q_{n} = {n} / times_{n}",
                f"d_{n} = (roll_in(q_{n}, {a(self.arg('input'))}) - q_{n}) * o_{n}"]

    def update(self, vector):
        return [f"{self.name} = {self.name} + v_dt * d_{self.name}"]


class DelayFixed(Hidden):
    """DELAY FIXED: a pipeline of round(delay / TIME STEP) steps, as PySD's ring buffer."""

    label = "DELAY FIXED"
    init_args = ("delay_time", "initial")
    flow_args = ("input",)

    def init(self, a, vector):
        n = self.name
        return [f"o_{n} = fixed_delay_order({a(self.arg('delay_time'))}, v_time_step, {self.ctx.name!r}, {vector})",
                f"{n} = {self.fill(a(self.arg('initial')), vector)}",
                f"pipe_{n} = [{n}] * o_{n}",
                f"at_{n} = 0"]

    def output(self, a, vector):
        return self.name

    def flow(self, a, vector):
        return [f"u_{self.name} = {self.fill(a(self.arg('input')), vector)}"]

    def update(self, vector):
        n = self.name
        return [f"pipe_{n}[at_{n}] = u_{n}", f"at_{n} = (at_{n} + 1) % o_{n}", f"{n} = pipe_{n}[at_{n}]"]


class Trend(Hidden):
    """TREND: the fractional change of the input against its first-order smooth."""

    label = "TREND"
    init_args = ("input", "average_time", "initial_trend")
    output_args = ("input", "average_time")
    flow_args = ("input", "average_time")

    def init(self, a, vector):
        value = f"({a(self.arg('input'))}) / (1 + ({a(self.arg('initial_trend'))}) * ({a(self.arg('average_time'))}))"
        return [f"{self.name} = {self.fill(value, vector)}"]

    def output(self, a, vector):
        n = self.name
        if self.array(vector):
            return f"vzidz(({a(self.arg('input'))}) - {n}, ({a(self.arg('average_time'))}) * vabs({n}))"
        return f"zidz(({a(self.arg('input'))}) - {n}, ({a(self.arg('average_time'))}) * abs({n}))"

    def flow(self, a, vector):
        return [f"d_{self.name} = (({a(self.arg('input'))}) - {self.name}) / ({a(self.arg('average_time'))})"]

    def update(self, vector):
        return [f"{self.name} = {self.name} + v_dt * d_{self.name}"]


class Forecast(Trend):
    """FORECAST: the input extrapolated over the horizon along its trend."""

    label = "FORECAST"
    init_args = ("input", "initial_trend")
    output_args = ("input", "average_time", "horizon")

    def init(self, a, vector):
        value = f"({a(self.arg('input'))}) / (1 + ({a(self.arg('initial_trend'))}))"
        return [f"{self.name} = {self.fill(value, vector)}"]

    def output(self, a, vector):
        n, zidz = self.name, "vzidz" if self.array(vector) else "zidz"
        inp = f"({a(self.arg('input'))})"
        return (f"({inp} * (1 + {zidz}({inp} - {n}, ({a(self.arg('average_time'))}) * {n})"
                f" * ({a(self.arg('horizon'))})))")


class SampleIfTrue(Hidden):
    """SAMPLE IF TRUE: the input while the condition holds, else the last value sampled."""

    label = "SAMPLE IF TRUE"
    init_args = ("initial",)
    output_args = ("condition", "input")
    flow_args = ("condition", "input")

    def init(self, a, vector):
        return [f"{self.name} = {self.fill(a(self.arg('initial')), vector)}"]

    def output(self, a, vector):
        cond, value = a(self.arg("condition")), a(self.arg("input"))
        if self.array(vector):
            return f"vwhere({cond}, {value}, {self.name})"
        return f"(({value}) if ({cond}) else {self.name})"

    def flow(self, a, vector):
        return [f"u_{self.name} = {self.output(a, vector)}"]

    def update(self, vector):
        # PySD writes ``state * 0 + value``; the same here, for the same NaN and sign behaviour
        return [f"{self.name} = {self.name} * 0 + u_{self.name}"]


class Initial(Hidden):
    """INITIAL: the argument's value at the initial time, kept for the whole run."""

    label = "INITIAL"
    init_args = ("initial",)

    def init(self, a, vector):
        return [f"{self.name} = {self.fill(a(self.arg('initial')), vector)}"]

    def output(self, a, vector):
        return self.name


def hidden_for(node, name: str, ctx, shape: tuple) -> Hidden:
    """The hidden state of a stateful syntax node."""
    kinds = {ax.SmoothStructure: Smooth, ax.SmoothNStructure: SmoothN, ax.DelayStructure: Delay,
             ax.DelayNStructure: DelayN, ax.DelayFixedStructure: DelayFixed, ax.TrendStructure: Trend,
             ax.ForecastStructure: Forecast, ax.SampleIfTrueStructure: SampleIfTrue, ax.InitialStructure: Initial}
    return kinds[type(node)](name, node, ctx, shape)
