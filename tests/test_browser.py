"""End to end in a real browser: `streamlit run app.py`, Debian's Chromium driven by Selenium.

Skipped, with the reason, when Chromium, ChromeDriver or Selenium is not
installed (`.ci/run` installs them with apt and pip).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import innosim

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    SELENIUM = True
except ImportError:  # pragma: no cover
    SELENIUM = False

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER and SELENIUM),
    reason="browser test needs Debian's chromium and chromium-driver (apt) and selenium (pip): "
           f"chromium={CHROMIUM}, chromedriver={DRIVER}, selenium={SELENIUM}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1500,2200"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = tmp_path / "downloads"
    yield driver
    driver.quit()


def _wait(driver, seconds: float = 60):
    """A wait that retries when Streamlit redraws an element under it."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


def _idle(driver) -> bool:
    """No rerun in progress: Streamlit shows its status widget ("Running...") only while it runs the script."""
    return not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')


def _slider(driver, label: str):
    """The slider's range input (react-aria keeps the value there), or None while the page reruns."""
    found = driver.find_elements(By.CSS_SELECTOR, f'input[type="range"][aria-label^="{label}"]')
    return found[0] if found else None


def _slider_value(driver, label: str):
    thumb = _slider(driver, label)
    try:
        return thumb.get_attribute("value") if thumb is not None else None
    except Exception:  # stale while Streamlit redraws
        return None


def _press(driver, label: str, key, times: int) -> None:
    """Move a slider from the keyboard, as a user tabbing to it would: react-aria keeps its range input
    visually hidden, so it is focused by script and the keys go to the focused element."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script("arguments[0].focus();", _slider(driver, label))
    ActionChains(driver).send_keys(*([key] * times)).perform()


def _score_row(driver, label: str, year: int) -> list[str]:
    """The scorecard's cells for one target.  The grid keeps the text of the rows in view in the page (for
    screen readers) and draws only those, so it is scrolled until the row appears."""
    grid = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"] .dvn-scroller')
    for step in range(12):
        if grid:
            driver.execute_script("arguments[0].scrollTop = arguments[1];", grid[0], step * 150)
            time.sleep(0.3)                       # the grid draws the rows now in view
        cells = [c.get_attribute("textContent") for c in
                 driver.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"] [role="gridcell"]')]
        for i in range(0, max(0, len(cells) - 4)):
            if cells[i] == label and cells[i + 1] == str(year):
                return cells[i:i + 10]
        if not grid:
            break
    return []


def _met_line(driver) -> str:
    for element in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMarkdownContainer"] strong'):
        if "项建模目标" in element.text:
            return element.text
    return ""


def test_move_a_slider_and_read_the_updated_scorecard(server, browser):
    wait = _wait(browser)
    browser.get(server)
    wait.until(lambda d: "项建模目标" in _met_line(d) and _slider_value(d, "财政科技经费年增长率") == "15")
    label = innosim.indicators()[0].label_zh                          # R&D expenditure over GDP
    row = wait.until(lambda d: _score_row(d, label, 2027) or None)     # the grid draws after the headline
    assert row[3] == row[4]                                            # current settings = the plan
    _press(browser, "财政科技经费年增长率", Keys.ARROW_LEFT, 7)           # 15 % -> 8 %
    wait.until(lambda d: _slider_value(d, "财政科技经费年增长率") == "8")
    wait.until(lambda d: (r := _score_row(d, label, 2027)) and float(r[3]) < float(r[4]))
    assert _score_row(browser, label, 2025)[3] == _score_row(browser, label, 2025)[4]   # 2025 is observed
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "planner-fiscal-8pct.png"))
    assert (ARTIFACTS / "planner-fiscal-8pct.png").stat().st_size > 10_000


def test_download_the_settings_and_run_them_from_the_command_line(server, browser, tmp_path):
    wait = _wait(browser)
    browser.get(server)
    wait.until(lambda d: "项建模目标" in _met_line(d) and _slider_value(d, "财政科技经费年增长率") == "15")
    _press(browser, "财政科技经费年增长率", Keys.ARROW_LEFT, 5)           # 15 % -> 10 %
    wait.until(lambda d: _slider_value(d, "财政科技经费年增长率") == "10")
    time.sleep(0.5)
    wait.until(_idle)                        # let the rerun finish before downloading
    button = next(b for b in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
                  if "情景 TOML" in b.text)
    browser.execute_script("arguments[0].scrollIntoView();", button)
    button.click()
    deadline = time.time() + 30
    while time.time() < deadline and not list(browser.downloads.glob("*.toml")):
        time.sleep(0.3)
    files = list(browser.downloads.glob("*.toml"))
    assert files, "the scenario file was not downloaded"
    scenario = innosim.load_scenario(files[0])
    assert scenario.levers == {"fiscal_st_growth_rate": 0.1}
    out = tmp_path / "run.csv"
    proc = subprocess.run([sys.executable, "-m", "innosim", "run", str(files[0]), "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
