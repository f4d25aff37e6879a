"""The one pinned environment: requirements.txt, environment.yml and requirements-colab.txt agree, and no file of
the project admits a Lightning release with a known security flaw."""

import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers.course.colab import LIGHTNING_FLOOR

ROOT = Path(__file__).resolve().parents[1]
LIGHTNING = {"pytorch-lightning", "lightning"}
# GHSA-w37p-236h-pfx3: 2.6.2 and 2.6.3 were published with malicious code; GHSA-qqmf-gpg7-g8gw: before 2.6.6, a
# checkpoint's hyperparameters could execute code in load_from_checkpoint.
FLAWED_LIGHTNING = ("2.6.5", "2.6.3", "2.6.2", "2.5.0")


def requirements(path: str) -> dict[str, Requirement]:
    """``{name: requirement}`` of a requirements file, environment.yml's pip list or pyproject's dependencies."""
    text = (ROOT / path).read_text()
    if path == "pyproject.toml":
        lines = tomllib.loads(text)["project"]["dependencies"]
    elif path == "environment.yml":
        lines = next(item["pip"] for item in yaml.safe_load(text)["dependencies"] if isinstance(item, dict))
    else:
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    parsed = [Requirement(line) for line in lines]
    return {canonicalize_name(requirement.name): requirement for requirement in parsed}


def pins(path: str) -> dict[str, str]:
    """``{name: version}`` of a file's ``==`` pins."""
    found = requirements(path).items()
    return {name: spec.version for name, req in found for spec in req.specifier if spec.operator == "=="}


def as_text(path: str) -> dict[str, str]:
    """``{name: requirement as written, markers included}``."""
    return {name: str(requirement) for name, requirement in requirements(path).items()}


def test_environment_yml_and_requirements_agree():
    """The same pins with the same environment markers (torch-xla's limit it to where it has wheels)."""
    assert as_text("environment.yml") == as_text("requirements.txt")
    assert "python=3.11" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]


def test_torch_trio_matches():
    req = pins("requirements.txt")
    assert req["torch"] == req["torch-xla"] == "2.9.0" and req["torchvision"] == "0.24.0"
    assert req["pytorch-lightning"].startswith("2.6.")


def test_colab_requirements_are_pinned_like_the_course():
    course, colab = as_text("requirements.txt"), requirements("requirements-colab.txt")
    assert colab
    for name, requirement in colab.items():
        assert str(requirement) == course.get(name) or (name == "lightning-course-helpers" and requirement.url)


# set_up's floor stands for helpers/course/colab.py (tests/test_bootstrap.py checks that set_up compares against it)
LIGHTNING_SOURCES = [
    "pyproject.toml",
    "environment.yml",
    "helpers/course/colab.py",
    *sorted(path.name for path in ROOT.glob("requirements*.txt") if "lightning" in path.read_text()),
]


def test_the_course_and_colab_requirements_are_among_the_files_checked():
    assert {"requirements.txt", "requirements-colab.txt"} <= set(LIGHTNING_SOURCES)


@pytest.mark.parametrize("path", LIGHTNING_SOURCES)
def test_no_file_admits_a_lightning_with_a_known_flaw(path):
    """Every Lightning requirement rejects the flawed releases and admits the course's pin."""
    if path.endswith(".py"):
        found = [Requirement(f"pytorch-lightning>={LIGHTNING_FLOOR}")]
    else:
        found = [requirement for name, requirement in requirements(path).items() if name in LIGHTNING]
    assert found, f"{path} names no Lightning requirement"
    for requirement in found:
        admitted = [version for version in FLAWED_LIGHTNING if requirement.specifier.contains(version)]
        assert admitted == [], f"{path}: {requirement} admits {admitted}: require >=2.6.6"
        assert requirement.specifier.contains(pins("requirements.txt")["pytorch-lightning"])


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
