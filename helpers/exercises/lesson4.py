"""Lesson 4's exercises: a callback that stops on a time budget, EarlyStopping's settings, configure_optimizers."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import FunctionType

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from helpers.course.trainers import quiet_trainer
from helpers.exercises import Verdict, expect, verdict


class _Clock:
    """A stand-in for the time module's clocks that moves only when told: each of the checker's steps takes 1 s."""

    def __init__(self) -> None:
        self.now = 1000.0

    def seconds(self) -> float:
        return self.now

    def nanoseconds(self) -> int:
        return round(self.now * 1e9)


_CLOCKS = ("time", "monotonic", "perf_counter")


@contextmanager
def _clock_in_place_of_time(clock: _Clock, callback_class: type) -> Iterator[None]:
    """Inside the block, ``time.time()``, ``time.monotonic()``, ``time.perf_counter()`` (and their ``_ns``
    versions) read ``clock``: in the time module and where ``callback_class``'s code imported them by name."""
    fakes = {id(getattr(time, name)): clock.seconds for name in _CLOCKS}
    fakes |= {id(getattr(time, f"{name}_ns")): clock.nanoseconds for name in _CLOCKS}
    namespaces = {id(vars(time)): vars(time)}
    for klass in callback_class.__mro__[:-1]:
        if not klass.__module__.startswith(("pytorch_lightning", "lightning")):
            namespaces |= {
                id(f.__globals__): f.__globals__ for f in vars(klass).values() if isinstance(f, FunctionType)
            }
    replaced = [(ns, name, value) for ns in namespaces.values() for name, value in ns.items() if id(value) in fakes]
    for namespace, name, value in replaced:
        namespace[name] = fakes[id(value)]
    try:
        yield
    finally:
        for namespace, name, value in replaced:
            namespace[name] = value


class _Tiny(pl.LightningModule):
    """A linear model on 40 random points: 10 steps per epoch, each 1 s long on ``clock``, trains in milliseconds."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)
        self.clock = clock

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        self.clock.now += 1.0
        features, labels = batch
        return F.cross_entropy(self.layer(features), labels)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def _steps_trained(time_budget: type[pl.Callback], seconds: float) -> int:
    """The steps a 3-epoch fit of 30 steps runs with ``time_budget(seconds)``, on a clock where each step takes 1 s
    and 100 s pass between creating the callback and the start of training."""
    generator = torch.Generator().manual_seed(0)
    data = TensorDataset(torch.randn(40, 4, generator=generator), torch.randint(0, 2, (40,), generator=generator))
    clock = _Clock()
    with _clock_in_place_of_time(clock, time_budget):
        callback = time_budget(seconds)
        clock.now += 100.0
        trainer = quiet_trainer(max_epochs=3, callbacks=[callback])
        trainer.fit(_Tiny(clock), DataLoader(data, batch_size=4))
    return trainer.global_step


def check_time_budget(time_budget: type[pl.Callback]) -> Verdict:
    """``time_budget(seconds)`` lets a fit train until ``seconds`` of wall-clock time have passed since training
    started, then stops it at the end of the current batch (``trainer.should_stop = True``). Checked on a test clock
    (each step takes 1 s on it) that stands in for ``time.time``, ``time.monotonic`` and ``time.perf_counter``."""

    def checks() -> str:
        expect(isinstance(time_budget(1.0), pl.Callback), "TimeBudget must subclass pytorch_lightning.Callback")
        full = _steps_trained(time_budget, 3600.0)
        expect(full == 30, f"with an hour to spare the fit stopped after {full} of its 30 steps")
        stopped = _steps_trained(time_budget, 0.0)
        expect(stopped == 1, f"with a budget of 0 s the fit ran {stopped} steps: stop after the first batch")
        stopped = _steps_trained(time_budget, 13.5)
        expect(
            stopped == 14,
            f"with a budget of 13.5 s and steps of 1 s (a test clock) the fit ran {stopped} steps, not 14: "
            "note time.monotonic() in on_train_start, compare after every batch",
        )
        return "budgets of 0 s, 13.5 s and an hour stopped after 1, 14 and 30 one-second steps"

    return verdict("TimeBudget", checks)


def check_early_stopping(callback: object) -> Verdict:
    """An ``EarlyStopping`` that stops once ``val_acc`` has not risen by at least 0.005 for 3 validation rounds."""

    def checks() -> str:
        expect(isinstance(callback, EarlyStopping), f"that is a {type(callback).__name__}, not an EarlyStopping")
        expect(callback.monitor == "val_acc", f"it monitors {callback.monitor!r}: watch 'val_acc'")
        expect(callback.mode == "max", f"mode={callback.mode!r}: accuracy improves upwards, use mode='max'")
        # EarlyStopping keeps min_delta as given in mode 'max' (it negates it in mode 'min')
        expect(abs(callback.min_delta - 0.005) < 1e-12, f"min_delta={callback.min_delta}: a rise of at least 0.005")
        expect(callback.patience == 3, f"patience={callback.patience}, expected 3 validation rounds")
        return "EarlyStopping(monitor='val_acc', mode='max', min_delta=0.005, patience=3)"

    return verdict("EarlyStopping", checks)


def _rate_per_epoch(optimizer: torch.optim.Optimizer, scheduler: object, epochs: int = 6) -> list[float]:
    """The learning rate of each of ``epochs`` epochs of 3 steps when Lightning steps ``scheduler`` (a scheduler or
    a dict with ``interval`` and ``frequency``), starting from the optimizer's current rate."""
    config = scheduler if isinstance(scheduler, dict) else {"scheduler": scheduler}
    interval, frequency = config.get("interval", "epoch"), config.get("frequency", 1)
    rates = []
    with warnings.catch_warnings():  # "lr_scheduler.step() before optimizer.step()": no step is taken here
        warnings.simplefilter("ignore", UserWarning)
        for epoch in range(epochs):
            rates.append(optimizer.param_groups[0]["lr"])
            for step in range(epoch * 3 + 1, epoch * 3 + 4):
                if interval == "step" and step % frequency == 0:
                    config["scheduler"].step()
            if interval == "epoch" and (epoch + 1) % frequency == 0:
                config["scheduler"].step()
    return rates


