"""Send the console output of C libraries and child processes to a file, for a block of code.

Processes started inside the block (a DDP fit's workers) inherit the redirection; what they print at the
C level (gloo's connection lines, in an order that changes from run to run) lands in the file instead of
the notebook. Python's own ``print`` in the notebook process is not affected.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def console_to_file(path: str | Path, fds: tuple[int, ...] = (1, 2)) -> Iterator[Path]:
    """Redirect file descriptors ``fds`` (stdout and stderr) to ``path`` (appended) inside the block; yields it."""
    path = Path(path)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(fd) for fd in fds]
    with path.open("ab") as log:
        for fd in fds:
            os.dup2(log.fileno(), fd)
        try:
            yield path
        finally:
            for fd, copy in zip(fds, saved):
                os.dup2(copy, fd)
                os.close(copy)
