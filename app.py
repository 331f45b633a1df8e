"""innosim's planner app: `streamlit run app.py`.  The app itself is the package's ``innosim.app``."""
from innosim.app.main import main

main()
