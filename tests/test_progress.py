"""The course's progress displays: live in a notebook while work runs, one finished line when saved, else silent."""

import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from helpers import progress
from helpers.course.trainers import lightning_info_hidden
from helpers.model import FashionCNN
from helpers.progress import FinderProgress, LiveProgressBar, bar


class FakeHandle:
    """Stands for IPython's display handle: records every frame it was updated with."""

    def __init__(self, frames: list[str]) -> None:
        self.frames = frames

    def update(self, data: dict[str, str], raw: bool) -> None:
        self.frames.append(data["text/plain"])


@pytest.fixture
def notebook(monkeypatch):
    """Pretend to run in a notebook kernel; yields the frames drawn."""
    frames: list[str] = []
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr(progress, "display", lambda data, raw, display_id: FakeHandle(frames))
    return frames


def test_bar_draws_done_over_total():
    assert bar(5, 10) == f"[{'█' * 10}{'░' * 10}] 5/10 batches"
    assert bar(3, float("inf")) == "3 batches"


def test_the_finder_bar_ends_with_one_finished_line_and_a_blank_frame(notebook, capsys):
    finder = FinderProgress(desc="Finding best initial lr", total=3)
    for _ in range(3):
        finder.update()
    finder.close()  # the finder closes it only when it stops early: a second close prints nothing more
    assert capsys.readouterr().out == f"Finding best initial lr: {bar(3, 3)}\n"
    assert notebook[-1] == ""


def test_the_finder_bar_stopped_early_says_how_far_it_got(notebook, capsys):
    finder = FinderProgress(desc="Finding best initial lr", total=10)
    finder.update()
    finder.close()
    assert capsys.readouterr().out == f"Finding best initial lr: {bar(1, 10)}\n"


def fit(max_epochs: int, max_steps: int = -1) -> None:
    data = TensorDataset(torch.randn(8, 1, 28, 28), torch.arange(8) % 10)
    trainer = pl.Trainer(
        max_epochs=max_epochs,
        max_steps=max_steps,
        callbacks=[LiveProgressBar(refresh_seconds=0)],
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        accelerator="cpu",
    )
    with lightning_info_hidden():
        trainer.fit(FashionCNN(), DataLoader(data, batch_size=4), DataLoader(data, batch_size=4))


def test_a_fit_in_a_notebook_leaves_its_last_frame_without_timing(notebook, capsys):
    fit(max_epochs=2)
    assert capsys.readouterr().out == f"epoch 1 {bar(2, 2)}\n"
    assert notebook[-1] == "" and any(frame.startswith("epoch 0 ") and frame.endswith(" s") for frame in notebook)


def test_a_fit_ended_by_max_steps_shows_the_steps_its_last_epoch_had(notebook, capsys):
    fit(max_epochs=-1, max_steps=3)  # 2 batches an epoch: the second epoch runs 1 step, as Lightning's bars show
    assert capsys.readouterr().out == f"epoch 1 {bar(1, 1)}\n"


def test_outside_a_notebook_the_bar_shows_nothing(capsys):
    fit(max_epochs=1)
    assert capsys.readouterr().out == ""
