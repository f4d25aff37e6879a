"""Lesson 2's exercises: a collate_fn that pads sequences, and a reproducible loader of full batches."""

from __future__ import annotations

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
