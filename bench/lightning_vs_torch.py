"""Lightning ``fit`` vs a hand-written PyTorch loop: training steps per second, side by side.

All runs train :class:`~helpers.model.FashionCNN` (Adam) on the same in-memory stand-in images
(:func:`~helpers.data.in_memory.standin_tensors`, generated once, before any timing) with the same
``DataLoader`` and batch size, and do the same work per step: forward, cross-entropy, backward, optimizer
step. Lightning runs with no logger, no progress bar, no checkpointing and no validation. Three runners:

- ``lightning``: the course model as is, so its ``self.log`` call per step is included;
- ``no-log``: Lightning with a ``training_step`` that skips ``self.log`` (Lightning's loop alone);
- ``torch``: a plain loop.

The first ``--warmup`` steps of every run are not timed; the timed steps lie in one epoch, so no
epoch boundary falls inside them. Runs repeat for ``--rounds`` rounds, rotating which goes first,
and the result is the ratio of each runner's best run (the least disturbed one; this machine's speed
varies by several percent from run to run), with the median of the round-by-round ratios beside it.
Steps/s are in process CPU time (it barely moves when other programs share the cores); the wall-clock
ratio is printed too. One torch
thread by default: on shared cores, multi-threaded ops mostly wait for each other.
Goal: ``lightning`` at >= 0.9x ``torch``.

    python bench/lightning_vs_torch.py [--steps 200] [--warmup 10] [--rounds 6] [--batch-size 64] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from helpers.course.lightning_setup import prepare_lightning

os.environ.setdefault("PJRT_DEVICE", "CPU")
prepare_lightning()  # before Lightning asks torch_xla about TPUs

import pytorch_lightning as pl  # noqa: E402
import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from helpers.course.trainers import quiet_trainer  # noqa: E402
from helpers.data.in_memory import standin_tensors  # noqa: E402
from helpers.model import Batch, FashionCNN  # noqa: E402

GOAL = 0.9
Rates = tuple[float, float]  # steps per CPU second, steps per wall-clock second
Runner = Callable[[DataLoader, int, int], Rates]


def now() -> Rates:
    """(process CPU time, wall-clock time), in seconds."""
    return time.process_time(), time.perf_counter()


def rates(steps: int, start: Rates, end: Rates) -> Rates:
    """Steps per CPU second and per wall-clock second between two ``now()`` stamps."""
    return steps / (end[0] - start[0]), steps / (end[1] - start[1])


class UnloggedCNN(FashionCNN):
    """The course CNN with a ``training_step`` doing the same work without ``self.log``."""

    def training_step(self, batch: Batch, batch_idx: int) -> torch.Tensor:
        images, labels = batch
        return F.cross_entropy(self(images), labels)


class StepClock(pl.Callback):
    """Time from the end of step ``warmup`` to the end of the last step."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        self.start = self.end = (0.0, 0.0)

    def on_train_batch_end(self, trainer: pl.Trainer, *args: object) -> None:
        self.end = now()
        if trainer.global_step == self.warmup:
            self.start = self.end


def lightning_runner(model_class: type[FashionCNN]) -> Runner:
    """A runner timing ``Trainer.fit`` of a fresh ``model_class()``."""

    def run(loader: DataLoader, warmup: int, steps: int) -> Rates:
        pl.seed_everything(0, verbose=False)
        clock = StepClock(warmup)
        trainer = quiet_trainer(max_epochs=1, limit_val_batches=0, callbacks=[clock])
        trainer.fit(model_class(), loader)
        return rates(steps - warmup, clock.start, clock.end)

    return run


def torch_loop(loader: DataLoader, warmup: int, steps: int) -> Rates:
    """A plain PyTorch loop doing the same work per step."""
    pl.seed_everything(0, verbose=False)
    model = FashionCNN()
    model.train()
    optimizer = model.configure_optimizers()
    start = (0.0, 0.0)
    for step, (images, labels) in enumerate(loader, start=1):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == warmup:
            start = now()
    return rates(steps - warmup, start, now())


RUNNERS: dict[str, Runner] = {
    "lightning": lightning_runner(FashionCNN),
    "no-log": lightning_runner(UnloggedCNN),
    "torch": torch_loop,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps at the start of each run")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    total = args.warmup + args.steps
    loader = DataLoader(standin_tensors(total * args.batch_size, seed=1), batch_size=args.batch_size, shuffle=True)
    print(
        f"torch {torch.__version__}, pytorch-lightning {pl.__version__}, {args.threads} thread(s), "
        f"batch {args.batch_size}, {args.steps} timed steps after {args.warmup} warm-up, {args.rounds} rounds"
    )
    names = list(RUNNERS)
    header = ["round", "first", *(f"{name} steps/s" for name in names), "lightning/torch", "no-log/torch"]
    print("  ".join(header))
    rows: list[list[float]] = []
    wall_ratios = []
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        measured = {name: RUNNERS[name](loader, args.warmup, total) for name in order}
        cpu = {name: measured[name][0] for name in names}
        rows.append([*cpu.values(), cpu["lightning"] / cpu["torch"], cpu["no-log"] / cpu["torch"]])
        wall_ratios.append(measured["lightning"][1] / measured["torch"][1])
        print(_row([str(round_), order[0]], rows[-1], header))
    medians = [statistics.median(column) for column in zip(*rows)]
    print(_row(["median", ""], medians, header))
    best = [max(column) for column in list(zip(*rows))[: len(names)]]
    best += [best[0] / best[2], best[1] / best[2]]
    print(_row(["best", ""], best, header))
    ratio = best[-2]
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(
        f"lightning runs at {ratio:.2f}x the plain loop's steps per CPU second, best run against best run "
        f"(goal >= {GOAL}: {verdict}); round by round the median ratio is {medians[-2]:.2f}x, "
        f"{statistics.median(wall_ratios):.2f}x in wall-clock time. Without self.log: {best[-1]:.2f}x."
    )


def _row(labels: list[str], values: list[float], header: list[str]) -> str:
    cells = labels + [f"{value:.3f}" if "/torch" in name else f"{value:.1f}" for value, name in zip(values, header[2:])]
    return "  ".join(cell.rjust(len(name)) for cell, name in zip(cells, header))


if __name__ == "__main__":
    main()
