"""Every lesson's first cell (the Colab bootstrap) in a simulated Colab, and the TPU-runtime check it calls.

Nothing is installed for real here: ``subprocess.run`` and the kernel restart are replaced and recorded.
"""

import importlib.abc
import importlib.metadata
import importlib.util
import subprocess
import sys
import types

import pytest

from helpers.course import colab
from tools.paths import course_config
from tools.sync import bootstrap_cell, requirements_url, tpu_trio

CELL = bootstrap_cell(course_config())
URL = requirements_url(course_config())
TPU_V5E, GVNIC = ("0x1ae0", "0x0063"), ("0x1ae0", "0x0042")  # Google's virtual NIC: same vendor, not a TPU


class HelpersNotInstalled(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes ``import helpers...`` fail as on a fresh Colab runtime until ``installed`` is set; then serves a
    ``helpers.course.colab`` whose ``check_tpu_runtime`` calls ``on_check``."""

    installed = False

    def __init__(self, on_check):
        self.on_check = on_check

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "helpers" and not self.installed:
            raise ModuleNotFoundError(f"No module named {name!r}")
        if name == "helpers.course.colab":
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.check_tpu_runtime = self.on_check


@pytest.fixture
def runtime(monkeypatch, tmp_path):
    """A simulated runtime: what the cell ran, and whether the TPU check was called."""
    seen = types.SimpleNamespace(commands=[], checked=0)
    seen.finder = HelpersNotInstalled(on_check=lambda: setattr(seen, "checked", seen.checked + 1))

    def run(command, **kwargs):
        seen.commands.append(command)
        seen.finder.installed = True

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(colab, "check_tpu_runtime", lambda: setattr(seen, "checked", seen.checked + 1))

    def configure(on_colab=True, helpers_installed=True):
        if on_colab:
            monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        if not helpers_installed:
            for name in [name for name in sys.modules if name == "helpers" or name.startswith("helpers.")]:
                monkeypatch.delitem(sys.modules, name)
            monkeypatch.setattr(sys, "meta_path", [seen.finder, *sys.meta_path])
        exec(compile(CELL, "bootstrap-cell", "exec"), {"__name__": "__main__"})

    seen.configure = configure
    return seen


def test_outside_colab_it_does_nothing(runtime, capsys):
    runtime.configure(on_colab=False)
    assert (runtime.commands, runtime.checked) == ([], 0)
    assert capsys.readouterr().out == ""


def test_a_fresh_colab_runtime_installs_the_requirements_then_checks_the_tpu(runtime):
    runtime.configure(helpers_installed=False)
    assert runtime.commands == [[sys.executable, "-m", "pip", "install", "--quiet", "-r", URL]]
    assert runtime.checked == 1


def test_a_second_run_installs_nothing(runtime):
    runtime.configure()
    assert (runtime.commands, runtime.checked) == ([], 1)


def test_the_cell_imports_only_the_standard_library_before_installing():
    imports = [line.split()[1] for line in CELL.splitlines() if line.startswith(("import ", "from "))]
    assert imports and all(name.split(".")[0] in sys.stdlib_module_names for name in imports)
    assert len(CELL.splitlines()) <= 15


# ---------------------------------------------------------------- check_tpu_runtime


@pytest.fixture
def tpu(monkeypatch, tmp_path):
    """A runtime with the given PCI devices and torch / torch_xla versions; records installs and restarts."""
    seen = types.SimpleNamespace(commands=[], restarts=0)
    monkeypatch.setattr(colab.tempfile, "gettempdir", lambda: str(tmp_path))

    def configure(pci=(TPU_V5E,), torch="2.9.0+cpu", torch_xla="2.9.0"):
        monkeypatch.setattr(colab, "tpu_chips_attached", lambda: sum(device == TPU_V5E for device in pci))
        versions = {"torch": torch, "torch_xla": torch_xla}

        def version(name):
            if versions.get(name) is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return versions[name]

        monkeypatch.setattr(colab.importlib.metadata, "version", version)
        colab.check_tpu_runtime(
            run=lambda command, **kwargs: seen.commands.append(command),
            restart=lambda: setattr(seen, "restarts", seen.restarts + 1),
        )

    seen.configure = configure
    return seen


@pytest.mark.parametrize("pci", [(), (GVNIC,)], ids=["cpu-or-gpu", "gvnic"])
def test_no_tpu_nothing_to_do(tpu, pci, capsys):
    tpu.configure(pci=pci, torch="2.11.0+cu126", torch_xla=None)
    assert (tpu.commands, tpu.restarts) == ([], 0) and capsys.readouterr().out == ""


def test_a_tpu_with_matching_versions_keeps_them(tpu, capsys):
    tpu.configure(torch="2.9.0+cpu", torch_xla="2.9.0")
    assert (tpu.commands, tpu.restarts) == ([], 0)


@pytest.mark.parametrize("torch_xla", ["2.8.0", None], ids=["mismatch", "missing"])
def test_a_tpu_with_mismatched_versions_installs_the_trio_and_restarts_once(tpu, capsys, torch_xla, tmp_path):
    tpu.configure(torch="2.9.1+cpu", torch_xla=torch_xla)
    assert tpu.commands == [[sys.executable, "-m", "pip", "install", "--quiet", *colab.TPU_TRIO]]
    assert tpu.restarts == 1 and (tmp_path / colab.RESTART_MARKER).exists()
    out = capsys.readouterr().out
    assert f"torch 2.9.1 and torch_xla {torch_xla} do not match" in out and "run this notebook again" in out


def test_a_second_mismatch_after_the_restart_is_reported_not_looped(tpu, capsys, tmp_path):
    (tmp_path / colab.RESTART_MARKER).touch()
    tpu.configure(torch="2.9.1+cpu", torch_xla="2.9.0")
    assert (tpu.commands, tpu.restarts) == ([], 0)
    assert "still differ after the reinstall" in capsys.readouterr().out


def test_the_tpu_trio_is_the_courses_pinned_trio():
    assert tpu_trio() == colab.TPU_TRIO
