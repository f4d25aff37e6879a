"""Lesson 2's fast input path: Fashion-MNIST kept as one uint8 tensor, a whole batch per indexing operation.

Lesson 2 writes :class:`InMemoryFashionMNIST` and checks it against this copy; ``bench/data_loading.py``
and the tests use this one. :func:`standin_tensors` is the stand-in held the same way, without files.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset, TensorDataset
from torchvision.datasets import FashionMNIST

from helpers.data.facts import MEAN, STD
from helpers.data.standin import generate


def normalize_images(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``[N, 28, 28]`` -> float ``[N, 1, 28, 28]``: scaled to [0, 1], then normalized (as ``ToTensor`` +
    ``Normalize(MEAN, STD)`` do image by image), in one pass over the whole batch."""
    return images.unsqueeze(1).float().div_(255).sub_(MEAN).div_(STD)


class InMemoryFashionMNIST(Dataset):
    """Fashion-MNIST as one uint8 tensor; ``__getitems__`` returns a whole normalized batch at once."""

    def __init__(self, source: FashionMNIST) -> None:
        self.images = source.data  # uint8 [N, 28, 28], already in memory in torchvision's dataset
        self.labels = source.targets

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return normalize_images(self.images[index : index + 1])[0], self.labels[index]

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """The DataLoader calls this with a batch's indices when the dataset defines it."""
        index = torch.as_tensor(indices)
        return normalize_images(self.images[index]), self.labels[index]


def keep_batch(batch: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """collate_fn for datasets whose ``__getitems__`` already returns a finished batch."""
    return batch


def standin_tensors(n: int, seed: int = 0) -> TensorDataset:
    """``n`` stand-in pairs ``(image, label)`` in memory, as the DataModule's loaders hand them out.

    For the exercise checkers' small fits (and the tests and benchmarks), which need no files.
    Images are float ``[n, 1, 28, 28]``, normalized like ``helpers.data.datamodule.default_transform``
    does; labels are long ``[n]``. Deterministic in ``seed``.
    """
    if n < 1:
        raise ValueError(f"n must be a positive number of images, got {n}")
    images, labels = generate(n, seed)
    return TensorDataset(normalize_images(torch.from_numpy(images)), torch.from_numpy(labels).long())
