"""Facts about the real Fashion-MNIST that the loader, the stand-in and the transforms share."""

from __future__ import annotations

from torchvision.datasets import FashionMNIST

CLASS_NAMES: tuple[str, ...] = tuple(FashionMNIST.classes)
NUM_CLASSES = len(CLASS_NAMES)
IMAGE_SHAPE = (1, 28, 28)  # channels, height, width
# The four IDX files torchvision reads from <root>/FashionMNIST/raw/.
RAW_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# Mean and std of the real training pixels once ToTensor has scaled them to [0, 1].
MEAN, STD = 0.2860, 0.3530
