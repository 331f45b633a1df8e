"""Every value a user can give has a declared range, and the model can follow every value inside it.

The validity ranges (``min``, ``max`` in ``model/parameters.csv``) say what the
equations allow at all; the literature ranges (``low``, ``high``) what the
evidence supports.  Inside its validity range, each parameter alone must give
finite results in every region and with every shipped parameter set.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import innosim
from innosim.core import data, paramsets
from innosim.paths import shipped_sets_dir


def _constants(m):
    return [k for k, v in m.variables.items() if v.kind == "constant" and not v.is_lever]


def test_every_constant_has_a_finite_validity_range_that_holds_its_values(names):
    m, sources = names.m, data.parameter_sources()
    missing = [k for k in _constants(m) if k not in sources or sources[k].minimum is None
               or sources[k].maximum is None or not math.isfinite(sources[k].minimum)
               or not math.isfinite(sources[k].maximum)]
    assert not missing, f"no finite min and max in model/parameters.csv: {', '.join(missing)}"
    for name in _constants(m):
        src = sources[name]
        values = [m.file_defaults[name]] + [r.value for r in data.region_values() if r.variable == name]
        assert all(src.minimum <= v <= src.maximum for v in values), (name, values, src.valid())
        if src.low is not None:
            assert src.minimum <= src.low <= src.high <= src.maximum, name


@pytest.mark.parametrize("end", ["min", "max"])
def test_each_parameter_at_the_end_of_its_range_runs_finite(end, names):
    m = names.m
    sets = [s for s in paramsets.available() if (shipped_sets_dir() / s).is_dir()] + [paramsets.NONE]
    cases, labels = [], []
    for name in _constants(m):
        src = data.parameter_sources()[name]
        value = src.minimum if end == "min" else src.maximum
        for region in m.regions:
            for pset in sets:
                cases.append(innosim.Case(region, {}, {name: value}, parameter_set=pset))
                labels.append(f"{name} = {value:g} ({region}, {pset})")
    results = m.indicators_many(cases)
    bad = [label for label, (_, values) in zip(labels, results) if not np.isfinite(values).all()]
    assert not bad, f"non-finite results: {'; '.join(bad[:6])}"


def _diverging_pair(m, region):
    """Two parameters, each within its range, that together take the run beyond what it can follow."""
    import itertools

    bounded = [k for k in _constants(m) if data.parameter_sources()[k].minimum is not None]
    combos = []
    for a, b in itertools.combinations(bounded, 2):
        sa, sb = data.parameter_sources()[a], data.parameter_sources()[b]
        combos += [{a: va, b: vb} for va in (sa.minimum, sa.maximum) for vb in (sb.minimum, sb.maximum)]
    for start in range(0, len(combos), 4000):
        part = combos[start:start + 4000]
        results = m.indicators_many([innosim.Case(region, {}, p, parameter_set=paramsets.NONE) for p in part])
        for p, (_, values) in zip(part, results):
            if not np.isfinite(values).all():
                return p
    return None


def test_values_in_range_that_together_diverge_are_one_line_not_nan(names, scenario, cli, tmp_path):
    from .conftest import files_under, refused

    pair = _diverging_pair(names.m, names.region)
    if pair is None:
        pytest.skip("no two parameters at the ends of their ranges take this model beyond what it can follow")
    body = "[run]\nparameter_set = \"none\"\n[parameters]\n" + "".join(f"{k} = {v!r}\n" for k, v in pair.items())
    path = scenario(body)
    before = files_under(tmp_path)
    refused(cli("run", path, "--region", names.region, "--out", "out.csv"), "beyond what the model can follow", *pair,
            before=before, folder=tmp_path)
    result = cli("batch", path, "--regions", names.region, "--out", "out")
    assert result.rc == 2 and "Traceback" not in result.err and "beyond what the model can follow" in result.err
