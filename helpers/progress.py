"""A progress bar that moves while a fit runs in a notebook, and leaves one finished line in the saved notebook.

Lightning's own bars (``TQDMProgressBar``, or ``RichProgressBar`` when ``rich`` is installed) are widgets in a
notebook: a saved notebook keeps their first frame (``0/?``), which never reads as finished and differs from run
to run. :class:`LiveProgressBar` draws its bar in one display output that it updates in place (a few times a
second) and blanks at the end, then prints the last frame without its timing: that line is all a saved notebook
keeps, and it is the same on every run. It reads no tensor values, so on an XLA device it costs no host reads.
Outside a notebook kernel (a script, a test) it shows nothing.
"""

from __future__ import annotations

import time
from typing import Any

import pytorch_lightning as pl
from IPython import get_ipython
from IPython.display import display
from pytorch_lightning.callbacks.progress.progress_bar import ProgressBar
from pytorch_lightning.trainer.states import TrainerFn

WIDTH = 20  # characters of the bar itself


def bar(done: int, total: int | float) -> str:
    """``[██████░░░░] done/total`` (just ``done`` batches when the total is unknown)."""
    if not isinstance(total, int) or total <= 0:
        return f"{done} batches"
    filled = round(WIDTH * min(done, total) / total)
    return f"[{'█' * filled}{'░' * (WIDTH - filled)}] {done}/{total} batches"


def _of_loader(batches: list[int | float], hook_args: tuple[Any, ...]) -> int | float:
    """The batch count of the loader an evaluation batch hook is called for (``outputs, batch, batch_idx[, idx]``)."""
    return batches[hook_args[3] if len(hook_args) > 3 else 0]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Colab's included), where display outputs can be updated."""
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class LiveProgressBar(ProgressBar):
    """Lightning's progress bar for the lessons: live in a notebook, one finished line per fit when saved.

    Pass it in ``Trainer(callbacks=[..., LiveProgressBar()])``. ``refresh_seconds``: how often the live frame
    is redrawn.
    """

    def __init__(self, refresh_seconds: float = 0.25) -> None:
        super().__init__()
        self.refresh_seconds = refresh_seconds
        self._enabled = in_notebook()
        self._handle: Any = None
        self._started = self._drawn = 0.0
        self._train_frame = ""  # the last training frame: what a fit's finished line shows

    @property
    def is_enabled(self) -> bool:
        return self._enabled and self._trainer is not None and self.trainer.is_global_zero

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = in_notebook()

    def _open(self) -> None:
        if self.is_enabled:
            self._started, self._train_frame = time.monotonic(), ""
            self._handle = display({"text/plain": ""}, raw=True, display_id=True)

    def _show(self, frame: str) -> None:
        now = time.monotonic()
        if self._handle is not None and now - self._drawn >= self.refresh_seconds:
            self._drawn = now
            self._handle.update({"text/plain": f"{frame}  {now - self._started:.0f} s"}, raw=True)

    def _close(self, last_line: str) -> None:
        """Blank the live frame (a saved notebook keeps a blank output) and print ``last_line`` if any."""
        if self._handle is None:
            return
        self._handle.update({"text/plain": ""}, raw=True)
        self._handle = None
        if last_line:
            print(last_line)

    def _epoch(self, trainer: pl.Trainer) -> str:
        limit = trainer.max_epochs if trainer.max_epochs not in (None, -1) else None
        return f"epoch {trainer.current_epoch + 1}" + (f"/{limit}" if limit else "")

    def _fitting(self) -> bool:
        return self.trainer.state.fn == TrainerFn.FITTING

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._open()

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._train_frame = f"{self._epoch(trainer)} {bar(args[-1] + 1, self.total_train_batches)}"
        self._show(self._train_frame)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._close(self._train_frame)

    def on_exception(self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException) -> None:
        self._close(self._train_frame if self._fitting() else "")

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self._fitting():
            self._open()

    def on_validation_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        done = args[2] + 1
        total = _of_loader(trainer.num_sanity_val_batches if trainer.sanity_checking else trainer.num_val_batches, args)
        if not self._fitting():
            self._show(f"validating {bar(done, total)}")
        elif not trainer.sanity_checking:
            self._show(f"{self._train_frame} · validating {bar(done, total)}")

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self._fitting():
            self._close("")

    def on_test_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._open()

    def on_test_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._show(f"testing {bar(args[2] + 1, _of_loader(trainer.num_test_batches, args))}")

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._close("")

    def on_predict_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._open()

    def on_predict_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._show(f"predicting {bar(args[2] + 1, _of_loader(trainer.num_predict_batches, args))}")

    def on_predict_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._close("")
