"""Logger setup helpers, and reading back what TensorBoard, CSV, MLflow and W&B (offline) wrote."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytorch_lightning as pl
from pytorch_lightning.callbacks import LearningRateMonitor
from pytorch_lightning.loggers import CSVLogger, MLFlowLogger, TensorBoardLogger, WandbLogger
from torch.utils.data import DataLoader

from helpers.data.in_memory import standin_tensors
from helpers.log_readers import (
    Series,
    find_wandb_offline_runs,
    read_csv_metrics,
    read_mlflow_metrics,
    read_mlflow_params,
    read_tensorboard,
    read_wandb_offline_run,
)
from helpers.loggers import (
    CHOSEN,
    LogDirNotWritableError,
    choose_wandb_mode,
    ensure_writable_dir,
    local_mlflow_uri,
)
from helpers.model import FashionCNN

STEPS_PER_EPOCH = 4
# What a 2-epoch fit of FashionCNN(scheduler="step") with LearningRateMonitor logs, in every logger.
LOGGED = {"epoch", "lr-Adam", "train_loss_epoch", "train_loss_step", "val_acc", "val_loss"}


@dataclass(frozen=True)
class LoggedRun:
    """One fit logged to all four loggers at once."""

    tensorboard_dir: Path
    csv_dir: Path
    mlflow_uri: str
    mlflow_run_id: str
    wandb_dir: Path
    final: dict[str, float]


@pytest.fixture(scope="module")
def logged_run(tmp_path_factory: pytest.TempPathFactory) -> LoggedRun:
    """Train 2 epochs with TensorBoard, CSV, MLflow (sqlite) and W&B (offline, chosen by choose_wandb_mode)."""
    root = tmp_path_factory.mktemp("logs")
    with pytest.MonkeyPatch.context() as env:
        for name in ("WANDB_MODE", "WANDB_API_KEY"):
            env.delenv(name, raising=False)
        for name in ("WANDB_DIR", "WANDB_DATA_DIR", "WANDB_CACHE_DIR", "WANDB_CONFIG_DIR"):
            env.setenv(name, str(root / name.lower()))
        env.setenv("WANDB_SILENT", "true")
        assert choose_wandb_mode() == "offline"
        mlflow_uri = local_mlflow_uri(root / "mlflow")
        loggers = [
            TensorBoardLogger(root, name="tb"),
            CSVLogger(root, name="csv"),
            MLFlowLogger("course", tracking_uri=mlflow_uri, artifact_location=str(root / "mlflow" / "artifacts")),
            WandbLogger(project="course", save_dir=str(root), log_model=True),
        ]
        pl.seed_everything(0, verbose=False)
        trainer = pl.Trainer(
            max_epochs=2,
            accelerator="cpu",
            logger=loggers,
            log_every_n_steps=1,
            callbacks=[LearningRateMonitor()],
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        train = DataLoader(standin_tensors(32 * STEPS_PER_EPOCH, seed=1), batch_size=32, shuffle=True)
        val = DataLoader(standin_tensors(64, seed=2), batch_size=64)
        trainer.fit(FashionCNN(learning_rate=3e-3, scheduler="step"), train, val)
        loggers[3].experiment.finish()
    return LoggedRun(
        tensorboard_dir=Path(loggers[0].log_dir),
        csv_dir=Path(loggers[1].log_dir),
        mlflow_uri=mlflow_uri,
        mlflow_run_id=loggers[2].run_id,
        wandb_dir=root / "wandb",
        final={name: float(value) for name, value in trainer.callback_metrics.items()},
    )


def check_series(series: Series, run: LoggedRun, rel: float = 1e-12) -> None:
    """Every metric with the steps of this fit, ending at the fit's final values."""
    assert set(series) >= LOGGED
    assert [step for step, _ in series["train_loss_step"]] == list(range(2 * STEPS_PER_EPOCH))
    assert [step for step, _ in series["val_loss"]] == [STEPS_PER_EPOCH - 1, 2 * STEPS_PER_EPOCH - 1]
    assert [value for _, value in series["lr-Adam"]] == pytest.approx([3e-3, 1.5e-3], rel=rel)
    for name in ("val_loss", "val_acc", "train_loss_epoch"):
        assert series[name][-1][1] == pytest.approx(run.final[name], rel=rel)


