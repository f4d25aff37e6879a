"""Fashion-MNIST through the real ``torchvision.datasets.FashionMNIST`` code, from the real files or the stand-in.

Sources:

- ``"real"``:    the real files under ``<data_dir>/FashionMNIST/raw`` (downloaded if missing and possible);
- ``"standin"``: the generated stand-in under ``<data_dir>/standin/FashionMNIST/raw`` (see ``helpers.standin``);
- ``"auto"``:    real if present or downloadable, otherwise the stand-in. Setting the environment
  variable ``COURSE_DATA_SOURCE`` (the tests set ``standin``) decides ``auto`` without any download.

The two live in different folders, so one never shadows the other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from torchvision.datasets import FashionMNIST

from helpers.idx import CorruptIdxFileError, idx_shape
from helpers.standin import RAW_FILES, StandinSpec, read_spec, write_standin

CLASS_NAMES: tuple[str, ...] = tuple(FashionMNIST.classes)
SOURCES = ("auto", "real", "standin")
SOURCE_ENV = "COURSE_DATA_SOURCE"
DEFAULT_STANDIN = StandinSpec(n_train=6000, n_test=1000, seed=0)


class DataSourceError(RuntimeError):
    """The requested Fashion-MNIST source cannot be used; the message says what to do."""


@dataclass(frozen=True)
class FashionMNISTFiles:
    """Where a ready-to-read copy of Fashion-MNIST lives, and what it is."""

    source: str  # "real" or "standin"
    root: Path  # pass as ``root=`` to torchvision's FashionMNIST
    n_train: int
    n_test: int
    note: str  # how the source was chosen

    @property
    def raw_dir(self) -> Path:
        return self.root / "FashionMNIST" / "raw"

    def describe(self) -> str:
        """One line for the notebook: which data this lesson runs on."""
        kind = "real Fashion-MNIST" if self.source == "real" else "offline stand-in (synthetic garments)"
        return (
            f"Data source: {self.source} - {kind}, {self.n_train:,} train / {self.n_test:,} test images "
            f"in {self.raw_dir.as_posix()} ({self.note})"
        )


def check_source(source: str) -> str:
    """Return ``source`` if it is a known data source name, else raise with the valid names."""
    if source not in SOURCES:
        raise ValueError(f"unknown data source {source!r}: use one of {', '.join(map(repr, SOURCES))}")
    return source


def _counts(raw_dir: Path) -> tuple[int, int] | None:
    """(n_train, n_test) if all four IDX files exist and are sound; None if any is missing."""
    paths = [raw_dir / name for split in ("train", "test") for name in RAW_FILES[split]]
    if not all(p.exists() for p in paths):
        return None
    counts = []
    for split in ("train", "test"):
        images, labels = (raw_dir / name for name in RAW_FILES[split])
        image_shape, label_shape = idx_shape(images), idx_shape(labels)  # raise, naming the file, if corrupt
        if len(image_shape) != 3 or image_shape[1:] != (28, 28):
            raise CorruptIdxFileError(f"{images.name}: holds shape {image_shape}, not N x 28 x 28 images")
        if label_shape != image_shape[:1]:
            raise CorruptIdxFileError(
                f"{labels.name}: holds shape {label_shape}, but {images.name} has {image_shape[0]} images"
            )
        counts.append(image_shape[0])
    return counts[0], counts[1]


def _download_real(root: Path) -> None:
    """Download the real files with torchvision's own downloader (kept separate so tests can replace it)."""
    FashionMNIST(root, train=True, download=True)
    FashionMNIST(root, train=False, download=True)


def _real(data_dir: Path, allow_download: bool, note: str) -> FashionMNISTFiles:
    raw_dir = data_dir / "FashionMNIST" / "raw"
    counts = _counts(raw_dir)
    if counts is None and allow_download:
        try:
            _download_real(data_dir)
        except Exception as err:  # torchvision raises RuntimeError/URLError/OSError depending on the failure
            raise DataSourceError(
                f"real Fashion-MNIST is not in {raw_dir.as_posix()} and downloading it failed ({err}). "
                "Connect to the internet, or copy the four files (train/t10k images/labels) there, "
                "or use source='standin' (or 'auto') to run on the offline stand-in."
            ) from err
        counts = _counts(raw_dir)
        note = "downloaded"
    if counts is None:
        raise DataSourceError(
            f"real Fashion-MNIST is not in {raw_dir.as_posix()} and downloading is off. "
            "Copy the four files there, allow the download, or use source='standin'."
        )
    return FashionMNISTFiles("real", data_dir, *counts, note=note)


def _standin(data_dir: Path, spec: StandinSpec, note: str) -> FashionMNISTFiles:
    root = data_dir / "standin"
    raw_dir = root / "FashionMNIST" / "raw"
    if read_spec(raw_dir) != spec or _counts(raw_dir) is None:
        write_standin(raw_dir, spec)
    counts = _counts(raw_dir)
    assert counts is not None
    return FashionMNISTFiles("standin", root, *counts, note=f"{note}; seed {spec.seed}")


def prepare_fashion_mnist(
    data_dir: str | Path = "data",
    source: str = "auto",
    standin: StandinSpec = DEFAULT_STANDIN,
    allow_download: bool = True,
) -> FashionMNISTFiles:
    """Make sure a readable copy of Fashion-MNIST exists for ``source`` and say where it is.

    Nothing is ever deleted: a corrupt file raises an error naming it, and the stand-in is only
    (re)written in its own folder when missing or generated with other settings.
    """
    data_dir = Path(data_dir)
    check_source(source)
    if source == "real":
        return _real(data_dir, allow_download, note="requested 'real'")
    if source == "standin":
        return _standin(data_dir, standin, note="requested 'standin'")
    forced = os.environ.get(SOURCE_ENV)
    if forced:
        if check_source(forced) == "auto":
            raise ValueError(f"{SOURCE_ENV}=auto decides nothing: set it to 'real' or 'standin', or unset it")
        note = f"'auto' decided by {SOURCE_ENV}={forced}"
        if forced == "real":
            return _real(data_dir, allow_download, note=note)
        return _standin(data_dir, standin, note=note)
    try:
        return _real(data_dir, allow_download, note="'auto' found the real files")
    except DataSourceError:
        return _standin(data_dir, standin, note="'auto' fell back: the real files are not available")


def fashion_mnist(files: FashionMNISTFiles, train: bool = True, transform: Callable | None = None) -> FashionMNIST:
    """The torchvision ``FashionMNIST`` dataset over ``files`` (never downloads: ``prepare_fashion_mnist`` did)."""
    return FashionMNIST(files.root, train=train, transform=transform, download=False)
