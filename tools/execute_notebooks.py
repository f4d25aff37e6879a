"""Re-execute lessons in place, top to bottom in a fresh kernel each, in the course environment.

The committed outputs are what strict nbval compares against, so they come from exactly the
configuration the tests use (``tools.course_env``: offline, stand-in, numerics profile, two pinned
cores per process). Lessons run two at a time. ``python -m tools.execute_notebooks [01_dataset ...]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.course_env import IPCKernelManager, apply_course_env, course_pool, missing_here
from tools.paths import NOTEBOOKS, notebook_paths


def execute_in_place(path: Path) -> str:
    """Run one notebook in a fresh kernel (cwd: notebooks/) and save it with its new outputs."""
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        kernel_manager_class=IPCKernelManager,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    nbformat.write(nb, path)
    return f"executed {path.name} in {time.perf_counter() - start:.0f} s"


def main() -> None:
    apply_course_env()
    if missing := missing_here():
        print(missing, flush=True)
    wanted = set(sys.argv[1:])
    known = {name for path in notebook_paths() for name in (path.name, path.stem)}
    if wanted - known:
        sys.exit(f"no such lesson: {', '.join(sorted(wanted - known))}; the lessons are "
                 + ", ".join(path.stem for path in notebook_paths()))  # fmt: skip
    paths = [path for path in notebook_paths() if not wanted or {path.name, path.stem} & wanted]
    with course_pool() as pool:
        for line in pool.map(execute_in_place, paths):
            print(line, flush=True)


if __name__ == "__main__":
    main()
