"""The Colab bootstrap cell, run as it is (no real install): in a simulated Colab and elsewhere."""

import importlib.util
import subprocess
import sys
import types

import pytest

from tools.sync import BOOTSTRAP, course_config, requirements_url

SOURCE = BOOTSTRAP.read_text()


@pytest.fixture
def commands(monkeypatch):
    ran = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kwargs: ran.append((cmd, kwargs)))
    return ran


def run_cell():
    exec(compile(SOURCE, "bootstrap-cell", "exec"), {})


def simulate_colab(monkeypatch, helpers_installed):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: (
            (real_find_spec(name, *a) if helpers_installed else None) if name == "helpers" else real_find_spec(name, *a)
        ),
    )


def test_outside_colab_it_does_nothing(commands, capsys):
    run_cell()
    assert commands == [] and capsys.readouterr().out == ""


def test_on_a_fresh_colab_runtime_it_installs_the_pinned_requirements(monkeypatch, commands, capsys):
    simulate_colab(monkeypatch, helpers_installed=False)
    run_cell()
    assert commands == [
        ([sys.executable, "-m", "pip", "install", "--quiet", "-r", requirements_url(course_config())], {"check": True})
    ]
    assert "installing the course's pinned packages" in capsys.readouterr().out


def test_when_already_installed_it_is_quick(monkeypatch, commands, capsys):
    simulate_colab(monkeypatch, helpers_installed=True)
    run_cell()
    assert commands == [] and capsys.readouterr().out == ""


def test_it_imports_nothing_from_the_course_before_installing():
    imports = [line for line in SOURCE.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import importlib.util", "import subprocess", "import sys"]
