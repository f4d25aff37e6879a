"""Is an XLA device usable here, of which kind, and how many? Answered without crashing or network.

The course runs XLA in two places: a TPU (Colab's TPU runtime, ``PJRT_DEVICE=TPU``) and the CPU
XLA device (``PJRT_DEVICE=CPU``, used in CI). :func:`xla_status` checks the configuration *before*
starting torch_xla's runtime, because a runtime started with a bad ``PJRT_DEVICE`` stays broken
for the rest of the process. :func:`require_xla` turns a bad answer into an exception that says
what to do.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from dataclasses import dataclass
from types import ModuleType

from helpers.course.params import check, whole
from helpers.course.runtime import tpu_chips_attached

SUPPORTED_KINDS = ("TPU", "CPU")
TORCH_XLA_MISSING = (
    "torch_xla is not installed (it has wheels for Linux x86-64 with Python 3.10 to 3.13 only; "
    "there: pip install torch-xla of torch's version)."
)
_FIX_KIND = (
    "On Colab pick Runtime > Change runtime type > TPU; anywhere else set PJRT_DEVICE=CPU "
    "(before importing torch_xla) to use the CPU XLA device."
)


def torch_xla_installed() -> bool:
    """True when torch_xla is installed (looked up without importing it, so torch stays unloaded)."""
    return importlib.util.find_spec("torch_xla") is not None


@dataclass(frozen=True)
class XLAStatus:
    """What :func:`xla_status` found: ``kind`` is the PJRT device kind ('TPU', 'CPU', ...)."""

    available: bool
    reason: str
    kind: str = ""
    devices: int = 0


def _kind_problem(kind: str, torch_xla: ModuleType) -> str:
    """Why the PJRT device ``kind`` cannot work on this machine ('' when it can)."""
    if kind not in SUPPORTED_KINDS:
        return f"PJRT_DEVICE={kind!r} is not a device this course runs on ({', '.join(SUPPORTED_KINDS)}). "
    if kind == "TPU" and not tpu_chips_attached():
        return "PJRT_DEVICE=TPU but no TPU chip is attached to this machine. "
    if kind == "TPU" and not (torch_xla._found_libtpu or os.environ.get("TPU_LIBRARY_PATH")):
        return "A TPU is attached but libtpu is missing: pip install 'torch_xla[tpu]'. "
    return ""


def _count_devices(kind: str, torch_xla: ModuleType) -> int:
    """Count the XLA devices of ``kind`` this process can use.

    TPUs are counted from the PCI bus without starting the runtime, so a multi-process launch
    (``xmp.spawn``, Lightning's ``devices=8``) still works afterwards; the CPU device is started.
    """
    if kind == "TPU":
        from torch_xla._internal import tpu

        return tpu.num_available_devices()
    torch_xla.device()
    return torch_xla.device_count()


def xla_status() -> XLAStatus:
    """Check whether torch_xla is importable and its configured device usable; never raises.

    Starts torch_xla's CPU runtime only after ``PJRT_DEVICE`` is known to name a device that can
    exist here; a TPU is counted without starting the runtime. The answer is computed once per
    ``PJRT_DEVICE`` value (the runtime cannot change device once started), and nothing global is changed.
    """
    return _status(os.environ.get("PJRT_DEVICE"))


@functools.cache
def _status(pjrt_device: str | None) -> XLAStatus:
    if not torch_xla_installed():
        return XLAStatus(False, TORCH_XLA_MISSING)
    try:
        torch_xla = importlib.import_module("torch_xla")  # picks a default PJRT_DEVICE when none is set
    except Exception as error:  # a torch/torch_xla version mismatch fails in many ways
        return XLAStatus(False, f"torch_xla failed to import ({error}); install torch_xla matching torch.")
    kind = os.environ.get("PJRT_DEVICE", "")  # read after the import, which may set a default; exact: 'cpu' fails
    problem = _kind_problem(kind, torch_xla)
    if problem:
        return XLAStatus(False, problem + _FIX_KIND, kind)
    try:
        devices = _count_devices(kind, torch_xla)
    except Exception as error:  # the runtime reports setup problems as assorted exception types
        return XLAStatus(False, f"torch_xla could not start a {kind} device: {error}. {_FIX_KIND}", kind)
    return XLAStatus(True, f"{devices} {kind} XLA device(s)", kind, devices)


def require_xla(devices: int = 1) -> XLAStatus:
    """:func:`xla_status`, or RuntimeError if XLA is unusable, or ValueError if ``devices`` is too many."""
    status = xla_status()
    if not status.available:
        raise RuntimeError(f"No usable XLA device: {status.reason}")
    check("devices", devices, whole(minimum=1))
    if devices > status.devices:
        more = "set CPU_NUM_DEVICES before torch_xla starts" if status.kind == "CPU" else "use a larger TPU"
        raise ValueError(
            f"Asked for devices={devices} but only {status.devices} {status.kind} XLA device(s) are "
            f"attached; use devices<={status.devices} (for more, {more})."
        )
    return status
