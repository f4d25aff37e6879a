"""Re-execute lessons in place, top to bottom in a fresh kernel, with the offline test settings.

The committed outputs are what strict nbval compares against, so they must come from exactly this
configuration. ``python -m tools.execute_notebooks [01_dataset.ipynb ...]`` (default: all lessons).
"""

from __future__ import annotations

import sys

import nbformat
from nbclient import NotebookClient

from tools.offline import apply_offline_env
from tools.sync import NOTEBOOKS, notebook_paths


def execute_in_place(path) -> None:
    """Run one notebook in a fresh kernel (cwd: notebooks/) and save it with its new outputs."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    nbformat.write(nb, path)


def main() -> None:
    apply_offline_env()
    wanted = set(sys.argv[1:])
    for path in notebook_paths():
        if not wanted or path.name in wanted:
            print(f"executing {path.name}", flush=True)
            execute_in_place(path)


if __name__ == "__main__":
    main()
