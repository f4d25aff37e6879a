"""Lesson 5's exercises: a training loop that stops recompiling, the loader each TPU core would use, and a training
step compiled with ``torch_xla.compile``."""

from __future__ import annotations

import copy
import functools
import itertools
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ContextDecorator, contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.optim.optimizer import register_optimizer_step_post_hook
from torch.utils.data import DataLoader, Dataset, DistributedSampler, TensorDataset

from helpers.exercises import Verdict, expect, names_replaced, verdict
from helpers.xla.device import xla_status

_batch_sizes = itertools.count(11)  # a new batch size per check: graphs compiled by an earlier check are not reused


def _labels(images: torch.Tensor) -> torch.Tensor:
    """A class any image's own pixels decide (which of its first 4 is largest): a linear model can learn it."""
    return images.flatten(1)[:, :4].argmax(dim=1)


def check_train_fixed(train_fixed: Callable[[nn.Module, DataLoader, int], list[float]]) -> Verdict:
    """``train_fixed(model, loader, steps)`` trains ``steps`` SGD steps on the XLA device and returns one loss per
    step, without recompiling: at most 2 graph compilations and no ``.item()`` copies, however many steps, although
    ``loader``'s last batch of each epoch is smaller than the others. Each loss must be the cross-entropy the model's
    forward pass of that step gave (recorded by a hook), and the weights must change."""
    status = xla_status()
    if not status.available:
        return Verdict(False, f"Not checked (train_fixed): no XLA device here. {status.reason}")
    from helpers.xla.metrics import xla_metrics_delta

    def checks() -> str:
        batch = next(_batch_sizes)
        images = torch.randn(2 * batch + 3, 1, 8, 8, generator=torch.Generator().manual_seed(0))
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 4))
        initial = [parameter.detach().clone() for parameter in model.parameters()]
        forwards = []  # (images, logits) of every forward pass, left on the device until the end
        hook = model.register_forward_hook(lambda module, args, output: forwards.append((args[0], output.detach())))
        try:
            with xla_metrics_delta() as delta:
                losses = train_fixed(model, DataLoader(TensorDataset(images, _labels(images)), batch_size=batch), 6)
        finally:
            hook.remove()
        copies = int(delta["host_reads"])
        expect(isinstance(losses, list) and losses, "return the list of losses you read (at least one)")
        expect(all(isinstance(value, float) for value in losses), "the losses must be Python floats")
        expect(copies == 0, f"{copies} .item() copies from the device: read the loss in xm.add_step_closure")
        expect(
            delta["compiles"] <= 2,
            f"{delta['compiles']} graph compilations in 6 steps: keep every batch the "
            "same shape (skip or drop the smaller last batch) and keep .item() out of the step",
        )
        expect(len(losses) == 6, f"{len(losses)} losses for 6 steps: read one loss per step")
        expect(forwards, "the model never ran: train it on torch_xla.device() for the steps asked")
        sizes = sorted({len(inputs) for inputs, _ in forwards})
        expect(sizes == [batch], f"the model saw batches of {sizes}: skip the smaller one (or drop_last=True)")
        devices = sorted({str(inputs.device) for inputs, _ in forwards})
        expect(devices == ["xla:0"], f"the model ran on {devices}: move it and every batch to torch_xla.device()")
        runs = int(delta["executions"])
        expect(runs >= 6, f"{runs} graph runs on the device for 6 steps: end every step with torch_xla.sync()")
        expect(len(forwards) == 6, f"{len(forwards)} forward passes for 6 steps: one per step")
        computed = [F.cross_entropy(logits.cpu(), _labels(inputs.cpu())).item() for inputs, logits in forwards]
        expect(
            all(abs(loss - reference) <= 1e-4 * max(1.0, reference) for loss, reference in zip(losses, computed)),
            "the losses are not those of the model's steps: return F.cross_entropy(model(images), labels) of each",
        )
        changed = any(not torch.equal(w, p.detach().cpu()) for w, p in zip(initial, model.parameters()))
        expect(changed, "the weights did not change: take an optimizer step after every backward pass")
        return f"6 steps, {delta['compiles']} compilation(s), no .item() copies, losses {[round(v, 3) for v in losses]}"

    return verdict("train_fixed", checks)


