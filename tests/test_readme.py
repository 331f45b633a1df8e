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


def test_readme_python_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## Python\n\n```python\n(.+?)\n```", text, re.S).group(1)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "README.md", "exec"), {})
    assert (tmp_path / "results" / "innosim.xlsx").exists() and (tmp_path / "results" / "metadata.json").exists()


def test_readme_scenario_example_is_valid(tmp_path):
    import innosim

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.+?)\n```", text, re.S).group(1)
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    sc = innosim.load_scenario(path)
    assert sc.levers and sc.parameters and sc.end_year == 2035


def test_every_command_line_example_in_the_readme_parses():
    """The README's `innosim ...` examples use only options that exist (argparse would refuse others)."""
    import shlex

    from innosim.cli.main import build_parser

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.+?)\n```", text, re.S):
        lines += [line for line in block.replace("\\\n", " ").splitlines() if line.startswith("innosim ")]
    assert len(lines) >= 15
    for line in lines:
        args = shlex.split(line, comments=True)[1:]
        parsed = build_parser().parse_args(args)
        assert callable(parsed.func), line


def test_readme_gives_the_two_commands_for_windows_powershell_too():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    app, tests = re.findall(r"```powershell\n(.+?)\n```", text, re.S)[:2]
    for line in (app, tests):
        assert line.startswith("py -m venv .venv; ") and "&&" not in line     # PowerShell 5 has no &&
        assert "/" not in line.replace('".[test]"', "")                        # Windows paths: .venv\Scripts\...
    assert r".venv\Scripts\pip install -e ." in app and app.endswith(r".venv\Scripts\streamlit run app.py")
    assert r'.venv\Scripts\pip install -e ".[test]"' in tests and tests.endswith(r".venv\Scripts\pytest")
