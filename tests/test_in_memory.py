"""Lesson 2's in-memory dataset and the throughput measurement."""

import re

import pytest
import torch
from torch.utils.data import DataLoader

from helpers.data.datamodule import default_transform
from helpers.data.fashion_mnist import prepare_fashion_mnist
from helpers.data.in_memory import InMemoryFashionMNIST, keep_batch
from helpers.data.standin import StandinSpec
from helpers.data.throughput import compare_throughput, images_per_second, throughput_table


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return prepare_fashion_mnist(tmp_path_factory.mktemp("data"), "standin", StandinSpec(200, 20, 0))


def loaders(copy, batch_size=32):
    def seeded():
        return torch.Generator().manual_seed(0)

    per_image = DataLoader(copy.dataset(transform=default_transform()), batch_size, shuffle=True, generator=seeded())
    in_memory = InMemoryFashionMNIST(copy.dataset())
    fast = DataLoader(in_memory, batch_size, shuffle=True, collate_fn=keep_batch, generator=seeded())
    return per_image, fast


def test_both_paths_give_the_same_batches(copy):
    per_image, fast = loaders(copy)
    for (a_images, a_labels), (f_images, f_labels) in zip(per_image, fast):
        assert torch.equal(a_labels, f_labels)
        assert torch.allclose(a_images, f_images, atol=1e-5)
    assert len(per_image) == len(fast) == 7


def test_single_items_match_the_batch_path(copy):
    dataset = InMemoryFashionMNIST(copy.dataset())
    image, label = dataset[3]
    images, labels = dataset.__getitems__([3])
    assert image.shape == (1, 28, 28) and label.ndim == 0 and torch.equal(image, images[0])


def test_images_per_second_counts_every_image():
    assert images_per_second([(torch.zeros(10, 1), None), (torch.zeros(5, 1), None)]) > 0


def test_comparison_table_uses_the_sanitized_formats(copy):
    threads = torch.get_num_threads()
    rates = compare_throughput(dict(zip(("per-image", "in-memory"), loaders(copy, 50))), repeats=1)
    assert set(rates) == {"per-image", "in-memory"} and all(rate > 0 for rate in rates.values())
    table = throughput_table(rates)
    assert len(re.findall(r"[0-9][0-9,]* img/s", table)) == 2
    assert re.search(r"in-memory / per-image: [0-9]+\.[0-9]×", table)
    assert torch.get_num_threads() == threads  # put back
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        compare_throughput({}, repeats=0)
