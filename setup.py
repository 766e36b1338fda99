"""Build hook: the wheel carries templates/ and config.toml inside the package
(mailgate/_shipped/), so that a mailgate installed anywhere finds its templates and its
embedded default config; the repository keeps them at its top level (docs/DESIGN.md)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithShippedFiles(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "mailgate" / "_shipped"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "templates", target / "templates")
        shutil.copy2(ROOT / "config.toml", target / "config.toml")


setup(cmdclass={"build_py": BuildWithShippedFiles})
