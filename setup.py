"""Bundle the project's data into the wheel.

The model file, region data, targets, history, calibration spec, shipped
parameter sets, scenarios and policy documents live at the top of the
checkout (``model/``, ``calibration/``, ``scenarios/``, ``docs/seeds/``) so
that modellers and planners find them there.  A wheel carries the same
files as ``innosim/_data/``; ``innosim.paths`` reads whichever is present.
Everything else is in ``pyproject.toml``.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DATA_FOLDERS = ("model", "calibration", "scenarios", "docs/seeds")      # as innosim.paths.DATA_FOLDERS
DATA_SUFFIXES = {".mdl", ".csv", ".toml", ".json", ".md", ".txt"}


class BuildWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "innosim" / "_data"
        shutil.rmtree(target, ignore_errors=True)
        for folder in DATA_FOLDERS:
            for source in sorted((HERE / folder).rglob("*")):
                if source.is_file() and source.suffix in DATA_SUFFIXES and "__pycache__" not in source.parts:
                    dest = target / source.relative_to(HERE)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithData})
