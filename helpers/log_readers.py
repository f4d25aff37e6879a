"""Read back what each experiment logger wrote, as ``{metric: [(step, value), ...]}`` (lesson 6).

Every reader uses the tool's own public interface:

- TensorBoard: ``EventAccumulator`` over the event files of one run directory;
- Lightning ``CSVLogger``: ``metrics.csv``, whose rows are sparse (a row holds only what was logged at once);
- MLflow: ``MlflowClient`` against the tracking URI (e.g. a local ``sqlite:///...`` store);
- W&B offline runs: wandb 0.31 keeps no ``wandb-summary.json`` offline and its old Python datastore
  reader is gone; the supported way to read a ``run-*.wandb`` log is the ``wandb leet inspect``
  command (``--json``: one JSON object per record; ``--summary --json``: config and last values).
  It is run here with W&B offline and error reporting off, so it makes no network connection.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Series = dict[str, list[tuple[int, float]]]
WANDB_STEP_KEY = "trainer/global_step"  # what Lightning's WandbLogger logs as its step


def read_tensorboard(run_dir: str | Path) -> Series:
    """Every scalar in the event files directly inside ``run_dir`` (e.g. ``TensorBoardLogger.log_dir``)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = Path(run_dir)
    if not any(run_dir.glob("events.out.tfevents.*")):
        raise FileNotFoundError(f"no TensorBoard event files in {str(run_dir)!r}: pass the logger's log_dir")
    accumulator = EventAccumulator(str(run_dir), size_guidance={"scalars": 0})  # 0: keep every point
    accumulator.Reload()
    return {
        tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
        for tag in sorted(accumulator.Tags()["scalars"])
    }


def read_csv_metrics(path: str | Path) -> Series:
    """Per-metric series from a ``CSVLogger``'s ``metrics.csv`` (``path`` is the file or its directory)."""
    path = Path(path)
    csv_file = path / "metrics.csv" if path.is_dir() else path
    series: Series = {}
    with csv_file.open(newline="") as handle:
        for row in csv.DictReader(handle):
            step = int(row.pop("step"))
            for name, value in row.items():
                if value != "":
                    series.setdefault(name, []).append((step, float(value)))
    return dict(sorted(series.items()))


def read_mlflow_metrics(tracking_uri: str, run_id: str) -> Series:
    """Full history of every metric of one MLflow run (``MLFlowLogger.run_id``)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    names = sorted(client.get_run(run_id).data.metrics)
    return {
        name: [(m.step, m.value) for m in sorted(client.get_metric_history(run_id, name), key=lambda m: m.step)]
        for name in names
    }


def read_mlflow_params(tracking_uri: str, run_id: str) -> dict[str, str]:
    """The hyperparameters of one MLflow run (MLflow stores them as strings)."""
    from mlflow.tracking import MlflowClient

    return dict(sorted(MlflowClient(tracking_uri=tracking_uri).get_run(run_id).data.params.items()))


@dataclass(frozen=True)
class WandbOfflineRun:
    """What an offline W&B run directory holds."""

    run_dir: Path
    files: list[str]  # paths relative to run_dir
    history: Series  # step: Lightning's global step where logged, else W&B's own step
    summary: dict[str, Any]  # last value of each metric
    config: dict[str, Any]  # the hyperparameters
    artifacts: list[dict[str, Any]]  # logged artifacts: type, aliases, file names (e.g. log_model checkpoints)


def find_wandb_offline_runs(wandb_dir: str | Path) -> list[Path]:
    """The ``offline-run-*`` directories under a ``wandb`` directory, oldest first."""
    return sorted(path for path in Path(wandb_dir).glob("offline-run-*") if path.is_dir())


def _wandb_inspect(run_dir: Path, *options: str) -> str:
    """Output of ``wandb leet inspect run_dir <options>``, run offline with error reporting off."""
    env = os.environ | {"WANDB_MODE": "offline", "WANDB_ERROR_REPORTING": "false"}
    command = [sys.executable, "-m", "wandb", "leet", "inspect", str(run_dir), *options]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"`wandb leet inspect` failed on {str(run_dir)!r}: {done.stderr.strip()}")
    return done.stdout


def read_wandb_offline_run(run_dir: str | Path) -> WandbOfflineRun:
    """Files, metric history, summary and config of one offline run (``wandb/offline-run-*``)."""
    run_dir = Path(run_dir)
    if not any(run_dir.glob("run-*.wandb")):
        raise FileNotFoundError(f"no run-*.wandb file in {str(run_dir)!r}: pass a wandb/offline-run-* directory")
    history: Series = {}
    artifacts = []
    for line in _wandb_inspect(run_dir, "--json").splitlines():
        record = json.loads(line)
        if record["type"] == "artifact":
            artifact = record["artifact"]
            files = sorted(entry["path"] for entry in artifact.get("manifest", {}).get("contents", []))
            aliases = sorted(artifact.get("aliases", []))  # W&B records them in no fixed order
            artifacts.append({"type": artifact.get("type"), "aliases": aliases, "files": files})
        if record["type"] != "history":
            continue
        item = record["history"]["item"]
        step = int(item.get(WANDB_STEP_KEY, record["history"].get("step", {}).get("num", 0)))
        for name, value in item.items():
            if not name.startswith("_") and name != WANDB_STEP_KEY and isinstance(value, (int, float)):
                history.setdefault(name, []).append((step, float(value)))
    summary = json.loads(_wandb_inspect(run_dir, "--summary", "--json"))
    return WandbOfflineRun(
        run_dir=run_dir,
        files=sorted(str(path.relative_to(run_dir)) for path in run_dir.rglob("*") if path.is_file()),
        history=dict(sorted(history.items())),
        summary={name: value for name, value in summary.get("summary", {}).items() if not name.startswith("_")},
        config=summary.get("config", {}),
        artifacts=artifacts,
    )
