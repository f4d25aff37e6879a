"""The one pinned environment: requirements.txt, environment.yml and requirements-colab.txt agree."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.-]+)==([^\s#]+)")


def pins(path):
    return dict(m.groups() for line in (ROOT / path).read_text().splitlines() if (m := PIN.match(line)))


def test_environment_yml_and_requirements_agree():
    assert pins("environment.yml") == pins("requirements.txt")
    assert re.search(r"^\s+- python=3\.11$", (ROOT / "environment.yml").read_text(), re.M)


def test_torch_trio_matches():
    req = pins("requirements.txt")
    assert req["torch"] == req["torch-xla"] == "2.9.0" and req["torchvision"] == "0.24.0"
    assert req["pytorch-lightning"].startswith("2.6.")


def test_colab_requirements_are_pinned_like_the_course():
    req, colab = pins("requirements.txt"), pins("requirements-colab.txt")
    assert colab and all(req[name] == version for name, version in colab.items())
    lines = [line for line in (ROOT / "requirements-colab.txt").read_text().splitlines() if line and line[0] != "#"]
    assert all("==" in line or line.startswith("lightning-course-helpers @ git+") for line in lines)


def test_no_source_file_is_hidden_by_gitignore():
    """A .gitignore pattern once hid helpers/data/ from commits: source files must never be ignored."""
    done = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "helpers", "tools", "tests", "solutions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    assert [path for path in done.stdout.splitlines() if path.endswith((".py", ".cfg", ".md"))] == []
