"""Lesson 5's exercises: a training loop that stops recompiling, and the loader each TPU core would use."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset, DistributedSampler, TensorDataset

from helpers.exercises import Verdict, expect, verdict
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
