"""Lesson 4's exercises: a callback that stops on a time budget, EarlyStopping's settings, configure_optimizers, the
plain-PyTorch validation pass, and a Trainer for a quick check."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import FunctionType

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from helpers.course.trainers import files_in, quiet_in_empty_folder, quiet_trainer
from helpers.exercises import Verdict, Wrong, expect, names_replaced, verdict


class _Clock:
    """A stand-in for the time module's clocks that moves only when told: each of the checker's steps takes 1 s."""

    def __init__(self) -> None:
        self.now = 1000.0

    def seconds(self) -> float:
        return self.now

    def nanoseconds(self) -> int:
        return round(self.now * 1e9)


_CLOCKS = ("time", "monotonic", "perf_counter")


def _clock_in_place_of_time(clock: _Clock, callback_class: type) -> AbstractContextManager[None]:
    """Inside the block, ``time.time()``, ``time.monotonic()``, ``time.perf_counter()`` (and their ``_ns``
    versions) read ``clock``: in the time module and where ``callback_class``'s code imported them by name."""
    fakes = {id(getattr(time, name)): clock.seconds for name in _CLOCKS}
    fakes |= {id(getattr(time, f"{name}_ns")): clock.nanoseconds for name in _CLOCKS}
    namespaces = [vars(time)]
    for klass in callback_class.__mro__[:-1]:
        if not klass.__module__.startswith(("pytorch_lightning", "lightning")):
            namespaces += [f.__globals__ for f in vars(klass).values() if isinstance(f, FunctionType)]
    return names_replaced(namespaces, fakes)


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


