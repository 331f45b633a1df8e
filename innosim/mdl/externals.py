"""External data (GET XLS / GET DIRECT CONSTANTS, LOOKUPS and DATA, and data series from files given for the
run, PySD's ``data_files``), read when the engine is generated.

PySD reads the spreadsheets and text files (its ``External`` objects, so every
cell-range, transposition and missing-value rule is PySD's own); the values
are written into the generated module.  The files are listed, with their
hashes, in the cache entry's manifest: an edited spreadsheet rebuilds the
engine, and a warm start reads no spreadsheet at all.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from innosim.mdl.errors import UnsupportedConstruct

PREFIX = {"constant": "_ext_constant_", "lookup": "_ext_lookup_", "data": "_ext_data_"}
CONSTRUCT = {"constant": "GET XLS CONSTANTS", "lookup": "GET XLS LOOKUPS", "data": "GET XLS DATA"}


class Externals:
    """The external data of one model."""

    def __init__(self, source, axes, data_files: tuple = ()):
        self.source, self.axes = source, axes
        self.data_files = tuple(Path(f).resolve() for f in data_files)
        self._model = None
        self.files: set[Path] = set(self.data_files)

    def _pysd(self, element=None, kind: str = "constant"):
        if self._model is None:
            import pysd

            from innosim.mdl.translation import translated_module

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._model = pysd.load(str(translated_module(self.source.path, data_beside=True)),
                                            data_files=[str(f) for f in self.data_files] or None)
            except Exception as exc:          # a missing or unreadable file: PySD then says which
                who = f"'{element.name}' uses {CONSTRUCT[kind]}, but" if element is not None else "the model's"
                raise UnsupportedConstruct(f"{who} external data cannot be read ({exc.__class__.__name__}: "
                                           f"{str(exc).strip().splitlines()[-1][:160]})") from None
        return self._model

    def holder(self, element, kind: str):
        """PySD's object holding the variable's external data (for a data series from the run's data files,
        its ``TabData``)."""
        model = self._pysd(element, kind)
        name = model._namespace.get(element.name)
        names = [PREFIX[kind] + name] + (["_data_" + name] if kind == "data" else []) if name else []
        holder = next((h for h in (_component(model.components, n) for n in names) if h is not None), None)
        if holder is None or getattr(holder, "data", None) is None:
            raise UnsupportedConstruct(f"'{element.name}' uses external data PySD did not load")
        return holder

    def values(self, element, kind: str) -> tuple[np.ndarray | None, np.ndarray]:
        """(the lookup's x values or the data's times, or None; the values on the variable's axes after them)."""
        holder = self.holder(element, kind)
        self.files |= {(Path(holder.root) / f).resolve() for f in getattr(holder, "files", [])}
        data = holder.data
        dims = list(element.dims)
        if not hasattr(data, "dims"):
            return None, np.asarray(float(data))
        lead = [d for d in data.dims if d not in dims]
        if len(lead) > 1 or set(data.dims) - set(lead) != set(dims):
            raise UnsupportedConstruct(f"'{element.name}' has external data on other subscripts than its own")
        data = data.transpose(*lead, *dims).sel({d: self.axes.coords(d) for d in dims})
        return (np.asarray(data[lead[0]].values, dtype=float) if lead else None), np.asarray(data.values, float)


def _component(components, name: str):
    """PySD's component ``name``, or None (PySD's components answer a missing name with NameError)."""
    try:
        return getattr(components, name)
    except (AttributeError, NameError):
        return None
