"""The environment every test, notebook refresh and headless course run uses: stand-in data, no network."""

from __future__ import annotations

import os

from helpers.runtime import avoid_tpu_metadata_lookup

OFFLINE_ENV = {
    "COURSE_DATA_SOURCE": "standin",  # 'auto' resolves to the stand-in without trying a download
    "PJRT_DEVICE": "CPU",  # torch_xla's CPU device, and no "Defaulting to PJRT_DEVICE=CPU" warning
    "WANDB_MODE": "offline",  # W&B never prompts for a key nor connects
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "PYTHONHASHSEED": "0",
}


def apply_offline_env() -> None:
    """Set OFFLINE_ENV in this process (children and notebook kernels inherit it)."""
    os.environ.update(OFFLINE_ENV)
    avoid_tpu_metadata_lookup()