def check_tpu_loader(tpu_loader: Callable[[Dataset, int, int, int], DataLoader]) -> Verdict:
    """``tpu_loader(dataset, batch_size, world_size, rank)``: the loader of process ``rank`` out of ``world_size``:
    its own shard of ``dataset`` (shards disjoint), every batch exactly ``batch_size``, as many batches on every
    rank, and a shuffled order that is the same on every run."""

    def checks() -> str:
        data = TensorDataset(torch.arange(103))
        shards = []
        for rank in range(4):
            loader = tpu_loader(data, 8, 4, rank)
            samplers = (loader.sampler, getattr(loader.batch_sampler, "sampler", None))
            expect(any(isinstance(s, DistributedSampler) for s in samplers), "give the DataLoader a DistributedSampler")
            batches = [batch[0].tolist() for batch in loader]
            sizes = sorted({len(b) for b in batches})
            expect(sizes == [8], f"rank {rank} yields batches of sizes {sizes}: every one must hold 8 (drop_last)")
            again = [b[0].tolist() for b in tpu_loader(data, 8, 4, rank)]
            expect(batches == again, f"rank {rank}'s order changes from run to run: seed the sampler")
            shard = [i for b in batches for i in b]
            expect(shard != sorted(shard), f"rank {rank} reads its shard in order: DistributedSampler(shuffle=True)")
            shards.append(shard)
        expect(len({len(shard) for shard in shards}) == 1, "ranks got different numbers of batches")
        seen = [i for shard in shards for i in shard]
        expect(len(seen) == len(set(seen)), "two ranks got the same sample: each needs its own shard (rank=...)")
        return f"4 disjoint shards of {len(shards[0])} samples, in full batches of 8"

    return verdict("tpu_loader", checks)


_LEARNING_RATE, _MOMENTUM = 0.05, 0.9  # lesson 5's train_raw
_STEP_GRAPHS = 2  # the first step's graph (it creates SGD's momentum buffers) and every later step's


@dataclass
class _Watch:
    """What the checker saw while ``train_compiled`` ran: how deep the running code is in ``torch_xla.compile``
    (in a function it compiled, or in its with-block), and one record per forward pass and optimizer step."""

    original: Callable
    depth: int = 0
    forwards: list[tuple[str, bool, dict[str, float]]] = field(default_factory=list)  # (device, compiled, metrics)
    steps: list[tuple[bool, dict[str, float]]] = field(default_factory=list)  # (compiled, metrics)

    def compile(self, f: Callable | None = None, *args: Any, **kwargs: Any) -> Any:
        """``torch_xla.compile`` as the learner calls it, noting when its function (or block) runs."""
        compiled = self.original(f, *args, **kwargs)
        if f is None:
            return _Region(compiled, self)

        @functools.wraps(f)
        def run(*f_args: Any, **f_kwargs: Any) -> Any:
            self.depth += 1
            try:
                return compiled(*f_args, **f_kwargs)
            finally:
                self.depth -= 1

        return run


class _Region(ContextDecorator):
    """A ``torch_xla.compile()`` block (or decorator) that counts itself in its watch's depth while it runs."""

    def __init__(self, region: AbstractContextManager, watch: _Watch) -> None:
        self.region, self.watch = region, watch

    def _recreate_cm(self) -> _Region:  # used when it decorates a function: a fresh block per call
        return _Region(self.region._recreate_cm(), self.watch)

    def __enter__(self) -> _Region:
        self.region.__enter__()
        self.watch.depth += 1
        return self

    def __exit__(self, *exc: object) -> bool | None:
        self.watch.depth -= 1
        return self.region.__exit__(*exc)


