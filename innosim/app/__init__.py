"""The planner app (Streamlit): a thin client of the innosim API."""
