"""Every reference solution in solutions/ passes its checker, and every checker rejects wrong answers."""

import importlib
import importlib.util
import time
from types import ModuleType

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from torch.utils.data import DataLoader
from torchvision import transforms

from helpers.data.fashion_mnist import prepare_fashion_mnist
from helpers.data.standin import StandinSpec
from helpers.exercises import Verdict, lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7
from helpers.model import FashionCNN
from helpers.xla.device import TORCH_XLA_MISSING, torch_xla_installed
from tools.paths import SOLUTIONS


def solution(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    copy = prepare_fashion_mnist(tmp_path_factory.mktemp("data"), "standin", StandinSpec(50, 10, 0))
    return copy.dataset(train=True, transform=transforms.ToTensor())


def passed(verdict: Verdict) -> bool:
    assert isinstance(verdict, Verdict) and repr(verdict) == verdict.message
    assert verdict.message.startswith("Correct (" if verdict.passed else ("Not yet (", "Not checked ("))
    return verdict.passed


# ---------------------------------------------------------------- the reference solutions pass


LESSONS = (lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7)
REFERENCE = {  # checker: the name of its answer in the lesson's solutions/NN_topic.py
    lesson1.check_fashion_dicts: "FashionDicts",
    lesson1.check_standardized_table: "StandardizedTable",
    lesson2.check_pad_collate: "pad_collate",
    lesson2.check_make_loader: "make_loader",
    lesson3.check_tabular_datamodule: "TabularDataModule",
    lesson3.check_csv_datamodule: "CsvDataModule",
    lesson4.check_time_budget: "TimeBudget",
    lesson4.check_early_stopping: "early_stop",
    lesson4.check_sgd_optimizers: "SGDFashionCNN",
    lesson5.check_train_fixed: "train_fixed",
    lesson5.check_tpu_loader: "tpu_loader",
    lesson6.check_confusion_matrix_callback: "ConfusionMatrixLogger",
    lesson6.check_val_error_model: "ValErrorCNN",
    lesson7.check_build_trainer: "build_trainer",
    lesson7.check_per_class_accuracy: "per_class_accuracy",
}


def solution_for(checker) -> object:
    """The reference answer to ``checker``'s exercise, from the solutions file of the checker's lesson."""
    number = LESSONS.index(importlib.import_module(checker.__module__)) + 1
    (path,) = SOLUTIONS.glob(f"{number:02d}_*.py")
    return getattr(solution(path.stem), REFERENCE[checker])


@pytest.mark.parametrize("checker", REFERENCE, ids=[checker.__name__ for checker in REFERENCE])
def test_the_reference_solution_passes(checker, images):
    if checker is lesson5.check_train_fixed and not torch_xla_installed():
        pytest.skip(TORCH_XLA_MISSING)
    answer = solution_for(checker)
    if checker is lesson1.check_fashion_dicts:
        assert passed(checker(answer, images))
    elif checker is lesson4.check_sgd_optimizers:  # it checks a model, not a class
        assert passed(checker(answer(learning_rate=0.05)))
    else:
        assert passed(checker(answer))


def test_every_checker_has_a_solution():
    checkers = {function for module in LESSONS for name, function in vars(module).items() if name.startswith("check_")}
    assert checkers == set(REFERENCE)


# ---------------------------------------------------------------- and each checker rejects wrong answers


def test_lesson_1_checkers_reject(images):
    class IntLabels(solution("01_dataset").FashionDicts):
        def __getitem__(self, index):
            return super().__getitem__(index) | {"label": int(self.source[index][1])}

    verdict = lesson1.check_fashion_dicts(IntLabels, images)
    assert not passed(verdict) and "torch.long tensor" in verdict.message

    class OwnStats(solution("01_dataset").StandardizedTable):
        def __init__(self, features, targets, stats=None):
            super().__init__(features, targets)  # ignores the stats it is given

    verdict = lesson1.check_standardized_table(OwnStats)
    assert not passed(verdict) and "must standardize with those" in verdict.message


def test_lesson_2_checkers_reject():
    def pad_with_minus_one(samples):
        padded = solution("02_dataloader").pad_collate(samples)
        padded["tokens"][padded["tokens"] == 0] = -1
        return padded

    assert "padded with 0" in lesson2.check_pad_collate(pad_with_minus_one).message
    verdict = lesson2.check_make_loader(lambda dataset, batch_size, seed: DataLoader(dataset, batch_size, shuffle=True))
    assert not passed(verdict) and "seeded torch.Generator" in verdict.message


def test_lesson_3_checkers_reject():
    class Unseeded(solution("03_datamodule").TabularDataModule):
        def setup(self, stage=None):
            fractions = [1 - self.val_fraction, self.val_fraction]
            self.train_set, self.val_set = torch.utils.data.random_split(self.dataset, fractions)

    assert "seed random_split" in lesson3.check_tabular_datamodule(Unseeded).message

    class StateInPrepare(solution("03_datamodule").CsvDataModule):
        def prepare_data(self):
            super().prepare_data()
            super().setup()  # sets train_set in prepare_data: another process never sees it

        def setup(self, stage=None):
            pass

    verdict = lesson3.check_csv_datamodule(StateInPrepare)
    assert not passed(verdict) and "AttributeError" in verdict.message


def test_lesson_4_checkers_reject():
    class NeverStops(pl.Callback):
        def __init__(self, seconds):
            self.seconds = seconds

    assert "stop after the first batch" in lesson4.check_time_budget(NeverStops).message
    wrong_mode = EarlyStopping(monitor="val_acc", mode="min", min_delta=0.005, patience=3)
    assert "use mode='max'" in lesson4.check_early_stopping(wrong_mode).message
    assert "not a dict" in lesson4.check_sgd_optimizers(FashionCNN()).message


@pytest.mark.skipif(not torch_xla_installed(), reason=TORCH_XLA_MISSING)
def test_lesson_5_train_fixed_checker_rejects():
    def naive(model, loader, steps):
        import torch_xla

        device = torch_xla.device()
        model.to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for images, labels in loader:
            loss = torch.nn.functional.cross_entropy(model(images.to(device)), labels.to(device))
            losses.append(loss.item())
            loss.backward()
            optimizer.step()
            torch_xla.sync()
        return losses

    assert ".item() copies" in lesson5.check_train_fixed(naive).message


def test_lesson_5_tpu_loader_checker_rejects():
    verdict = lesson5.check_tpu_loader(lambda dataset, batch_size, world_size, rank: DataLoader(dataset, batch_size))
    assert not passed(verdict) and "DistributedSampler" in verdict.message


def test_lesson_6_checkers_reject():
    class ScalarNotFigure(pl.Callback):
        def on_validation_epoch_end(self, trainer, pl_module):
            trainer.logger.experiment.add_scalar("confusion_matrix", 1.0, trainer.global_step)

    assert "no image tagged 'confusion_matrix'" in lesson6.check_confusion_matrix_callback(ScalarNotFigure).message

    class EveryStep(FashionCNN):
        def validation_step(self, batch, batch_idx):
            super().validation_step(batch, batch_idx)
            images, labels = batch
            self.log("val_error", (self(images).argmax(dim=1) != labels).float().mean(), on_step=True, on_epoch=False)

    assert not passed(lesson6.check_val_error_model(EveryStep))


def test_lesson_7_checkers_reject():
    def without_last(run_dir, max_epochs):
        trainer = solution("07_all_together").build_trainer(run_dir, max_epochs)
        next(c for c in trainer.callbacks if getattr(c, "monitor", None) == "val_acc").save_last = False
        return trainer

    assert "save_last=True" in lesson7.check_build_trainer(without_last).message
    verdict = lesson7.check_per_class_accuracy(lambda matrix: matrix.diagonal() / matrix.sum())
    assert not passed(verdict) and "over each row's total" in verdict.message


def test_lesson_7_build_trainer_accepts_last_ckpt_from_a_second_checkpoint_callback():
    """The lesson's own pattern: the best checkpoint from one ModelCheckpoint, last.ckpt from another."""

    def two_callbacks(run_dir, max_epochs):
        trainer = solution("07_all_together").build_trainer(run_dir, max_epochs)
        best = next(c for c in trainer.callbacks if getattr(c, "monitor", None) == "val_acc")
        best.save_last = False
        periodic = ModelCheckpoint(dirpath=best.dirpath, every_n_train_steps=50, save_top_k=0, save_last=True)
        trainer.callbacks.append(periodic)
        return trainer

    assert passed(lesson7.check_build_trainer(two_callbacks))


def test_a_crash_in_the_learners_code_is_reported_in_one_line():
    def broken(samples):
        raise KeyError("tokens")

    verdict = lesson2.check_pad_collate(broken)
    assert verdict.message.startswith("Not yet (pad_collate): your code raised KeyError: 'tokens' (line ")
    assert "\n" not in verdict.message


def test_checkers_are_quick():
    start = time.perf_counter()
    lesson4.check_time_budget(solution("04_callbacks").TimeBudget)
    assert time.perf_counter() - start < 30
