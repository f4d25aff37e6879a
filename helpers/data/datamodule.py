"""Lesson 3's Fashion-MNIST ``LightningDataModule``, packaged for lessons 4-8 (a test checks both split alike)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, random_split
from torchvision.transforms import v2

from helpers.course.params import check, fraction_or_count, whole
from helpers.data.facts import MEAN, STD
from helpers.data.fashion_mnist import DEFAULT_STANDIN, FashionMNISTCopy, choose_copy
from helpers.data.resumable import ResumableDataLoader
from helpers.data.standin import StandinSpec


def default_transform() -> v2.Compose:
    """PIL image -> normalized float tensor [1, 28, 28] with ``transforms.v2`` (lesson 3's ``transform``)."""
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize((MEAN,), (STD,))])


def split_sizes(n: int, val_split: float | int) -> tuple[int, int]:
    """(n_train, n_val) for ``n`` samples; ``val_split`` is a fraction in (0, 1) or a count in [1, n-1].

    A fraction is rounded as ``random_split(data, [1 - val_split, val_split])`` rounds it (each side floored, what
    is left over handed out from the first side on), so lesson 3's class, which passes fractions, splits the same.
    """
    check("val_split", val_split, fraction_or_count())
    if isinstance(val_split, float):
        sizes = [math.floor(n * fraction) for fraction in (1 - val_split, val_split)]
        for i in range(n - sum(sizes)):
            sizes[i % 2] += 1
        n_val = sizes[1]
    else:
        n_val = val_split
    if not 0 < n_val < n:
        raise ValueError(
            f"val_split={val_split!r} gives {n_val} validation samples out of {n}: "
            f"use a fraction between 0 and 1 (e.g. 0.1) or a count between 1 and {n - 1}"
        )
    return n - n_val, n_val


class FashionMNISTDataModule(pl.LightningDataModule):
    """Fashion-MNIST (real or stand-in) with a seeded train/validation split and the loaders.

    Batches are ``(images, labels)``: float ``[B, 1, 28, 28]`` normalized, and long ``[B]``. Which copy
    of the data is read is decided once, here (see ``helpers.data.fashion_mnist.choose_copy``);
    ``prepare_data`` downloads or generates it. The train loader's order is fixed by ``(seed, epoch)``
    and Lightning saves its position in checkpoints, so a fit stopped mid-epoch resumes batch for batch
    (``trainer.fit(..., ckpt_path=...)``).
    """

    def __init__(
        self,
        data_dir: str | Path = "data",
        data_source: str = "auto",
        batch_size: int = 64,
        val_split: float | int = 0.1,
        seed: int = 0,
        num_workers: int = 0,
        standin: StandinSpec = DEFAULT_STANDIN,
    ) -> None:
        super().__init__()
        self.copy: FashionMNISTCopy = choose_copy(data_dir, data_source, standin)
        self.batch_size = check("batch_size", batch_size, whole(minimum=1, example=64))
        self.val_split = check("val_split", val_split, fraction_or_count())  # its size: in setup()
        self.seed = seed
        self.num_workers = num_workers
        self.train_set: Dataset | None = None
        self.val_set: Dataset | None = None
        self.test_set: Dataset | None = None

    def prepare_data(self) -> None:
        """Download (real) or generate (stand-in) the files; Lightning runs this once per machine."""
        self.copy.make_ready()

    def setup(self, stage: str | None = None) -> None:
        """Build the datasets ``stage`` needs ('fit', 'validate', 'test' or 'predict'; None: all)."""
        if stage in ("fit", "validate", None):
            full = self.copy.dataset(train=True, transform=default_transform())
            generator = torch.Generator().manual_seed(self.seed)
            self.train_set, self.val_set = random_split(full, split_sizes(len(full), self.val_split), generator)
        if stage in ("test", "predict", None):
            self.test_set = self.copy.dataset(train=False, transform=default_transform())

    def describe(self) -> str:
        """Which data this module reads and how it is split (after ``setup``)."""
        sizes = [f"{len(dataset):,} {name}" for name, dataset in self._datasets().items() if dataset is not None]
        return self.copy.describe(" / ".join(sizes))

    def _datasets(self) -> dict[str, Dataset | None]:
        return {"train": self.train_set, "validation": self.val_set, "test": self.test_set}

    def _ready(self, dataset: Dataset | None) -> Dataset:
        if dataset is None:
            raise RuntimeError("call setup() first (the Trainer does this for you)")
        return dataset

    def _workers(self) -> dict[str, Any]:
        return {"num_workers": self.num_workers, "persistent_workers": self.num_workers > 0}

    def train_dataloader(self) -> DataLoader:
        """Shuffled with an order fixed by (seed, epoch), and resumable mid-epoch from a checkpoint."""
        return ResumableDataLoader(self._ready(self.train_set), self.batch_size, seed=self.seed, **self._workers())

    def _in_order(self, dataset: Dataset | None) -> DataLoader:
        return DataLoader(self._ready(dataset), batch_size=self.batch_size, **self._workers())

    def val_dataloader(self) -> DataLoader:
        return self._in_order(self.val_set)

    def test_dataloader(self) -> DataLoader:
        return self._in_order(self.test_set)

    def predict_dataloader(self) -> DataLoader:
        return self._in_order(self.test_set)
