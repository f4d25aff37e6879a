import numpy as np
import pytest
from torchvision.datasets.mnist import read_image_file, read_label_file

from helpers.data.idx import CorruptIdxFileError, idx_shape, write_idx


def test_round_trip_through_torchvisions_reader(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint32).reshape(3, 28, 28).astype(np.uint8)
    labels = np.array([1, 7, 9], dtype=np.uint8)
    write_idx(tmp_path / "images", images)
    write_idx(tmp_path / "labels", labels)
    assert idx_shape(tmp_path / "images") == (3, 28, 28)
    assert np.array_equal(read_image_file(str(tmp_path / "images")).numpy(), images)
    assert read_label_file(str(tmp_path / "labels")).tolist() == [1, 7, 9]
    assert not list(tmp_path.glob("*.tmp"))


def test_truncated_file_is_named_and_kept(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((4, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(CorruptIdxFileError, match="train-images-idx3-ubyte.*truncated or corrupt"):
        idx_shape(path)
    assert path.exists()


@pytest.mark.parametrize("content", [b"", b"\x00\x00", b"GIF89a-not-idx", b"\x00\x00\x08\x03\x00"])
def test_bad_header(tmp_path, content):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(CorruptIdxFileError, match="t10k-labels-idx1-ubyte"):
        idx_shape(path)


def test_write_refuses_other_dtypes(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        write_idx(tmp_path / "x", np.zeros((2, 2), np.float32))
