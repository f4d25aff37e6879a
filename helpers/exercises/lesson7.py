"""Lesson 7's exercises: a Trainer with the course's callbacks and logger, and per-class accuracy."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger

from helpers.course.trainers import lightning_info_hidden
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
