"""Lesson 7's exercises: a Trainer with the course's callbacks and logger, per-class accuracy, the learning-rate
finder, the dtypes each precision setting gives, and testing the best checkpoint."""

from __future__ import annotations

import copy
import functools
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger
from pytorch_lightning.tuner import Tuner
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from helpers.course.trainers import lightning_info_hidden, quiet_in_empty_folder, quiet_trainer
from helpers.exercises import Verdict, expect, verdict


def check_build_trainer(build_trainer: Callable[[str, int], pl.Trainer]) -> Verdict:
    """``build_trainer(run_dir, max_epochs)``: a Trainer for ``max_epochs`` epochs that stops early when
    ``val_loss`` stops falling (patience 2), keeps the best checkpoint by ``val_acc`` and ``last.ckpt`` under
    ``run_dir/checkpoints``, and logs to a ``CSVLogger`` under ``run_dir``."""

    def checks() -> str:
        with tempfile.TemporaryDirectory() as run_dir, lightning_info_hidden():
            trainer = build_trainer(run_dir, 7)
            expect(isinstance(trainer, pl.Trainer), f"build_trainer returned a {type(trainer).__name__}")
            expect(trainer.max_epochs == 7, f"max_epochs is {trainer.max_epochs}, not the 7 asked for")
            stops = [c for c in trainer.callbacks if isinstance(c, EarlyStopping)]
            expect(len(stops) == 1, f"{len(stops)} EarlyStopping callbacks: add one")
            stop = stops[0]
            expect(
                (stop.monitor, stop.mode, stop.patience) == ("val_loss", "min", 2),
                f"EarlyStopping watches {stop.monitor!r} ({stop.mode}, patience {stop.patience}): "
                "use val_loss, mode 'min', patience 2",
            )
            saves = [c for c in trainer.callbacks if isinstance(c, ModelCheckpoint) and c.monitor is not None]
            expect(len(saves) == 1, "add one ModelCheckpoint that monitors val_acc")
            save = saves[0]
            expect(
                (save.monitor, save.mode) == ("val_acc", "max"),
                f"ModelCheckpoint keeps the best by {save.monitor!r} ({save.mode}): use val_acc with mode 'max'",
            )
            expect(save.save_top_k != 0, "save_top_k=0 keeps no best checkpoint: leave it at 1")
            checkpoints = [c for c in trainer.callbacks if isinstance(c, ModelCheckpoint)]
            expect(any(c.save_last for c in checkpoints), "also keep last.ckpt: save_last=True on a ModelCheckpoint")
            for checkpoint in checkpoints:
                where = Path(checkpoint.dirpath or "")
                expect(where == Path(run_dir) / "checkpoints", "save checkpoints in run_dir/checkpoints")
            csv = [logger for logger in trainer.loggers if isinstance(logger, CSVLogger)]
            expect(len(csv) == 1, "log to one CSVLogger")
            inside = Path(csv[0].root_dir).resolve().is_relative_to(Path(run_dir).resolve())
            expect(inside, "keep the CSV logs in run_dir")
        return "EarlyStopping on val_loss, the best and the last checkpoint by val_acc, CSV logs in run_dir"

    return verdict("build_trainer", checks)


def check_per_class_accuracy(per_class_accuracy: Callable[[torch.Tensor], torch.Tensor]) -> Verdict:
    """``per_class_accuracy(matrix)``: for a confusion matrix (rows: true class, columns: predicted class), the
    share of each class's images that were predicted right, as a float tensor; 0 for a class with no image. Tried on
    two matrices, which must stay unchanged."""

    def checks() -> str:
        cases = (
            (torch.tensor([[8, 2, 0], [1, 3, 0], [0, 0, 0]]), torch.tensor([0.8, 0.75, 0.0])),
            (torch.tensor([[0, 5, 1, 0], [2, 2, 0, 0], [0, 0, 9, 1], [3, 0, 0, 1]]), torch.tensor([0, 0.5, 0.9, 0.25])),
        )
        for matrix, expected in cases:
            given = matrix.clone()
            result = per_class_accuracy(matrix)
            expect(torch.equal(matrix, given), "per_class_accuracy changed the matrix it was given: compute on a copy")
            expect(torch.is_tensor(result) and result.is_floating_point(), "return a float tensor, one value per class")
            shape = tuple(expected.shape)
            expect(result.shape == shape, f"shape {tuple(result.shape)} for {shape[0]} classes, expected {shape}")
            expect(not bool(result.isnan().any()), "a class with no image gave nan: return 0 for it")
            expect(
                torch.allclose(result.float(), expected),
                f"got {result.tolist()}, expected {expected.tolist()}: right "
                "predictions (the diagonal) over each row's total",
            )
        return "the diagonal over each row's total, 0 for an empty class"

    return verdict("per_class_accuracy", checks)


