from ui import model_page

model_page.page()