def test_csv_metrics(logged_run: LoggedRun) -> None:
    series = read_csv_metrics(logged_run.csv_dir)
    assert set(series) == LOGGED
    check_series(series, logged_run)
    assert series == read_csv_metrics(logged_run.csv_dir / "metrics.csv")


def test_tensorboard_matches_csv(logged_run: LoggedRun) -> None:
    series = read_tensorboard(logged_run.tensorboard_dir)
    assert set(series) == LOGGED | {"hp_metric"}  # TensorBoardLogger adds hp_metric (-1) by default
    check_series(series, logged_run, rel=1e-6)  # event files store float32
    csv = read_csv_metrics(logged_run.csv_dir)
    for name in LOGGED:
        assert [step for step, _ in series[name]] == [step for step, _ in csv[name]]


def test_mlflow_metrics_and_params(logged_run: LoggedRun) -> None:
    series = read_mlflow_metrics(logged_run.mlflow_uri, logged_run.mlflow_run_id)
    assert set(series) == LOGGED
    check_series(series, logged_run)
    assert read_mlflow_params(logged_run.mlflow_uri, logged_run.mlflow_run_id) == {
        "learning_rate": "0.003",
        "momentum": "0.9",
        "optimizer": "adam",
        "scheduler": "step",
    }


def test_wandb_offline_run(logged_run: LoggedRun) -> None:
    (run_dir,) = find_wandb_offline_runs(logged_run.wandb_dir)
    run = read_wandb_offline_run(run_dir)
    assert any(name.startswith("run-") and name.endswith(".wandb") for name in run.files)
    assert "wandb-summary.json" not in {Path(name).name for name in run.files}  # offline runs keep none
    assert set(run.history) == LOGGED
    check_series(run.history, logged_run)
    assert run.summary["val_loss"] == pytest.approx(logged_run.final["val_loss"], rel=1e-12)
    assert run.config == {"learning_rate": 0.003, "momentum": 0.9, "optimizer": "adam", "scheduler": "step"}
    assert run.artifacts == [{"type": "model", "aliases": ["best", "latest"], "files": ["model.ckpt"]}]  # log_model


def test_readers_say_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no TensorBoard event files"):
        read_tensorboard(tmp_path)
    with pytest.raises(FileNotFoundError, match="no run-\\*.wandb file"):
        read_wandb_offline_run(tmp_path)
    assert find_wandb_offline_runs(tmp_path) == []


def test_wandb_goes_offline_without_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    environ: dict[str, str] = {}
    assert choose_wandb_mode(environ) == "offline"
    assert environ == {"WANDB_MODE": "offline", CHOSEN: "offline"}
    out = capsys.readouterr().out
    assert "offline (no WANDB_API_KEY" in out and "on Colab: in the Secrets panel" in out
    assert choose_wandb_mode(environ) == "offline"  # a rerun in the same process says the same
    assert capsys.readouterr().out == out


def test_wandb_goes_online_with_a_key_and_keeps_an_explicit_mode() -> None:
    environ = {"WANDB_API_KEY": "x" * 40}
    assert choose_wandb_mode(environ) == "online"
    assert environ["WANDB_MODE"] == "online"
    assert choose_wandb_mode({"WANDB_MODE": "disabled", "WANDB_API_KEY": "x" * 40}) == "disabled"
    with pytest.raises(ValueError, match="WANDB_MODE='ofline' is not a W&B mode"):
        choose_wandb_mode({"WANDB_MODE": "ofline"})


def test_ensure_writable_dir_creates_it(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert ensure_writable_dir(target) == target
    assert target.is_dir() and not any(target.iterdir())  # the probe file is gone


def test_unwritable_log_dir_fails_before_training(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the log directory should go\n")
    with pytest.raises(LogDirNotWritableError, match="cannot write logs to .*choose a directory you can write"):
        ensure_writable_dir(blocker / "logs")
    if os.geteuid() != 0:  # root may write anywhere: the permission case only means something for others
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(LogDirNotWritableError, match="Permission denied"):
            ensure_writable_dir(locked)


def test_local_mlflow_uri_is_sqlite_and_turns_telemetry_off(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    uri = local_mlflow_uri(tmp_path / "store", environ)
    assert uri == f"sqlite:///{(tmp_path / 'store' / 'mlflow.db').resolve()}"
    assert environ == {"MLFLOW_DISABLE_TELEMETRY": "true"}
