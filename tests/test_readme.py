"""The README's two set-up commands are what CI runs and what a new user types."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text, re.S)[:2]


def test_readme_opens_with_two_setup_commands():
    app, tests = readme_commands()
    assert "pip install -e" in app and "pip install -e" in tests
    assert tests.strip().endswith("pytest")


def test_ci_runs_the_readme_test_command():
    _, tests = readme_commands()
    assert tests.strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
