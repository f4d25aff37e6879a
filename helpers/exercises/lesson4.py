"""Lesson 4's exercises: a callback that stops on a time budget, EarlyStopping's settings, configure_optimizers."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from helpers.course.trainers import quiet_trainer
from helpers.exercises import Verdict, expect, verdict


class _Tiny(pl.LightningModule):
    """A linear model on 40 random points: 10 steps per epoch, trains in milliseconds."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        features, labels = batch
        return F.cross_entropy(self.layer(features), labels)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def _steps_trained(callback: pl.Callback, max_epochs: int = 3) -> int:
    generator = torch.Generator().manual_seed(0)
    data = TensorDataset(torch.randn(40, 4, generator=generator), torch.randint(0, 2, (40,), generator=generator))
    trainer = quiet_trainer(max_epochs=max_epochs, callbacks=[callback])
    trainer.fit(_Tiny(), DataLoader(data, batch_size=4))
    return trainer.global_step


def check_time_budget(time_budget: type[pl.Callback]) -> Verdict:
    """``time_budget(seconds)`` lets a fit train until ``seconds`` of wall-clock time have passed since training
    started, then stops it at the end of the current batch (``trainer.should_stop = True``)."""

    def checks() -> str:
        expect(isinstance(time_budget(1.0), pl.Callback), "TimeBudget must subclass pytorch_lightning.Callback")
        full = _steps_trained(time_budget(3600.0))
        expect(full == 30, f"with an hour to spare the fit stopped after {full} of its 30 steps")
        stopped = _steps_trained(time_budget(0.0))
        expect(stopped == 1, f"with a budget of 0 s the fit ran {stopped} steps: stop after the first batch")
        return "a budget of 0 s stops after 1 step; an hour lets all 30 steps run"

    return verdict("TimeBudget", checks)


def check_early_stopping(callback: object) -> Verdict:
    """An ``EarlyStopping`` that stops once ``val_acc`` has not risen by at least 0.005 for 3 validation rounds."""

    def checks() -> str:
        expect(isinstance(callback, EarlyStopping), f"that is a {type(callback).__name__}, not an EarlyStopping")
        expect(callback.monitor == "val_acc", f"it monitors {callback.monitor!r}: watch 'val_acc'")
        expect(callback.mode == "max", f"mode={callback.mode!r}: accuracy improves upwards, use mode='max'")
        expect(abs(abs(callback.min_delta) - 0.005) < 1e-12, f"min_delta={abs(callback.min_delta)}, expected 0.005")
        expect(callback.patience == 3, f"patience={callback.patience}, expected 3 validation rounds")
        return "EarlyStopping(monitor='val_acc', mode='max', min_delta=0.005, patience=3)"

    return verdict("EarlyStopping", checks)


def check_sgd_optimizers(model: pl.LightningModule) -> Verdict:
    """``model.configure_optimizers()`` returns SGD (lr from ``model.hparams.learning_rate``, momentum 0.9) with a
    ``StepLR`` that halves the learning rate every 2 epochs, as ``{"optimizer": ..., "lr_scheduler": ...}``."""

    def checks() -> str:
        config = model.configure_optimizers()
        expect(isinstance(config, dict), f"configure_optimizers returned {type(config).__name__}, not a dict")
        keys = sorted(config)
        expect(keys == ["lr_scheduler", "optimizer"], f"the dict has keys {keys}: use optimizer and lr_scheduler")
        optimizer, scheduler = config["optimizer"], config["lr_scheduler"]
        scheduler = scheduler["scheduler"] if isinstance(scheduler, dict) else scheduler
        expect(isinstance(optimizer, torch.optim.SGD), f"the optimizer is {type(optimizer).__name__}, not SGD")
        group = optimizer.param_groups[0]
        expect(group["momentum"] == 0.9, f"momentum={group['momentum']}, expected 0.9")
        expect(group["lr"] == model.hparams.learning_rate, "the learning rate is not hparams.learning_rate")
        n_params = sum(len(g["params"]) for g in optimizer.param_groups)
        expect(n_params == len(list(model.parameters())), "the optimizer does not hold all the model's parameters")
        expect(isinstance(scheduler, torch.optim.lr_scheduler.StepLR), f"the scheduler is {type(scheduler).__name__}")
        halving = (scheduler.step_size, scheduler.gamma)
        expect(halving == (2, 0.5), f"StepLR(step_size, gamma) is {halving}: halve every 2 epochs is (2, 0.5)")
        return f"SGD(lr={group['lr']}, momentum=0.9) with StepLR halving it every 2 epochs"

    return verdict("configure_optimizers", checks)
