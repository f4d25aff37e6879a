"""On a Colab TPU runtime, make sure torch and torch_xla match; the notebooks' first cell calls this.

The first cell of every lesson installs ``requirements-colab.txt`` (this package included) once per
runtime, then calls :func:`check_tpu_runtime`. A TPU is recognised on the PCI bus, without any network
call. When the runtime's torch and torch_xla releases differ, the course's matching trio (``TPU_TRIO``,
kept equal to ``requirements.txt`` by ``python -m tools.sync``) is installed and the kernel is restarted
once so the new versions load; if they still differ after that, it says what to do instead of looping.
"""

from __future__ import annotations

import importlib.metadata
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from helpers.course.runtime import tpu_chips_attached

TPU_TRIO = ("torch==2.9.0", "torchvision==0.24.0", "torch-xla[tpu]==2.9.0")
RESTART_MARKER = "lightning-course-tpu-restart"  # in the temp folder, which survives a kernel restart


def installed_release(package: str) -> str | None:
    """``package``'s installed version without a local tag (``2.9.0+cpu`` -> ``2.9.0``), or None."""
    try:
        return importlib.metadata.version(package).split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        return None


def check_tpu_runtime(
    run: Callable[..., object] = subprocess.run,
    restart: Callable[[], None] = lambda: os.kill(os.getpid(), signal.SIGKILL),
) -> None:
    """On a TPU runtime whose torch and torch_xla differ, install the matching trio and restart the kernel once.

    Elsewhere (no TPU, or matching versions) it does nothing. ``run`` and ``restart`` are replaceable for tests.
    """
    if not tpu_chips_attached():
        return
    torch_version, xla_version = installed_release("torch"), installed_release("torch_xla")
    if torch_version == xla_version:
        return
    marker = Path(tempfile.gettempdir()) / RESTART_MARKER
    if marker.exists():
        print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} still differ after the reinstall.")
        print("Use Runtime > Disconnect and delete runtime, then run this notebook again from the top.")
        return
    print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} do not match; installing {' '.join(TPU_TRIO)}")
    run([sys.executable, "-m", "pip", "install", "--quiet", *TPU_TRIO], check=True)
    marker.touch()
    print("Colab TPU: restarting the runtime so the new versions load. Then run this notebook again from the top.")
    restart()  # Colab restarts a kernel that exits; the installed packages stay
