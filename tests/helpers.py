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
