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


class LiveLine:
    """One notebook output updated in place while work runs, blanked at the end, then a finished line printed.

    Outside a notebook kernel it shows nothing. ``refresh_seconds``: how often the live frame is redrawn.
    """

    def __init__(self, refresh_seconds: float = 0.25) -> None:
        self.refresh_seconds = refresh_seconds
        self._handle: Any = None
        self._started = self._drawn = 0.0

    def open(self) -> None:
        if in_notebook():
            self._started = time.monotonic()
            self._handle = display({"text/plain": ""}, raw=True, display_id=True)

    def show(self, frame: str) -> None:
        """Redraw with ``frame`` and the seconds so far (at most every ``refresh_seconds``)."""
        now = time.monotonic()
        if self._handle is not None and now - self._drawn >= self.refresh_seconds:
            self._drawn = now
            self._handle.update({"text/plain": f"{frame}  {now - self._started:.0f} s"}, raw=True)

    def close(self, last_line: str) -> None:
        """Blank the live frame (a saved notebook keeps a blank output) and print ``last_line`` if any."""
        if self._handle is None:
            return
        self._handle.update({"text/plain": ""}, raw=True)
        self._handle = None
        if last_line:
            print(last_line)


class FinderProgress:
    """The part of ``tqdm`` that Lightning's learning-rate finder uses (``update``, ``close``), drawn as a
    :class:`LiveLine`: live while the finder runs, then "Finding best initial lr: [...] 80/80 batches"."""

    def __init__(self, desc: str = "", total: int | None = None, **_: Any) -> None:
        self.desc, self.total, self.n = desc, total, 0
        self._line = LiveLine()
        self._line.open()

    def update(self, n: int = 1) -> None:
        self.n += n
        self._line.show(f"{self.desc}: {bar(self.n, self.total)}")
        if self.total is not None and self.n >= self.total:  # the finder closes its bar only when it stops early
            self.close()

    def close(self) -> None:
        self._line.close(f"{self.desc}: {bar(self.n, self.total)}")


class LiveProgressBar(ProgressBar):
    """Lightning's progress bar for the lessons: live in a notebook, one finished line per fit when saved.

    Pass it in ``Trainer(callbacks=[..., LiveProgressBar()])``. ``refresh_seconds``: how often the live frame
    is redrawn.
    """

    def __init__(self, refresh_seconds: float = 0.25) -> None:
        super().__init__()
        self._enabled = in_notebook()
        self._line = LiveLine(refresh_seconds)
        self._train_frame = ""  # the last training frame: what a fit's finished line shows
        self._train_total: int | float = 0  # this epoch's batches, taken when it starts

    @property
    def is_enabled(self) -> bool:
        return self._enabled and self._trainer is not None and self.trainer.is_global_zero

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = in_notebook()

    def _open(self) -> None:
        if self.is_enabled:
            self._train_frame = ""
            self._line.open()

    def _epoch(self, trainer: pl.Trainer) -> str:
        return f"epoch {trainer.current_epoch}"  # counted from 0, as Lightning's own bars and logs count

    def _fitting(self) -> bool:
        return self.trainer.state.fn == TrainerFn.FITTING

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._open()

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        # at the start, as Lightning's own bars do: with max_steps it counts the steps left, which fall as they run
        self._train_total = self.total_train_batches

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._train_frame = f"{self._epoch(trainer)} {bar(args[-1] + 1, self._train_total)}"
        self._line.show(self._train_frame)

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._line.close(self._train_frame)

    def on_exception(self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException) -> None:
        self._line.close(self._train_frame if self._fitting() else "")

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self._fitting():
            self._open()

    def on_validation_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        done = args[2] + 1
        total = _of_loader(trainer.num_sanity_val_batches if trainer.sanity_checking else trainer.num_val_batches, args)
        if not self._fitting():
            self._line.show(f"validating {bar(done, total)}")
        elif not trainer.sanity_checking:
            self._line.show(f"{self._train_frame} · validating {bar(done, total)}")

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self._fitting():
            self._line.close("")

    def on_test_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._open()

    def on_test_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._line.show(f"testing {bar(args[2] + 1, _of_loader(trainer.num_test_batches, args))}")

    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._line.close("")

    def on_predict_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._open()

    def on_predict_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._line.show(f"predicting {bar(args[2] + 1, _of_loader(trainer.num_predict_batches, args))}")

    def on_predict_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._line.close("")
