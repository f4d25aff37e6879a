"""Lesson 6's exercises: log a figure to TensorBoard from a callback, and log a derived metric per epoch."""

from __future__ import annotations

import tempfile
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytorch_lightning as pl
import torch
from matplotlib.figure import Figure
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger
from torch.utils.data import DataLoader

from helpers.course.trainers import quiet_trainer
from helpers.data.facts import NUM_CLASSES
from helpers.data.in_memory import standin_tensors
from helpers.exercises import Verdict, expect, verdict
from helpers.log_readers import read_csv_metrics
from helpers.model import FashionCNN


def _tiny_fit(model: pl.LightningModule, logger: object, callbacks: list) -> None:
    """Two epochs of 2 steps on 32 stand-in images, each validated on 32 in 2 batches."""
    trainer = quiet_trainer(max_epochs=2, logger=logger, callbacks=callbacks, log_every_n_steps=1)
    train, val = DataLoader(standin_tensors(32, 1), batch_size=16), DataLoader(standin_tensors(32, 2), batch_size=16)
    trainer.fit(model, train, val)


class _ValidationMatrices(pl.Callback):
    """The confusion matrix (rows: true class) of every validation, by global step, counted apart from the learner's."""

    def __init__(self) -> None:
        self.by_step: dict[int, np.ndarray] = {}

    def on_validation_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.matrix = torch.zeros(NUM_CLASSES * NUM_CLASSES, dtype=torch.long)

    def on_validation_batch_end(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs: Any, batch: Any, batch_idx: int, *_: int
    ) -> None:
        images, labels = batch
        with torch.no_grad():
            predicted = pl_module(images).argmax(dim=1)
        self.matrix += torch.bincount(labels * NUM_CLASSES + predicted, minlength=NUM_CLASSES * NUM_CLASSES)

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.by_step[trainer.global_step] = self.matrix.reshape(NUM_CLASSES, NUM_CLASSES).numpy()


def _drawn_matrix(figure: object) -> np.ndarray | None:
    """The first 10 x 10 array drawn on ``figure`` (an ``imshow`` image or a mesh), or None."""
    for ax in getattr(figure, "axes", []):
        for artist in (*ax.images, *ax.collections):
            data = artist.get_array()
            if data is not None and np.size(data) == NUM_CLASSES * NUM_CLASSES:
                return np.asarray(data, dtype=float).reshape(NUM_CLASSES, NUM_CLASSES)
    return None


def check_confusion_matrix_callback(callback_class: type[pl.Callback]) -> Verdict:
    """``callback_class()`` adds a figure tagged ``confusion_matrix`` to TensorBoard after every validation epoch
    (``trainer.logger.experiment.add_figure``), at the trainer's global step, drawing that validation's confusion
    matrix: ``add_figure`` is replaced by one that reads the matrix off the figure, compared with one counted apart."""

    def checks() -> str:
        with tempfile.TemporaryDirectory() as folder:
            logger = TensorBoardLogger(folder, name="", version=0, default_hp_metric=False)
            drawn: list[tuple[str, int | None, np.ndarray | None]] = []

            def add_figure(
                tag: str, figure: object, global_step: int | None = None, close: bool = True, **_: Any
            ) -> None:
                """Record the matrix a figure shows, without rendering it (the slow part of the real one)."""
                drawn.append((tag, global_step, _drawn_matrix(figure)))
                if close and isinstance(figure, Figure):
                    plt.close(figure)

            logger.experiment.add_figure = add_figure
            expected = _ValidationMatrices()
            _tiny_fit(FashionCNN(), logger, [callback_class(), expected])
        tags = sorted({tag for tag, _, _ in drawn})
        expect(
            "confusion_matrix" in tags,
            f"no figure tagged 'confusion_matrix' was added (figures: {tags}): use add_figure",
        )
        matrices = {step: matrix for tag, step, matrix in drawn if tag == "confusion_matrix"}
        unknown = sorted(set(matrices) - set(expected.by_step), key=str)
        expect(
            not unknown, f"figures at steps {unknown}, when no validation ended: pass global_step=trainer.global_step"
        )
        missing = sorted(set(expected.by_step) - set(matrices) - {0})  # the sanity check's (step 0) is optional
        expect(not missing, f"no figure for the validation at steps {missing}: add one after every validation epoch")
        for step, matrix in sorted(matrices.items()):
            right = expected.by_step[step]
            expect(matrix is not None, f"the figure at step {step} shows no 10 x 10 matrix: draw the matrix on it")
            expect(
                matrix.sum() == right.sum(),
                f"the matrix at step {step} holds {matrix.sum():g} predictions, that validation made {right.sum()}: "
                "draw the counts of every validation batch, in a new matrix each epoch",
            )
            transposed = np.array_equal(matrix.T, right) and not np.array_equal(matrix, right)
            expect(not transposed, f"the matrix at step {step} is transposed: rows must be the true classes")
            expect(
                np.array_equal(matrix, right),
                f"the matrix at step {step} is not that validation's: update it with pl_module(images).argmax(dim=1)",
            )
        return f"the validation's confusion matrix drawn at steps {sorted(matrices)}"

    return verdict("ConfusionMatrixLogger", checks)


def check_val_error_model(model_class: type[pl.LightningModule]) -> Verdict:
    """``model_class()`` (a ``FashionCNN`` subclass) also logs ``val_error`` = 1 - validation accuracy, once per
    validation epoch, so that a CSV logger holds one ``val_error`` value per epoch equal to ``1 - val_acc``."""

    def checks() -> str:
        with tempfile.TemporaryDirectory() as folder:
            logger = CSVLogger(folder, name="", version=0)
            _tiny_fit(model_class(), logger, [])
            series = read_csv_metrics(logger.log_dir)
        expect("val_error" in series, f"no val_error in the log (logged: {', '.join(series)})")
        errors, accuracies = series["val_error"], series["val_acc"]
        expect(len(errors) == 2, f"{len(errors)} val_error values for 2 epochs: log it on_epoch only")
        for (step, error), (_, accuracy) in zip(errors, accuracies):
            expect(abs(error - (1 - accuracy)) < 1e-6, f"at step {step} val_error {error:.4f} != 1 - val_acc")
        return f"val_error logged once per epoch: {[round(e, 4) for _, e in errors]}"

    return verdict("val_error", checks)