@contextmanager
def _training_watched(model: nn.Module, train_compiled: Callable) -> Iterator[_Watch]:
    """Inside the block, note every forward pass of ``model`` and every optimizer step: on which device, whether
    inside ``torch_xla.compile`` (watched in torch_xla and where ``train_compiled``'s code imported it by name), and
    torch_xla's metrics at that moment."""
    import torch_xla

    from helpers.xla.metrics import xla_metrics

    watch = _Watch(torch_xla.compile)
    namespaces = [vars(torch_xla), vars(sys.modules["torch_xla.torch_xla"]), getattr(train_compiled, "__globals__", {})]

    def forward(module: nn.Module, args: tuple) -> None:
        watch.forwards.append((str(args[0].device), watch.depth > 0, xla_metrics()))

    def step(optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        watch.steps.append((watch.depth > 0, xla_metrics()))

    hooks = [model.register_forward_pre_hook(forward), register_optimizer_step_post_hook(step)]
    try:
        with names_replaced(namespaces, {id(watch.original): watch.compile}):
            yield watch
    finally:
        for hook in hooks:
            hook.remove()


def _train_reference(model: nn.Module, loader: DataLoader, steps: int) -> list[float]:
    """``steps`` SGD steps of lesson 5's settings on the XLA device, each compiled by ``torch_xla.compile``."""
    import torch_xla

    device = torch_xla.device()
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=_LEARNING_RATE, momentum=_MOMENTUM)

    @torch_xla.compile
    def step(images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss

    losses = [step(images.to(device), labels.to(device)) for _, (images, labels) in zip(range(steps), loader)]
    return [loss.item() for loss in losses]


def check_train_compiled(train_compiled: Callable[[nn.Module, DataLoader, int], list[float]]) -> Verdict:
    """``train_compiled(model, loader, steps)`` trains ``steps`` SGD steps (lr 0.05, momentum 0.9) on the XLA device,
    each step (zero_grad, forward, loss, backward, optimizer.step) inside a function compiled by ``torch_xla.compile``,
    and returns the losses as Python floats read after training. Checked against a reference run: the same losses and
    weights, on the XLA device, no values read from the device between the steps, inside ``torch_xla.compile`` (watched
    while the function runs), and no more graph compilations than the step needs (2)."""
    status = xla_status()
    if not status.available:
        return Verdict(False, f"Not checked (train_compiled): no XLA device here. {status.reason}")

    def checks() -> str:
        batch, steps = next(_batch_sizes), 5  # a new batch size: graphs compiled by an earlier check are not reused
        images = torch.randn(6 * batch, 1, 8, 8, generator=torch.Generator().manual_seed(0))
        loader = DataLoader(TensorDataset(images, _labels(images)), batch_size=batch)
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 4))
        reference = copy.deepcopy(model)
        with _training_watched(model, train_compiled) as watch:
            losses = train_compiled(model, loader, steps)
        floats = isinstance(losses, list) and all(isinstance(value, float) for value in losses)
        expect(floats, "return a list of Python floats: keep each step's loss tensor, read them all after training")
        expect(len(losses) == steps, f"{len(losses)} losses for {steps} steps: return one per step")
        expect(watch.forwards, f"the model never ran: train it for the {steps} steps asked")
        devices = sorted({device for device, _, _ in watch.forwards})
        expect(devices == ["xla:0"], f"the model ran on {devices}: move it and every batch to torch_xla.device()")
        expect(len(watch.forwards) == steps, f"{len(watch.forwards)} forward passes for {steps} steps: one per step")
        expect(watch.steps, "the optimizer never stepped: call optimizer.step() in every step")
        first, last = watch.forwards[0][2], watch.forwards[-1][2]
        reads = int(last["host_reads"] - first["host_reads"])
        expect(
            reads == 0,
            f"{reads} values were read from the device during training (.item() in the step): each read makes the "
            "host wait and splits the step's graph; return the loss tensor from the step, read them all after training",
        )
        expect(
            all(compiled for _, compiled, _ in watch.forwards),
            "the forward pass ran outside torch_xla.compile: put the whole step (zero_grad, forward, loss, backward, "
            "optimizer.step) in a function, and call it through torch_xla.compile(step)",
        )
        expect(
            all(compiled for compiled, _ in watch.steps),
            "optimizer.step() ran outside torch_xla.compile: put it in the compiled step function too",
        )
        compiles = int(last["compiles"] - first["compiles"])
        expect(
            compiles <= _STEP_GRAPHS,
            f"{compiles} graph compilations in the first {steps - 1} steps, where the step needs {_STEP_GRAPHS} (the "
            "first step's, which creates SGD's momentum buffers, and every later step's): keep the whole step in one "
            "compiled function",
        )
        expected = _train_reference(reference, loader, steps)
        expect(
            all(abs(loss - right) <= 1e-5 * max(1.0, abs(right)) for loss, right in zip(losses, expected)),
            f"the losses are not those of {steps} SGD steps (lr=0.05, momentum=0.9): return each step's "
            "cross-entropy loss, in order",
        )
        same = all(
            torch.allclose(p.detach().cpu(), r.detach().cpu(), rtol=1e-5, atol=1e-6)
            for p, r in zip(model.parameters(), reference.parameters())
        )
        expect(same, f"the weights are not those of {steps} SGD steps with lr=0.05 and momentum=0.9")
        return f"{steps} compiled steps on the XLA device, {compiles} compilation(s), no reads during training"

    return verdict("train_compiled", checks)
