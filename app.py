"""innosim: the planner app (Streamlit), a thin client of the ``model`` API.

Run with ``streamlit run app.py``.  The pages only lay out inputs and
results; every number comes from the model package.
"""
import time

import streamlit as st

from ui import i18n

started = time.perf_counter()

st.set_page_config(page_title="innosim", page_icon="🧭", layout="wide")
language = st.session_state.get("language") or "zh"
pages = [
    st.Page("ui/pages/planner.py", title=i18n.t("page_planner", language), url_path="planner", default=True),
    st.Page("ui/pages/model.py", title=i18n.t("page_model", language), url_path="model"),
    st.Page("ui/pages/calibration.py", title=i18n.t("page_calibration", language), url_path="calibration"),
]
st.navigation(pages).run()
# The server's time for this rerun, for benchmarks/bench_app.py and the app tests.
st.session_state["_rerun_seconds"] = time.perf_counter() - started
