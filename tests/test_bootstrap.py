"""Every lesson's first cell (the Colab bootstrap) in a simulated Colab, and ``helpers.course.colab.set_up``.

Nothing is installed for real here: ``subprocess.run`` and the kernel restart are replaced and recorded.
``tools/colab_rehearsal.py`` runs the same cell for real, with real installs, in a Colab-like environment.
"""

import importlib.abc
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import types

import nbformat
import pytest

from helpers.course import colab
from tools.paths import course_config
from tools.sync import bootstrap_cell, helpers_requirement, requirements_url, tpu_trio

CELL = bootstrap_cell(course_config())
URL = requirements_url(course_config())
TPU_V5E, GVNIC = ("0x1ae0", "0x0063"), ("0x1ae0", "0x0042")  # Google's virtual NIC: same vendor, not a TPU
HELPERS_URL = helpers_requirement(course_config()).split(" @ ")[1]


class HelpersNotInstalled(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes ``import helpers...`` fail as on a fresh Colab runtime until ``installed`` is set; then serves a
    ``helpers.course.colab_setup`` whose import calls ``on_set_up``."""

    installed = False

    def __init__(self, on_set_up):
        self.on_set_up = on_set_up

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "helpers" and not self.installed:
            raise ModuleNotFoundError(f"No module named {name!r}")
        if name == "helpers.course.colab_setup":
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self.on_set_up()


@pytest.fixture
def runtime(monkeypatch):
    """A simulated runtime: the shell commands the cell ran (and whether pip failed), and the set-ups."""
    seen = types.SimpleNamespace(commands=[], set_ups=0, pip_fails=False)
    seen.finder = HelpersNotInstalled(on_set_up=lambda: setattr(seen, "set_ups", seen.set_ups + 1))

    def system(command):
        seen.commands.append(command)
        seen.finder.installed = not seen.pip_fails
        return 256 if seen.pip_fails else 0

    monkeypatch.setattr(os, "system", system)
    monkeypatch.delitem(sys.modules, "helpers.course.colab_setup", raising=False)
    monkeypatch.setattr(sys, "meta_path", [seen.finder, *sys.meta_path])

    def configure(on_colab=True):
        if on_colab:
            monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        exec(compile(CELL, "bootstrap-cell", "exec"), {"__name__": "__main__"})

    seen.configure = configure
    return seen


def test_outside_colab_it_does_nothing(runtime, capsys):
    runtime.configure(on_colab=False)
    assert (runtime.commands, runtime.set_ups) == ([], 0)
    assert capsys.readouterr().out == ""


def test_on_colab_it_installs_the_helpers_alone_then_imports_the_set_up(runtime):
    runtime.configure()
    assert runtime.commands == [f"pip install -q --no-deps {HELPERS_URL}"]
    assert runtime.set_ups == 1


def test_a_second_run_in_the_same_kernel_sets_up_nothing_more(runtime):
    runtime.configure()
    runtime.configure()
    assert runtime.set_ups == 1


def test_github_out_of_reach_ends_the_cell_with_one_line(runtime):
    runtime.pip_fails = True
    with pytest.raises(SystemExit, match="installing the course's helpers failed: check the connection, run again"):
        runtime.configure()
    assert runtime.set_ups == 0


def test_the_cell_is_six_lines_of_the_standard_library():
    imports = [line.split()[1].rstrip(",") for line in CELL.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["os"] and "sys" in CELL.splitlines()[0]
    assert len(CELL.splitlines()) <= 6


# ---------------------------------------------------------------- set_up


@pytest.fixture
def colab_runtime(monkeypatch, tmp_path):
    """A runtime with the given PCI devices and installed versions; records installs and restarts."""
    seen = types.SimpleNamespace(commands=[], restarts=0, pip_fails=False)
    monkeypatch.setattr(colab.tempfile, "gettempdir", lambda: str(tmp_path))

    def configure(pci=(TPU_V5E,), torch="2.9.0+cpu", torch_xla="2.9.0", lightning="2.6.6"):
        monkeypatch.setattr(colab, "tpu_chips_attached", lambda: sum(device == TPU_V5E for device in pci))
        versions = {"torch": torch, "torch_xla": torch_xla, "pytorch-lightning": lightning}

        def version(name):
            if versions.get(name) is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return versions[name]

        def run(command, **kwargs):
            seen.commands.append(command[len(colab.PIP) :])
            return subprocess.CompletedProcess(command, 1 if seen.pip_fails else 0)

        monkeypatch.setattr(colab.importlib.metadata, "version", version)
        colab.set_up(URL, run=run, restart=lambda: setattr(seen, "restarts", seen.restarts + 1))

    seen.configure = configure
    return seen


@pytest.mark.parametrize("pci", [(), (GVNIC,)], ids=["cpu-or-gpu", "gvnic"])
def test_no_tpu_installs_only_what_is_missing(colab_runtime, pci, capsys):
    colab_runtime.configure(pci=pci, torch="2.11.0+cu126", torch_xla=None, lightning=None)
    assert colab_runtime.commands == [["-r", URL]] and colab_runtime.restarts == 0
    assert "installing the course's packages" in capsys.readouterr().out


@pytest.mark.parametrize("lightning", ["2.6.6", "2.7.0"])
def test_nothing_to_do_on_a_set_up_runtime(colab_runtime, capsys, lightning):
    colab_runtime.configure(pci=(), lightning=lightning)
    assert (colab_runtime.commands, colab_runtime.restarts) == ([], 0) and capsys.readouterr().out == ""


@pytest.mark.parametrize("lightning", ["2.6.5", "2.6.3", "2.5.0", "1.9.5"])
def test_a_lightning_older_than_the_floor_is_replaced(colab_runtime, lightning):
    colab_runtime.configure(pci=(), lightning=lightning)
    assert colab_runtime.commands == [["-r", URL]]


def test_the_set_up_reads_the_courses_requirements_by_default():
    assert colab.REQUIREMENTS_URL == URL and colab.LIGHTNING_FLOOR == "2.6.6"


@pytest.mark.parametrize(("torch", "torch_xla"), [("2.9.0+cpu", "2.9.0"), ("2.9.1+cpu", "2.9.0")])
def test_a_tpu_with_the_same_release_keeps_it(colab_runtime, torch, torch_xla):
    colab_runtime.configure(torch=torch, torch_xla=torch_xla, lightning=None)
    assert colab_runtime.commands == [["-r", URL]] and colab_runtime.restarts == 0


OTHER_RELEASES = [("2.10.0+cpu", "2.9.0"), ("2.9.0+cpu", None), (None, None)]


@pytest.mark.parametrize(("torch", "torch_xla"), OTHER_RELEASES, ids=["mismatch", "no-xla", "none"])
def test_a_tpu_with_other_releases_installs_the_trio_first_and_restarts_once(
    colab_runtime, capsys, tmp_path, torch, torch_xla
):
    colab_runtime.configure(torch=torch, torch_xla=torch_xla, lightning=None)
    assert colab_runtime.commands == [list(colab.TPU_TRIO)]  # before anything else: nothing installs another torch
    assert colab_runtime.restarts == 1 and (tmp_path / colab.RESTART_MARKER).exists()
    out = capsys.readouterr().out
    assert "do not match" in out and "Colab may report a crash: it is this restart" in out


def test_a_second_mismatch_after_the_restart_is_reported_not_looped(colab_runtime, capsys, tmp_path):
    (tmp_path / colab.RESTART_MARKER).touch()
    colab_runtime.configure(torch="2.10.0+cpu", torch_xla="2.9.0")
    assert (colab_runtime.commands, colab_runtime.restarts) == ([], 0)
    assert "still differ after the reinstall" in capsys.readouterr().out


def test_a_failed_install_ends_with_one_line_saying_what_to_do(colab_runtime):
    colab_runtime.pip_fails = True
    with pytest.raises(SystemExit, match=f"installing {URL} failed .*connected to the internet"):
        colab_runtime.configure(pci=(), lightning=None)


def test_the_tpu_trio_is_the_courses_pinned_trio():
    assert tpu_trio() == colab.TPU_TRIO


def test_the_rehearsal_sees_tensorboard_shown_inline(tmp_path):
    from tools.colab_rehearsal import inline_tensorboard_shown

    def notebook_with(data):
        path = tmp_path / "lesson.ipynb"
        output = nbformat.v4.new_output("display_data", data=data)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])]), path)
        return path

    frame = "const url = new URL(await google.colab.kernel.proxyPort(6006, {'cache': true}));"
    assert inline_tensorboard_shown(notebook_with({"application/javascript": frame}))
    assert not inline_tensorboard_shown(notebook_with({"text/plain": "ERROR: Timed out waiting for TensorBoard"}))
