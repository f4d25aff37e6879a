"""The reference raw torch_xla training loop, and the naive one it fixes (lesson 5).

:func:`train_raw_xla` is the loop the lesson writes out in plain view, with today's API:
``torch_xla.device()``, a ``DistributedSampler`` sized by ``torch_xla.runtime``, ``MpDeviceLoader``
(which ends each step with ``torch_xla.sync()``), ``xm.optimizer_step`` (which all-reduces the
gradients when there are several devices) and loss logging through ``xm.add_step_closure``, outside
the traced graph. It compiles one graph per batch shape, so with ``drop_last=True`` the number of
compilations does not grow with the number of steps.

:func:`train_naive_xla` is what a CUDA habit produces: ``.item()`` in the middle of the step and,
fed a loader with a partial last batch, a second batch shape. Both multiply the compiled graphs.
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
import torch_xla
import torch_xla.core.xla_model as xm
import torch_xla.runtime as xr
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from torch_xla.distributed.parallel_loader import MpDeviceLoader

from helpers.xla_metrics import xla_metrics, xla_metrics_delta

Batch = tuple[torch.Tensor, torch.Tensor]


class RecompilationWarning(UserWarning):
    """The training step keeps compiling new XLA graphs (shapes or Python control flow change)."""


@dataclass
class LoopResult:
    """What a training loop did: logged losses, steps run, wall seconds and XLA metric deltas."""

    losses: list[float]
    steps: int
    seconds: float
    metrics: dict[str, float]

    @property
    def steps_per_second(self) -> float:
        """Training steps per wall-clock second, compilation included."""
        return self.steps / self.seconds


def xla_dataloader(
    dataset: Dataset, batch_size: int, *, shuffle: bool = True, drop_last: bool = True, seed: int = 0
) -> DataLoader:
    """A DataLoader whose ``DistributedSampler`` gives this process its shard of ``dataset``.

    ``drop_last=True`` keeps every batch the same shape, so XLA compiles the step once.
    """
    sampler = DistributedSampler(
        dataset,
        num_replicas=xr.world_size(),
        rank=xr.global_ordinal(),
        shuffle=shuffle,
        seed=seed,
        drop_last=drop_last,
    )
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=drop_last)


class _CompileWatch:
    """Warns once when a loop has compiled more than ``limit`` graphs since it started."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.start = xla_metrics()["compiles"]
        self.warned = False

    def check(self, steps: int) -> None:
        compiles = xla_metrics()["compiles"] - self.start
        if self.warned or compiles <= self.limit:
            return
        self.warned = True
        warnings.warn(
            f"XLA compiled {compiles} graphs in {steps} steps (expected at most {self.limit}): the step "
            "keeps changing. Keep batch shapes fixed (drop_last=True, padding) and keep .item(), print "
            "and `if` on tensor values out of the step (xm.add_step_closure).",
            RecompilationWarning,
            stacklevel=3,
        )


def _batches(
    loader: DataLoader, epochs: int, max_steps: int | None, device: torch.device | None = None
) -> Iterator[Batch]:
    """Batches for ``epochs`` epochs, at most ``max_steps``; through ``MpDeviceLoader`` when given a device.

    Tells a ``DistributedSampler`` the epoch, so each epoch reshuffles.
    """

    def epoch_batches() -> Iterator[Batch]:
        for epoch in range(epochs):
            if isinstance(loader.sampler, DistributedSampler):
                loader.sampler.set_epoch(epoch)
            yield from loader if device is None else MpDeviceLoader(loader, device)

    return itertools.islice(epoch_batches(), max_steps)


def _record_loss(losses: list[float], loss: torch.Tensor) -> None:
    """Step closure: runs after the step's graph executed, so reading the loss adds no graph."""
    losses.append(float(loss.detach().cpu()))


def train_raw_xla(
    model: nn.Module,
    loader: DataLoader,
    *,
    epochs: int = 1,
    max_steps: int | None = None,
    lr: float = 0.05,
    log_every: int = 10,
    warn_compiles: int = 3,
) -> LoopResult:
    """Train ``model`` (moved to the XLA device) with SGD and cross-entropy; the canonical raw loop.

    Stops after ``epochs`` or ``max_steps``, whichever comes first; logs every ``log_every``-th loss;
    warns (:class:`RecompilationWarning`) once more than ``warn_compiles`` graphs were compiled.
    """
    device = torch_xla.device()
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[float] = []
    watch = _CompileWatch(warn_compiles)
    step = 0
    start = time.perf_counter()
    with xla_metrics_delta() as delta:
        # MpDeviceLoader moves batches to the device ahead of time and syncs once per batch
        for step, (images, labels) in enumerate(_batches(loader, epochs, max_steps, device), start=1):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            xm.optimizer_step(optimizer)  # all-reduces gradients across devices, then steps
            if (step - 1) % log_every == 0:
                xm.add_step_closure(_record_loss, args=(losses, loss))
            watch.check(step)
        torch_xla.sync(wait=True)  # run the last step (and its closure) before stopping the clock
    return LoopResult(losses, step, time.perf_counter() - start, delta)


def train_naive_xla(
    model: nn.Module,
    loader: DataLoader,
    *,
    epochs: int = 1,
    max_steps: int | None = None,
    lr: float = 0.05,
    warn_compiles: int = 3,
) -> LoopResult:
    """The same training with the two classic mistakes, to count what they cost (lesson 5 only).

    ``loss.item()`` inside the step compiles and runs the forward pass on its own and waits for it;
    the whole step (forward again) then runs at ``torch_xla.sync()``: two graphs per batch shape, a
    device round trip per step. A loader without ``drop_last`` adds a second batch shape.
    """
    device = torch_xla.device()
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[float] = []
    watch = _CompileWatch(warn_compiles)
    step = 0
    start = time.perf_counter()
    with xla_metrics_delta() as delta:
        for step, (images, labels) in enumerate(_batches(loader, epochs, max_steps), start=1):
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            losses.append(loss.item())  # the mistake: runs the forward graph now, on its own
            loss.backward()
            optimizer.step()
            torch_xla.sync()
            watch.check(step)
        torch_xla.sync(wait=True)
    return LoopResult(losses, step, time.perf_counter() - start, delta)
