"""Shared fixtures: the model is loaded once for the whole session."""
from __future__ import annotations

import pytest
from helpers import inputs_of, project_case, run_case  # noqa: F401

import innosim
from innosim.mdl.source import read_elements


@pytest.fixture(scope="session")
def m():
    return innosim.load()


@pytest.fixture(scope="session")
def elements():
    return read_elements(innosim.load().path)


@pytest.fixture(scope="session")
def pysd_engine(m):
    return m.pysd_engine()


@pytest.fixture(scope="session")
def plans(m):
    """The plan run of every region (all saved variables)."""
    return {region: run_case(m, region) for region in m.regions}
