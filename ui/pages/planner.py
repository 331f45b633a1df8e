from ui import planner

planner.page()