_SEARCH = {"min_lr": 1e-4, "max_lr": 1e-1, "num_training": 30}


class _Sweepable(pl.LightningModule):
    """A linear classifier trained with SGD at ``hparams.learning_rate``; it notes the learning rate of every
    training step it takes under a Trainer."""

    def __init__(self, learning_rate: float = 0.01) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.layer = nn.Linear(8, 3)
        self.rates: list[float] = []

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        if self._trainer is not None:
            self.rates.append(self.trainer.optimizers[0].param_groups[0]["lr"])
        features, labels = batch
        return F.cross_entropy(self.layer(features), labels)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.learning_rate)


class _Points(pl.LightningDataModule):
    """The same 16 points (8 features, large, whose class is the largest of their first 3) in each of 40 batches,
    so that the loss the learning-rate finder sees follows the learning rate, not the batch."""

    def setup(self, stage: str | None = None) -> None:
        features = 10 * torch.randn(16, 8, generator=torch.Generator().manual_seed(0))
        self.data = TensorDataset(features.repeat(40, 1), features[:, :3].argmax(dim=1).repeat(40))

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.data, batch_size=16)


def _sweep_model() -> _Sweepable:
    """The checker's model, always with the same initial weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return _Sweepable()


@dataclass(frozen=True)
class _Search:
    """What Lightning's learning-rate finder did with the checker's settings: its suggestion, the learning rate of
    the lowest loss it saw, and the learning rate of each of its steps."""

    suggestion: float
    lowest_loss: float
    rates: tuple[float, ...]


@functools.cache
def _reference_search() -> _Search:
    """Lightning's learning-rate finder run on the checker's model and data (once per process)."""
    model = _sweep_model()
    with quiet_in_empty_folder():
        finder = Tuner(quiet_trainer()).lr_find(model, datamodule=_Points(), **_SEARCH)
    results = finder.results
    lowest = min(range(len(results["loss"])), key=results["loss"].__getitem__)
    return _Search(finder.suggestion(), results["lr"][lowest], tuple(model.rates))


def _close(value: float, expected: float) -> bool:
    return math.isclose(value, expected, rel_tol=1e-6)


def check_find_learning_rate(
    find_learning_rate: Callable[[pl.LightningModule, pl.LightningDataModule], float],
) -> Verdict:
    """``find_learning_rate(model, datamodule)`` runs Lightning's learning-rate finder (``Tuner(trainer).lr_find``
    with ``min_lr=1e-4``, ``max_lr=1e-1``, ``num_training=30``) on a CPU Trainer, sets ``model.hparams.learning_rate``
    to its suggestion and returns it as a float. Checked against the finder run with those settings on the same
    model and data; the model's weights must be as before the search (the finder puts them back)."""

    def checks() -> str:
        model = _sweep_model()
        weights = copy.deepcopy(model.state_dict())
        with quiet_in_empty_folder():
            found = find_learning_rate(model, _Points())
        expect(
            isinstance(found, float),
            f"find_learning_rate returned {type(found).__name__}: return the finder's suggestion, a float "
            "(lr_finder.suggestion())",
        )
        expect(model.rates, "the model never trained: run Tuner(trainer).lr_find(model, datamodule=datamodule, ...)")
        unchanged = all(torch.equal(weights[name], value) for name, value in model.state_dict().items())
        expect(
            unchanged,
            "the model's weights changed during the search: Lightning's lr_find puts them back when it ends, a search "
            "of your own must too",
        )
        reference = _reference_search()
        rates = model.rates
        expect(
            len(rates) == len(reference.rates),
            f"the search took {len(rates)} training steps: num_training=30 takes {len(reference.rates)}",
        )
        expect(_close(rates[0], reference.rates[0]), f"the search started at lr={rates[0]:.3g}: min_lr=1e-4")
        expect(_close(rates[-1], reference.rates[-1]), f"the search ended at lr={rates[-1]:.3g}: max_lr=1e-1")
        expect(
            not _close(found, reference.lowest_loss),
            f"{found:.3g} is the learning rate of the lowest loss: by then the loss has stopped falling; lr_find "
            "suggests the one where the loss falls fastest (lr_finder.suggestion())",
        )
        expect(
            _close(found, reference.suggestion),
            f"you returned {found:.3g}, but the search suggests {reference.suggestion:.3g}: "
            "return lr_finder.suggestion()",
        )
        set_to = model.hparams.get("learning_rate")
        expect(
            _close(set_to, found),
            f"model.hparams.learning_rate is {set_to}: set it to the suggestion (lr_find does when update_attr=True)",
        )
        return f"the finder's suggestion {found:.3g}, set as hparams.learning_rate, the weights as before the search"

    return verdict("find_learning_rate", checks)


