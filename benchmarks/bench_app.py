"""Time the planner app's response to a slider move, for one region.

    python benchmarks/bench_app.py [--moves 20] [--fan] [--skip-browser] [--skip-server] [--baseline DIR]
                                   [--app PATH]

1. Server rerun (AppTest): the script's own time after a slider moves, read
   from the app (``_rerun_seconds``), with Streamlit's data caches cleared
   before every rerun (the naive baseline) and with them working (ours).
2. Browser (if Debian's chromium and chromedriver are installed): the time
   from the key press on the slider to the fully redrawn page, in headless
   Chromium against ``streamlit run app.py``.  A MutationObserver in the page
   notes the time of every change to the page; a move is done when Streamlit
   is idle again and the page has not changed for 0.5 s, and its time is the
   last change less the key press.  So the chances that fill in after the
   central scorecard, and the fan, count.

On a shared machine the wall-clock times move with the load, so the browser
part also reports what the load does not inflate: per move, the CPU time of
the server's processes (the script and the Monte Carlo worker, read with
psutil) and of the browser's (all its processes; the poll of the page counts in
it too), and the browser's main-thread task time (Chrome's Performance metrics,
wall clock, so it grows with the load).

``--fan`` turns the uncertainty fan on before the moves.  ``--baseline DIR``
times another checkout's app (its app.py, served with DIR first on the
server's PYTHONPATH and with its own ``.streamlit`` settings) in the same run,
before this one, and prints the ratio.  ``--app`` times only another app.py
(run it with that checkout first on PYTHONPATH).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABEL = "财政科技经费年增长率"
SECOND = "人才经费年增长率"   # moves alternate between two sliders, each walking down: every setting is new
FAN_LABEL = "显示不确定性区间"
QUIET = 0.5            # seconds without a change to the page: the redraw is over

OBSERVER = """
window.__bench = {last: performance.now(), press: null};
new MutationObserver(() => { window.__bench.last = performance.now(); })
  .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
document.addEventListener('keydown', () => { window.__bench.press = performance.now(); }, true);
"""


def server_reruns(app: Path, moves: int, cached: bool) -> tuple[list[float], list[float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(app), default_timeout=120)
    at.run()
    times, cpu = [], []
    for i in range(moves):
        value = float(25 - i % 20)
        if not cached:
            st.cache_data.clear()
        slider = next(s for s in at.slider if s.label.startswith(LABEL))
        slider.set_value(value).run()
        times.append(at.session_state["_rerun_seconds"])
        cpu.append(at.session_state["_rerun_cpu_seconds"] if "_rerun_cpu_seconds" in at.session_state else float("nan"))
    return times, cpu


def _idle(driver) -> bool:
    return driver.execute_script("return document.querySelector('[data-testid=\"stStatusWidget\"]') === null")


def _settled(driver, since: float) -> float | None:
    """The time of the last change to the page once it is idle and quiet, else None."""
    last, now = driver.execute_script("return [window.__bench.last, performance.now()]")
    if last >= since and now - last >= QUIET * 1000 and _idle(driver):
        return last
    return None


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (the server and its Monte Carlo worker; chromedriver and the
    browser)."""
    try:
        import psutil
    except ImportError:
        return float("nan")
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def _task_seconds(driver) -> float:
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def browser_moves(app: Path, moves: int, fan: bool,
                  pythonpath: Path | None = None) -> tuple[list[float], list[float], list[float]] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app), "--server.headless",
                               "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
                              cwd=app.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else os.environ)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--window-size=1280,800"):
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
        # The times come from the page's own clock (the MutationObserver), so polling slowly loses no accuracy and
        # keeps the polling itself from competing with the page for the CPU.
        wait = WebDriverWait(driver, 120, poll_frequency=0.1)

        def slider(label=LABEL):
            found = driver.find_elements(By.CSS_SELECTOR, f'input[type="range"][aria-label^="{label}"]')
            return found[0] if found else None

        wait.until(lambda d: slider() is not None and d.find_elements(By.CSS_SELECTOR, '[role="gridcell"], [data-testid="stTable"]'))
        time.sleep(3)
        wait.until(_idle)
        if fan:
            toggle = next(e for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stCheckbox"] label')
                          if FAN_LABEL in e.text)
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", toggle)
            toggle.click()
            time.sleep(2)
            wait.until(_idle)
        driver.execute_script(OBSERVER)
        driver.execute_cdp_cmd("Performance.enable", {})
        browser_pid = driver.service.process.pid          # chromedriver: the browser's processes are its children
        times, server_cpu, browser_cpu, browser_all = [], [], [], []
        for i in range(moves):
            # a new setting every move, so no move is answered from the cache of an earlier one
            driver.execute_script("arguments[0].focus({preventScroll: true});", slider(LABEL if i % 2 == 0 else SECOND))
            cpu0, task0, all0 = _tree_cpu(server.pid), _task_seconds(driver), _tree_cpu(browser_pid)
            since = driver.execute_script("return performance.now()")
            ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
            last = wait.until(lambda d: _settled(d, since))
            press = driver.execute_script("return window.__bench.press")
            times.append((last - press) / 1000)
            server_cpu.append(_tree_cpu(server.pid) - cpu0)
            browser_cpu.append(_task_seconds(driver) - task0)
            browser_all.append(_tree_cpu(browser_pid) - all0)
        return times, server_cpu, browser_cpu, browser_all
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--fan", action="store_true", help="turn the uncertainty fan on first (browser)")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--app", type=Path, default=ROOT / "app.py")
    parser.add_argument("--baseline", type=Path, help="another checkout, timed in the same run (browser)")
    args = parser.parse_args()
    if not args.skip_server:
        naive, _ = server_reruns(args.app, args.moves, cached=False)
        ours, cpu = server_reruns(args.app, args.moves, cached=True)
        n, o = statistics.median(naive), statistics.median(ours)
        print(f"server rerun after a slider move, one region (median of {args.moves}):")
        print(f"  caches cleared (naive):  {n * 1000:7.1f} ms")
        print(f"  with caches (ours):      {o * 1000:7.1f} ms   ({n / o:.1f}x faster); "
              f"the script's own CPU time {statistics.median(cpu) * 1000:.1f} ms")
    if not args.skip_browser:
        runs = ([("baseline", args.baseline / "app.py", args.baseline)] if args.baseline else []) + \
            [("this app" if args.baseline else "browser", args.app, None)]
        medians = {}
        for name, app, pythonpath in runs:
            found = browser_moves(app, args.moves, args.fan, pythonpath)
            if found is None:
                print("browser timing skipped: chromium and chromedriver are not installed")
                return
            moves, server_cpu, browser_cpu, browser_all = found
            medians[name] = statistics.median(moves)
            ms = lambda xs: f"{statistics.median(xs) * 1000:.0f} ms"  # noqa: E731
            print(f"{name}{' with the fan' if args.fan else ''}, key press to fully redrawn page "
                  f"({len(moves)} moves): median {statistics.median(moves) * 1000:.0f} ms, "
                  f"max {max(moves) * 1000:.0f} ms, min {min(moves) * 1000:.0f} ms; "
                  f"CPU per move: server {ms(server_cpu)}, browser {ms(browser_all)} (its main thread's tasks "
                  f"{ms(browser_cpu)}, wall clock) "
                  f"(load average {os.getloadavg()[0]:.1f})")
        if args.baseline:
            print(f"median: baseline over this app {medians['baseline'] / medians['this app']:.2f}x")

if __name__ == "__main__":
    main()
