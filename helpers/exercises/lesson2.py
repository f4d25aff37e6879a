"""Lesson 2's exercises: a collate_fn that pads sequences, a reproducible loader of full batches, and a loader whose
worker processes last from one epoch to the next."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

from helpers.exercises import Verdict, expect, same_tensor, verdict


class _Sentences(Dataset):
    """Token-id sequences of different lengths (3 to 9), each with a label."""

    def __init__(self, n: int = 10) -> None:
        generator = torch.Generator().manual_seed(0)
        self.samples = [
            {"tokens": torch.randint(1, 100, (3 + i % 7,), generator=generator), "label": i % 3} for i in range(n)
        ]

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> dict:
        return self.samples[index]


def check_pad_collate(pad_collate: Callable[[list[dict]], dict]) -> Verdict:
    """``pad_collate`` turns ``[{"tokens": long [L_i], "label": int}, ...]`` into ``{"tokens": long [B, max L_i]``
    padded with 0 at the end, ``"lengths": long [B]``, ``"labels": long [B]}``, leaving the samples unchanged."""

    def checks() -> str:
        dataset = _Sentences()
        batch = next(iter(DataLoader(dataset, batch_size=4, collate_fn=pad_collate)))
        samples = [_Sentences()[i] for i in range(4)]
        unchanged = all(same_tensor(dataset[i]["tokens"], sample["tokens"]) for i, sample in enumerate(samples))
        expect(unchanged, "pad_collate changed the samples it was given: build new tensors, don't assign into them")
        expect(isinstance(batch, dict), f"the batch is a {type(batch).__name__}, not a dict")
        keys = sorted(batch)
        expect(keys == ["labels", "lengths", "tokens"], f"the batch has keys {keys}: use tokens, lengths, labels")
        longest = max(len(s["tokens"]) for s in samples)
        tokens = batch["tokens"]
        expect(
            torch.is_tensor(tokens) and tokens.shape == (4, longest),
            f"tokens must be one tensor [4, {longest}] (batch, longest sequence), got "
            f"{tuple(tokens.shape) if torch.is_tensor(tokens) else type(tokens).__name__}",
        )
        expect(tokens.dtype == torch.long, f"tokens are {tokens.dtype}, expected torch.long")
        for row, sample in enumerate(samples):
            n = len(sample["tokens"])
            expect(torch.equal(tokens[row, :n], sample["tokens"]), f"row {row} does not start with its own tokens")
            expect(bool((tokens[row, n:] == 0).all()), f"row {row} is not padded with 0 after its {n} tokens")
        lengths = torch.tensor([len(s["tokens"]) for s in samples])
        expect(same_tensor(batch["lengths"], lengths), "lengths must be a long tensor of each length before padding")
        labels = torch.tensor([s["label"] for s in samples])
        expect(same_tensor(batch["labels"], labels), "labels must be a long tensor of the samples' labels, in order")
        return f"sequences of lengths {lengths.tolist()} padded to one [4, {longest}] tensor"

    return verdict("pad_collate", checks)


def check_make_loader(make_loader: Callable[[Dataset, int, int], DataLoader]) -> Verdict:
    """``make_loader(dataset, batch_size, seed)`` shuffles reproducibly (same seed, same order) with its own
    generator, not by reseeding torch's global random numbers, and every batch holds exactly ``batch_size`` samples."""

    def checks() -> str:
        dataset = TensorDataset(torch.arange(100))

        def order(seed: int) -> list[list[int]]:
            return [batch[0].tolist() for batch in make_loader(dataset, 16, seed)]

        first, again, other = order(0), order(0), order(1)
        expect(first[0] != list(range(16)), "the first batch is samples 0 to 15 in order: shuffle them")
        expect(first == again, "the same seed gave two different orders: pass a seeded torch.Generator")
        expect(first != other, "seeds 0 and 1 gave the same order: the seed must decide the shuffle")
        after = []
        for global_seed in (1, 2):
            torch.manual_seed(global_seed)
            order(0)
            after.append(torch.rand(1))
        expect(
            not torch.equal(*after),
            "make_loader reseeds torch's global random numbers: leave them alone, pass a seeded torch.Generator",
        )
        sizes = sorted({len(batch) for batch in first})
        expect(sizes == [16], f"batches of sizes {sizes} for batch_size=16: pass it, and drop_last=True")
        expect(len(first) == 100 // 16, f"{len(first)} batches from 100 samples, expected {100 // 16}")
        return f"{len(first)} full batches of 16, in an order fixed by the seed"

    return verdict("make_loader", checks)


class _WhereLoaded(Dataset):
    """24 items, each ``(its index, the id of the process that loaded it)``; defined at module level, so worker
    processes can receive it however they are started."""

    def __len__(self) -> int:
        return 24

    def __getitem__(self, index: int) -> tuple[int, int]:
        return index, os.getpid()


def _stop_workers(loader: DataLoader) -> None:
    """End the worker processes a loader with ``persistent_workers=True`` keeps between epochs."""
    iterator = getattr(loader, "_iterator", None)  # where DataLoader keeps its persistent workers' iterator
    if iterator is not None and hasattr(iterator, "_shutdown_workers"):
        iterator._shutdown_workers()


def check_worker_loader(make_worker_loader: Callable[[Dataset, int], DataLoader]) -> Verdict:
    """``make_worker_loader(dataset, batch_size)`` returns a DataLoader that yields ``dataset`` in order, in batches
    of ``batch_size``, loaded by 2 worker processes that stay alive from one epoch to the next
    (``persistent_workers=True``). Checked over 2 epochs of a dataset whose items say which process loaded them."""

    def checks() -> str:
        with warnings.catch_warnings():  # "This DataLoader will create 3 worker processes...": the verdict says so
            warnings.simplefilter("ignore")
            loader = make_worker_loader(_WhereLoaded(), 4)
            expect(
                isinstance(loader, DataLoader),
                f"make_worker_loader returned a {type(loader).__name__}, not a DataLoader",
            )
            try:
                epochs = [[(batch[0].tolist(), batch[1].tolist()) for batch in loader] for _ in range(2)]
            finally:
                _stop_workers(loader)
        indices = [index for batch, _ in epochs[0] for index in batch]
        expect(sorted(indices) == list(range(24)), "an epoch did not yield each of the 24 items exactly once")
        expect(indices == list(range(24)), "the items come out shuffled: keep them in order (shuffle=False)")
        sizes = sorted({len(batch) for batch, _ in epochs[0]})
        expect(sizes == [4], f"batches of {sizes} items for batch_size=4: pass batch_size to the DataLoader")
        loaded_by = [{pid for _, pids in epoch for pid in pids} for epoch in epochs]
        expect(
            os.getpid() not in loaded_by[0],
            "the items were loaded in the main process: ask for 2 worker processes (num_workers=2)",
        )
        workers = len(loaded_by[0])
        expect(workers == 2, f"the items were loaded by {workers} worker process(es): ask for 2 (num_workers=2)")
        expect(
            loaded_by[0] == loaded_by[1],
            "the second epoch was loaded by new worker processes: the DataLoader starts its workers again every "
            "epoch unless persistent_workers=True keeps them alive",
        )
        return "24 items in order, in batches of 4, loaded by the same 2 worker processes in both epochs"

    return verdict("make_worker_loader", checks)
