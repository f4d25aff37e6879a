import re

import pytest
import torch

from helpers.data import prepare_fashion_mnist
from helpers.loading import (
    InMemoryFashionMNIST,
    LoadingComparison,
    article_loader,
    compare_loading,
    images_per_second,
    in_memory_loader,
)
from helpers.standin import StandinSpec


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return prepare_fashion_mnist(tmp_path_factory.mktemp("data"), "standin", StandinSpec(200, 20, 0))


def test_both_paths_give_the_same_batches(files):
    article, fast = article_loader(files, 32), in_memory_loader(files, 32)
    for (a_images, a_labels), (f_images, f_labels) in zip(article, fast):
        assert torch.equal(a_labels, f_labels)
        assert torch.allclose(a_images, f_images, atol=1e-5)
    assert len(article) == len(fast) == 7


def test_single_items_still_work(files):
    from helpers.data import fashion_mnist

    image, label = InMemoryFashionMNIST(fashion_mnist(files))[3]
    assert image.shape == (1, 28, 28) and label.ndim == 0


def test_images_per_second_counts_every_image():
    batches = [(torch.zeros(10, 1), None), (torch.zeros(5, 1), None)]
    assert images_per_second(batches) > 0


def test_comparison_table_uses_the_sanitized_formats(files):
    result = compare_loading(files, batch_size=50, repeats=1)
    assert result.article > 0 and result.in_memory > 0
    table = result.table()
    assert len(re.findall(r"[0-9][0-9,]* img/s", table)) == 2
    assert re.search(r"speed-up: [0-9]+\.[0-9]×", table)
    assert torch.get_num_threads() >= 1


def test_speedup_is_the_ratio():
    assert LoadingComparison(article=10.0, in_memory=250.0).speedup == 25.0
