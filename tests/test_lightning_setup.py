"""What every lesson does before its first Trainer (helpers.course.lightning_setup)."""

import logging
import os
import warnings

from helpers.course.lightning_setup import DropLightningNoise, prepare_lightning


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("pytorch_lightning", logging.INFO, __file__, 1, message, (), None)


def test_info_lines_name_files_under_the_notebook_folder_relative_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    note = record(f"Restoring states from the checkpoint path at {os.getcwd()}/runs/04/checkpoints/last.ckpt")
    assert DropLightningNoise().filter(note)
    assert note.getMessage() == "Restoring states from the checkpoint path at runs/04/checkpoints/last.ckpt"
    assert not DropLightningNoise().filter(record("💡 Tip: try litlogger"))
    assert not DropLightningNoise().filter(record("Experiment with name lesson-6 not found. Creating it."))


def test_warnings_name_an_installed_librarys_file_from_its_package():
    prepare_lightning()
    prepare_lightning()  # a second call changes nothing
    installed = "/opt/python/lib/python3.11/site-packages/pytorch_lightning/trainer/connectors/data_connector.py"
    text = warnings.formatwarning("We are turning off the shuffling", UserWarning, installed, 260)
    assert text.startswith("pytorch_lightning/trainer/connectors/data_connector.py:260: ")
    assert "site-packages" not in text and "We are turning off the shuffling" in text
    own = warnings.formatwarning("mine", UserWarning, "/home/me/notebook.py", 3)
    assert own.startswith("/home/me/notebook.py:3: UserWarning: mine")


def test_only_torchs_python_3_13_warning_about_its_ddp_hook_enum_is_ignored():
    """Under Python 3.13, every DDP fit imports torch's DDPCommHookType, which warns (pytorch/pytorch#163938)."""
    prepare_lightning()
    filters = list(warnings.filters)
    prepare_lightning()
    assert warnings.filters == filters  # a second call adds no second filter
    note = "functools.partial will be a method descriptor in future Python versions; wrap it in enum.member() ..."
    hooks = "torch.distributed.algorithms.ddp_comm_hooks"
    with warnings.catch_warnings(record=True) as shown:
        warnings.warn_explicit(note, FutureWarning, "torch/distributed/algorithms/ddp_comm_hooks/__init__.py", 54,
                               module=hooks)  # fmt: skip
        warnings.warn_explicit(note, FutureWarning, "mine.py", 1, module="mine")
        warnings.warn_explicit(note, FutureWarning, "hooks/powerSGD_hook.py", 1, module=hooks + ".powerSGD_hook")
        warnings.warn_explicit("another note", FutureWarning, "ddp_comm_hooks/__init__.py", 1, module=hooks)
        warnings.warn_explicit(note, DeprecationWarning, "ddp_comm_hooks/__init__.py", 1, module=hooks)
    assert [(warning.filename, warning.category) for warning in shown] == [
        ("mine.py", FutureWarning),
        ("hooks/powerSGD_hook.py", FutureWarning),
        ("ddp_comm_hooks/__init__.py", FutureWarning),
        ("ddp_comm_hooks/__init__.py", DeprecationWarning),
    ]


def test_the_learning_rate_finder_draws_its_bar_with_the_courses_finished_line():
    from pytorch_lightning.tuner import lr_finder

    from helpers.progress import FinderProgress

    prepare_lightning()
    assert lr_finder.tqdm is FinderProgress


def test_the_finders_note_on_its_own_checkpoint_is_dropped_and_other_notes_kept():
    def record(message):
        return logging.LogRecord("pytorch_lightning", logging.INFO, __file__, 1, message, (), None)

    assert not DropLightningNoise().filter(record("`weights_only` was not set, defaulting to `False`."))
    assert DropLightningNoise().filter(record("Learning rate set to 0.0028"))


def test_lightnings_suggestion_of_more_workers_is_ignored_and_its_other_warnings_kept(monkeypatch):
    """On a machine with more than two CPUs Lightning suggests workers for each loader with fewer than two."""
    from types import SimpleNamespace

    from pytorch_lightning.trainer.connectors import data_connector
    from pytorch_lightning.utilities.warnings import PossibleUserWarning
    from torch.utils.data import DataLoader

    monkeypatch.setattr(data_connector, "suggested_max_num_workers", lambda devices: 7)  # as with 8 CPUs
    trainer = SimpleNamespace(num_devices=1, reload_dataloaders_every_n_epochs=0)
    loader = DataLoader(range(4), num_workers=0)
    with warnings.catch_warnings(record=True) as before:
        warnings.simplefilter("always")
        data_connector._worker_check(trainer, loader, "train_dataloader")
    assert "'train_dataloader' does not have many workers" in str(before[0].message)  # the simulation warns
    with warnings.catch_warnings(record=True) as after:
        warnings.simplefilter("always")
        prepare_lightning()
        data_connector._worker_check(trainer, loader, "train_dataloader")
        warnings.warn("another suggestion", PossibleUserWarning, stacklevel=1)
    assert [str(warning.message) for warning in after] == ["another suggestion"]
