"""Time the planner app's response to a slider move, for one region.

    python benchmarks/bench_app.py [--moves 12] [--skip-browser]

1. Server rerun (AppTest): the script's own time after a slider moves, read
   from the app (``_rerun_seconds``), with Streamlit's data caches cleared
   before every rerun (the naive baseline) and with them working (ours).
2. Browser (if Debian's chromium and chromedriver are installed): the time
   from the key press on the slider to the updated scorecard on screen, in
   headless Chromium against ``streamlit run app.py``.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
LABEL = "财政科技经费年增长率"


def server_reruns(moves: int, cached: bool) -> list[float]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    times = []
    for i in range(moves):
        value = float(5 + (i % 20))
        if not cached:
            st.cache_data.clear()
        slider = next(s for s in at.slider if s.label.startswith(LABEL))
        slider.set_value(value).run()
        times.append(at.session_state["_rerun_seconds"])
    return times


def browser_moves(moves: int) -> list[float] | None:
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_path):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
                               "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--window-size=1500,2200"):
        options.add_argument(flag)
    driver = None
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        driver.get(f"http://127.0.0.1:{port}")
        wait = WebDriverWait(driver, 60, poll_frequency=0.005)

        def slider():
            found = driver.find_elements(By.CSS_SELECTOR, f'input[type="range"][aria-label^="{LABEL}"]')
            return found[0] if found else None

        def table_text():
            cells = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMarkdownContainer"] strong')
            return " ".join(c.text for c in cells)

        wait.until(lambda d: slider() is not None and "项建模目标" in table_text())
        time.sleep(2)
        times = []
        for i in range(moves):
            before = driver.execute_script("return document.querySelector('[data-testid=\"stVegaLiteChart\"]')"
                                           "?.innerHTML.length || 0")
            key = Keys.ARROW_LEFT if i % 2 == 0 else Keys.ARROW_RIGHT
            start = time.perf_counter()
            slider().send_keys(key)
            # The page is redrawn when Streamlit's status returns to idle and the chart has changed.
            wait.until(lambda d: d.execute_script(
                "return document.querySelector('[data-testid=\"stStatusWidget\"]') === null && "
                "(document.querySelector('[data-testid=\"stVegaLiteChart\"]')?.innerHTML.length || 0) !== "
                + str(before)))
            times.append(time.perf_counter() - start)
            time.sleep(0.5)
        return times
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=12)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    naive = server_reruns(args.moves, cached=False)
    ours = server_reruns(args.moves, cached=True)
    n, o = statistics.median(naive), statistics.median(ours)
    print(f"server rerun after a slider move, one region (median of {args.moves}):")
    print(f"  caches cleared (naive):  {n * 1000:7.1f} ms")
    print(f"  with caches (ours):      {o * 1000:7.1f} ms   ({n / o:.1f}x faster)")
    if not args.skip_browser:
        moves = browser_moves(args.moves)
        if moves is None:
            print("browser timing skipped: chromium and chromedriver are not installed")
        else:
            print(f"browser, key press to redrawn page (median of {len(moves)}): "
                  f"{statistics.median(moves) * 1000:7.1f} ms (max {max(moves) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
