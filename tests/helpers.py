"""Small helpers the tests share (fixtures live in conftest.py)."""
from __future__ import annotations

from innosim import Case


def run_case(m, region, levers=None, parameters=None, final_year=None, parameter_set=None, policy_from=None,
             **options):
    """One run of the model for a region with overrides: the Case, spelled out."""
    return m.run(Case(region, levers or {}, parameters or {}, final_year, parameter_set, policy_from=policy_from),
                 **options)


def project_case(m, region, levers=None, parameters=None, final_year=None, parameter_set=None, label="plan", **options):
    return m.project(Case(region, levers or {}, parameters or {}, final_year, parameter_set, label), **options)


def inputs_of(m, region, levers=None, parameters=None, final_year=None, parameter_set=None):
    return m.inputs(Case(region, levers or {}, parameters or {}, final_year, parameter_set))


def within_budgets(m, region, levers):
    """Lever settings with each group of allocation shares (model/share_groups.toml) scaled down to fit its
    budget, the shares not set at the region's plan values: what a random draw of sliders must respect."""
    import math

    from innosim.core import shares

    out = dict(levers)
    for group in shares.share_groups():
        values = {k: out.get(k, m.lever(k).default(region)) for k in group.levers}
        total = sum(values.values())
        if total > group.at_most:
            for k, v in values.items():
                out[k] = math.floor(v * group.at_most / total * 1e9) / 1e9
    return out
