"""Raw torch_xla loop vs Lightning on the same XLA device: steps/s and graph compilations.

    python bench/xla_raw_vs_lightning.py [--steps 100] [--warmup 10] [--batch-size 64] [--rounds 2]

Both train the same small CNN (same initial weights) with SGD and cross-entropy on the same
synthetic 28x28 images, at the same batch size, for the same number of steps. The first
``--warmup`` steps (where XLA compiles) are run but not timed. The two are run alternately
``--rounds`` times and the best round of each is kept, because other processes share the CPU.
Runs on a TPU if one is configured, else on torch_xla's CPU device (``PJRT_DEVICE=CPU``).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.runtime import avoid_tpu_metadata_lookup, tpu_chips_attached  # noqa: E402

avoid_tpu_metadata_lookup()  # before Lightning asks torch_xla how many TPUs there are
os.environ.setdefault("PJRT_DEVICE", "TPU" if tpu_chips_attached() else "CPU")

import pytorch_lightning as pl  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch_xla  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from helpers.xla_device import require_xla  # noqa: E402
from helpers.xla_lightning import xla_trainer_kwargs  # noqa: E402
from helpers.xla_loop import train_raw_xla, xla_dataloader  # noqa: E402
from helpers.xla_metrics import xla_metrics  # noqa: E402

LR = 0.05
LOG_EVERY = 50  # Lightning's default log_every_n_steps


def small_cnn(seed: int = 0) -> nn.Sequential:
    """Two conv blocks and a linear head for 1x28x28 images, 10 classes."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
    )  # fmt: skip


def synthetic_images(n: int, seed: int = 0) -> TensorDataset:
    """Noise images whose label is which horizontal stripe is bright."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = torch.randn(n, 1, 28, 28, generator=generator) * 0.3
    images[torch.arange(n), 0, labels * 2 + 4, :] += 2.0
    return TensorDataset(images, labels)


class Classifier(pl.LightningModule):
    """Any image classifier with the raw loop's optimiser and loss, logged every step like it."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.model(images)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        images, labels = batch
        loss = F.cross_entropy(self(images), labels)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=LR)


class StepClock(pl.Callback):
    """Times the steps after the first ``warmup`` ones, and counts the compilations in each part."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        self.start = 0.0
        self.seconds = 0.0
        self.compiles_at = {"begin": 0.0, "warm": 0.0, "end": 0.0}

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.compiles_at["begin"] = xla_metrics()["compiles"]

    def on_train_batch_start(self, trainer: pl.Trainer, *args: object) -> None:
        if trainer.global_step == self.warmup:
            torch_xla.sync(wait=True)
            self.compiles_at["warm"] = xla_metrics()["compiles"]
            self.start = time.perf_counter()

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        torch_xla.sync(wait=True)
        self.seconds = time.perf_counter() - self.start
        self.compiles_at["end"] = xla_metrics()["compiles"]


def run_raw(data: TensorDataset, batch_size: int, warmup: int, steps: int) -> tuple[float, int, int]:
    """(timed steps/s, compiles in warm-up, compiles in timed steps) for the raw torch_xla loop."""
    model = small_cnn()
    loader = xla_dataloader(data, batch_size)
    batches = len(loader)
    warm, timed = (
        train_raw_xla(model, loader, epochs=math.ceil(n / batches), max_steps=n, lr=LR, log_every=LOG_EVERY)
        for n in (warmup, steps)
    )
    return timed.steps_per_second, int(warm.metrics["compiles"]), int(timed.metrics["compiles"])


def run_lightning(data: TensorDataset, batch_size: int, warmup: int, steps: int) -> tuple[float, int, int]:
    """(timed steps/s, compiles in warm-up, compiles in timed steps) for Lightning on the XLA device."""
    clock = StepClock(warmup)
    trainer = pl.Trainer(
        **xla_trainer_kwargs(),
        max_steps=warmup + steps,
        log_every_n_steps=LOG_EVERY,
        callbacks=[clock],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(Classifier(small_cnn()), DataLoader(data, batch_size, shuffle=True, drop_last=True))
    at = clock.compiles_at
    return steps / clock.seconds, int(at["warm"] - at["begin"]), int(at["end"] - at["warm"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first (compilation)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="alternate runs; the best of each is kept")
    args = parser.parse_args()
    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # keep the table readable

    status = require_xla()
    data = synthetic_images(args.batch_size * 32)
    runners = {"raw torch_xla": run_raw, "Lightning": run_lightning}
    rounds = [
        {name: runner(data, args.batch_size, args.warmup, args.steps) for name, runner in runners.items()}
        for _ in range(args.rounds)
    ]
    best_rate = {name: max(run[name][0] for run in rounds) for name in runners}

    print(
        f"\n{status.kind} XLA device, batch {args.batch_size}, {args.steps} timed steps after {args.warmup} "
        f"warm-up steps; steps/s: best of {args.rounds} rounds; compiles: first round"
    )
    print(f"{'loop':<15}{'steps/s':>9}{'ms/step':>9}{'compiles (warm-up)':>20}{'compiles (timed)':>18}")
    for name, rate in best_rate.items():
        _rate, warm, timed = rounds[0][name]
        print(f"{name:<15}{rate:>9.1f}{1000 / rate:>9.1f}{warm:>20}{timed:>18}")
    ratio = best_rate["Lightning"] / best_rate["raw torch_xla"]
    print(f"Lightning / raw steps/s: {ratio:.2f}")


if __name__ == "__main__":
    main()
