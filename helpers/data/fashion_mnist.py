"""Which copy of Fashion-MNIST a lesson reads (the real files or the offline stand-in), made ready once.

The decision is made once, from what is on disk, by :func:`choose_copy`; nothing is downloaded or
written until :meth:`FashionMNISTCopy.make_ready` (which a DataModule's ``prepare_data`` calls):

- ``"real"``:    the real files under ``<data_dir>/FashionMNIST/raw`` (downloaded when missing);
- ``"standin"``: the generated stand-in under ``<data_dir>/standin/FashionMNIST/raw`` (see ``standin``);
- ``"auto"``:    the real files when they are already on disk or can be downloaded here (torchvision's download
  host answers within a few seconds); the stand-in otherwise, or when ``LIGHTNING_COURSE_OFFLINE=1`` is set
  (the course's test command and ``make course`` set it, so their outputs never depend on a network).

The two copies live in different folders, so one never shadows the other. Either way the real
``torchvision.datasets.FashionMNIST`` class reads them.
"""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from torchvision.datasets import FashionMNIST

from helpers.course.params import check, one_of
from helpers.data.facts import IMAGE_SHAPE, RAW_FILES
from helpers.data.idx import CorruptIdxFileError, idx_shape
from helpers.data.standin import StandinSpec, read_spec, write_standin

DATA_SOURCES = ("auto", "real", "standin")
OFFLINE = "LIGHTNING_COURSE_OFFLINE"  # set to 1: "auto" never downloads
CONNECT_SECONDS = 3.0
DEFAULT_STANDIN = StandinSpec(n_train=6000, n_test=1000, seed=0)


class DataSourceError(RuntimeError):
    """The requested Fashion-MNIST copy cannot be used; the message says what to do."""


@dataclass(frozen=True)
class FashionMNISTCopy:
    """One copy of Fashion-MNIST on disk: which one, where, why it was chosen, and (once ready) its size."""

    source: str  # "real" or "standin"
    root: Path  # pass as ``root=`` to torchvision's FashionMNIST
    reason: str  # how the choice was made
    standin: StandinSpec | None = None  # the stand-in's settings (stand-in only)
    n_train: int | None = None  # set by make_ready()
    n_test: int | None = None

    @property
    def raw_dir(self) -> Path:
        return self.root / "FashionMNIST" / "raw"

    def make_ready(self, allow_download: bool = True) -> FashionMNISTCopy:
        """Download (real) or generate (stand-in) what is missing, check the four files; return the copy with sizes.

        Nothing is ever deleted: a corrupt file raises an error naming it, and the stand-in is only
        (re)written in its own folder when it is missing or was generated with other settings.
        """
        if self.source == "standin":
            assert self.standin is not None
            if read_spec(self.raw_dir) != self.standin or not _all_present(self.raw_dir):
                write_standin(self.raw_dir, self.standin)
        elif not _all_present(self.raw_dir):
            if not allow_download:
                raise DataSourceError(
                    f"real Fashion-MNIST is not in {self.raw_dir.as_posix()} and downloading is off. "
                    "Copy the four files there, allow the download, or use data_source='standin'."
                )
            _download_real(self.root)
        return dataclasses.replace(self, n_train=_count(self.raw_dir, "train"), n_test=_count(self.raw_dir, "test"))

    def dataset(self, train: bool = True, transform: Callable | None = None) -> FashionMNIST:
        """torchvision's ``FashionMNIST`` over this copy (never downloads: ``make_ready`` did)."""
        return FashionMNIST(self.root, train=train, transform=transform, download=False)

    def describe(self, sizes: str | None = None) -> str:
        """One line for the notebook: which data this lesson runs on (``sizes``: how a DataModule split it)."""
        if self.source == "real":
            kind = "real Fashion-MNIST"
        else:
            kind = f"the offline stand-in (synthetic garments, seed {self.standin.seed})"
        if sizes is None and self.n_train is not None:
            sizes = f"{self.n_train:,} train / {self.n_test:,} test"
        size = "" if sizes is None else f", {sizes} images"
        return f"Data source: {kind}{size} in {self.raw_dir.as_posix()} ({self.reason})"


def check_data_source(data_source: str) -> str:
    """Return ``data_source`` if it names a known source, else raise with the valid names."""
    return check("data_source", data_source, one_of(*DATA_SOURCES))


def can_download() -> bool:
    """Whether torchvision's Fashion-MNIST host can be reached now (and ``LIGHTNING_COURSE_OFFLINE`` is not set)."""
    if os.environ.get(OFFLINE) == "1":
        return False
    host = urlsplit(FashionMNIST.mirrors[0])
    try:
        socket.create_connection((host.hostname, host.port or 80), timeout=CONNECT_SECONDS).close()
    except OSError:
        return False
    return True


def choose_copy(
    data_dir: str | Path = "data", data_source: str = "auto", standin: StandinSpec = DEFAULT_STANDIN
) -> FashionMNISTCopy:
    """Decide which copy ``data_source`` means here (nothing is written): see the module's docstring."""
    check_data_source(data_source)
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise NotADirectoryError(f"data_dir {data_dir.as_posix()!r} is a file: give a folder for the dataset")
    real = FashionMNISTCopy("real", data_dir, f"requested {data_source!r}")
    stand_in = FashionMNISTCopy("standin", data_dir / "standin", f"requested {data_source!r}", standin)
    if data_source == "real":
        return real
    if data_source == "standin":
        return stand_in
    if _all_present(real.raw_dir):
        return dataclasses.replace(real, reason="'auto' found the real files")
    if can_download():
        return dataclasses.replace(real, reason="'auto': downloaded from torchvision's host")
    return dataclasses.replace(stand_in, reason="'auto': no network here to download the real files")


def prepare_fashion_mnist(
    data_dir: str | Path = "data", data_source: str = "auto", standin: StandinSpec = DEFAULT_STANDIN
) -> FashionMNISTCopy:
    """:func:`choose_copy`, then :meth:`FashionMNISTCopy.make_ready`: the copy to read, ready and with its sizes."""
    return choose_copy(data_dir, data_source, standin).make_ready()


def _all_present(raw_dir: Path) -> bool:
    return all((raw_dir / name).exists() for files in RAW_FILES.values() for name in files)


def _count(raw_dir: Path, split: str) -> int:
    """Number of images of ``split``, after checking that its two IDX files are sound and agree."""
    images, labels = (raw_dir / name for name in RAW_FILES[split])
    image_shape, label_shape = idx_shape(images), idx_shape(labels)  # raise, naming the file, if corrupt
    if image_shape[1:] != IMAGE_SHAPE[1:]:
        raise CorruptIdxFileError(f"{images.name}: holds shape {image_shape}, not N x 28 x 28 images")
    if label_shape != image_shape[:1]:
        found = f"{labels.name}: holds shape {label_shape}"
        raise CorruptIdxFileError(f"{found}, but {images.name} has {image_shape[0]} images")
    return image_shape[0]


def _download_real(root: Path) -> None:
    """Download the real files with torchvision's own downloader, or say what to do instead."""
    try:
        FashionMNIST(root, train=True, download=True)
        FashionMNIST(root, train=False, download=True)
    except Exception as err:  # torchvision raises RuntimeError/URLError/OSError depending on the failure
        raise DataSourceError(
            f"real Fashion-MNIST is not in {(root / 'FashionMNIST' / 'raw').as_posix()} and downloading it failed "
            f"({err}). Connect to the internet, or copy the four files (train/t10k images/labels) there, "
            "or use data_source='standin' to run on the offline stand-in."
        ) from err
