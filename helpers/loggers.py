"""Setting up the experiment loggers so that they never prompt, hang or fail half-way (lesson 6).

- :func:`choose_wandb_mode`: W&B with no API key would wait forever at a login prompt under a terminal
  (or raise ``UsageError`` without one); this picks ``offline`` then, and says so.
- :func:`prepare_wandb`: that choice, W&B's files kept in one folder, and its console messages off.
- :func:`ensure_writable_dir`: a log directory that cannot be written fails when you set the logger up, with a
  message that says what to do, instead of an ``OSError`` from inside ``trainer.fit``.
- :func:`local_mlflow_uri`: a local MLflow store (sqlite; MLflow 3 refuses a plain ``file:`` store
  unless ``MLFLOW_ALLOW_FILE_STORE`` is set), with MLflow's telemetry turned off.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

WANDB_MODES = ("online", "offline", "disabled", "shared", "dryrun", "run")
CHOSEN = "LIGHTNING_COURSE_WANDB_MODE"  # the mode choose_wandb_mode set, so that a rerun is not taken for yours
HOW_TO_GO_ONLINE = "To log online, set WANDB_API_KEY (on Colab: in the Secrets panel) before this cell."


class LogDirNotWritableError(OSError):
    """The directory a logger should write to cannot be created or written."""


def choose_wandb_mode(environ: MutableMapping[str, str] = os.environ) -> str:
    """Set ``WANDB_MODE`` to a mode that never prompts, print which one and why, and return it.

    A ``WANDB_MODE`` you set is kept (checked). Otherwise ``WANDB_API_KEY`` set -> ``online``;
    not set -> ``offline``: runs are saved locally and can be uploaded later with ``wandb sync``.
    A key saved by ``wandb login`` is not looked for: set ``WANDB_MODE=online`` yourself to use it.
    Running it again in the same process gives the same answer and the same line.
    """
    mode = environ.get("WANDB_MODE")
    if mode is not None and mode != environ.get(CHOSEN):
        if mode not in WANDB_MODES:
            raise ValueError(f"WANDB_MODE={mode!r} is not a W&B mode; use one of {WANDB_MODES}")
        print(f"W&B mode: {mode} (you set WANDB_MODE)")
        return mode
    if environ.get("WANDB_API_KEY"):
        mode, why = "online", "WANDB_API_KEY is set"
    else:
        mode = "offline"
        why = "no WANDB_API_KEY: runs are saved locally, and `wandb sync` uploads them later"
    environ["WANDB_MODE"] = environ[CHOSEN] = mode
    print(f"W&B mode: {mode} ({why}). {HOW_TO_GO_ONLINE if mode == 'offline' else ''}".rstrip())
    return mode


def prepare_wandb(folder: str | Path, environ: MutableMapping[str, str] = os.environ) -> str:
    """Choose the W&B mode (:func:`choose_wandb_mode`), keep W&B's files in ``folder/wandb`` and its console quiet.

    Pass the same folder as ``WandbLogger(save_dir=...)``: offline runs then land in ``folder/wandb/offline-run-*``.

    ``WANDB_SILENT`` silences W&B's own console lines (run ids, timestamps, local paths) once ``wandb.setup()``
    has read it; calling it here, before a ``WandbLogger`` exists, also silences the warning wandb 0.31 prints
    about the ``anonymous`` setting that Lightning 2.6's ``WandbLogger`` always passes. Returns the mode.
    """
    import wandb

    mode = choose_wandb_mode(environ)
    files = str(ensure_writable_dir(Path(folder) / "wandb"))
    environ.update(WANDB_SILENT="true", WANDB_DIR=str(folder), WANDB_DATA_DIR=files, WANDB_CACHE_DIR=files)
    wandb.setup()
    return mode


def ensure_writable_dir(path: str | Path) -> Path:
    """Create ``path`` if needed and prove a file can be written in it; return it as a ``Path``.

    Raises :class:`LogDirNotWritableError` saying what to do, instead of a failure mid-training.
    """
    directory = Path(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-"):
            pass
    except OSError as error:
        raise LogDirNotWritableError(
            f"cannot write logs to {str(directory)!r} ({error.strerror or error}): "
            "choose a directory you can write to, e.g. save_dir='logs' next to the notebook"
        ) from error
    return directory


def local_mlflow_uri(directory: str | Path, environ: MutableMapping[str, str] = os.environ) -> str:
    """``sqlite:///<directory>/mlflow.db`` (absolute) for ``MLFlowLogger(tracking_uri=...)``.

    Also turns MLflow's telemetry off, and keeps MLflow's timestamped lines about creating its database out of the
    notebook (Lightning's note that the experiment is new is dropped by ``helpers.course.lightning_setup``).
    """
    environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow  # configures its own logger when imported: quiet it after that

    logging.getLogger(mlflow.__name__).setLevel(logging.WARNING)
    database = ensure_writable_dir(directory).resolve() / "mlflow.db"
    return f"sqlite:///{database}"
