"""The course's custom callbacks and the check of ``monitor=`` names."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.utilities.exceptions import MisconfigurationException
from torch.utils.data import DataLoader

from helpers.callbacks import (
    CALLBACK_HOOKS,
    HookRecorder,
    MetricsHistory,
    check_monitors,
    epoch_metrics,
    logged_metric_names,
)
from helpers.course.trainers import quiet_trainer
from helpers.data.in_memory import standin_tensors
from helpers.model import FashionCNN

LOGGED = ["train_loss", "train_loss_epoch", "train_loss_step", "val_acc", "val_loss"]


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


def test_hook_recorder_shows_the_order_hooks_fire_in() -> None:
    recorder = HookRecorder()
    fit_tiny([recorder], max_epochs=1, limit_train_batches=1, limit_val_batches=1, num_sanity_val_steps=0)
    calls = recorder.calls
    assert calls[:4] == ["setup(fit)", "on_fit_start", "on_train_start", "on_train_epoch_start"]
    assert calls[-3:] == ["on_train_end", "on_fit_end", "teardown(fit)"]
    batch = calls[calls.index("on_train_batch_start") : calls.index("on_train_batch_end") + 1]
    assert batch == [
        "on_train_batch_start",
        "on_before_zero_grad",  # Lightning 2.x zeroes the gradients first, then runs the step closure
        "on_before_backward",
        "on_after_backward",
        "on_before_optimizer_step",
        "on_train_batch_end",
    ]
    # Validation runs inside the training epoch, before on_train_epoch_end.
    assert calls.index("on_train_batch_end") < calls.index("on_validation_start")
    assert calls.index("on_validation_end") < calls.index("on_train_epoch_end")


def test_hook_recorder_skips_and_checks_hook_names() -> None:
    per_batch = [name for name in CALLBACK_HOOKS if "batch" in name or "backward" in name or "zero_grad" in name]
    recorder = HookRecorder(skip=[*per_batch, "on_before_optimizer_step"])
    fit_tiny([recorder], max_epochs=1, limit_train_batches=2, limit_val_batches=1, num_sanity_val_steps=0)
    assert "on_train_batch_start" not in recorder.calls and "on_train_epoch_end" in recorder.calls
    with pytest.raises(ValueError, match="not callback hooks: \\['on_batch_start'\\]"):
        HookRecorder(skip=["on_batch_start"])


def test_lightning_itself_rejects_a_never_logged_monitor_only_after_an_epoch(tmp_path: Path) -> None:
    with pytest.raises(MisconfigurationException, match="could not find the monitored key.*'val_loss'"):
        fit_tiny([ModelCheckpoint(dirpath=tmp_path, monitor="val_los")], enable_checkpointing=True)
    with pytest.raises(RuntimeError, match="conditioned on metric `val_los` which is not available"):
        fit_tiny([EarlyStopping(monitor="val_los")])


def test_logged_metric_names_leaves_model_and_rng_alone() -> None:
    model = FashionCNN()
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    torch.manual_seed(123)
    expected_draw = torch.rand(1)
    torch.manual_seed(123)
    names = logged_metric_names(
        model,
        train_dataloaders=DataLoader(standin_tensors(64), batch_size=32, shuffle=True),
        val_dataloaders=DataLoader(standin_tensors(32, seed=2), batch_size=32),
    )
    assert names == LOGGED
    assert torch.rand(1) == expected_draw
    assert all(torch.equal(before[name], tensor) for name, tensor in model.state_dict().items())


def test_check_monitors_names_the_metrics_that_are_logged(tmp_path: Path) -> None:
    good = [ModelCheckpoint(dirpath=tmp_path, monitor="val_loss"), ModelCheckpoint(dirpath=tmp_path, monitor="step")]
    check_monitors([*good, EarlyStopping(monitor="val_acc", mode="max")], LOGGED)
    bad = [ModelCheckpoint(dirpath=tmp_path, monitor="val_los"), EarlyStopping(monitor="step")]
    with pytest.raises(ValueError) as error:
        check_monitors([*good, *bad], LOGGED)
    message = str(error.value)
    assert message.startswith("ModelCheckpoint(monitor='val_los'), EarlyStopping(monitor='step'): that metric")
    assert f"Logged metrics: {', '.join(LOGGED)}." in message


def test_logged_metric_names_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    loader = DataLoader(standin_tensors(32), batch_size=32)
    logged_metric_names(FashionCNN(), train_dataloaders=loader, val_dataloaders=loader)
    captured = capfd.readouterr()
    assert "fast_dev_run" not in captured.err + captured.out and "GPU available" not in captured.err + captured.out
