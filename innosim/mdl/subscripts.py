"""Subscripts in the compiled engine: which axes a value has, and how a reference selects them.

A value's subscript axes are known when the code is generated: every
expression carries them as a tuple of range names (``("Region", "Sector")``),
so selecting, transposing and broadcasting are written out as plain NumPy
indexing.  In the vector variant the ensemble axis comes last, behind the
subscript axes, so NumPy's broadcasting lines members up by itself.

The rules follow PySD's (``make_coord_dict``, ``visit_loc`` and the mapping of
ranges in its reference builder): a subscript that names one element drops the
axis, a subrange selects its elements, ``A!`` keeps the whole range as an axis
to be summed over, and a range mapped onto a range of the left-hand side
(``A: a1, a2 -> B``) takes that range's place element by element.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np


class Axes:
    """The subscript ranges of one model, and the code that moves values between them."""

    def __init__(self, ranges: dict, mappings: dict, manager):
        self.ranges = ranges
        self.mappings = mappings
        self.manager = manager

    def coords(self, dim: str) -> list:
        return self.ranges[dim[:-1] if dim.endswith("!") else dim]

    def shape(self, dims) -> tuple:
        return tuple(len(self.coords(d)) for d in dims)

    def coord_dict(self, subscripts) -> dict:
        """PySD's reading of a list of subscripts: each a range (all its elements) or an element."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.manager.make_coord_dict(list(subscripts))

    def is_range(self, name: str) -> bool:
        return name in self.ranges or (name.endswith("!") and name[:-1] in self.ranges)

    def reference(self, code: str, dims: tuple, subscripts, def_subs: dict,
                  fail: Callable[[str], None]) -> tuple[str, tuple]:
        """Code selecting ``subscripts`` from a value with axes ``dims``; returns it with its axes."""
        wanted = self.coord_dict(subscripts)
        if len(wanted) != len(subscripts):
            fail("a reference that repeats a subscript range")
        if len(wanted) != len(dims):
            fail(f"a reference with {len(wanted)} subscripts to a variable with {len(dims)}")
        basic, takes, out = [], [], []
        for (dim, coords), own in zip(wanted.items(), dims):
            own_coords = self.coords(own)
            try:
                where = [own_coords.index(c) for c in coords]
            except ValueError:
                fail(f"subscript '{dim}', whose elements are not all in the range '{own}'")
            if len(coords) == 1:                 # one element: the axis goes, as in PySD
                basic.append(str(where[0]))
                continue
            basic.append(":")
            if where != list(range(len(own_coords))):
                takes.append((len(out), tuple(where)))
            out.append(dim)
        if any(b != ":" for b in basic):
            code = f"{code}[{', '.join(basic)}]"
        for axis, where in takes:
            code = f"np.take({code}, {list(where)!r}, axis={axis})"
        return code, tuple(self._mapped(d, wanted, def_subs, fail) for d in out)

    def _mapped(self, dim: str, wanted: dict, def_subs: dict, fail) -> str:
        """A range the left-hand side does not have, mapped onto one it has (``A: a1, a2 -> B``)."""
        if dim.endswith("!") or dim in def_subs:
            return dim
        for target in self.mappings.get(dim, []):
            if not isinstance(target, str):
                fail(f"the element-by-element mapping of subscript range '{dim}'")
            if target in def_subs and target not in wanted:
                if len(self.coords(target)) != len(self.coords(dim)):
                    fail(f"a mapping of '{dim}' onto '{target}', which differ in length")
                return target
        return dim

    @staticmethod
    def align(code: str, dims: tuple, target: list) -> str:
        """Code putting a value with axes ``dims`` on the axes ``target`` (a name, or None for a
        length-one axis): transposed into their order, with length-one axes where it has none."""
        if not dims:
            return code
        order = [d for d in target if d is not None and d in dims]
        if len(order) != len(dims):
            raise KeyError(sorted(set(dims) - set(order))[0])
        if order != list(dims):
            code = f"tr({code}, {[dims.index(d) for d in order]!r})"
        if len(order) < len(target):
            code = f"({code})[{', '.join(':' if d is not None and d in dims else 'None' for d in target)}]"
        return code

    def union(self, *all_dims) -> tuple:
        out: list = []
        for dims in all_dims:
            out += [d for d in dims if d not in out]
        return tuple(out)

    def positions(self, subscripts, dims: tuple, fail) -> list[list[int]]:
        """For each axis of a variable, the indices a left-hand side's subscripts cover."""
        out = []
        for sub, dim in zip(subscripts, dims):
            own = self.coords(dim)
            members = self.coords(sub) if sub in self.ranges else [sub]
            try:
                out.append([own.index(m) for m in members])
            except ValueError:
                fail(f"the left-hand side subscript '{sub}', not within '{dim}'")
        return out

    def except_mask(self, subscripts, excepts, dims: tuple, fail) -> np.ndarray:
        """Which cells of a left-hand side's block its ``:EXCEPT:`` clauses leave out (True = defined)."""
        block = self.positions(subscripts, dims, fail)
        mask = np.ones(tuple(len(p) for p in block), dtype=bool)
        for clause in excepts:
            if len(clause) != len(block):
                fail("an :EXCEPT: clause of a different length")
            picks = []
            for sub, pos, dim in zip(clause, block, dims):
                own = self.coords(dim)
                members = self.coords(sub) if sub in self.ranges else [sub]
                picks.append([pos.index(own.index(m)) for m in members if own.index(m) in pos])
            mask[np.ix_(*picks)] = False
        return mask