_DTYPES = {  # precision: (the first layer's weight dtype, its output's dtype) inside training_step, and why
    "32-true": (torch.float32, torch.float32, "everything stays float32"),
    "bf16-mixed": (
        torch.float32,
        torch.bfloat16,
        "mixed precision keeps the weights in float32 and runs the layer under autocast, which computes it in "
        "bfloat16; autocast is on only inside the step, so read both dtypes in training_step",
    ),
    "bf16-true": (torch.bfloat16, torch.bfloat16, "true precision converts the weights themselves to bfloat16"),
}


def _dtype_names(dtypes: tuple) -> str:
    return "(" + ", ".join(str(dtype).removeprefix("torch.") for dtype in dtypes) + ")"


def check_precision_dtypes(dtypes_in_step: Callable[[str], tuple[torch.dtype, torch.dtype]]) -> Verdict:
    """``dtypes_in_step(precision)`` fits a tiny model for one step on the CPU with ``Trainer(precision=precision)``
    and returns ``(dtype of the first layer's weight, dtype of that layer's output)`` as seen inside
    ``training_step``; tried with "32-true", "bf16-mixed" and "bf16-true"."""

    def checks() -> str:
        for precision, (weight, output, why) in _DTYPES.items():
            with quiet_in_empty_folder():
                got = dtypes_in_step(precision)
            expect(
                isinstance(got, tuple | list) and len(got) == 2 and all(isinstance(d, torch.dtype) for d in got),
                f"dtypes_in_step({precision!r}) returned {got!r}: return two torch.dtype values, (weight, output)",
            )
            got, expected = tuple(got), (weight, output)
            expect(
                got != expected[::-1] or weight == output,
                f"precision={precision!r} gave {_dtype_names(got)}, the right dtypes swapped: the weight's first, "
                "then the output's",
            )
            expect(
                got == expected,
                f"precision={precision!r} gave {_dtype_names(got)}, expected {_dtype_names(expected)}: {why}",
            )
        return "32-true: (float32, float32); bf16-mixed: (float32, bfloat16); bf16-true: (bfloat16, bfloat16)"

    return verdict("dtypes_in_step", checks)


class _Graded(pl.LightningModule):
    """A linear classifier whose validation score is its epoch (so the best checkpoint, by the lowest score, is the
    first epoch's) and whose test step logs the norm of its weight: the test metrics say which weights ran."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(8, 3)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        features, labels = batch
        return F.cross_entropy(self.layer(features), labels)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self.log("val_score", float(self.current_epoch))

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self.log("test_weight", self.layer.weight.norm())

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.5)


class _PointsToTest(_Points):
    """:class:`_Points`, with the first 16 of them as validation and test data too."""

    def val_dataloader(self) -> DataLoader:
        return DataLoader(TensorDataset(*self.data[:16]), batch_size=16)

    def test_dataloader(self) -> DataLoader:
        return self.val_dataloader()


def check_evaluate_best(
    evaluate_best: Callable[[pl.Trainer, pl.LightningModule, pl.LightningDataModule], dict],
) -> Verdict:
    """``evaluate_best(trainer, model, datamodule)``, after ``trainer.fit(model, datamodule=datamodule)``: the test
    metrics (the dict ``trainer.test`` returns for its one test loader) of the best checkpoint that the Trainer's
    ``ModelCheckpoint`` kept, not of the last weights, which the model holds in memory."""

    def checks() -> str:
        with quiet_in_empty_folder():
            model, datamodule = _Graded(), _PointsToTest()
            keep_best = ModelCheckpoint(dirpath="checkpoints", monitor="val_score", mode="min")
            trainer = quiet_trainer(
                max_epochs=3, limit_train_batches=4, callbacks=[keep_best], enable_checkpointing=True
            )
            trainer.fit(model, datamodule=datamodule)
            last = float(model.layer.weight.norm())
            best = float(torch.load(keep_best.best_model_path, weights_only=True)["state_dict"]["layer.weight"].norm())
            metrics = evaluate_best(trainer, model, datamodule)
        expect(
            isinstance(metrics, dict),
            f"evaluate_best returned {type(metrics).__name__}: return the dict of test metrics, trainer.test(...)[0]",
        )
        expect("test_weight" in metrics, "no test metrics in what you returned: run trainer.test and return its [0]")
        tested = float(metrics["test_weight"])
        expect(
            not math.isclose(tested, last, rel_tol=1e-6),
            "these are the metrics of the last epoch's weights (trainer.test(model, ...) tests the model as it is in "
            'memory; ckpt_path="last" loads the last checkpoint): test the best one, with ckpt_path="best"',
        )
        expect(
            math.isclose(tested, best, rel_tol=1e-6),
            'these are not the best checkpoint\'s metrics: ckpt_path="best" loads the one the ModelCheckpoint kept',
        )
        return 'the best checkpoint\'s test metrics (trainer.test(ckpt_path="best"))'

    return verdict("evaluate_best", checks)
