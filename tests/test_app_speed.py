"""Issue 14, point 10: a fast slider move.  The times are measured by benchmarks/bench_app.py (no timed test:
the machines are noisy); these tests guard what gives them: a plain scorecard table (the grid redrew its
hidden screen-reader copy 200 ms late), chances drawn after the central answer, no goal seeking on a move,
and no full garbage collection after every rerun."""
from __future__ import annotations

from apphelpers import FISCAL, app, slider, table

CHANCE_COLUMN = "达成概率"


def test_the_scorecard_is_a_plain_table_whose_cells_show_their_text_literally():
    from innosim.app.scorecard_view import cell

    at = app()
    assert CHANCE_COLUMN in table(at).columns
    assert not [d for d in at.dataframe if "预测值" in d.value.columns]     # not the grid: it redrew 200 ms late
    assert cell("R&D *强度* [x](http://a) <b> ~1~ | #") == r"R&D \*强度\* \[x\](http://a) \<b\> \~1\~ \| \#"


def test_chances_read_as_percentages_pending_while_the_runs_are_out_and_blank_where_a_figure_decides():
    import pandas as pd

    from innosim.app.scorecard_view import PENDING, chance_texts

    rows = pd.DataFrame({"probability": [0.624, float("nan"), float("nan")],
                         "judged_on": ["model", "model", "official"]})
    assert chance_texts(rows, pending=False) == ["62%", "", ""]
    assert chance_texts(rows, pending=True) == [PENDING, PENDING, ""]
    near = pd.DataFrame({"probability": [0.496, 0.5, 0.503, 0.994], "judged_on": ["model"] * 4})
    assert chance_texts(near, pending=False) == ["49.6%", "50%", "50.3%", "99%"]     # the side of 50 % shows


def test_a_slider_move_does_not_seek(monkeypatch):
    from innosim.app import compute

    calls = []
    real = compute.goal_seek
    monkeypatch.setattr(compute, "goal_seek", lambda *a, **k: calls.append(a) or real(*a, **k))
    at = app()                                              # the goal-seeking tab is the one open
    assert at.multiselect(key="w-goal-targets-ningbo-zh").value
    slider(at, FISCAL).set_value(12.0).run()
    assert not at.exception and calls == []
    at.button(key="goal_run").click().run()
    assert len(calls) == 1


def test_no_garbage_collection_after_each_rerun_and_the_model_is_frozen_out_of_full_passes():
    import gc
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    app()
    assert gc.get_freeze_count() > 10_000

