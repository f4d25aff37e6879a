"""Two ways to feed Fashion-MNIST to a model, and a fair images/s measurement of both (lesson 2, bench/).

- the article's path: torchvision's ``FashionMNIST`` turns every image into a PIL image, then
  ``ToTensor`` and ``Normalize`` run once per image, then ``default_collate`` stacks them;
- the in-memory path: the whole uint8 tensor stays in memory, a batch is fetched with one indexing
  operation (``__getitems__``) and converted/normalized once per batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, Dataset
from torchvision.datasets import FashionMNIST

from helpers.data import FashionMNISTFiles, fashion_mnist
from helpers.datamodule import default_transform
from helpers.standin import normalize_images


class InMemoryFashionMNIST(Dataset):
    """Fashion-MNIST kept as one uint8 tensor; ``__getitems__`` returns a whole normalized batch at once."""

    def __init__(self, source: FashionMNIST) -> None:
        self.images = source.data  # uint8 [N, 28, 28], already in memory in torchvision's dataset
        self.labels = source.targets

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        images, labels = self.__getitems__([index])
        return images[0], labels[0]

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """The DataLoader calls this with a batch's indices when the dataset defines it."""
        index = torch.as_tensor(indices)
        return normalize_images(self.images[index]), self.labels[index]


def keep_batch(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """collate_fn for datasets whose ``__getitems__`` already returns a finished batch."""
    return batch


def article_loader(files: FashionMNISTFiles, batch_size: int) -> DataLoader:
    """The article's path: PIL -> ToTensor -> Normalize per image, default collate."""
    dataset = fashion_mnist(files, train=True, transform=default_transform())
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(0))


def in_memory_loader(files: FashionMNISTFiles, batch_size: int) -> DataLoader:
    """The faster path: one indexing op and one normalization per batch."""
    return DataLoader(
        InMemoryFashionMNIST(fashion_mnist(files, train=True)),
        batch_size=batch_size,
        shuffle=True,
        collate_fn=keep_batch,
        generator=torch.Generator().manual_seed(0),
    )


def images_per_second(loader: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Iterate over the whole loader once and return images delivered per second."""
    start, n = time.perf_counter(), 0
    for images, _ in loader:
        n += len(images)
    return n / (time.perf_counter() - start)


@dataclass(frozen=True)
class LoadingComparison:
    """Best-of-``repeats`` images/s of both paths, measured alternately in one run."""

    article: float
    in_memory: float

    @property
    def speedup(self) -> float:
        return self.in_memory / self.article

    def table(self) -> str:
        """A small text table; numbers are formatted as 'N img/s' and 'x.y×' so timings are easy to spot."""
        return (
            f"{'path':<34}{'images/s':>10}\n"
            f"{'article: PIL -> ToTensor per item':<34}{self.article:>10,.0f} img/s\n"
            f"{'in-memory uint8, per-batch ops':<34}{self.in_memory:>10,.0f} img/s\n"
            f"speed-up: {self.speedup:.1f}×"
        )


def compare_loading(files: FashionMNISTFiles, batch_size: int = 64, repeats: int = 3) -> LoadingComparison:
    """Measure both paths over the same training set, alternating them ``repeats`` times, keeping each one's best.

    Runs with one intra-op thread, as DataLoader worker processes do: batch-sized tensor ops gain
    nothing from more threads, and on a busy machine thread hand-offs would dominate the timing.
    """
    article, in_memory = article_loader(files, batch_size), in_memory_loader(files, batch_size)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        best_article = best_memory = 0.0
        for _ in range(repeats):
            best_article = max(best_article, images_per_second(article))
            best_memory = max(best_memory, images_per_second(in_memory))
    finally:
        torch.set_num_threads(threads)
    return LoadingComparison(best_article, best_memory)
