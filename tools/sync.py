"""Keep every generated piece in step with its one source.

- the repository (owner/name, branch) is named once, in pyproject.toml ``[tool.course]``: the
  bootstrap's requirements URL, requirements-colab.txt's ``helpers`` line and the README's Colab
  badges are derived from it;
- the Colab bootstrap cell is kept once, in helpers/colab_bootstrap.py: every notebook's first code
  cell is a copy.

``python -m tools.sync`` rewrites what drifted; ``python -m tools.sync --check`` only lists it (exit 1).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT / "helpers" / "colab_bootstrap.py"
NOTEBOOKS = ROOT / "notebooks"


def course_config() -> dict[str, str]:
    """The ``[tool.course]`` table of pyproject.toml."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["course"]


def requirements_url(cfg: dict[str, str]) -> str:
    return f"https://raw.githubusercontent.com/{cfg['github']}/{cfg['branch']}/requirements-colab.txt"


def helpers_requirement(cfg: dict[str, str]) -> str:
    return f"lightning-course-helpers @ git+https://github.com/{cfg['github']}@{cfg['branch']}"


def badge_url(cfg: dict[str, str], notebook: str) -> str:
    return f"https://colab.research.google.com/github/{cfg['github']}/blob/{cfg['branch']}/notebooks/{notebook}"


def notebook_paths() -> list[Path]:
    """The lessons, in course order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def synced_bootstrap(text: str, cfg: dict[str, str]) -> str:
    course = f"{cfg['github']}/{cfg['branch']}"
    return re.sub(r'^COURSE = "[^"]*"', f'COURSE = "{course}"', text, flags=re.M)


def pinned_versions() -> dict[str, str]:
    """``{package: version}`` from requirements.txt, the course's one pinned environment."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return dict(line.split("==", 1) for line in lines if "==" in line and not line.startswith("#"))


def synced_requirements(text: str, cfg: dict[str, str]) -> str:
    text = re.sub(r"^lightning-course-helpers @ .*$", helpers_requirement(cfg), text, flags=re.M)
    pins = pinned_versions()
    for package in ("torch", "torchvision", "torch-xla"):  # the TPU trio read by the bootstrap cell
        text = re.sub(rf"^#tpu {package}(\[tpu\])?==.*$", rf"#tpu {package}\g<1>=={pins[package]}", text, flags=re.M)
    return text


def synced_readme(text: str, cfg: dict[str, str]) -> str:
    pattern = r"https://colab\.research\.google\.com/github/[^)\s]+/notebooks/([\w.-]+\.ipynb)"
    return re.sub(pattern, lambda m: badge_url(cfg, m.group(1)), text)


def first_code_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(cell for cell in nb.cells if cell.cell_type == "code")


def sync(write: bool) -> list[str]:
    """Bring every derived piece in line (or just report with ``write=False``); return what drifted."""
    cfg = course_config()
    drifted = []
    for path, fix in (
        (BOOTSTRAP, synced_bootstrap),
        (ROOT / "requirements-colab.txt", synced_requirements),
        (ROOT / "README.md", synced_readme),
    ):
        text = path.read_text()
        if fix(text, cfg) != text:
            drifted.append(path.relative_to(ROOT).as_posix())
            if write:
                path.write_text(fix(text, cfg))
    bootstrap = BOOTSTRAP.read_text().rstrip("\n")
    for path in notebook_paths():
        nb = nbformat.read(path, as_version=4)
        cell = first_code_cell(nb)
        if cell.source != bootstrap:
            drifted.append(f"{path.relative_to(ROOT).as_posix()} (bootstrap cell)")
            if write:
                cell.source = bootstrap
                nbformat.write(nb, path)
    return drifted


def main() -> int:
    check = "--check" in sys.argv[1:]
    drifted = sync(write=not check)
    for item in drifted:
        print(f"{'out of sync' if check else 'updated'}: {item}")
    return 1 if check and drifted else 0


if __name__ == "__main__":
    raise SystemExit(main())
