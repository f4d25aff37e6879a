"""Lesson 5's exercises: a training loop that stops recompiling, and the loader each TPU core would use."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler, TensorDataset

from helpers.exercises import Verdict, expect, verdict
from helpers.xla.device import xla_status

_batch_sizes = itertools.count(11)  # a new batch size per check: graphs compiled by an earlier check are not reused


def check_train_fixed(train_fixed: Callable[[nn.Module, DataLoader, int], list[float]]) -> Verdict:
    """``train_fixed(model, loader, steps)`` trains ``steps`` SGD steps on the XLA device and returns one loss per
    step, without recompiling: at most 2 graph compilations and no ``.item()`` copies, however many steps, although
    ``loader``'s last batch of each epoch is smaller than the others."""
    status = xla_status()
    if not status.available:
        return Verdict(False, f"Not checked (train_fixed): no XLA device here. {status.reason}")
    from helpers.xla.metrics import xla_metrics_delta

    def checks() -> str:
        batch = next(_batch_sizes)
        generator = torch.Generator().manual_seed(0)
        data = TensorDataset(torch.randn(2 * batch + 3, 1, 8, 8, generator=generator), torch.arange(2 * batch + 3) % 4)
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 4))
        with xla_metrics_delta() as delta:
            losses = train_fixed(model, DataLoader(data, batch_size=batch), 6)
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
        return f"6 steps, {delta['compiles']} compilation(s), no .item() copies, losses {[round(v, 3) for v in losses]}"

    return verdict("train_fixed", checks)


def check_tpu_loader(tpu_loader: Callable[[Dataset, int, int, int], DataLoader]) -> Verdict:
    """``tpu_loader(dataset, batch_size, world_size, rank)``: the loader of process ``rank`` out of ``world_size``:
    its own shard of ``dataset`` (shards disjoint), every batch exactly ``batch_size``, as many batches on every
    rank, and the same shuffle on every run."""

    def checks() -> str:
        data = TensorDataset(torch.arange(103))
        shards = []
        for rank in range(4):
            loader = tpu_loader(data, 8, 4, rank)
            expect(isinstance(loader.sampler, DistributedSampler), "give the DataLoader a DistributedSampler")
            batches = [batch[0].tolist() for batch in loader]
            sizes = sorted({len(b) for b in batches})
            expect(sizes == [8], f"rank {rank} yields batches of sizes {sizes}: every one must hold 8 (drop_last)")
            again = [b[0].tolist() for b in tpu_loader(data, 8, 4, rank)]
            expect(batches == again, f"rank {rank}'s order changes from run to run: seed the sampler")
            shards.append([i for b in batches for i in b])
        expect(len({len(shard) for shard in shards}) == 1, "ranks got different numbers of batches")
        seen = [i for shard in shards for i in shard]
        expect(len(seen) == len(set(seen)), "two ranks got the same sample: each needs its own shard (rank=...)")
        return f"4 disjoint shards of {len(shards[0])} samples, in full batches of 8"

    return verdict("tpu_loader", checks)
