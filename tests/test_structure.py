"""The named feedback loops exist in the dependency graph PySD exposes."""
from __future__ import annotations

import pytest

from innosim.core.structure import causal_edges, loops, missing_links, pysd_dependencies

# The brief's R2, R3 and B3 are not loops of this model (model/loops.toml says why); these are.
MODEL_LOOPS = {"R1", "B1", "B2", "B3", "B4"}


@pytest.fixture(scope="module")
def edges(pysd_engine):
    return causal_edges(pysd_dependencies())


def test_every_loop_is_documented():
    assert {lp.id for lp in loops()} == MODEL_LOOPS
    for lp in loops():
        assert lp.polarity == ("reinforcing" if lp.id.startswith("R") else "balancing")
        assert lp.name_zh and lp.name_en and lp.description


@pytest.mark.parametrize("loop", loops(), ids=lambda lp: lp.id)
def test_each_loop_is_a_cycle_in_pysds_dependency_graph(loop, edges):
    for path in loop.paths:
        assert path[0] == path[-1], f"{loop.id} does not close"
        assert missing_links(path, edges) == [], loop.id


def test_a_broken_link_is_detected(edges):
    assert missing_links(("knowledge_capital", "pct_applications"), edges) == [("knowledge_capital", "pct_applications")]
