"""The Colab bootstrap cell, run as it is in a simulated Colab (nothing is installed for real) and elsewhere."""

import glob
import importlib.metadata
import io
import os
import subprocess
import sys
import tempfile
import types
import urllib.request

import pytest

from helpers.runtime import TPU_PCI_DEVICE_IDS
from tools.sync import BOOTSTRAP, ROOT, course_config, pinned_versions, requirements_url

SOURCE = BOOTSTRAP.read_text()
URL = requirements_url(course_config())
PIP = [sys.executable, "-m", "pip", "install", "--quiet"]
PINS = pinned_versions()
TRIO = [f"torch=={PINS['torch']}", f"torchvision=={PINS['torchvision']}", f"torch-xla[tpu]=={PINS['torch-xla']}"]


class Colab:
    """What the cell did: commands run, requirement files fetched, kernel kills."""

    def __init__(self):
        self.commands, self.fetched, self.killed = [], [], []


@pytest.fixture
def colab(monkeypatch, tmp_path):
    """A simulated Colab runtime; configure it with runtime(...) before running the cell."""
    seen = Colab()
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: seen.commands.append((cmd, kw)))
    monkeypatch.setattr(os, "kill", lambda pid, sig: seen.killed.append(sig))

    def urlopen(url):
        seen.fetched.append(url)
        return io.BytesIO((ROOT / "requirements-colab.txt").read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)

    def runtime(*, on_colab=True, helpers_installed=False, pci=(), torch="2.9.0+cu126", torch_xla=None):
        if on_colab:
            monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        for i, (vendor, device) in enumerate(pci):
            folder = tmp_path / f"0000:00:{i:02}.0"
            folder.mkdir()
            (folder / "vendor").write_text(vendor + "\n")
            (folder / "device").write_text(device + "\n")
        real_glob, real_version = glob.glob, importlib.metadata.version
        monkeypatch.setattr(
            glob,
            "glob",
            lambda p: sorted(map(str, tmp_path.glob("*/vendor"))) if p.startswith("/sys/") else real_glob(p),
        )
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the cell leaves its restart marker
        helpers_version = "0.1.0" if helpers_installed else None
        versions = {"torch": torch, "torch_xla": torch_xla, "lightning-course-helpers": helpers_version}

        def version(name):
            if name not in versions:
                return real_version(name)
            if versions[name] is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return versions[name]

        monkeypatch.setattr(importlib.metadata, "version", version)

    seen.runtime = runtime
    return seen


def run_cell():
    exec(compile(SOURCE, "bootstrap-cell", "exec"), {"__name__": "__main__"})


TPU_V5E = [("0x1ae0", "0x0063")]
GVNIC = [("0x1ae0", "0x0042")]  # Google's virtual NIC: same vendor, not a TPU


def test_outside_colab_it_does_nothing(colab, capsys):
    colab.runtime(on_colab=False, pci=TPU_V5E)
    run_cell()
    assert (colab.commands, colab.fetched, colab.killed) == ([], [], [])
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("pci", [[], GVNIC, [("0x10de", "0x20b0")]], ids=["cpu", "gvnic", "gpu"])
def test_fresh_cpu_or_gpu_runtime_installs_the_pinned_requirements(colab, capsys, pci):
    colab.runtime(pci=pci)
    run_cell()
    assert colab.commands == [([*PIP, "-r", URL], {"check": True})]
    assert colab.killed == [] and colab.fetched == []
    assert "installing the course's pinned packages" in capsys.readouterr().out


def test_second_run_is_a_quick_no_op(colab, capsys):
    colab.runtime(helpers_installed=True, pci=GVNIC)
    run_cell()
    assert (colab.commands, colab.fetched, colab.killed) == ([], [], [])
    assert capsys.readouterr().out == ""


def test_tpu_with_matching_preinstalled_versions_keeps_them(colab, capsys):
    colab.runtime(pci=TPU_V5E, torch="2.8.0+cpu", torch_xla="2.8.0")
    run_cell()
    assert colab.commands == [([*PIP, "-r", URL], {"check": True})]
    assert colab.killed == []


@pytest.mark.parametrize("torch_xla", ["2.8.0", None], ids=["mismatch", "missing"])
def test_tpu_with_mismatched_versions_installs_the_trio_and_restarts(colab, capsys, torch_xla):
    colab.runtime(pci=TPU_V5E, torch="2.9.1+cpu", torch_xla=torch_xla)
    run_cell()
    assert colab.fetched == [URL]
    assert colab.commands == [([*PIP, *TRIO, "-r", URL], {"check": True})]
    assert colab.killed == [9]
    out = capsys.readouterr().out
    assert f"torch 2.9.1 and torch_xla {torch_xla} do not match" in out
    assert "restarting the runtime" in out and "run this notebook again from the top" in out


def test_a_second_mismatch_after_the_restart_is_reported_not_looped(colab, capsys, tmp_path):
    colab.runtime(helpers_installed=True, pci=TPU_V5E, torch="2.9.1+cpu", torch_xla="2.9.0")
    (tmp_path / "lightning-course-tpu-restart").write_text("")
    run_cell()
    assert (colab.commands, colab.fetched, colab.killed) == ([], [], [])
    assert "still differ after the reinstall" in capsys.readouterr().out


def test_after_the_restart_it_is_a_no_op(colab, capsys):
    colab.runtime(helpers_installed=True, pci=TPU_V5E, torch="2.9.0+cpu", torch_xla="2.9.0")
    run_cell()
    assert (colab.commands, colab.fetched, colab.killed) == ([], [], [])


def test_the_cells_tpu_ids_are_the_helpers_ones():
    namespace = {"__name__": "__main__"}
    exec(compile(SOURCE, "bootstrap-cell", "exec"), namespace)  # outside Colab: only definitions run
    assert namespace["TPU_PCI_IDS"] == TPU_PCI_DEVICE_IDS


def test_the_tpu_trio_is_the_courses_pinned_trio():
    text = (ROOT / "requirements-colab.txt").read_text()
    assert [line.removeprefix("#tpu ") for line in text.splitlines() if line.startswith("#tpu ")] == TRIO


def test_it_imports_only_the_standard_library():
    imports = [line.split()[1] for line in SOURCE.splitlines() if line.startswith(("import ", "from "))]
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in imports)
