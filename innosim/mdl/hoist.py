"""Move what does not change over a run out of its time loop (loop-invariant code motion).

An equation evaluated every step often holds a part made of constants only:
``GDP 2020 * (1 - capital share) * ...``.  Computed once before the loop, it
costs nothing per step; in an ensemble pass, whose every operation is a NumPy
call, that is most of a pass's fixed cost.  The generated statements are
parsed back with Python's own parser, so the parts moved are exactly the
subexpressions Python would evaluate (same operations, same order): the
results are unchanged to the last bit.
"""
from __future__ import annotations

import ast

# Calls that make a new array to be filled in place must stay in the loop (each step fills its own).
_FRESH = {"full", "empty", "zeros", "ones"}


class _Hoister(ast.NodeTransformer):
    def __init__(self, static: set[str], hoisted: dict[str, str]):
        self.static = static
        self.hoisted = hoisted          # source of the expression -> its name

    def _is_static(self, node) -> bool:
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id not in self.static:
                return False
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in _FRESH or child.keywords:
                    return False
            if isinstance(child, (ast.Subscript, ast.Starred, ast.Lambda, ast.NamedExpr)):
                return False
        return True

    def visit(self, node):
        if isinstance(node, ast.Subscript):          # an index (a[:, 0], a[IX3]) stays where it is
            node.value = self.visit(node.value)
            return node
        if isinstance(node, ast.expr) and not isinstance(node, (ast.Name, ast.Constant, ast.Attribute, ast.Slice)) \
                and self._is_static(node):
            source = ast.unparse(node)
            name = self.hoisted.setdefault(source, f"H{len(self.hoisted)}")
            return ast.copy_location(ast.Name(name, ast.Load()), node)
        return self.generic_visit(node)


def hoist(lines: list[str], static: set[str], hoisted: dict[str, str]) -> list[str]:
    """``lines`` (assignments, each on one line) with their constant parts replaced by names in ``hoisted``."""
    out = []
    hoister = _Hoister(static | set(hoisted.values()), hoisted)
    for line in lines:
        text = line.strip()
        tree = ast.parse(text) if text else None
        statement = tree.body[0] if tree and len(tree.body) == 1 else None
        if not isinstance(statement, ast.Assign):
            out.append(line)
            continue
        statement.value = hoister.visit(statement.value)
        hoister.static = static | set(hoisted.values())
        indent = line[:len(line) - len(line.lstrip())]
        out.append(indent + ast.unparse(statement))
    return out
