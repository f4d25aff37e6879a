"""Callbacks the training lessons reuse.

:class:`MetricsHistory` keeps the epoch-level metrics of every epoch (a table to print), and can print each epoch's
row as it ends, under the course's progress bar (:mod:`helpers.progress`), which shows only batch counts.
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl


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
