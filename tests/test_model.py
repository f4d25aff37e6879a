"""The course CNN: shapes, argument checks, learning, what it logs, its LR schedulers."""

from __future__ import annotations

import math

import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from helpers.callbacks import MetricsHistory
from helpers.data.in_memory import standin_tensors
from helpers.model import FashionCNN


def quiet_trainer(**kwargs: object) -> pl.Trainer:
    """A CPU Trainer with no logger, checkpoints, progress bar or summary (tests only look at results)."""
    options: dict[str, object] = {
        "accelerator": "cpu",
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "deterministic": True,
    }
    return pl.Trainer(**(options | kwargs))


def loaders(n_train: int = 512, batch_size: int = 32) -> tuple[DataLoader, DataLoader]:
    """Stand-in train (shuffled) and validation loaders.

    512 training images (16 steps per epoch): on the stand-in, 2 epochs at lr 3e-3 then take
    validation accuracy to about 0.55-0.7 for any seed, well clear of the checks below.
    """
    train = DataLoader(standin_tensors(n_train, seed=1), batch_size=batch_size, shuffle=True)
    return train, DataLoader(standin_tensors(128, seed=2), batch_size=64)


def test_forward_maps_one_channel_images_to_ten_logits() -> None:
    model = FashionCNN()
    assert model(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    with pytest.raises(RuntimeError):  # the article's 3-channel comment was wrong: 1 channel in
        model(torch.zeros(5, 3, 28, 28))


def test_hyperparameters_are_saved() -> None:
    model = FashionCNN(learning_rate=0.05, optimizer="sgd", scheduler="cosine", momentum=0.8)
    assert dict(model.hparams) == {
        "learning_rate": 0.05,
        "optimizer": "sgd",
        "scheduler": "cosine",
        "momentum": 0.8,
    }


@pytest.mark.parametrize("learning_rate", [0, -0.1, math.nan, math.inf])
def test_non_positive_learning_rate_is_refused(learning_rate: float) -> None:
    with pytest.raises(ValueError, match=r"learning_rate must be a number above 0 \(e.g. 0.001\)"):
        FashionCNN(learning_rate=learning_rate)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": "0.01"}, "learning_rate must be a number above 0"),
        ({"optimizer": "adamw"}, "optimizer must be one of"),
        ({"scheduler": "plateau"}, "scheduler must be one of"),
        ({"momentum": 1.0}, "momentum must be a number at least 0 and below 1"),
    ],
)
def test_other_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FashionCNN(**kwargs)


def test_loss_falls_and_every_metric_is_logged() -> None:
    pl.seed_everything(0, verbose=False)
    history = MetricsHistory()
    trainer = quiet_trainer(max_epochs=2, callbacks=[history])
    model = FashionCNN(learning_rate=3e-3)
    trainer.fit(model, *loaders())
    first, last = history.rows
    assert last["train_loss_epoch"] < first["train_loss_epoch"]
    assert last["val_loss"] < first["val_loss"]
    assert last["val_acc"] > 0.3  # well above chance (0.1)
    assert set(trainer.callback_metrics) == {
        "train_loss",
        "train_loss_step",
        "train_loss_epoch",
        "val_loss",
        "val_acc",
    }
    (results,) = trainer.test(model, loaders()[1], verbose=False)
    assert set(results) == {"test_loss", "test_acc"}
    assert 0 <= results["test_acc"] <= 1


def test_epoch_accuracy_is_the_share_of_right_answers_over_the_whole_epoch() -> None:
    """Batches of different sizes: Lightning's batch-size-weighted epoch mean of the batch accuracy is exact."""
    images, labels = standin_tensors(50, seed=3).tensors
    model = FashionCNN()
    trainer = quiet_trainer()
    (result,) = trainer.validate(model, DataLoader(standin_tensors(50, seed=3), batch_size=32), verbose=False)
    with torch.no_grad():
        right = (model(images).argmax(dim=1) == labels).sum().item()
    assert result["val_acc"] == pytest.approx(right / 50, abs=1e-6)


def test_predict_returns_class_indices() -> None:
    predictions = quiet_trainer().predict(FashionCNN(), DataLoader(standin_tensors(20), batch_size=8))
    assert [p.shape for p in predictions] == [(8,), (8,), (4,)]
    assert all(p.dtype == torch.long and p.min() >= 0 and p.max() < 10 for p in predictions)


class LearningRates(pl.Callback):
    """The learning rate each training batch is run with."""

    def __init__(self) -> None:
        self.used: list[float] = []

    def on_train_batch_start(self, trainer: pl.Trainer, *args: object) -> None:
        self.used.append(trainer.optimizers[0].param_groups[0]["lr"])


@pytest.mark.parametrize(
    ("scheduler", "expected"),
    [(None, [0.01] * 6), ("step", [0.01] * 3 + [0.005] * 3), ("cosine", [0.01] * 3 + [0.005] * 3)],
)
def test_epoch_schedulers(scheduler: str | None, expected: list[float]) -> None:
    rates = LearningRates()
    trainer = quiet_trainer(max_epochs=2, limit_train_batches=3, limit_val_batches=0, callbacks=[rates])
    trainer.fit(FashionCNN(learning_rate=0.01, scheduler=scheduler), *loaders())
    assert rates.used == pytest.approx(expected)


def test_onecycle_warms_up_then_anneals_per_step() -> None:
    rates = LearningRates()
    trainer = quiet_trainer(max_epochs=2, limit_train_batches=5, limit_val_batches=0, callbacks=[rates])
    trainer.fit(FashionCNN(learning_rate=0.01, scheduler="onecycle"), *loaders())
    peak = rates.used.index(max(rates.used))
    assert rates.used[0] == pytest.approx(0.01 / 25)  # OneCycle's default start: max_lr / div_factor
    assert max(rates.used) == pytest.approx(0.01)
    assert rates.used[: peak + 1] == sorted(rates.used[: peak + 1])
    assert rates.used[peak:] == sorted(rates.used[peak:], reverse=True)
    assert rates.used[-1] < rates.used[0]
