import pytest
import torch
from pytorch_lightning.utilities.data import _update_dataloader
from torch.utils.data import DistributedSampler

from helpers.course.trainers import quiet_trainer
from helpers.data.datamodule import FashionMNISTDataModule, split_sizes
from helpers.data.standin import StandinSpec
from helpers.model import FashionCNN

SMALL = StandinSpec(n_train=100, n_test=30, seed=0)


@pytest.mark.parametrize(("val_split", "expected"), [(0.1, (90, 10)), (0.25, (75, 25)), (1, (99, 1)), (99, (1, 99))])
def test_split_sizes(val_split, expected):
    assert split_sizes(100, val_split) == expected


@pytest.mark.parametrize("n", [100, 999, 6000, 6007, 60000])
@pytest.mark.parametrize("val_split", [0.1, 0.25, 0.29, 0.3, 0.7])
def test_split_sizes_round_fractions_as_random_split_does(n, val_split):
    lengths = [len(part) for part in torch.utils.data.random_split(range(n), [1 - val_split, val_split])]
    assert split_sizes(n, val_split) == tuple(lengths)


@pytest.mark.parametrize("val_split", [100, 250])
def test_split_sizes_refuses_empty_sides(val_split):
    with pytest.raises(ValueError, match="use a fraction between 0 and 1"):
        split_sizes(100, val_split)


@pytest.mark.parametrize("batch_size", [0, -5, 2.5, True, "64"])
def test_batch_size_must_be_positive_int(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a whole number of at least 1"):
        FashionMNISTDataModule(batch_size=batch_size)


def test_val_split_type_is_checked_at_construction():
    with pytest.raises(ValueError, match="val_split must be a fraction"):
        FashionMNISTDataModule(val_split="0.1")


def make(tmp_path, **kwargs):
    module = FashionMNISTDataModule(tmp_path, "standin", batch_size=16, standin=SMALL, **kwargs)
    module.prepare_data()
    return module


def test_fit_and_test_stages(tmp_path):
    module = make(tmp_path, val_split=20)
    module.setup("fit")
    assert (len(module.train_set), len(module.val_set)) == (80, 20)
    assert module.test_set is None
    images, labels = next(iter(module.train_dataloader()))
    assert images.shape == (16, 1, 28, 28) and images.dtype == torch.float32 and labels.dtype == torch.long
    module.setup("test")
    assert len(module.test_set) == 30 and len(module.test_dataloader()) == 2


def test_split_is_seeded(tmp_path):
    def val_indices(seed):
        module = make(tmp_path, seed=seed)
        module.setup("fit")
        return module.val_set.indices

    assert val_indices(0) == val_indices(0) != val_indices(1)


def test_split_too_large_for_the_data(tmp_path):
    module = make(tmp_path, val_split=100)
    with pytest.raises(ValueError, match="100 validation samples out of 100"):
        module.setup("fit")


def test_describe_says_which_data_and_how_it_is_split(tmp_path):
    module = make(tmp_path, val_split=20)
    module.setup("fit")
    expected = "Data source: the offline stand-in (synthetic garments, seed 0), 80 train / 20 validation images"
    assert module.describe().startswith(expected)


def test_loaders_need_setup(tmp_path):
    with pytest.raises(RuntimeError, match="call setup"):
        make(tmp_path).train_dataloader()


def test_lightning_can_give_the_train_loader_a_sampler_of_its_own(tmp_path):
    """overfit_batches (and several processes) make Lightning rebuild the loader with its own sampler."""
    module = make(tmp_path, val_split=20)
    trainer = quiet_trainer(overfit_batches=1, max_epochs=2)
    with pytest.warns(UserWarning, match="turning off the train dataloader shuffling"):
        trainer.fit(FashionCNN(), datamodule=module)
    assert trainer.global_step == 2
    rebuilt = _update_dataloader(module.train_dataloader(), DistributedSampler(module.train_set, 2, 1, shuffle=False))
    assert [len(labels) for _, labels in rebuilt] == [16, 16, 8]  # rank 1's 40 of the 80 training images
