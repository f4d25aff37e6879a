import pytest

from helpers import data
from helpers.data import (
    CLASS_NAMES,
    DataSourceError,
    check_source,
    fashion_mnist,
    prepare_fashion_mnist,
)
from helpers.idx import CorruptIdxFileError
from helpers.standin import StandinSpec, write_standin

SMALL = StandinSpec(n_train=40, n_test=20, seed=0)


@pytest.fixture
def no_forced_source(monkeypatch):
    monkeypatch.delenv(data.SOURCE_ENV, raising=False)


@pytest.fixture
def download_fails(monkeypatch):
    def fail(root):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(data, "_download_real", fail)


def fake_real_files(data_dir, n_train=30, n_test=10):
    """Real-format files in the real data's folder (made by the stand-in writer: same format)."""
    write_standin(data_dir / "FashionMNIST" / "raw", StandinSpec(n_train=n_train, n_test=n_test, seed=9))


def test_class_names_are_torchvisions():
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot" and len(CLASS_NAMES) == 10


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown data source 'mnist'.*'auto', 'real', 'standin'"):
        check_source("mnist")


def test_standin_is_generated_in_its_own_folder_and_read_by_torchvision(tmp_path):
    files = prepare_fashion_mnist(tmp_path, "standin", SMALL)
    assert files.source == "standin" and files.raw_dir == tmp_path / "standin" / "FashionMNIST" / "raw"
    assert (files.n_train, files.n_test) == (40, 20)
    assert len(fashion_mnist(files, train=False)) == 20
    assert "Data source: standin" in files.describe() and "seed 0" in files.describe()


def test_standin_is_regenerated_when_settings_change(tmp_path):
    prepare_fashion_mnist(tmp_path, "standin", SMALL)
    files = prepare_fashion_mnist(tmp_path, "standin", StandinSpec(n_train=50, n_test=20, seed=0))
    assert files.n_train == 50


def test_auto_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(data.SOURCE_ENV, "standin")
    fake_real_files(tmp_path)
    files = prepare_fashion_mnist(tmp_path, "auto", SMALL)
    assert files.source == "standin" and "COURSE_DATA_SOURCE=standin" in files.note


def test_auto_prefers_real_files(tmp_path, no_forced_source, download_fails):
    fake_real_files(tmp_path)
    files = prepare_fashion_mnist(tmp_path, "auto", SMALL)
    assert files.source == "real" and (files.n_train, files.n_test) == (30, 10)


def test_auto_falls_back_to_the_standin(tmp_path, no_forced_source, download_fails):
    files = prepare_fashion_mnist(tmp_path, "auto", SMALL)
    assert files.source == "standin" and "fell back" in files.note


def test_real_offline_without_files_says_what_to_do(tmp_path, download_fails):
    with pytest.raises(DataSourceError, match="downloading it failed.*source='standin'"):
        prepare_fashion_mnist(tmp_path, "real")
    with pytest.raises(DataSourceError, match="downloading is off"):
        prepare_fashion_mnist(tmp_path, "real", allow_download=False)


def test_corrupt_file_is_named_and_not_deleted(tmp_path, download_fails):
    fake_real_files(tmp_path)
    labels = tmp_path / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-3])
    with pytest.raises(CorruptIdxFileError, match="t10k-labels-idx1-ubyte"):
        prepare_fashion_mnist(tmp_path, "real")
    assert labels.exists()


def test_forced_auto_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(data.SOURCE_ENV, "auto")
    with pytest.raises(ValueError, match="decides nothing"):
        prepare_fashion_mnist(tmp_path, "auto", SMALL)


def test_files_of_the_wrong_shape_are_named(tmp_path, download_fails):
    import numpy as np

    from helpers.idx import write_idx

    fake_real_files(tmp_path, n_train=30, n_test=10)
    raw = tmp_path / "FashionMNIST" / "raw"
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros((10, 2), np.uint8))
    with pytest.raises(CorruptIdxFileError, match=r"t10k-labels-idx1-ubyte: holds shape \(10, 2\)"):
        prepare_fashion_mnist(tmp_path, "real")
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros(10, np.uint8))
    write_idx(raw / "train-images-idx3-ubyte", np.zeros((30, 32, 32), np.uint8))
    with pytest.raises(CorruptIdxFileError, match="train-images-idx3-ubyte: holds shape .*not N x 28 x 28"):
        prepare_fashion_mnist(tmp_path, "real")
