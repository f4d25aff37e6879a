"""What the course's commands do where a piece they use is missing, simulated here: no supported Python on PATH,
no ``os.sched_setaffinity`` (macOS, Windows), no ``unshare`` or no permission for it, an ARM CPU, no torch_xla."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")


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


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_make_without_a_supported_python_says_what_to_install(tmp_path):
    stub(tmp_path / "bin", "python3.14", 0)
    done = make_setup(tmp_path, dry_run=False)
    assert done.returncode != 0 and not (tmp_path / ".venv").exists()
    assert done.stderr.splitlines()[0] == (
        "No Python 3.13, 3.12 or 3.11 runs here: install one (python.org, Homebrew, apt, pyenv) "
        "or name it: make PYTHON=/path/to/python3.13"
    )
