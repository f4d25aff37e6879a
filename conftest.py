"""Test-wide settings: the course environment (offline, stand-in, numerics profile) for this process and its kernels."""

import os
import sys

import pytest

from tools.course_env import NUMERICS_PROFILE, XLA_CORES, apply_course_env, missing_here, outputs_reproduce_here
from tools.paths import NOTEBOOKS

if "torch" in sys.modules:  # MKL and OpenMP read their settings once, when torch loads
    raise RuntimeError("torch was imported before conftest.py applied the numerics profile: run the tests with pytest")
apply_course_env()
BASELINE_ENVIRONMENT = dict(os.environ)
NOT_REPRODUCIBLE = outputs_reproduce_here()
NBVAL_OUTPUT_WAIT_S = 120  # nbval waits 5 s for each output message of a cell; a loaded machine can need more


def pytest_configure(config):
    """Start torch_xla's CPU device before any test runs backward: PyTorch's autograd engine sizes its
    per-device queues when it first runs, and a device registered later fails in backward."""
    from helpers.xla.device import xla_status

    xla_status()


def pytest_report_header(config):
    profile = " ".join(f"{name}={value}" for name, value in NUMERICS_PROFILE.items())
    lines = [f"numerics profile (tools/course_env.py), {XLA_CORES} cores per process: {profile}"]
    return [*lines, *(line for line in (missing_here(), NOT_REPRODUCIBLE) if line)]


def pytest_sessionstart(session):
    real = NOTEBOOKS / "data" / "FashionMNIST" / "raw"
    if real.is_dir() and any(real.iterdir()):
        pytest.exit(
            f"{real.relative_to(NOTEBOOKS.parent)} holds the real Fashion-MNIST: the lessons' data_source='auto' would "
            "read it, but the committed outputs come from the offline stand-in. Move that folder away and rerun.",
            returncode=4,
        )


def pytest_collection_modifyitems(config, items):
    """Give nbval more time to wait for each output of a cell, and skip comparisons that cannot hold here."""
    for item in items:
        if hasattr(item, "output_timeout"):  # an nbval cell
            item.output_timeout = NBVAL_OUTPUT_WAIT_S
            if NOT_REPRODUCIBLE:
                item.add_marker(pytest.mark.skip(reason=NOT_REPRODUCIBLE))


def pytest_runtest_teardown(item, nextitem):
    """After every test, put os.environ back as it was at start-up.

    Some changes escape monkeypatch (wandb sets WANDB_SERVICE itself when a run starts in this process);
    notebook kernels started later inherit this process's environment, so a leaked variable would
    change what a lesson does under nbval.
    """
    if os.environ != BASELINE_ENVIRONMENT:
        os.environ.clear()
        os.environ.update(BASELINE_ENVIRONMENT)