class _Probe(nn.Module):
    """A small classifier with Dropout that notes, at every forward pass, whether it was in training mode and
    whether gradients were being recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.layers(images)


def _weighting_hint(value: float, per_batch: float, name: str) -> str:
    """What to tell a learner whose ``name`` is ``value`` where the mean of the batch means is ``per_batch``."""
    if abs(value - per_batch) < 1e-5:
        return (
            f"the {name} is the mean of the 3 batch means, but the last batch holds 2 images, not 4: weight each "
            "batch by its size (sum over the images) and divide by the number of images"
        )
    return f"the {name} is not the mean over all 10 images"


def check_evaluate(evaluate: Callable[[nn.Module, DataLoader], tuple[float, float]]) -> Verdict:
    """``evaluate(network, loader)``, the plain-PyTorch validation pass: with ``network.eval()`` and under
    ``torch.no_grad()``, it returns ``(mean cross-entropy loss, accuracy)`` over all the loader's images as two Python
    floats, each batch weighted by its size, and leaves the network in training mode. Checked on a network with
    Dropout and a loader of 10 images in batches of 4, 4 and 2."""

    def checks() -> str:
        network = _Probe()
        images = torch.randn(10, 4)
        with torch.no_grad():
            predicted = network.eval()(images).argmax(dim=1)
        right = torch.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1, 1], dtype=torch.bool)  # 4 of 10; batch means 1/4, 1/4, 1
        labels = torch.where(right, predicted, (predicted + 1) % 3)
        with torch.no_grad():
            logits = network(images)
        losses = F.cross_entropy(logits, labels, reduction="none")
        expected = (losses.mean().item(), right.float().mean().item())
        per_batch = [(losses[i : i + 4].mean().item(), right[i : i + 4].float().mean().item()) for i in (0, 4, 8)]
        network.train()
        network.calls.clear()
        result = evaluate(network, DataLoader(TensorDataset(images, labels), batch_size=4))
        expect(isinstance(result, tuple | list) and len(result) == 2, "return two values: (loss, accuracy)")
        loss, accuracy = result
        expect(
            not (torch.is_tensor(loss) or torch.is_tensor(accuracy)),
            "you returned tensors: return two Python floats (a tensor's .item())",
        )
        expect(
            not isinstance(accuracy, int | bool) and not (isinstance(accuracy, float) and accuracy > 1),
            f"the accuracy is {accuracy}, a count: divide the right predictions by the number of images",
        )
        types = [type(value).__name__ for value in result]
        expect(all(isinstance(value, float) for value in result), f"return two Python floats, not {types}")
        expect(network.calls, "the network never ran: compute its outputs for every batch")
        expect(
            not any(training for training, _ in network.calls),
            "the network ran in training mode (its Dropout active): call network.eval() before the pass",
        )
        expect(
            not any(grad for _, grad in network.calls),
            "gradients were recorded during the pass: run it under torch.no_grad()",
        )
        expect(network.training, "the network is left in eval mode: put it back with network.train() at the end")
        mean_of_batches = [sum(values) / 3 for values in zip(*per_batch)]
        expect(abs(loss - expected[0]) < 1e-5, _weighting_hint(loss, mean_of_batches[0], "loss"))
        expect(abs(accuracy - expected[1]) < 1e-6, _weighting_hint(accuracy, mean_of_batches[1], "accuracy"))
        return (
            f"loss {loss:.4f} and accuracy {accuracy:.2f} over all 10 images (batches of 4, 4, 2), in eval mode "
            "without gradients, and the network back in training mode"
        )

    return verdict("evaluate", checks)


_MOST_STEPS = 20  # a quick check that trains longer than this would go on for its whole max_epochs


class _TooLong(Exception):
    """Raised by :class:`_Counting` to end a fit that is no quick check."""


class _Counting(pl.LightningModule):
    """A linear model on 32 random points (8 batches of 4 for training and for validation) that counts its
    training, validation and sanity-check batches, and ends a fit that trains more than ``_MOST_STEPS`` batches."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 2)
        self.trained = self.validated = self.sanity_checked = 0
        self.data = TensorDataset(torch.randn(32, 4), torch.randint(0, 2, (32,)))

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        self.trained += 1
        if self.trained > _MOST_STEPS:
            raise _TooLong
        features, labels = batch
        return F.cross_entropy(self.layer(features), labels)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        if self.trainer.sanity_checking:
            self.sanity_checked += 1
        else:
            self.validated += 1

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.data, batch_size=4)

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.data, batch_size=4)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def check_quick_check_trainer(quick_check_trainer: Callable[[], pl.Trainer]) -> Verdict:
    """``quick_check_trainer()`` returns a Trainer whose fit runs exactly 1 training batch and 1 validation batch
    (no sanity-check batches besides), then stops, writing no logs and no checkpoints. Checked by fitting a model
    that counts its batches, with the Trainer made in an empty temporary folder (its default root)."""

    def checks() -> str:
        model = _Counting()
        with quiet_in_empty_folder() as folder:
            trainer = quick_check_trainer()
            expect(isinstance(trainer, pl.Trainer), f"quick_check_trainer returned a {type(trainer).__name__}")
            try:
                trainer.fit(model)
            except _TooLong:
                raise Wrong(
                    f"the fit was still training after {_MOST_STEPS} batches: a quick check stops after 1 training "
                    "and 1 validation batch (fast_dev_run=True); limit_train_batches and overfit_batches choose the "
                    "batches of each epoch, not when the fit ends"
                ) from None
            written = files_in(folder)
        ran = (model.trained, model.validated, model.sanity_checked)
        expect(
            ran[:2] == (1, 1),
            f"the fit ran {ran[0]} training and {ran[1]} validation batch(es) after its sanity check: a quick check "
            "runs 1 of each (fast_dev_run=True)",
        )
        expect(
            ran[2] == 0,
            f"the fit also ran {ran[2]} validation batch(es) in its sanity check before training: a quick check "
            "runs 1 validation batch in all (num_sanity_val_steps=0, or fast_dev_run=True)",
        )
        logs = [path for path in written if not path.endswith(".ckpt")]
        expect(not logs, f"the fit wrote {logs[0] if logs else ''}: a quick check writes no logs (logger=False)")
        expect(
            not written,
            f"the fit saved {written[0] if written else ''}: a quick check saves no checkpoint "
            "(enable_checkpointing=False)",
        )
        return "1 training batch, 1 validation batch, no sanity check, nothing written"

    return verdict("quick_check_trainer", checks)
