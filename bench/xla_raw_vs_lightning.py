"""Lesson 5's raw torch_xla loop vs Lightning on the same XLA device: steps/s, graph compilations, host reads.

    python bench/xla_raw_vs_lightning.py [--steps 100] [--batch-size 64] [--rounds 3]

Both train the course's ``FashionCNN`` (SGD, momentum 0.9, the same initial weights) on the same in-memory
stand-in images at the same batch size. The raw side is ``train_raw`` exactly as lesson 5 writes it (read from
the notebook); the Lightning side is a ``Trainer`` without a logger or a progress bar (lesson 5's bar reads no
values, and outside a notebook it draws nothing). Each side first runs once untimed, so that XLA has compiled
its graphs; then the two alternate ``--rounds`` times, each run a fresh model and loop over ``--steps`` steps,
and the median of each is kept. Compilations and host reads (values copied to the host: ``.item()`` and friends)
are counted in the timed runs, at ``--steps`` and at twice as many steps: equal counts mean none per step.
Goal: Lightning >= 0.9x raw. Runs on a TPU if one is attached, else on torch_xla's CPU device.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.course.lightning_setup import prepare_lightning  # noqa: E402
from helpers.course.runtime import tpu_chips_attached  # noqa: E402

prepare_lightning()  # before Lightning asks torch_xla how many TPUs there are
os.environ.setdefault("PJRT_DEVICE", "TPU" if tpu_chips_attached() else "CPU")

import torch  # noqa: E402
import torch_xla  # noqa: E402

from helpers.course.trainers import quiet_trainer  # noqa: E402
from helpers.data.in_memory import standin_tensors  # noqa: E402
from helpers.model import FashionCNN  # noqa: E402
from helpers.xla.accelerator import xla_trainer_kwargs  # noqa: E402
from helpers.xla.device import require_xla  # noqa: E402
from helpers.xla.metrics import xla_metrics_delta  # noqa: E402
from tools.lesson_code import lesson5_loader, lesson5_train_raw  # noqa: E402

GOAL = 0.9
LR, MOMENTUM = 0.05, 0.9  # lesson 5's defaults
train_raw = lesson5_train_raw(learning_rate=LR)


def model() -> FashionCNN:
    torch.manual_seed(0)
    return FashionCNN(learning_rate=LR, optimizer="sgd", momentum=MOMENTUM)


def run_raw(data: torch.utils.data.Dataset, batch_size: int, steps: int) -> tuple[float, dict[str, float]]:
    """(steps/s, XLA counter deltas) of one run of the lesson's loop."""
    start = time.perf_counter()
    with xla_metrics_delta() as delta:
        train_raw(model(), lesson5_loader(data, batch_size), steps)
    return steps / (time.perf_counter() - start), delta


def run_lightning(data: torch.utils.data.Dataset, batch_size: int, steps: int) -> tuple[float, dict[str, float]]:
    """(steps/s, XLA counter deltas) of one Lightning fit with the course's settings."""
    trainer = quiet_trainer(**xla_trainer_kwargs(), max_steps=steps, limit_val_batches=0)
    start = time.perf_counter()
    with xla_metrics_delta() as delta:
        trainer.fit(model(), lesson5_loader(data, batch_size))
        torch_xla.sync(wait=True)
    return steps / (time.perf_counter() - start), delta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="steps per timed run")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed runs of each side")
    args = parser.parse_args()
    status = require_xla()
    data = standin_tensors(args.batch_size * (2 * args.steps + 1), seed=1)  # enough for 2 x steps in one epoch
    runners = {"raw torch_xla": run_raw, "Lightning": run_lightning}
    first = {name: runner(data, args.batch_size, args.steps)[1] for name, runner in runners.items()}  # compiles
    rates: dict[str, list[float]] = {name: [] for name in runners}
    counts = {}
    for round_ in range(args.rounds):
        for name, runner in (runners if round_ % 2 == 0 else dict(reversed(runners.items()))).items():
            rate, delta = runner(data, args.batch_size, args.steps)
            rates[name].append(rate)
            counts[name] = delta
    longer = {name: runner(data, args.batch_size, 2 * args.steps)[1] for name, runner in runners.items()}
    print(
        f"{status.kind} XLA device, course model, batch {args.batch_size}, {args.steps} steps per run; "
        f"steps/s: median of {args.rounds} timed runs (graphs already compiled)"
    )
    header = f"{'loop':<15}{'steps/s':>9}{'compiles (1st run)':>20}{'compiles (timed)':>18}"
    print(header + f"{'host reads':>12}{f'at {2 * args.steps} steps':>16}")
    median = {name: statistics.median(values) for name, values in rates.items()}
    for name in runners:
        print(
            f"{name:<15}{median[name]:>9.1f}{first[name]['compiles']:>20}{counts[name]['compiles']:>18}"
            f"{counts[name]['host_reads']:>12}{longer[name]['host_reads']:>16}"
        )
    ratio = median["Lightning"] / median["raw torch_xla"]
    per_step = (longer["Lightning"]["host_reads"] - counts["Lightning"]["host_reads"]) / args.steps
    print(f"Lightning / raw steps/s: {ratio:.2f} (goal >= {GOAL}: {'met' if ratio >= GOAL else 'NOT met'})")
    print(f"Lightning host reads per step (the extra steps' reads / extra steps): {per_step:g}")


if __name__ == "__main__":
    main()
