"""Test-wide settings: force the offline stand-in and keep every process (and notebook kernel) off the network.

The variables are set at import, before any test or nbval kernel starts, so kernels inherit them.
"""

from __future__ import annotations

import os

from helpers.runtime import avoid_tpu_metadata_lookup

os.environ["COURSE_DATA_SOURCE"] = "standin"  # 'auto' resolves to the stand-in; never download
os.environ.setdefault("PJRT_DEVICE", "CPU")  # torch_xla's CPU device; no "Defaulting to" warning
os.environ["WANDB_MODE"] = "offline"
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
os.environ.setdefault("PYTHONHASHSEED", "0")
avoid_tpu_metadata_lookup()