def check_sgd_optimizers(model: pl.LightningModule) -> Verdict:
    """``model.configure_optimizers()`` returns SGD (lr from ``model.hparams.learning_rate``, momentum 0.9) with a
    scheduler that halves the learning rate every 2 epochs (a ``StepLR``), as ``{"optimizer": ..., "lr_scheduler":
    ...}``; checked by stepping the scheduler as Lightning would over 6 epochs."""

    def checks() -> str:
        config = model.configure_optimizers()
        expect(isinstance(config, dict), f"configure_optimizers returned {type(config).__name__}, not a dict")
        keys = sorted(config)
        expect(keys == ["lr_scheduler", "optimizer"], f"the dict has keys {keys}: use optimizer and lr_scheduler")
        optimizer = config["optimizer"]
        expect(isinstance(optimizer, torch.optim.SGD), f"the optimizer is {type(optimizer).__name__}, not SGD")
        group = optimizer.param_groups[0]
        expect(group["momentum"] == 0.9, f"momentum={group['momentum']}, expected 0.9")
        learning_rate = model.hparams.learning_rate
        expect(group["lr"] == learning_rate, "the learning rate is not hparams.learning_rate")
        n_params = sum(len(g["params"]) for g in optimizer.param_groups)
        expect(n_params == len(list(model.parameters())), "the optimizer does not hold all the model's parameters")
        rates = _rate_per_epoch(optimizer, config["lr_scheduler"])
        halving = [learning_rate * 0.5 ** (epoch // 2) for epoch in range(6)]
        expect(
            all(abs(rate - expected) < 1e-12 for rate, expected in zip(rates, halving)),
            f"over 6 epochs the learning rate goes {[f'{rate:.4g}' for rate in rates]}: halve it every 2 epochs "
            "(StepLR(optimizer, step_size=2, gamma=0.5), stepped every epoch)",
        )
        return f"SGD(lr={learning_rate}, momentum=0.9), the learning rate halved every 2 epochs"

    return verdict("configure_optimizers", checks)
