"""The planner app's entry point: it only wires up the pages.

``streamlit run app.py`` (in a checkout) and ``innosim app`` (from any
install) both run this.  The pages lay out inputs and results; every number
comes from the innosim API.
"""
import time

import streamlit as st

from innosim.app import calibration_page, i18n, model_page, planner


def main() -> None:
    started = time.perf_counter()
    st.set_page_config(page_title="innosim", page_icon="🧭", layout="wide")
    language = st.session_state.get("language") or "zh"
    pages = [
        st.Page(planner.page, title=i18n.t("page_planner", language), url_path="planner", default=True),
        st.Page(model_page.page, title=i18n.t("page_model", language), url_path="model"),
        st.Page(calibration_page.page, title=i18n.t("page_calibration", language), url_path="calibration"),
    ]
    st.navigation(pages).run()
    # The server's time for this rerun, for benchmarks/bench_app.py and the app tests.
    st.session_state["_rerun_seconds"] = time.perf_counter() - started


if __name__ == "__main__":        # `streamlit run` runs this file as the main script (`innosim app`)
    main()
