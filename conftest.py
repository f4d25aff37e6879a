"""Test-wide settings: the stand-in data and no network, for this process and every notebook kernel it starts."""

import os

from tools.offline import apply_offline_env

apply_offline_env()
BASELINE_ENVIRONMENT = dict(os.environ)


def pytest_runtest_teardown(item, nextitem):
    """After every test, put os.environ back as it was at start-up.

    Some changes escape monkeypatch (wandb sets WANDB_SERVICE itself when a run starts in this process);
    notebook kernels started later inherit this process's environment, so a leaked variable would
    change what a lesson does under nbval.
    """
    if os.environ != BASELINE_ENVIRONMENT:
        os.environ.clear()
        os.environ.update(BASELINE_ENVIRONMENT)
