"""A quiet ``Trainer`` for the small side fits of exercise checkers, tests and benchmarks."""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from pytorch_lightning.loops import evaluation_loop
from pytorch_lightning.trainer.connectors import callback_connector

QUIET = {
    "accelerator": "cpu",
    "logger": False,
    "enable_checkpointing": False,
    "enable_progress_bar": False,
    "enable_model_summary": False,
}

# the modules where Lightning chooses Rich's progress bar and model summary, and Rich's table of evaluation results
RICH_SWITCHES = (callback_connector, evaluation_loop)


class QuietTrainer(pl.Trainer):
    """A ``Trainer`` whose fit/validate/test/predict print none of Lightning's info lines (warnings still show)."""

    def fit(self, *args: Any, **kwargs: Any) -> None:
        with lightning_info_hidden():
            super().fit(*args, **kwargs)

    def validate(self, *args: Any, **kwargs: Any) -> Any:
        with lightning_info_hidden():
            return super().validate(*args, **kwargs)

    def test(self, *args: Any, **kwargs: Any) -> Any:
        with lightning_info_hidden():
            return super().test(*args, **kwargs)

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        with lightning_info_hidden():
            return super().predict(*args, **kwargs)


def quiet_trainer(**kwargs: Any) -> QuietTrainer:
    """A CPU ``Trainer`` with no logger, checkpoints, progress bar, model summary or info lines; ``kwargs`` override.
    It runs on the CPU on purpose, so on a GPU or TPU runtime it does not warn that the accelerator goes unused."""
    with lightning_info_hidden(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "(GPU|TPU) available but not used")
        return QuietTrainer(**(QUIET | kwargs))


@contextmanager
def lightning_info_hidden() -> Iterator[None]:
    """Hide Lightning's info lines (accelerators found, fast_dev_run, "fit stopped", DDP set-up) inside the block."""
    logs = [logging.getLogger(name) for name in ("pytorch_lightning", "lightning_fabric")]
    levels = [log.level for log in logs]
    for log in logs:
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for log, level in zip(logs, levels):
            log.setLevel(level)


@contextmanager
def without_rich() -> Iterator[None]:
    """Inside the block a new ``Trainer`` takes Lightning's plain progress bar and model summary, and evaluation
    results print as plain text, even where ``rich`` is installed (as on Colab): Rich draws in a notebook through
    IPython's display, which redirecting stdout does not hide. Lightning reads these module-level switches."""
    saved = [module._RICH_AVAILABLE for module in RICH_SWITCHES]
    for module in RICH_SWITCHES:
        module._RICH_AVAILABLE = False
    try:
        yield
    finally:
        for module, value in zip(RICH_SWITCHES, saved):
            module._RICH_AVAILABLE = value


@contextmanager
def quiet_in_empty_folder() -> Iterator[Path]:
    """Run the block in a new, empty temporary folder as the current directory (a Trainer made there writes its
    logs and checkpoints there), with Lightning's info lines, warnings and anything printed (progress bars, Rich's
    tables included) hidden. Yields the folder, which is removed afterwards."""
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(contextlib.chdir(folder))
        stack.enter_context(lightning_info_hidden())
        stack.enter_context(without_rich())
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        yield folder


def files_in(folder: Path) -> list[str]:
    """The files under ``folder``, as paths relative to it, sorted."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
