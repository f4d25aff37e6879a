"""A training ``DataLoader`` that Lightning can resume mid-epoch, batch for batch.

What Lightning 2.6 does on ``fit(ckpt_path=...)`` from a checkpoint written part-way through an epoch:
it restores the weights, optimizer, step and batch counters and runs only the batches the epoch
has left, but it does not restore the data order. A plain shuffling ``DataLoader`` starts the
epoch again with a new shuffle, so the resumed run sees some samples twice and others never
(Lightning warns: "...your dataloader is not resumable..."). Lightning saves and restores a
loader's position only if the loader has ``state_dict()`` / ``load_state_dict()``; this one does:

- the order of epoch ``e`` is a permutation fixed by ``(seed, e)``; Lightning calls
  ``sampler.set_epoch(e)`` at every epoch start, so a fresh process gets the same order;
- ``state_dict()`` records the epoch and how many batches were handed out; after
  ``load_state_dict()`` the next iteration skips those batches.

Caveat (Lightning 2.6, issue #20550): if ``configure_optimizers`` reads ``trainer.estimated_stepping_batches``
(as a OneCycle schedule does), Lightning loads the train loader before restoring the checkpoint and then
never calls ``load_state_dict``: the position is silently lost. Resume such runs from end-of-epoch checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler


class EpochShuffleSampler(Sampler[int]):
    """A new permutation each epoch, fixed by ``(seed, epoch)``, optionally started part-way.

    Every ``(seed, epoch)`` pair has its own generator seed, so seed 0's second epoch is not seed 1's first.
    """

    def __init__(self, data: Sized, seed: int) -> None:
        self.num_samples = len(data)
        self.seed = seed
        self.epoch = 0
        self.start = 0  # index into this epoch's permutation where the next iteration begins

    def set_epoch(self, epoch: int) -> None:
        """Called by Lightning at each epoch start (as for ``DistributedSampler``)."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(self.seed * 2**32 + self.epoch)
        order = torch.randperm(self.num_samples, generator=generator)
        return iter(order[self.start :].tolist())

    def __len__(self) -> int:
        return self.num_samples


class ResumableDataLoader(DataLoader):
    """A shuffling ``DataLoader`` whose position Lightning saves in checkpoints and restores on resume.

    Takes ``DataLoader``'s keyword arguments except ``shuffle``/``batch_sampler``/``generator``. ``sampler`` is for
    Lightning alone: it rebuilds the loader with a sampler of its own for ``overfit_batches`` (in order) and for
    several processes (a ``DistributedSampler``); the order is then that sampler's, and a resume restarts the epoch.
    """

    def __init__(self, dataset: Dataset, batch_size: int, seed: int = 0, sampler: Any = None, **kwargs: Any) -> None:
        self.epoch_sampler = EpochShuffleSampler(dataset, seed)
        super().__init__(dataset, batch_size=batch_size, sampler=sampler or self.epoch_sampler, **kwargs)
        self.batches_yielded = 0
        self._resume_at = 0

    def __iter__(self) -> Iterator[Any]:
        # A generator: nothing runs until the first batch is asked for, i.e. after Lightning's set_epoch().
        if self.sampler is not self.epoch_sampler:  # Lightning's own sampler: its order, from the epoch's start
            self._resume_at = 0
        self.batches_yielded, self._resume_at = self._resume_at, 0
        self.epoch_sampler.start = self.batches_yielded * self.batch_size
        for batch in super().__iter__():
            self.batches_yielded += 1
            yield batch

    def state_dict(self) -> dict[str, int]:
        """Where the loader is: the epoch and the batches already handed out in it."""
        return {"epoch": self.epoch_sampler.epoch, "batches_yielded": self.batches_yielded}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from ``state`` at the next iteration (Lightning calls this before iterating)."""
        self.epoch_sampler.set_epoch(state["epoch"])
        self._resume_at = state["batches_yielded"]
