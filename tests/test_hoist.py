"""Moving a loop's invariant parts out of it changes no operation: only Python's own subexpressions move."""
from __future__ import annotations

from innosim.mdl.hoist import hoist


def test_only_subexpressions_python_evaluates_on_their_own_are_moved():
    hoisted: dict[str, str] = {}
    lines = hoist(["        x = a * b * y", "        z = y * a * b", "        w = f(a + 1) - y[k, 0]",
                   "        u = np.full((3,) + (n,), NAN)", "        if s0 is not None: out[row, s0] = x"],
                  {"a", "b", "f", "np", "n", "NAN"}, hoisted)
    # a fresh array to fill stays in the loop (its shape, a constant, need not)
    assert hoisted == {"a * b": "H0", "f(a + 1)": "H1", "(3,) + (n,)": "H2"}
    assert lines == ["        x = H0 * y", "        z = y * a * b", "        w = H1 - y[k, 0]",
                     "        u = np.full(H2, NAN)", "        if s0 is not None: out[row, s0] = x"]


def test_the_same_invariant_part_is_computed_once():
    hoisted: dict[str, str] = {}
    assert hoist(["x = (1.0 - c) * y", "z = (1.0 - c) / y"], {"c"}, hoisted) == ["x = H0 * y", "z = H0 / y"]
    assert hoisted == {"1.0 - c": "H0"}
