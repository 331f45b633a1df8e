from ui import calibration_page

calibration_page.page()
