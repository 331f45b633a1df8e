"""End to end in a real browser: `streamlit run app.py`, Debian's Chromium driven by Selenium.

What only a browser shows: Streamlit sends back the labels it displayed (so a
language switch must not break a widget), the layout on a 1280x800 laptop,
the URL, the slider's plan tick, and how uploaded text renders.  Skipped, with
the reason, when Chromium, ChromeDriver or Selenium is not installed (`.ci/run`
installs them with apt and pip).  Screenshots go to tests/artifacts/ (ignored by git).
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
FISCAL = "财政科技经费年增长率"

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

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (CHROMIUM and DRIVER and SELENIUM),
    reason="browser test needs Debian's chromium and chromium-driver (apt) and selenium (pip): "
           f"chromium={CHROMIUM}, chromedriver={DRIVER}, selenium={SELENIUM}")]


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
    deadline = time.time() + 90
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


def _driver(tmp_path, size=(1500, 2200)):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
                 f"--window-size={size[0]},{size[1]}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.downloads = tmp_path / "downloads"
    return driver


@pytest.fixture
def browser(tmp_path):
    driver = _driver(tmp_path)
    yield driver
    driver.quit()


def _wait(driver, seconds: float = 90):
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


def _settle(driver) -> None:
    time.sleep(0.6)
    _wait(driver).until(_idle)


def _metric(driver) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetricValue"]')
    return found[0].text if found else ""


def _open(driver, url: str, label: str = FISCAL) -> None:
    driver.get(url)
    _wait(driver).until(lambda d: "/" in _metric(d) and _slider(d, label) is not None
                        and d.find_elements(By.CSS_SELECTOR, '[data-testid="stTable"] td'))
    _settle(driver)


def _score_row(driver, label: str, year: int) -> list[str]:
    """The open targets' cells for one target, as the page shows them (the first table is the open targets)."""
    tables = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTable"] table')
    if not tables:
        return []
    for row in tables[0].find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [c.get_attribute("textContent").strip() for c in row.find_elements(By.CSS_SELECTOR, "td, th")]
        if len(cells) > 2 and cells[0] == label and cells[1] == str(year):
            return cells
    return []


def _choices(driver) -> list[str]:
    """What every select box shows (react-aria keeps it in the combo box's input)."""
    return [e.get_attribute("value") for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"] input')]


def _choose(driver, shown: str, option: str) -> None:
    box = next(e for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"] input')
               if e.get_attribute("value") == shown)
    box.click()
    _wait(driver).until(lambda d: any(option in o.text for o in d.find_elements(By.CSS_SELECTOR, '[role="option"]')))
    next(o for o in driver.find_elements(By.CSS_SELECTOR, '[role="option"]') if option in o.text).click()


def _exceptions(driver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')]


def test_english_then_a_slider_move_keeps_every_choice_and_never_crashes(server, browser):
    """Issue 14's first figure: English, then any slider, gave `ScenarioError: .../规划情景: no such scenario file`."""
    _open(browser, server)
    english = next(b for b in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stButtonGroup"] button')
                   if b.text.strip() == "English")
    english.click()
    _wait(browser).until(lambda d: _slider(d, "Fiscal S&T spending growth") is not None)
    _settle(browser)
    _press(browser, "Fiscal S&T spending growth", Keys.ARROW_LEFT, 3)
    _wait(browser).until(lambda d: _slider_value(d, "Fiscal S&T spending growth") == "12")
    _settle(browser)
    assert not _exceptions(browser), _exceptions(browser)
    boxes = _choices(browser)
    assert "Ningbo" in boxes and "Plan" in boxes and not [b for b in boxes if any("\u4e00" <= c <= "\u9fff" for c in b)]
    checked = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stRadio"] input[type="radio"]:checked')
    assert len(checked) >= 2                                               # both growth rules keep their choice
    assert "lang=en" in browser.current_url
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "planner-english-12pct.png"))


def test_move_a_slider_and_read_the_updated_scorecard(server, browser):
    _open(browser, server)
    label = innosim.indicators()[0].label_zh                          # R&D expenditure over GDP
    row = _wait(browser).until(lambda d: _score_row(d, label, 2027) or None)   # the grid draws after the headline
    assert row[3] == row[7]                                            # projected = the plan's
    _press(browser, FISCAL, Keys.ARROW_LEFT, 7)                        # 15 % -> 8 %
    _wait(browser).until(lambda d: _slider_value(d, FISCAL) == "8")
    _settle(browser)
    _wait(browser).until(lambda d: (r := _score_row(d, label, 2027)) and float(r[3].split()[0]) <
                         float(r[7].split()[0]))


