"""Where things are in this repository, and the repository's one name (pyproject.toml ``[tool.course]``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
SITE = ROOT / "build" / "site"  # the course website: make site builds it, make site-check checks it


def notebook_paths() -> list[Path]:
    """The lessons, in course order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def course_config() -> dict[str, str]:
    """The ``[tool.course]`` table of pyproject.toml: the GitHub repository (owner/name) and branch."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["course"]
