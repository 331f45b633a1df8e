"""Shared fixtures: the model is loaded once for the whole session."""
from __future__ import annotations

import pytest

import model
from model.source import read_elements


@pytest.fixture(scope="session")
def m():
    return model.load()


@pytest.fixture(scope="session")
def elements():
    return read_elements()


@pytest.fixture(scope="session")
def pysd_engine(m):
    return m.pysd_engine()


@pytest.fixture(scope="session")
def plans(m):
    """The plan run of every region (all saved variables)."""
    return {region: m.run(region) for region in m.regions}
