"""Lesson 7's training on real Fashion-MNIST images, as the lesson does it or with one change: what lifts its test
accuracy. Evidence for changing the lesson, measured outside it.

    python -m bench.real_data_variants VARIANT [VARIANT ...] [--data-dir build/real-fashion-mnist]

The data is what ``python -m tools.real_fashion_mnist`` writes. Each variant runs lesson 7's own classes
(``FashionMNISTNet``, ``FashionMNISTModel``, read from the notebook by ``tools.lesson_code``) with its parameters,
seed, DataModule, EarlyStopping and best-by-val_acc checkpoint, without its loggers, its simulated power cut and its
learning-rate finder (the parameters cell's ``learning_rate``, as the lesson with ``find_lr=False``), then tests the
best checkpoint as the lesson does. Variants (:data:`VARIANTS`):

- ``lesson``:         as the lesson trains it with ``find_lr=False``;
- ``no-early-stop``:  without EarlyStopping: all ``max_epochs``, the cosine schedule run to its end;
- ``batchnorm``:      a BatchNorm2d after each convolution (before its ReLU), EarlyStopping as the lesson;
- ``batchnorm-no-early-stop``: both changes;
- ``dropout``:        Dropout(0.3) on ``fc1``'s output (before ``fc2``), EarlyStopping as the lesson.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from torch import nn

from helpers.callbacks import MetricsHistory
from helpers.course.lightning_setup import prepare_lightning
from helpers.data.datamodule import FashionMNISTDataModule
from tools.course_env import apply_course_env
from tools.lesson_code import lesson_code
from tools.real_fashion_mnist import DEFAULT_DATA_DIR


def add_batchnorm(net: nn.Module) -> None:
    """A BatchNorm2d after each of ``net``'s convolutions: ``conv1`` becomes ``Sequential(conv1, BatchNorm2d)``."""
    for name in ("conv1", "conv2", "conv3"):
        conv = getattr(net, name)
        setattr(net, name, nn.Sequential(conv, nn.BatchNorm2d(conv.out_channels)))


def add_dropout(net: nn.Module) -> None:
    """Dropout(0.3) on what ``fc2`` receives (``fc1``'s output after its ReLU)."""
    net.fc2 = nn.Sequential(nn.Dropout(0.3), net.fc2)


# name -> (changes to lesson 7's network, whether lesson 7's EarlyStopping is used)
VARIANTS: dict[str, tuple[tuple[Callable[[nn.Module], None], ...], bool]] = {
    "lesson": ((), True),
    "no-early-stop": ((), False),
    "batchnorm": ((add_batchnorm,), True),
    "batchnorm-no-early-stop": ((add_batchnorm,), False),
    "dropout": ((add_dropout,), True),
}


def run_variant(name: str, data_dir: Path) -> dict[str, float]:
    """Train and test one variant as lesson 7 does; return its epochs, best val_acc, test accuracy and seconds."""
    changes, early_stopping = VARIANTS[name]
    lesson = lesson_code("07_all_together.ipynb", "FashionMNISTNet", "FashionMNISTModel")
    start = time.perf_counter()
    pl.seed_everything(lesson["seed"], workers=True)
    dm = FashionMNISTDataModule(data_dir, "real", batch_size=lesson["batch_size"], seed=lesson["seed"])
    model = lesson["FashionMNISTModel"](learning_rate=lesson["learning_rate"])
    for change in changes:
        change(model.net)
    with tempfile.TemporaryDirectory() as run:
        best = ModelCheckpoint(dirpath=run, filename="best-{epoch}", monitor="val_acc", mode="max", save_top_k=1)
        callbacks = [best, MetricsHistory(print_rows=True)]
        if early_stopping:  # lesson 7's
            callbacks.append(EarlyStopping(monitor="val_loss", min_delta=0.005, patience=lesson["patience"]))
        trainer = pl.Trainer(
            accelerator="cpu",
            max_epochs=lesson["max_epochs"],
            deterministic="warn",
            callbacks=callbacks,
            logger=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        trainer.fit(model, datamodule=dm)
        test = trainer.test(datamodule=dm, ckpt_path="best", verbose=False)[0]
    return {
        "epochs": trainer.current_epoch,
        "best_val_acc": float(best.best_model_score),
        "test_acc": test["test_acc"],
        "seconds": time.perf_counter() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="+", choices=VARIANTS)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    apply_course_env(numerics=False)
    prepare_lightning()
    for name in args.variants:
        print(f"--- {name}", flush=True)
        r = run_variant(name, args.data_dir)
        print(
            f"{name}: {r['epochs']} epochs, best val_acc {r['best_val_acc']:.4f}, test_acc {r['test_acc']:.4f}, "
            f"{r['seconds']:.0f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
