"""Lesson 2: reference solutions."""

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader


def pad_collate(samples):
    """[{"tokens": [L_i], "label": int}, ...] -> tokens padded with 0 to [B, max L_i], their lengths, the labels."""
    tokens = [sample["tokens"] for sample in samples]
    return {
        "tokens": pad_sequence(tokens, batch_first=True, padding_value=0),
        "lengths": torch.tensor([len(t) for t in tokens]),
        "labels": torch.tensor([sample["label"] for sample in samples]),
    }


def make_loader(dataset, batch_size, seed):
    """A shuffled loader whose order is fixed by ``seed``, full batches only."""
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(seed)
    )


def make_worker_loader(dataset, batch_size):
    """A loader in dataset order whose 2 worker processes stay alive from one epoch to the next."""
    return DataLoader(dataset, batch_size=batch_size, num_workers=2, persistent_workers=True)
