"""Setting up a Colab runtime for the course: each lesson's first cell installs this package, then imports
``helpers.course.colab_setup``, which calls :func:`set_up`.

The cell installs ``helpers`` alone (``pip install --no-deps``, from the course's GitHub repository), so that
this module runs before anything else is installed. :func:`set_up` then:

1. on a TPU runtime (recognised on the PCI bus, without any network call), makes sure torch and torch_xla
   are of the same release (major.minor): if not, or if either is missing, it installs the course's matching
   trio (``TPU_TRIO``, kept equal to ``requirements.txt`` by ``python -m tools.sync``) and restarts the runtime
   once so the new versions load; if they still differ after that, it says what to do instead of looping.
   This comes first, so that nothing installs another torch before it;
2. installs ``requirements-colab.txt`` (what Colab lacks: Lightning, torchmetrics, TensorBoard, W&B, MLflow)
   unless Lightning is there already, at ``LIGHTNING_FLOOR`` or newer (older releases have known security
   flaws: GHSA-qqmf-gpg7-g8gw, code execution through a checkpoint's hyperparameters, fixed in 2.6.6).

A failed install ends the cell with one line saying what to do (pip's own message stays above it).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from helpers.course.runtime import tpu_chips_attached

TPU_TRIO = ("torch==2.9.0", "torchvision==0.24.0", "torch-xla[tpu]==2.9.0")
LIGHTNING_FLOOR = "2.6.6"
REPOSITORY, BRANCH = "lightning-course/pytorch-lightning-course", "main"
REQUIREMENTS_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{BRANCH}/requirements-colab.txt"
RESTART_MARKER = "lightning-course-tpu-restart"  # in the temp folder, which survives a kernel restart
PIP = (sys.executable, "-m", "pip", "install", "--quiet")
Runner = Callable[..., subprocess.CompletedProcess]


def installed_release(package: str) -> str | None:
    """``package``'s installed version without a local tag (``2.9.0+cpu`` -> ``2.9.0``), or None."""
    try:
        return importlib.metadata.version(package).split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        return None


def at_least(version: str | None, floor: str) -> bool:
    """True when ``version`` (e.g. ``2.6.6`` or ``2.10.0rc1``) is installed and its release is ``floor`` or newer."""
    if version is None:
        return False
    release = [int(part) for part in re.findall(r"\d+", version)[:3]]
    return release >= [int(part) for part in floor.split(".")]


def same_release(torch_version: str | None, xla_version: str | None) -> bool:
    """True when both are installed with the same major.minor (torch_xla 2.9 runs with torch 2.9.x)."""
    if torch_version is None or xla_version is None:
        return False
    return torch_version.split(".")[:2] == xla_version.split(".")[:2]


def install(arguments: list[str], what: str, run: Runner = subprocess.run) -> None:
    """``pip install`` with ``arguments``; on failure stop the cell with one line saying what to do."""
    if run([*PIP, *arguments]).returncode != 0:
        raise SystemExit(
            f"Colab setup: installing {what} failed (pip says why above). "
            "Check that the runtime is connected to the internet, then run this cell again."
        )


def restart_runtime() -> None:
    """End the kernel; Colab starts a new one, with the packages installed so far (it may call it a crash)."""
    os.kill(os.getpid(), signal.SIGKILL)


def check_tpu_runtime(run: Runner = subprocess.run, restart: Callable[[], None] = restart_runtime) -> bool:
    """On a TPU runtime whose torch and torch_xla releases differ (or are missing), install the course's trio and
    restart once; return True if it restarted. Elsewhere it does nothing. ``run`` and ``restart`` are replaceable
    for tests and rehearsals."""
    if not tpu_chips_attached():
        return False
    torch_version, xla_version = installed_release("torch"), installed_release("torch_xla")
    if same_release(torch_version, xla_version):
        return False
    marker = Path(tempfile.gettempdir()) / RESTART_MARKER
    if marker.exists():
        print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} still differ after the reinstall.")
        print("Use Runtime > Disconnect and delete runtime, then run this notebook again from the top.")
        return False
    print(f"Colab TPU: torch {torch_version} and torch_xla {xla_version} do not match; installing {' '.join(TPU_TRIO)}")
    install(list(TPU_TRIO), "torch and torch_xla", run)
    marker.touch()
    print("Colab TPU: restarting the runtime so the new versions load (Colab may report a crash: it is this restart).")
    print("Then run this notebook again from the top.")
    restart()
    return True


def set_up(
    requirements: str = REQUIREMENTS_URL, run: Runner = subprocess.run, restart: Callable[[], None] = restart_runtime
) -> None:
    """What the course needs on this runtime: the TPU check, then ``requirements`` (a URL or a path) unless
    Lightning ``LIGHTNING_FLOOR`` or newer is installed."""
    if check_tpu_runtime(run, restart):
        return
    if not at_least(installed_release("pytorch-lightning"), LIGHTNING_FLOOR):
        print("Colab: installing the course's packages (once per runtime, about a minute)...")
        install(["-r", requirements], requirements, run)
        print("Colab: done.")
