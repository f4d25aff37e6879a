"""A small, deterministic fit that writes step checkpoints and can be killed and resumed (the resume tests).

Run it as a script so it can be killed for real::

    python -m tests.interruptible_fit OUT_DIR [--stall-after-step N] [--resume CKPT] [--plain-loader]

It trains :class:`~helpers.model.FashionCNN` through the course's own
:class:`~helpers.data.datamodule.FashionMNISTDataModule` on a small stand-in (generated once into
``OUT_DIR/data``, 320 train / 128 validation images, so 10 steps per epoch at batch 32), saves
``OUT_DIR/checkpoints/last.ckpt`` (and ``step=N.ckpt``) every ``ckpt_every`` optimizer steps,
and at the end writes ``OUT_DIR/final.json``: the final metrics and a digest of the weights.
``--plain-loader`` swaps the DataModule's resumable train loader for a plain shuffling ``DataLoader``.
``--stall-after-step N`` makes it write ``OUT_DIR/stalled`` and wait once the checkpoint of
step ``N`` is on disk, so another process can ``SIGKILL`` it at a known point mid-epoch.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import ModelCheckpoint
from torch.utils.data import DataLoader

from helpers.course.trainers import quiet_trainer
from helpers.data.datamodule import FashionMNISTDataModule
from helpers.data.standin import StandinSpec
from helpers.model import FashionCNN
from tools.cross_cpu import digest

FINAL_FILE = "final.json"
STALL_MARKER = "stalled"
STALL_SECONDS = 600  # long enough for any caller to kill it; it exits by itself afterwards
BATCH_SIZE = 32
N_TRAIN, N_VAL, N_TEST = 320, 128, 32  # the test split is never used here: the stand-in needs one


class PlainLoaderDataModule(FashionMNISTDataModule):
    """The course DataModule with a plain shuffling train ``DataLoader``: Lightning cannot resume its position."""

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self._ready(self.train_set), batch_size=self.batch_size, shuffle=True)


def data_module(out_dir: Path, seed: int, plain_loader: bool = False) -> FashionMNISTDataModule:
    """The DataModule this fit trains with: a stand-in generated once into ``out_dir / "data"``."""
    module_class = PlainLoaderDataModule if plain_loader else FashionMNISTDataModule
    return module_class(
        out_dir / "data",
        "standin",
        batch_size=BATCH_SIZE,
        val_split=N_VAL,
        seed=seed,
        standin=StandinSpec(n_train=N_TRAIN + N_VAL, n_test=N_TEST, seed=seed),
    )


class StallAfterStep(pl.Callback):
    """Once the checkpoint of ``step`` is written, write a marker file and wait (to be killed)."""

    def __init__(self, step: int, marker: Path) -> None:
        self.step = step
        self.marker = marker

    def on_train_batch_start(self, trainer: pl.Trainer, *args: object) -> None:
        # ModelCheckpoint saves step N at the end of batch N, so it is on disk when batch N+1 starts.
        if trainer.global_step == self.step:
            self.marker.write_text(f"{trainer.global_step}\n")
            time.sleep(STALL_SECONDS)


def fit(
    out_dir: Path,
    seed: int = 0,
    max_epochs: int = 2,
    ckpt_every: int = 3,
    resume: Path | None = None,
    stall_after_step: int | None = None,
    plain_loader: bool = False,
    scheduler: str | None = "step",
) -> dict[str, float | str]:
    """Train deterministically, optionally resuming from ``resume``; write and return ``final.json``'s content."""
    pl.seed_everything(seed, workers=True, verbose=False)
    torch.use_deterministic_algorithms(True)
    data = data_module(out_dir, seed, plain_loader)
    callbacks: list[pl.Callback] = [
        ModelCheckpoint(
            dirpath=out_dir / "checkpoints",
            filename="{step}",
            every_n_train_steps=ckpt_every,
            save_top_k=-1,
            save_last=True,
        )
    ]
    if stall_after_step is not None:
        callbacks.append(StallAfterStep(stall_after_step, out_dir / STALL_MARKER))
    model = FashionCNN(learning_rate=3e-3, scheduler=scheduler)
    trainer = quiet_trainer(max_epochs=max_epochs, deterministic=True, callbacks=callbacks, enable_checkpointing=True)
    trainer.fit(model, datamodule=data, ckpt_path=resume)
    final: dict[str, float | str] = {name: float(value) for name, value in sorted(trainer.callback_metrics.items())}
    final["global_step"] = trainer.global_step
    final["weights_sha256"] = digest(model.state_dict(), length=64)
    (out_dir / FINAL_FILE).write_text(json.dumps(final, indent=1) + "\n")
    return final


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-epochs", type=int, default=2)
    parser.add_argument("--ckpt-every", type=int, default=3)
    parser.add_argument("--resume", type=Path, default=None, help="checkpoint to resume from")
    parser.add_argument("--stall-after-step", type=int, default=None)
    parser.add_argument("--plain-loader", action="store_true", help="a plain shuffling DataLoader (not resumable)")
    parser.add_argument("--scheduler", default="step", help="FashionCNN's scheduler ('none' for none)")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    fit(
        args.out_dir,
        args.seed,
        args.max_epochs,
        args.ckpt_every,
        args.resume,
        args.stall_after_step,
        args.plain_loader,
        None if args.scheduler == "none" else args.scheduler,
    )


if __name__ == "__main__":
    main()
