"""What a lesson writes behaves as the copy in ``helpers`` that later lessons import (and the lessons' own claims
about their classes hold): each class is run from the notebook, by ``tools.lesson_code``."""

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from helpers.course.trainers import quiet_trainer
from helpers.data.datamodule import FashionMNISTDataModule, default_transform
from helpers.data.fashion_mnist import prepare_fashion_mnist
from helpers.data.in_memory import InMemoryFashionMNIST
from helpers.model import FashionCNN
from tools.lesson_code import lesson_code


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("data")
    prepare_fashion_mnist(directory, "standin")
    return directory


def values(module: torch.nn.Module) -> list[torch.Tensor]:
    return [value.detach().cpu() for value in module.state_dict().values()]


def test_lesson2_in_memory_dataset_gives_the_packaged_batches(data_dir):
    lesson = lesson_code("02_dataloader.ipynb", "InMemoryFashionMNIST")
    source = prepare_fashion_mnist(data_dir, "standin").dataset(train=True)
    indices = [5, 0, 17, 3]
    for ours, theirs in zip(lesson["InMemoryFashionMNIST"](source).__getitems__(indices),
                            InMemoryFashionMNIST(source).__getitems__(indices)):  # fmt: skip
        assert torch.equal(ours, theirs)


@pytest.mark.parametrize("val_split", [0.1, 0.25, 500])
def test_lesson3_datamodule_splits_as_the_packaged_one(data_dir, val_split):
    lesson = lesson_code("03_datamodule.ipynb", "FashionMNISTDataModule", namespace={"transform": default_transform()})
    ours = lesson["FashionMNISTDataModule"](data_dir, "standin", 64, val_split, 3)
    theirs = FashionMNISTDataModule(data_dir, "standin", 64, val_split, 3)
    for module in (ours, theirs):
        module.prepare_data()
        module.setup("fit")
    assert ours.val_set.indices == theirs.val_set.indices
    ours_labels, theirs_labels = ([y for _, y in module.val_dataloader()] for module in (ours, theirs))
    assert torch.equal(torch.cat(ours_labels), torch.cat(theirs_labels))


def test_lesson4_model_trains_to_the_packaged_models_weights(data_dir):
    lesson = lesson_code("04_callbacks.ipynb", "fashion_layers", "FashionCNN")
    datamodule = FashionMNISTDataModule(data_dir, "standin", batch_size=64, seed=0)

    def weights_after_5_steps(make):
        torch.manual_seed(0)
        model = make()
        quiet_trainer(max_steps=5, limit_val_batches=0, deterministic=True).fit(model, datamodule=datamodule)
        return values(model)

    ours = weights_after_5_steps(lambda: lesson["FashionCNN"](learning_rate=2e-3))
    theirs = weights_after_5_steps(lambda: FashionCNN(learning_rate=2e-3, scheduler="step"))
    assert [value.shape for value in ours] == [value.shape for value in theirs]
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs))
    assert list(lesson["FashionCNN"]().state_dict()) == list(FashionCNN().state_dict())


def logged_names(model: torch.nn.Module) -> set[str]:
    generator = torch.Generator().manual_seed(0)
    data = TensorDataset(
        torch.randn(8, 1, 28, 28, generator=generator), torch.randint(0, 10, (8,), generator=generator)
    )
    trainer = quiet_trainer(fast_dev_run=True)
    trainer.fit(model, DataLoader(data, batch_size=4), DataLoader(data, batch_size=4))
    return set(trainer.callback_metrics)


def test_lesson6_model_logs_what_lesson4s_logs():
    lesson = lesson_code("06_loggers.ipynb", "ExplainedCNN")
    assert logged_names(lesson["ExplainedCNN"]()) == logged_names(FashionCNN()) == {
        "train_loss", "train_loss_step", "train_loss_epoch", "val_loss", "val_acc"}  # fmt: skip


def test_lesson7_model_is_lesson4s_network_in_another_layout():
    lesson = lesson_code("07_all_together.ipynb", "FashionMNISTNet", "FashionMNISTModel")
    torch.manual_seed(0)
    lesson4, article_style = FashionCNN(), lesson["FashionMNISTModel"]()
    article_style.load_state_dict(dict(zip(article_style.state_dict(), lesson4.state_dict().values())))
    images = torch.randn(4, 1, 28, 28)
    assert sum(p.numel() for p in article_style.parameters()) == sum(p.numel() for p in lesson4.parameters())
    assert torch.equal(article_style(images), lesson4(images))


def test_lesson_code_names_a_missing_definition():
    with pytest.raises(LookupError, match="01_dataset.ipynb has 0 cells starting with the definition of Nothing"):
        lesson_code("01_dataset.ipynb", "Nothing")
