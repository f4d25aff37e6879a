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
def console_to_file(path: str | Path) -> Iterator[Path]:
    """Redirect file descriptors 1 and 2 to ``path`` (appended) inside the block; yields the path."""
    path = Path(path)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield path
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
