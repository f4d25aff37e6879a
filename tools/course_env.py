"""The one environment in which committed outputs are made and checked: offline, stand-in data, one numerics profile.

Every command that writes or compares committed outputs applies it before any kernel starts (the test
command through ``conftest.py``, ``make course`` and ``make notebooks`` through ``tools.run_course`` and
``tools.execute_notebooks``); notebook kernels inherit it.

**Offline.** No W&B key (so the lessons choose W&B's offline mode, as they would for a learner without one),
MLflow telemetry off, torch_xla's CPU device, no TPU metadata lookup, and ``LIGHTNING_COURSE_OFFLINE=1``: the
lessons' ``data_source="auto"`` takes the stand-in instead of downloading the real files.

**Numerics profile.** Float results on a CPU depend on which vector instructions, library code paths
and thread counts compute them. Measured on one machine (AMD, AVX-512) and under emulated Intel and AMD
CPUs with and without AVX2 (``python -m tools.cross_cpu``), these settings make every training number
of the lessons bit-identical across them:

- ``ATEN_CPU_CAPABILITY=default``: PyTorch's portable kernels instead of its AVX2/AVX-512 ones;
- ``ONEDNN_MAX_CPU_ISA=SSE41``: oneDNN (convolutions) generates the same SSE4.1 code on every CPU;
- ``MKL_CBWR=COMPATIBLE``: Intel MKL (matrix products) takes its reproducible, CPU-independent path;
- one thread for PyTorch (``OMP_NUM_THREADS``/``MKL_NUM_THREADS=1``): how work is split between threads
  changes the order of additions;
- two cores for torch_xla: its CPU runtime sizes a thread pool from the cores the process may use, and
  the results change with that number, so every process (and every kernel it starts) is pinned to the
  first two cores it may use (:func:`pin_to_cores`);
- ``XLA_FLAGS=--xla_cpu_max_isa=SSE4_2``: torch_xla's CPU compiler emits the same instructions everywhere;
- ``CUDA_VISIBLE_DEVICES=""``: on a machine with a GPU the lessons still run on the CPU.

One more source of difference is in the lessons themselves: PyTorch's default Adam takes its square
root from MKL's vector math, whose last bit differs between CPUs (measured), so the course's model uses
``Adam(fused=True)``, whose CPU kernel rounds the square root exactly.

The profile costs speed (PyTorch's portable kernels, one thread): ``python -m tools.cross_cpu --timing``
measures it. It reproduces on Linux x86-64 machines with at least two cores and torch_xla (every x86-64
CPU that runs the pinned numpy has AVX); on other architectures (ARM) the float kernels differ and the
committed training numbers cannot be reproduced, and other systems were not measured.

**Elsewhere.** Pinning to cores needs ``os.sched_setaffinity`` (Linux only) and torch_xla has wheels for Linux
x86-64 only: where either is missing, :func:`missing_here` says in one line what is skipped, and the rest runs.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import tempfile
import uuid
from concurrent.futures import ProcessPoolExecutor

import zmq
from jupyter_client.localinterfaces import localhost
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

from helpers.course.runtime import avoid_tpu_metadata_lookup
from helpers.xla.device import TORCH_XLA_MISSING, torch_xla_installed

OFFLINE_ENV = {
    "PJRT_DEVICE": "CPU",  # torch_xla's CPU device, and no "Defaulting to PJRT_DEVICE=CPU" warning
    "LIGHTNING_COURSE_OFFLINE": "1",  # data_source="auto" takes the stand-in, never a download
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "PYTHONHASHSEED": "0",
}
UNSET = ("WANDB_API_KEY", "WANDB_MODE")  # W&B's mode is the lessons' choice: offline without a key
NUMERICS_PROFILE = {
    "ATEN_CPU_CAPABILITY": "default",
    "ONEDNN_MAX_CPU_ISA": "SSE41",
    "MKL_CBWR": "COMPATIBLE",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_max_isa=SSE4_2",
    "CUDA_VISIBLE_DEVICES": "",
}
REPRODUCIBLE_MACHINES = ("x86_64", "AMD64")
XLA_CORES = 2


def apply_course_env(numerics: bool = True) -> None:
    """Set the offline settings and the numerics profile in this process; children and kernels inherit them.

    ``numerics=False`` leaves the numerics profile and the pinning out (``tools.cross_cpu --timing`` uses it).
    """
    os.environ.update(OFFLINE_ENV)
    for name in UNSET:
        os.environ.pop(name, None)
    avoid_tpu_metadata_lookup()
    if numerics:
        os.environ.update(NUMERICS_PROFILE)
        pin_to_cores(XLA_CORES)


def pin_to_cores(count: int) -> set[int] | None:
    """Let this process (and everything it starts later) use only the first ``count`` cores it may use; None where
    the system cannot (no ``os.sched_setaffinity``: macOS, Windows)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cores = set(sorted(os.sched_getaffinity(0))[:count])
    os.sched_setaffinity(0, cores)
    return cores


def missing_here() -> str | None:
    """None where the course's Linux-only pieces are all here; otherwise one line: what is skipped, and why."""
    missing = []
    if not hasattr(os, "sched_setaffinity"):
        missing.append("pinning processes to CPU cores (os.sched_setaffinity is Linux-only)")
    if not torch_xla_installed():
        missing.append(f"lesson 5's XLA parts and tests: {TORCH_XLA_MISSING}")
    if not missing:
        return None
    return f"Skipped on this {platform.system()} machine: {'; '.join(missing).rstrip('.')}. Everything else runs."


def outputs_reproduce_here() -> str | None:
    """None where the committed outputs reproduce; otherwise one line saying what differs and why."""
    machine, system = platform.machine(), platform.system()
    skipped = "so their strict comparison is skipped here (unit tests and papermill runs still run)."
    if machine not in REPRODUCIBLE_MACHINES:
        return (
            f"This is a {machine} machine: the committed notebook outputs come from x86-64 float kernels; on other "
            f"CPU architectures the training numbers differ from about the 4th digit on, {skipped}"
        )
    if system != "Linux":
        return f"This is {system}: the committed notebook outputs were made and checked on Linux only, {skipped}"
    if not torch_xla_installed():
        return f"torch_xla is not installed: the committed notebook outputs were made with it (lesson 5), {skipped}"
    if len(os.sched_getaffinity(0)) < XLA_CORES:
        return (
            f"This process may use fewer than {XLA_CORES} cores: torch_xla's CPU results (lesson 5) depend on the "
            f"number of cores, and the committed outputs come from {XLA_CORES}, {skipped}"
        )
    return None


def course_pool(workers: int = XLA_CORES) -> ProcessPoolExecutor:
    """Processes for running lessons side by side; they inherit the course environment, pinning included."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


class IPCKernelManager(AsyncKernelManager):
    """Notebook kernels talk over local sockets (IPC), not TCP: no network port, and no ipykernel warning about it.
    pyzmq's Windows wheels have no IPC: there they talk TCP on the loopback address."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if zmq.has("ipc") else "tcp", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        if self.transport != "ipc":
            return localhost()
        # jupyter_client's default is relative to the working folder, which differs between client and kernel
        return os.path.join(tempfile.gettempdir(), f"lightning-course-kernel-{uuid.uuid4().hex}-ipc")
