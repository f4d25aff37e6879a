"""A lesson's own output folder (checkpoints, logs), emptied at the start of every run of the lesson.

Re-running a lesson must give the same file names (Lightning would otherwise add ``-v1`` suffixes and
``version_1`` folders), so the folder is cleared first. Only folders this module created (they hold a
marker file) are ever cleared: pointing it at any other non-empty folder is refused, nothing deleted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MARKER = ".lesson-run-folder"


def fresh_run_dir(path: str | Path) -> Path:
    """Return ``path`` as an empty folder (created if missing); refuse a non-empty folder it did not create."""
    folder = Path(path)
    if folder.is_symlink():
        raise ValueError(f"{folder.as_posix()} is a symbolic link: give the real folder (nothing was deleted)")
    if folder.exists():
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder.as_posix()} is a file: choose a folder name for the lesson's outputs")
        if any(folder.iterdir()) and not (folder / MARKER).exists():
            raise FileExistsError(
                f"{folder.as_posix()} already holds files this course did not write; nothing was deleted. "
                "Choose another output folder (the run_dir parameter) or empty it yourself."
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("Created by helpers.run_dirs.fresh_run_dir; emptied on every run of its lesson.\n")
    return folder
