"""Lesson 6's exercises: log a figure to TensorBoard from a callback, and log a derived metric per epoch."""

from __future__ import annotations

import tempfile

import pytorch_lightning as pl
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger
from torch.utils.data import DataLoader

from helpers.course.trainers import quiet_trainer
from helpers.data.in_memory import standin_tensors
from helpers.exercises import Verdict, expect, verdict
from helpers.log_readers import read_csv_metrics
from helpers.model import FashionCNN


def _tiny_fit(model: pl.LightningModule, logger: object, callbacks: list) -> None:
    """Two epochs of 2 steps on 64 stand-in images, each validated on 64 in 2 batches."""
    trainer = quiet_trainer(max_epochs=2, logger=logger, callbacks=callbacks, log_every_n_steps=1)
    train, val = DataLoader(standin_tensors(64, 1), batch_size=32), DataLoader(standin_tensors(64, 2), batch_size=32)
    trainer.fit(model, train, val)


def check_confusion_matrix_callback(callback_class: type[pl.Callback]) -> Verdict:
    """``callback_class()`` adds a figure tagged ``confusion_matrix`` to TensorBoard after every validation epoch
    (``trainer.logger.experiment.add_figure``), at the trainer's global step."""

    def checks() -> str:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        with tempfile.TemporaryDirectory() as folder:
            logger = TensorBoardLogger(folder, name="", version=0, default_hp_metric=False)
            _tiny_fit(FashionCNN(), logger, [callback_class()])
            events = EventAccumulator(logger.log_dir, size_guidance={"images": 0})
            events.Reload()
            tags = events.Tags()["images"]
            expect("confusion_matrix" in tags, f"no image tagged 'confusion_matrix' in TensorBoard (images: {tags})")
            steps = [image.step for image in events.Images("confusion_matrix")]
        expect(len(steps) >= 2, f"{len(steps)} confusion matrices for 2 validation epochs (and the sanity check)")
        return f"confusion matrices logged at steps {steps}"

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
