"""Which copy of Fashion-MNIST a lesson reads, decided once from what is on disk, and made ready once."""

import numpy as np
import pytest

from helpers.data import fashion_mnist
from helpers.data.facts import CLASS_NAMES
from helpers.data.fashion_mnist import DataSourceError, check_data_source, choose_copy, prepare_fashion_mnist
from helpers.data.idx import CorruptIdxFileError, write_idx
from helpers.data.standin import StandinSpec, write_standin

SMALL = StandinSpec(n_train=40, n_test=20, seed=0)


@pytest.fixture
def download_fails(monkeypatch):
    calls = []

    def fail(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(fashion_mnist.FashionMNIST, "download", fail)
    return calls


def fake_real_files(data_dir, n_train=30, n_test=10):
    """Real-format files in the real data's folder (made by the stand-in writer: same format)."""
    write_standin(data_dir / "FashionMNIST" / "raw", StandinSpec(n_train=n_train, n_test=n_test, seed=9))


def test_class_names_are_torchvisions():
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot" and len(CLASS_NAMES) == 10


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(ValueError, match="data_source must be one of 'auto', 'real', 'standin', got 'mnist'"):
        check_data_source("mnist")


def test_choosing_writes_nothing(tmp_path):
    copy = choose_copy(tmp_path / "data", "standin", SMALL)
    assert copy.source == "standin" and copy.n_train is None and not (tmp_path / "data").exists()


def test_standin_is_generated_in_its_own_folder_and_read_by_torchvision(tmp_path):
    copy = prepare_fashion_mnist(tmp_path, "standin", SMALL)
    assert copy.source == "standin" and copy.raw_dir == tmp_path / "standin" / "FashionMNIST" / "raw"
    assert (copy.n_train, copy.n_test) == (40, 20)
    assert len(copy.dataset(train=False)) == 20
    assert copy.describe().startswith("Data source: the offline stand-in (synthetic garments, seed 0), 40 train / 20")


def test_standin_is_regenerated_when_settings_change(tmp_path):
    prepare_fashion_mnist(tmp_path, "standin", SMALL)
    assert prepare_fashion_mnist(tmp_path, "standin", StandinSpec(n_train=50, n_test=20, seed=0)).n_train == 50


def test_auto_prefers_real_files_on_disk(tmp_path, download_fails):
    fake_real_files(tmp_path)
    copy = prepare_fashion_mnist(tmp_path, "auto", SMALL)
    assert copy.source == "real" and (copy.n_train, copy.n_test) == (30, 10) and "found the real files" in copy.reason
    assert download_fails == []


def test_auto_offline_takes_the_standin_without_trying_to_download(tmp_path, download_fails, monkeypatch):
    monkeypatch.delenv(fashion_mnist.OFFLINE, raising=False)
    monkeypatch.setattr(fashion_mnist, "can_download", lambda: False)
    copy = prepare_fashion_mnist(tmp_path, "auto", SMALL)
    assert copy.source == "standin" and "no network here" in copy.reason
    assert download_fails == []


def test_auto_downloads_the_real_files_when_the_host_answers(tmp_path, download_fails, monkeypatch):
    monkeypatch.delenv(fashion_mnist.OFFLINE, raising=False)
    monkeypatch.setattr(fashion_mnist, "can_download", lambda: True)
    copy = choose_copy(tmp_path, "auto", SMALL)
    assert copy.source == "real" and "downloaded from torchvision's host" in copy.reason
    with pytest.raises(DataSourceError, match="downloading it failed.*data_source='standin'"):
        copy.make_ready()
    assert len(download_fails) == 1


def test_can_download_is_off_when_the_run_is_offline(tmp_path, monkeypatch):
    monkeypatch.setenv(fashion_mnist.OFFLINE, "1")
    monkeypatch.setattr(fashion_mnist.socket, "create_connection", lambda *a, **k: pytest.fail("tried the network"))
    assert fashion_mnist.can_download() is False


def test_can_download_tries_the_host_once(monkeypatch):
    monkeypatch.delenv(fashion_mnist.OFFLINE, raising=False)
    tried = []

    def refuse(address, timeout):
        tried.append(address)
        raise OSError("unreachable")

    monkeypatch.setattr(fashion_mnist.socket, "create_connection", refuse)
    assert fashion_mnist.can_download() is False and len(tried) == 1


def test_real_without_files_says_what_to_do(tmp_path, download_fails):
    with pytest.raises(DataSourceError, match="downloading it failed.*data_source='standin'"):
        prepare_fashion_mnist(tmp_path, "real")
    with pytest.raises(DataSourceError, match="downloading is off"):
        choose_copy(tmp_path, "real").make_ready(allow_download=False)


def test_a_data_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="data_dir .*data' is a file: give a folder"):
        choose_copy(tmp_path / "data", "standin")


def test_corrupt_file_is_named_and_not_deleted(tmp_path, download_fails):
    fake_real_files(tmp_path)
    labels = tmp_path / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:-3])
    with pytest.raises(CorruptIdxFileError, match="t10k-labels-idx1-ubyte"):
        prepare_fashion_mnist(tmp_path, "real")
    assert labels.exists()


def test_files_of_the_wrong_shape_are_named(tmp_path, download_fails):
    fake_real_files(tmp_path, n_train=30, n_test=10)
    raw = tmp_path / "FashionMNIST" / "raw"
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros((10, 2), np.uint8))
    with pytest.raises(CorruptIdxFileError, match=r"t10k-labels-idx1-ubyte: holds shape \(10, 2\)"):
        prepare_fashion_mnist(tmp_path, "real")
    write_idx(raw / "t10k-labels-idx1-ubyte", np.zeros(10, np.uint8))
    write_idx(raw / "train-images-idx3-ubyte", np.zeros((30, 32, 32), np.uint8))
    with pytest.raises(CorruptIdxFileError, match="train-images-idx3-ubyte: holds shape .*not N x 28 x 28"):
        prepare_fashion_mnist(tmp_path, "real")
