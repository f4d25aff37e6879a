"""What ``Trainer(precision=...)`` changes on this machine's CPU: speed and loss, side by side in one run.

    python -m bench.precision [--steps 150] [--rounds 3]

Each round fits lesson 4's model (``helpers.model.FashionCNN``) on the offline stand-in for ``--steps`` steps under
every precision, in turn, from the same initial weights and batches; the rounds interleave the precisions, so a
machine that slows down mid-run slows all of them. It prints, per precision, the median training speed over the
rounds, that speed relative to ``32-true``, and the validation loss after the last round's fit.
Run it on the machine you care about: bf16 is fast where the CPU has bf16 instructions (AVX-512 BF16, AMX)
and can be slower than float32 where it has not.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import pytorch_lightning as pl
import torch

from helpers.course.trainers import quiet_trainer
from helpers.data.datamodule import FashionMNISTDataModule
from helpers.model import FashionCNN
from tools.cross_cpu import cpu_model

PRECISIONS = ("32-true", "bf16-mixed", "bf16-true")


def fit_once(precision: str, datamodule: FashionMNISTDataModule, steps: int) -> tuple[float, float]:
    """(training steps per second, validation loss after the fit) of one fit from seed 0."""
    pl.seed_everything(0, verbose=False)
    trainer = quiet_trainer(precision=precision, max_steps=steps, limit_val_batches=0, num_sanity_val_steps=0)
    model = FashionCNN()
    start = time.perf_counter()
    trainer.fit(model, datamodule=datamodule)
    seconds = time.perf_counter() - start
    evaluation = quiet_trainer(precision=precision)
    val_loss = evaluation.validate(model, datamodule=datamodule, verbose=False)[0]["val_loss"]
    return steps / seconds, float(val_loss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=150, help="training steps per fit (default 150)")
    parser.add_argument("--rounds", type=int, default=3, help="fits per precision, interleaved (default 3)")
    args = parser.parse_args()
    speeds: dict[str, list[float]] = {precision: [] for precision in PRECISIONS}
    losses: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        datamodule = FashionMNISTDataModule(data_dir, "standin", batch_size=64, seed=0)
        datamodule.prepare_data()
        for _ in range(args.rounds):
            for precision in PRECISIONS:
                speed, losses[precision] = fit_once(precision, datamodule, args.steps)
                speeds[precision].append(speed)
    print(f"{cpu_model()}, {torch.get_num_threads()} threads, torch {torch.__version__}, Lightning {pl.__version__}")
    print(f"{args.steps} steps of lesson 4's model (batch 64) per fit, median of {args.rounds} interleaved rounds")
    base = statistics.median(speeds["32-true"])
    print(f"{'precision':<12}{'steps/s':>9}{'vs 32-true':>12}{'val_loss':>10}")
    for precision in PRECISIONS:
        speed = statistics.median(speeds[precision])
        print(f"{precision:<12}{speed:>9.1f}{speed / base:>11.2f}x{losses[precision]:>10.4f}")


if __name__ == "__main__":
    main()