def test_the_headline_and_the_first_lever_group_fit_a_1280x800_laptop(server, tmp_path):
    driver = _driver(tmp_path, (1280, 800))
    try:
        _open(driver, server)
        height = driver.execute_script("return window.innerHeight")
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "planner-1280x800.png"))
        rect = lambda el: driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", el)  # noqa
        metrics = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')
        assert metrics and all(rect(m)["bottom"] <= height and rect(m)["top"] >= 0 for m in metrics[:3])
        group = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stExpander"]')[0]
        assert rect(group)["top"] < height - 150                       # the first group's header ...
        first_lever = group.find_elements(By.CSS_SELECTOR, '[data-testid="stRadio"], [data-testid="stSlider"]')[0]
        assert rect(first_lever)["bottom"] <= height                    # ... and its first lever, unscrolled
        table = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTable"]')[0]
        assert rect(table)["top"] < height                              # the scorecard starts above the fold
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= 1280                                            # nothing forces a sideways scroll
        # Streamlit's own words: no Deploy button (client.toolbarMode), the uploader's button in Chinese
        assert "Deploy" not in driver.find_element(By.TAG_NAME, "body").text
        label = driver.find_element(By.CSS_SELECTOR,
                                    '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p')
        assert driver.execute_script("return getComputedStyle(arguments[0], '::after').content", label) == '"上传"'
        assert "Choose an option" not in " ".join(
            e.get_attribute("placeholder") or "" for e in driver.find_elements(By.CSS_SELECTOR, "input"))
    finally:
        driver.quit()


def test_a_reload_and_a_shared_link_reproduce_the_view(server, browser, tmp_path):
    _open(browser, server)
    _choose(browser, "宁波市", "余姚市")
    _wait(browser).until(lambda d: "region=yuyao" in d.current_url)
    _settle(browser)
    _press(browser, FISCAL, Keys.ARROW_LEFT, 4)                        # 15 % -> 11 %
    _wait(browser).until(lambda d: _slider_value(d, FISCAL) == "11" and "s=" in d.current_url)
    _settle(browser)
    link, met = browser.current_url, _metric(browser)
    browser.refresh()                                                   # a reload
    _open(browser, link)
    assert _slider_value(browser, FISCAL) == "11" and _metric(browser) == met
    assert "余姚市" in _choices(browser)
    other = _driver(tmp_path / "other", (1500, 2200))                   # the link opened by someone else
    try:
        _open(other, link)
        assert _slider_value(other, FISCAL) == "11" and _metric(other) == met
    finally:
        other.quit()


def test_each_slider_shows_the_plan_value_as_a_tick(server, browser):
    _open(browser, server)
    _press(browser, FISCAL, Keys.ARROW_LEFT, 5)
    _wait(browser).until(lambda d: _slider_value(d, FISCAL) == "10")
    _settle(browser)
    track = browser.execute_script(
        "const i = arguments[0]; return i.closest('div[role=group]').firstElementChild;", _slider(browser, FISCAL))
    tick = browser.execute_script("return window.getComputedStyle(arguments[0], '::after').left", track)
    width = browser.execute_script("return arguments[0].getBoundingClientRect().width", track)
    assert abs(float(tick.removesuffix("px")) - 0.5 * width) < 1.5      # 15 % of 0-30 %: the middle of the track
    assert browser.find_elements(By.CSS_SELECTOR, '[class*="st-key-w-reset-ningbo-fiscal_st_growth_rate"]')


def test_an_uploaded_scenario_shows_as_plain_text(server, browser, tmp_path):
    _open(browser, server)
    path = tmp_path / "mine.toml"
    path.write_text('name = "![x](http://127.0.0.1:9/x.png) [live](http://e.example) <b>b</b>"\n'
                    'description = "**bold** www.e.example"\nregions = ["ningbo"]\n[levers]\n'
                    'fiscal_st_growth_rate = 0.1\n', encoding="utf-8")
    upload = browser.find_element(By.CSS_SELECTOR, '[data-testid="stFileUploaderDropzoneInput"]')
    upload.send_keys(str(path))
    _wait(browser).until(lambda d: "x.png" in d.find_element(By.TAG_NAME, "body").text)
    _settle(browser)
    main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]')
    assert not main.find_elements(By.CSS_SELECTOR, 'img[src*="127.0.0.1:9"]')
    assert not browser.find_elements(By.CSS_SELECTOR, 'a[href*="e.example"]')
    assert "**bold**" in main.text and "<b>b</b>" in main.text
    assert _slider_value(browser, FISCAL) == "10" and not _exceptions(browser)


def test_download_the_settings_and_run_them_from_the_command_line(server, browser, tmp_path):
    _open(browser, server)
    _press(browser, FISCAL, Keys.ARROW_LEFT, 5)           # 15 % -> 10 %
    _wait(browser).until(lambda d: _slider_value(d, FISCAL) == "10")
    _settle(browser)
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
    assert scenario.levers == {"fiscal_st_growth_rate": 0.1} and scenario.name == "规划情景（已调整）"
    out = tmp_path / "run.csv"
    proc = subprocess.run([sys.executable, "-m", "innosim", "run", str(files[0]), "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0, proc.stderr
