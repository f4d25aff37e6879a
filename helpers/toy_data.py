"""A tiny, instantly made, learnable image set shaped like Fashion-MNIST (for tests and benchmarks).

Class ``c`` is a bright horizontal bar at rows ``2c + 4`` and ``2c + 5`` on Gaussian noise, so a
CNN learns it within an epoch. Lessons use the real data (or its stand-in) through
``helpers.datamodule``; this only exists so the training plumbing can be tested on its own.
"""

from __future__ import annotations

import torch
from torch.utils.data import TensorDataset

from helpers.model import IMAGE_SHAPE, NUM_CLASSES


def toy_images(num_samples: int, seed: int = 0, noise: float = 0.5) -> TensorDataset:
    """``num_samples`` pairs ``(image [1, 28, 28] float, label long)``, deterministic in ``seed``."""
    if num_samples <= 0:
        raise ValueError(f"num_samples must be positive, got {num_samples}")
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(num_samples) % NUM_CLASSES
    labels = labels[torch.randperm(num_samples, generator=generator)]
    images = noise * torch.randn(num_samples, *IMAGE_SHAPE, generator=generator)
    for offset in (4, 5):
        images[torch.arange(num_samples), 0, 2 * labels + offset, :] += 2.0
    return TensorDataset(images, labels)
