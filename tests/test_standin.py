import numpy as np
import pytest
import torch
from PIL import Image
from sklearn.linear_model import LogisticRegression
from torchvision import transforms
from torchvision.datasets import FashionMNIST

from helpers.data.datamodule import default_transform
from helpers.data.facts import MEAN, STD
from helpers.data.in_memory import standin_tensors
from helpers.data.standin import (
    GARMENTS,
    StandinSpec,
    generate,
    read_spec,
    render_garment,
    write_standin,
)


def test_deterministic_in_seed():
    a_images, a_labels = generate(50, seed=3)
    b_images, b_labels = generate(50, seed=3)
    c_images, _ = generate(50, seed=4)
    assert np.array_equal(a_images, b_images) and np.array_equal(a_labels, b_labels)
    assert not np.array_equal(a_images, c_images)


def test_shapes_and_balanced_classes():
    images, labels = generate(200, seed=0)
    assert images.shape == (200, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [20] * 10


def test_every_class_draws_a_visible_garment():
    rng = np.random.default_rng(0)
    for label in range(len(GARMENTS)):
        image = render_garment(label, rng)
        assert (image > 30).mean() > 0.05, f"class {label} is almost empty"
        assert image[0].max() < 60 and image[-1].max() < 60, "garments stay inside the frame"


def test_learnable_but_not_trivial():
    """A linear model on raw pixels is far above chance (10%) and still below 100%."""
    train_x, train_y = generate(1500, seed=0)
    test_x, test_y = generate(500, seed=1)
    model = LogisticRegression(max_iter=300).fit(train_x.reshape(1500, -1) / 255, train_y)
    accuracy = model.score(test_x.reshape(500, -1) / 255, test_y)
    assert 0.5 < accuracy < 0.99


def test_written_in_torchvisions_format(tmp_path):
    spec = StandinSpec(n_train=30, n_test=20, seed=0)
    write_standin(tmp_path / "FashionMNIST" / "raw", spec)
    train = FashionMNIST(tmp_path, train=True, download=False)
    test = FashionMNIST(tmp_path, train=False, download=False)
    assert (len(train), len(test)) == (30, 20)
    assert read_spec(tmp_path / "FashionMNIST" / "raw") == spec
    assert not np.array_equal(train.data[:20].numpy(), test.data.numpy())


def test_refuses_empty_splits(tmp_path):
    with pytest.raises(ValueError, match="at least 1 train and 1 test"):
        write_standin(tmp_path, StandinSpec(n_train=0, n_test=5, seed=0))


def test_standin_tensors_match_what_the_per_image_transforms_make():
    """In memory, the same normalized images and labels as lesson 2's ``ToTensor`` + ``Normalize``; the DataModule's
    ``transforms.v2`` pipeline scales by multiplying with 1/255 instead of dividing by 255, so its values may differ in
    the last bit."""
    dataset = standin_tensors(30, seed=5)
    images, labels = dataset.tensors
    assert images.shape == (30, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (30,) and labels.dtype == torch.long
    raw_images, raw_labels = generate(30, seed=5)
    per_image = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    assert torch.equal(images, torch.stack([per_image(Image.fromarray(image)) for image in raw_images]))
    with_v2 = torch.stack([default_transform()(Image.fromarray(image)) for image in raw_images])
    assert torch.allclose(images, with_v2, rtol=0, atol=4e-7)
    assert torch.equal(labels, torch.from_numpy(raw_labels).long())
    assert torch.equal(standin_tensors(30, seed=5).tensors[0], images)
    with pytest.raises(ValueError, match="n must be a positive"):
        standin_tensors(0)
