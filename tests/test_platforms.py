"""What the course's commands do where a piece they use is missing, simulated here: no supported Python on PATH,
no ``os.sched_setaffinity`` (macOS, Windows), no ``unshare`` or no permission for it, an ARM CPU, no torch_xla."""

import importlib.util
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zmq
from jupyter_client.localinterfaces import localhost

from helpers.xla import device as xla_device
from helpers.xla.device import TORCH_XLA_MISSING, torch_xla_installed
from tools import course_env

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
# The Makefile and tools/without_network.sh are POSIX shell; on Windows the README gives the commands instead.
POSIX_SHELL = pytest.mark.skipif(os.name != "posix", reason="make and tools/without_network.sh need a POSIX shell")


def stub(folder: Path, name: str, exit_status: int) -> None:
    """An executable ``name`` in ``folder`` that exits with ``exit_status`` (127: a pyenv shim for a version not
    selected, which is on PATH but does not run)."""
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"#!/bin/sh\nexit {exit_status}\n")
    (folder / name).chmod(0o755)


def make_setup(tmp_path: Path, *arguments: str, dry_run: bool = True) -> subprocess.CompletedProcess:
    """``make setup`` of the course's Makefile in an empty folder, with only ``tmp_path/bin`` on PATH."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    for name in ("requirements.txt", "pyproject.toml"):
        (tmp_path / name).touch()
    command = [MAKE, "-f", str(ROOT / "Makefile"), *(["-n"] if dry_run else []), "setup", *arguments]
    path = {"PATH": str(tmp_path / "bin")}
    return subprocess.run(command, cwd=tmp_path, env=path, capture_output=True, text=True, timeout=60)


@POSIX_SHELL
@pytest.mark.skipif(MAKE is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("runs", "chosen"),
    [
        ({"python3.13": 0, "python3.12": 0, "python3.11": 0}, "python3.13"),
        ({"python3.13": 127, "python3.12": 0, "python3.11": 0}, "python3.12"),
        ({"python3.11": 0, "python3.14": 0}, "python3.11"),
    ],
)
def test_make_picks_the_newest_supported_python_that_runs(tmp_path, runs, chosen):
    for name, status in runs.items():
        stub(tmp_path / "bin", name, status)
    assert f"{chosen} -m venv .venv" in make_setup(tmp_path).stdout
    assert "/opt/py -m venv .venv" in make_setup(tmp_path, "PYTHON=/opt/py").stdout


@POSIX_SHELL
@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_without_a_supported_python_says_what_to_install(tmp_path):
    stub(tmp_path / "bin", "python3.14", 0)
    done = make_setup(tmp_path, dry_run=False)
    assert done.returncode != 0 and not (tmp_path / ".venv").exists()
    assert done.stderr.splitlines()[0] == (
        "No Python 3.13, 3.12 or 3.11 runs here: install one (python.org, Homebrew, apt, pyenv) "
        "or name it: make PYTHON=/path/to/python3.13"
    )


# ---------------------------------------------------------------- without_network.sh


def without_network(tmp_path: Path) -> subprocess.CompletedProcess:
    """tools/without_network.sh running a Python one-liner, with only ``tmp_path/bin`` on PATH."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    command = [shutil.which("bash"), str(ROOT / "tools" / "without_network.sh"), sys.executable, "-c", "print('ran')"]
    return subprocess.run(command, env={"PATH": str(tmp_path / "bin")}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("stubs", "why"),
    [
        ({}, "unshare is missing (network namespaces are Linux-only)"),
        ({"unshare": 0}, "ip is missing (install iproute2: it brings loopback up in the namespace)"),
        ({"unshare": 1, "ip": 0}, "this system allows neither unshare -n (root) nor unshare -rn (user namespaces)"),
    ],
    ids=["no-unshare", "no-ip", "not-allowed"],
)
@POSIX_SHELL
def test_without_a_network_namespace_the_command_runs_after_one_line(tmp_path, stubs, why):
    for name, status in stubs.items():
        stub(tmp_path / "bin", name, status)
    done = without_network(tmp_path)
    assert (done.returncode, done.stdout) == (0, "ran\n")
    assert done.stderr == f"without_network.sh: running WITH network access: {why}\n"


# ---------------------------------------------------------------- the course environment


@pytest.fixture
def no_torch_xla(monkeypatch):
    """torch_xla not installed, as wherever it has no wheels."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *rest: None if name == "torch_xla" else find_spec(name, *rest)
    )


def test_without_sched_setaffinity_nothing_is_pinned_and_it_says_so(monkeypatch):
    monkeypatch.delattr(os, "sched_setaffinity")
    assert course_env.pin_to_cores(course_env.XLA_CORES) is None
    assert "pinning processes to CPU cores (os.sched_setaffinity is Linux-only)" in course_env.missing_here()


def test_without_torch_xla_one_line_says_what_is_skipped(monkeypatch, no_torch_xla):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.delattr(os, "sched_setaffinity")
    assert course_env.missing_here() == (
        "Skipped on this Darwin machine: pinning processes to CPU cores (os.sched_setaffinity is Linux-only); "
        f"lesson 5's XLA parts and tests: {TORCH_XLA_MISSING.rstrip('.')}. Everything else runs."
    )
    assert xla_device._status.__wrapped__("CPU").reason == TORCH_XLA_MISSING


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or not torch_xla_installed(), reason="not Linux with torch_xla"
)
def test_with_every_piece_here_nothing_is_skipped():
    assert course_env.missing_here() is None


@pytest.mark.parametrize(
    ("machine", "system", "says"),
    [
        ("arm64", "Darwin", "This is a arm64 machine: the committed notebook outputs come from x86-64 float kernels"),
        ("aarch64", "Linux", "This is a aarch64 machine"),
        ("AMD64", "Windows", "This is Windows: the committed notebook outputs were made and checked on Linux only"),
    ],
)
def test_strict_comparison_is_skipped_elsewhere_with_one_line(monkeypatch, machine, system, says):
    monkeypatch.setattr(platform, "machine", lambda: machine)
    monkeypatch.setattr(platform, "system", lambda: system)
    line = course_env.outputs_reproduce_here()
    assert line.startswith(says) and line.endswith("(unit tests and papermill runs still run).") and "\n" not in line


def test_strict_comparison_is_skipped_without_torch_xla(monkeypatch, no_torch_xla):
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    assert course_env.outputs_reproduce_here().startswith("torch_xla is not installed: the committed notebook outputs")


def test_kernels_talk_tcp_on_loopback_where_zmq_has_no_ipc():
    assert course_env.IPCKernelManager.class_traits()["transport"].default_value == ("ipc" if zmq.has("ipc") else "tcp")
    assert course_env.IPCKernelManager(transport="tcp").ip == localhost()
    assert course_env.IPCKernelManager(transport="ipc").ip.endswith("-ipc")
