"""The quiet Trainer and quiet folder that exercise checkers and tests fit in (helpers.course.trainers)."""

import warnings

import pytest
import pytorch_lightning as pl
from pytorch_lightning.callbacks import ModelSummary, TQDMProgressBar
from pytorch_lightning.trainer.connectors import callback_connector

from helpers.course.trainers import quiet_in_empty_folder, quiet_trainer


def test_the_quiet_cpu_trainer_does_not_warn_that_a_gpu_goes_unused(monkeypatch):
    from pytorch_lightning.accelerators import CUDAAccelerator

    monkeypatch.setattr(CUDAAccelerator, "is_available", staticmethod(lambda: True))  # as on a GPU runtime
    with warnings.catch_warnings(record=True) as plain:
        warnings.simplefilter("always")
        pl.Trainer(accelerator="cpu", logger=False, enable_checkpointing=False)
    assert any("GPU available but not used" in str(warning.message) for warning in plain)
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        quiet_trainer()
    assert not [str(warning.message) for warning in quiet if "available but not used" in str(warning.message)]


def test_a_trainer_made_in_the_quiet_folder_draws_nothing_with_rich(monkeypatch):
    """Where rich is installed (Colab) Lightning picks Rich's bar and summary, which draw through IPython's display."""
    monkeypatch.setattr(callback_connector, "_RICH_AVAILABLE", True)  # as where rich is installed
    with pytest.raises(ModuleNotFoundError):  # this environment has no rich: Lightning reached for it
        pl.Trainer(logger=False, enable_checkpointing=False)
    with quiet_in_empty_folder():
        trainer = pl.Trainer(logger=False, enable_checkpointing=False)
    assert type(trainer.progress_bar_callback) is TQDMProgressBar
    assert [type(callback) for callback in trainer.callbacks if isinstance(callback, ModelSummary)] == [ModelSummary]
    assert callback_connector._RICH_AVAILABLE is True  # put back afterwards
