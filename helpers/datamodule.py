"""The Fashion-MNIST ``LightningDataModule`` that lessons 4-7 reuse (lesson 3 builds it step by step)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset, random_split
from torchvision import transforms

from helpers.data import (
    DEFAULT_STANDIN,
    FashionMNISTFiles,
    check_source,
    fashion_mnist,
    prepare_fashion_mnist,
)
from helpers.resumable import ResumableDataLoader

# Mean and std of the real Fashion-MNIST training pixels; defined in helpers.standin (no import cycle),
# and importable from here as before (helpers.loading and the notebooks do).
from helpers.standin import FASHION_MNIST_MEAN, FASHION_MNIST_STD, StandinSpec


def default_transform() -> transforms.Compose:
    """PIL image -> normalized float tensor [1, 28, 28]."""
    return transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((FASHION_MNIST_MEAN,), (FASHION_MNIST_STD,))]
    )


def split_sizes(n: int, val_split: float | int) -> tuple[int, int]:
    """(n_train, n_val) for ``n`` samples; ``val_split`` is a fraction in (0, 1) or a count in [1, n-1]."""
    n_val = round(n * val_split) if isinstance(val_split, float) else val_split
    if not 0 < n_val < n:
        raise ValueError(
            f"val_split={val_split!r} gives {n_val} validation samples out of {n}: "
            f"use a fraction between 0 and 1 (e.g. 0.1) or a count between 1 and {n - 1}"
        )
    return n - n_val, n_val


def check_batch_size(batch_size: int) -> int:
    """Return ``batch_size`` if it is a positive int, else raise saying what to use."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive whole number (e.g. 64), got {batch_size!r}")
    return batch_size


class FashionMNISTDataModule(pl.LightningDataModule):
    """Fashion-MNIST (real or stand-in) with a seeded train/validation split and the three loaders.

    Batches are ``(images, labels)``: float ``[B, 1, 28, 28]`` normalized, and long ``[B]``. The train
    loader's order is fixed by ``(seed, epoch)`` and Lightning saves its position in checkpoints, so a fit
    killed mid-epoch resumes batch for batch (``trainer.fit(..., ckpt_path=...)``).
    """

    def __init__(
        self,
        data_dir: str | Path = "data",
        source: str = "auto",
        batch_size: int = 64,
        val_split: float | int = 0.1,
        seed: int = 0,
        num_workers: int = 0,
        standin: StandinSpec = DEFAULT_STANDIN,
    ) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.source = check_source(source)
        self.batch_size = check_batch_size(batch_size)
        if isinstance(val_split, bool) or not isinstance(val_split, (int, float)):
            raise TypeError(f"val_split must be a fraction (float) or a count (int), got {val_split!r}")
        self.val_split = val_split  # its size is checked in setup(), once the dataset size is known
        self.seed = seed
        self.num_workers = num_workers
        self.standin = standin
        self.files: FashionMNISTFiles | None = None
        self.train_set: Dataset | None = None
        self.val_set: Dataset | None = None
        self.test_set: Dataset | None = None

    def prepare_data(self) -> None:
        """Download (real) or generate (stand-in) once; runs on one process only."""
        prepare_fashion_mnist(self.data_dir, self.source, self.standin)

    def setup(self, stage: str | None = None) -> None:
        """Build the datasets for ``stage`` ('fit', 'validate', 'test' or 'predict')."""
        self.files = prepare_fashion_mnist(self.data_dir, self.source, self.standin, allow_download=False)
        if stage in ("fit", "validate", None):
            full = fashion_mnist(self.files, train=True, transform=default_transform())
            generator = torch.Generator().manual_seed(self.seed)
            self.train_set, self.val_set = random_split(full, split_sizes(len(full), self.val_split), generator)
        if stage in ("test", "predict", None):
            self.test_set = fashion_mnist(self.files, train=False, transform=default_transform())

    def _check_ready(self, dataset: Dataset | None) -> Dataset:
        if dataset is None:
            raise RuntimeError("call setup() first (the Trainer does this for you)")
        return dataset

    def _workers(self) -> dict[str, Any]:
        return {"num_workers": self.num_workers, "persistent_workers": self.num_workers > 0}

    def train_dataloader(self) -> DataLoader:
        """Shuffled with an order fixed by (seed, epoch), and resumable mid-epoch from a checkpoint."""
        return ResumableDataLoader(
            self._check_ready(self.train_set), self.batch_size, seed=self.seed, **self._workers()
        )

    def _in_order(self, dataset: Dataset | None) -> DataLoader:
        return DataLoader(self._check_ready(dataset), batch_size=self.batch_size, **self._workers())

    def val_dataloader(self) -> DataLoader:
        return self._in_order(self.val_set)

    def test_dataloader(self) -> DataLoader:
        return self._in_order(self.test_set)

    def predict_dataloader(self) -> DataLoader:
        return self._in_order(self.test_set)
