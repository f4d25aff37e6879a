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


def test_torch_s_ddp_hooks_warning_under_python_3_13_is_ignored_and_no_other():
    import helpers.course.lightning_setup as setup

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        setup.prepare_lightning()
        message = "functools.partial will be a method descriptor in future Python versions; wrap it in enum.member()"
        warnings.warn_explicit(
            message, FutureWarning, "ddp_comm_hooks/__init__.py", 54, setup.IGNORED_WARNING["module"]
        )
        warnings.warn_explicit(message, FutureWarning, "elsewhere.py", 1, "some.other.module")
        warnings.warn_explicit(
            "another", FutureWarning, "ddp_comm_hooks/__init__.py", 54, setup.IGNORED_WARNING["module"]
        )
    assert [(str(w.message)[:10], w.filename) for w in caught] == [
        (message[:10], "elsewhere.py"),
        ("another", "ddp_comm_hooks/__init__.py"),
    ]
