"""Callbacks the training lessons reuse, and a check that every ``monitor=`` name is really logged.

- :class:`MetricsHistory` keeps the epoch-level metrics of every epoch (a table to print), and can print
  each epoch's row as it ends: with the progress bar off, the course's live view of a fit;
- :class:`HookRecorder` records which callback hooks fire, in order;
- :func:`logged_metric_names` / :func:`check_monitors` catch a misspelt ``monitor=`` before training.
  Lightning itself only notices at the end of the first epoch's validation: ``ModelCheckpoint`` then raises
  ``MisconfigurationException`` and ``EarlyStopping`` (``strict=True``) a ``RuntimeError``, both naming
  the metrics that are logged, after a whole epoch of training has been spent.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from enum import Enum
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.callbacks import ModelCheckpoint
from pytorch_lightning.utilities.seed import isolate_rng

from helpers.course.trainers import quiet_trainer

# Every hook a Callback can implement (the LightningModule has same-named twins).
CALLBACK_HOOKS = tuple(name for name in vars(pl.Callback) if name.startswith("on_") or name in ("setup", "teardown"))
# Names ModelCheckpoint can monitor without any self.log call.
CHECKPOINT_BUILTINS = ("epoch", "step")


def epoch_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """Epoch-level values from ``trainer.callback_metrics``: drops ``*_step`` and the duplicates of ``*_epoch``."""
    return {
        name: float(value)
        for name, value in sorted(metrics.items())
        if not name.endswith("_step") and f"{name}_epoch" not in metrics
    }


class MetricsHistory(pl.Callback):
    """After every training epoch (validation included), append ``{"epoch", "step", <metric>: value}`` to ``rows``.

    Validation runs before ``on_train_epoch_end``, so each row holds that epoch's validation metrics too.
    With ``print_rows=True`` each row is also printed as one line when its epoch ends.
    """

    def __init__(self, print_rows: bool = False, digits: int = 4) -> None:
        self.rows: list[dict[str, float]] = []
        self.print_rows = print_rows
        self.digits = digits

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        row = {"epoch": trainer.current_epoch, "step": trainer.global_step}
        self.rows.append(row | epoch_metrics(trainer.callback_metrics))
        if self.print_rows:
            print("  ".join(f"{name} {_format(value, self.digits)}" for name, value in self.rows[-1].items()))

    def table(self) -> str:
        """The rows as a fixed-width text table, values rounded to ``digits`` decimals."""
        columns = list(dict.fromkeys(name for row in self.rows for name in row))
        cells = [[_format(row.get(name), self.digits) for name in columns] for row in self.rows]
        widths = [max(len(name), *(len(line[i]) for line in cells)) for i, name in enumerate(columns)]
        lines = [columns, *cells]
        return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths)) for line in lines)


def _format(value: float | None, digits: int) -> str:
    """``digits`` decimals, or scientific notation where they would show fewer than 2 significant digits."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    fixed = f"{value:.{digits}f}"
    significant = fixed.lstrip("-0.").replace(".", "")
    return f"{value:.2e}" if value and len(significant) < 2 else fixed


class HookRecorder(pl.Callback):
    """Record the name of every callback hook Lightning calls, in order (``setup``/``teardown`` with their stage).

    Args:
        skip: hook names not to record (e.g. the per-batch ones, for a shorter list).
    """

    def __init__(self, skip: Collection[str] = ()) -> None:
        unknown = set(skip) - set(CALLBACK_HOOKS)
        if unknown:
            raise ValueError(f"not callback hooks: {sorted(unknown)}; choose from {list(CALLBACK_HOOKS)}")
        self.skip = frozenset(skip)
        self.calls: list[str] = []

    def _record(self, name: str, args: tuple[Any, ...]) -> None:
        if name in self.skip:
            return
        if name in ("setup", "teardown"):
            stage = args[-1]  # a str Enum (TrainerFn) in Lightning 2.6: show its value, e.g. "fit"
            name = f"{name}({stage.value if isinstance(stage, Enum) else stage})"
        self.calls.append(name)


def _recording_hook(name: str) -> Any:
    def hook(self: HookRecorder, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any, **kwargs: Any) -> None:
        self._record(name, (*args, *kwargs.values()))

    hook.__name__ = name
    return hook


for _hook in CALLBACK_HOOKS:
    setattr(HookRecorder, _hook, _recording_hook(_hook))


def logged_metric_names(model: pl.LightningModule, **fit_kwargs: Any) -> list[str]:
    """Names a fit of ``model`` logs, from a one-batch dry run (``fast_dev_run``) on a copy of it.

    ``fit_kwargs`` are what you would pass to ``trainer.fit`` (``datamodule=`` or the dataloaders).
    The model and the random number generators are left as they were, and the dry run prints nothing.
    """
    with isolate_rng():
        trainer = quiet_trainer(fast_dev_run=True)
        trainer.fit(copy.deepcopy(model), **fit_kwargs)
    return sorted(trainer.callback_metrics)


def check_monitors(callbacks: Iterable[pl.Callback], logged: Collection[str]) -> None:
    """Raise ``ValueError`` naming every callback whose ``monitor`` is never logged, and the names that are."""
    problems = []
    for callback in callbacks:
        monitor = getattr(callback, "monitor", None)
        available = set(logged) | (set(CHECKPOINT_BUILTINS) if isinstance(callback, ModelCheckpoint) else set())
        if monitor is not None and monitor not in available:
            problems.append(f"{type(callback).__name__}(monitor={monitor!r})")
    if problems:
        raise ValueError(
            f"{', '.join(problems)}: that metric is never logged. Logged metrics: {', '.join(sorted(logged))}. "
            "Use one of these names, or log the metric with self.log(name, value) in the LightningModule."
        )
