"""The course's custom callback, and what Lightning does with a misspelt ``monitor=`` (lessons 4 and 7 check the
names with ``fast_dev_run`` first)."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.utilities.exceptions import MisconfigurationException
from torch.utils.data import DataLoader

from helpers.callbacks import MetricsHistory, epoch_metrics
from helpers.course.trainers import quiet_trainer
from helpers.data.in_memory import standin_tensors
from helpers.model import FashionCNN


def fit_tiny(callbacks: list[pl.Callback], max_epochs: int = 2, **trainer_kwargs: object) -> pl.Trainer:
    """Fit the CNN on 4 stand-in batches per epoch (and 1 validation batch) with ``callbacks``."""
    pl.seed_everything(0, verbose=False)
    trainer = quiet_trainer(max_epochs=max_epochs, callbacks=callbacks, **trainer_kwargs)
    train = DataLoader(standin_tensors(128, seed=1), batch_size=32, shuffle=True)
    trainer.fit(FashionCNN(learning_rate=3e-3), train, DataLoader(standin_tensors(64, seed=2), batch_size=64))
    return trainer


def test_epoch_metrics_keeps_one_value_per_metric() -> None:
    logged = {"train_loss": 1.0, "train_loss_step": 2.0, "train_loss_epoch": 1.0, "val_acc": torch.tensor(0.5)}
    assert epoch_metrics(logged) == {"train_loss_epoch": 1.0, "val_acc": 0.5}


def test_metrics_history_has_a_row_per_epoch_and_prints_a_table() -> None:
    history = MetricsHistory(digits=3)
    trainer = fit_tiny([history])
    assert [row["epoch"] for row in history.rows] == [0, 1]
    assert [row["step"] for row in history.rows] == [4, 8]
    assert list(history.rows[-1]) == ["epoch", "step", "train_loss_epoch", "val_acc", "val_loss"]
    assert history.rows[-1]["val_loss"] == pytest.approx(float(trainer.callback_metrics["val_loss"]))
    lines = history.table().splitlines()
    assert lines[0].split() == ["epoch", "step", "train_loss_epoch", "val_acc", "val_loss"]
    assert [line.split()[:2] for line in lines[1:]] == [["0", "4"], ["1", "8"]]
    assert lines[2].split()[-1] == f"{history.rows[1]['val_loss']:.3f}"


def test_metrics_history_table_marks_missing_values() -> None:
    history = MetricsHistory(digits=2)
    history.rows = [{"epoch": 0, "a": 1.0}, {"epoch": 1, "b": 0.5}, {"epoch": 2, "b": 0.0003}]
    assert history.table().splitlines() == [
        "epoch     a         b",
        "    0  1.00         -",
        "    1     -      0.50",
        "    2     -  3.00e-04",  # too small for 2 decimals: scientific
    ]


def test_metrics_history_can_print_each_row_as_its_epoch_ends(capsys: pytest.CaptureFixture[str]) -> None:
    history = MetricsHistory(print_rows=True, digits=2)
    fit_tiny([history])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 0  step 4  train_loss_epoch ") and "  val_loss " in lines[1]


def test_lightning_itself_rejects_a_never_logged_monitor_only_after_an_epoch(tmp_path: Path) -> None:
    with pytest.raises(MisconfigurationException, match="could not find the monitored key.*'val_loss'"):
        fit_tiny([ModelCheckpoint(dirpath=tmp_path, monitor="val_los")], enable_checkpointing=True)
    with pytest.raises(RuntimeError, match="conditioned on metric `val_los` which is not available"):
        fit_tiny([EarlyStopping(monitor="val_los")])
