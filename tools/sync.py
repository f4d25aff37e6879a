"""Keep every generated piece in step with its one source.

- The repository (owner/name, branch) is named once, in pyproject.toml ``[tool.course]``: the bootstrap
  cell's ``helpers`` URL, the requirements URL in ``helpers.course.colab`` and the Colab badges of the README
  and of every lesson's first cell are derived from it.
- The Colab bootstrap cell is written once, here (:func:`bootstrap_cell`): every lesson's first code cell is a copy.
- The torch / torchvision / torch-xla pins are written once, in requirements.txt: the TPU trio that
  ``helpers.course.colab`` installs on a mismatched Colab TPU runtime is derived from them; the Lightning
  release its set-up requires comes from requirements-colab.txt.

``python -m tools.sync`` rewrites what drifted; ``python -m tools.sync --check`` only lists it (exit 1).
"""

from __future__ import annotations

import re
import sys

import nbformat

from tools.paths import ROOT, course_config, notebook_paths

COLAB = ROOT / "helpers" / "course" / "colab.py"
BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^)\s]+/notebooks/([\w.-]+\.ipynb)")


GITHUB, RAW_GITHUB = "https://github.com", "https://raw.githubusercontent.com"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def requirements_url(cfg: dict[str, str], raw: str = RAW_GITHUB) -> str:
    """Where Colab fetches requirements-colab.txt (``raw``: another host standing in for GitHub's, in a rehearsal)."""
    return f"{raw}/{cfg['github']}/{cfg['branch']}/requirements-colab.txt"


def helpers_requirement(cfg: dict[str, str], github: str = GITHUB) -> str:
    """The pip requirement that installs ``helpers`` from the repository (``github``: a stand-in host, likewise)."""
    return f"lightning-course-helpers @ git+{github}/{cfg['github']}@{cfg['branch']}"


def badge_url(cfg: dict[str, str], notebook: str) -> str:
    return f"https://colab.research.google.com/github/{cfg['github']}/blob/{cfg['branch']}/notebooks/{notebook}"


def badge(cfg: dict[str, str], notebook: str) -> str:
    """The Markdown of an Open-in-Colab badge for ``notebook``."""
    return f"[![Open in Colab]({COLAB_BADGE_IMAGE})]({badge_url(cfg, notebook)})"


def bootstrap_cell(cfg: dict[str, str], github: str = GITHUB) -> str:
    """Every lesson's first code cell: on Colab, install the course's helpers, whose import sets up the rest."""
    package = helpers_requirement(cfg, github).split(" @ ")[1]  # the git URL alone: pip reads the name from it
    return f"""import os, sys  # Colab only: install the course's helpers, which then install what the runtime lacks

if "google.colab" in sys.modules:
    if os.system("pip install -q --no-deps {package}"):
        sys.exit("Colab setup: installing the course's helpers failed: check the connection, run again.")
    import helpers.course.colab_setup  # noqa: F401 (importing it sets this runtime up)"""


def pins(name: str = "requirements.txt") -> dict[str, str]:
    """``{package: version}`` of the ``==`` pins in a requirements file (environment markers left out)."""
    lines = (line.split(";")[0].split("#")[0].strip() for line in (ROOT / name).read_text().splitlines())
    return dict(line.split("==", 1) for line in lines if "==" in line)


def tpu_trio() -> tuple[str, str, str]:
    pinned = pins()
    return (
        f"torch=={pinned['torch']}",
        f"torchvision=={pinned['torchvision']}",
        f"torch-xla[tpu]=={pinned['torch-xla']}",
    )


def synced_colab_module(text: str, cfg: dict[str, str]) -> str:
    text = re.sub(r"^TPU_TRIO = .*$", f"TPU_TRIO = {tpu_trio()!r}".replace("'", '"'), text, flags=re.M)
    text = re.sub(
        r"^LIGHTNING_FLOOR = .*$",
        f'LIGHTNING_FLOOR = "{pins("requirements-colab.txt")["pytorch-lightning"]}"',
        text,
        flags=re.M,
    )
    repository = f'REPOSITORY, BRANCH = "{cfg["github"]}", "{cfg["branch"]}"'
    return re.sub(r"^REPOSITORY, BRANCH = .*$", repository, text, flags=re.M)


def synced_readme(text: str, cfg: dict[str, str]) -> str:
    return BADGE.sub(lambda m: badge_url(cfg, m.group(1)), text)


def synced_notebook(nb: nbformat.NotebookNode, name: str, cfg: dict[str, str]) -> bool:
    """Put the bootstrap cell and the lesson's badge in place; True if anything changed."""
    changed = False
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    cell = bootstrap_cell(cfg)
    if code.source != cell:
        code.source, changed = cell, True
    title = nb.cells[0]
    wanted = badge(cfg, name)
    if title.cell_type == "markdown" and wanted not in title.source:
        lines = [line for line in title.source.splitlines() if "colab-badge.svg" not in line]
        title.source, changed = "\n".join([lines[0], "", wanted, *lines[1:]]).replace("\n\n\n", "\n\n"), True
    return changed


def sync(write: bool) -> list[str]:
    """Bring every derived piece in line (or just report with ``write=False``); return what drifted."""
    cfg = course_config()
    drifted = []
    for path, fix in (
        (COLAB, synced_colab_module),
        (ROOT / "README.md", synced_readme),
    ):
        text = path.read_text()
        fixed = fix(text, cfg)
        if fixed != text:
            drifted.append(path.relative_to(ROOT).as_posix())
            if write:
                path.write_text(fixed)
    for path in notebook_paths():
        nb = nbformat.read(path, as_version=4)
        if synced_notebook(nb, path.name, cfg):
            drifted.append(f"{path.relative_to(ROOT).as_posix()} (bootstrap cell or badge)")
            if write:
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
