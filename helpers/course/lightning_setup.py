"""What every lesson does before its first ``Trainer``: no network for the TPU probe, Lightning's notes on stdout.

- Whenever torch_xla is installed, every Lightning ``Trainer`` (even ``accelerator="cpu"``) asks it how
  many TPUs exist, and torch_xla asks a cloud metadata server even where no TPU is attached;
  :func:`helpers.course.runtime.avoid_tpu_metadata_lookup` answers from the PCI bus instead. Where
  ``PJRT_DEVICE`` is unset, :func:`helpers.course.runtime.choose_pjrt_device` sets it as torch_xla would, so
  torch_xla's "Defaulting to PJRT_DEVICE=CPU" warning does not appear in the first ``Trainer``'s cell.
- Lightning writes its info lines ("GPU available: ...", the model summary, "Seed set to 0") through Python
  logging to stderr, which notebook front ends colour as an error; they go to stdout instead. Warnings
  (``warnings.warn``) stay on stderr.
- Four kinds of Lightning info lines are dropped, and nothing else: the "💡 Tip" lines advertising its paid
  integrations (litlogger, litmodels), the note that a ``ModelSummary`` passed in ``callbacks`` replaces the
  default one (the lessons pass one on purpose, so the summary looks the same with or without ``rich``), and
  ``MLFlowLogger``'s warning that its experiment is new ("Experiment with name ... not found. Creating it."),
  which every fresh run prints; and the learning-rate finder's note that it restores its own temporary
  checkpoint without ``weights_only``.
- The learning-rate finder draws its progress with :class:`helpers.progress.FinderProgress` instead of ``tqdm``:
  live while it runs, then one finished line, where a saved notebook would keep tqdm's first frame ("0/100").
- Two warnings are ignored, and no other:
  - under Python 3.13, torch 2.9.0's ``DDPCommHookType`` enum, which Lightning imports in every process of a DDP
    fit, warns that ``functools.partial`` will be a method descriptor in future Pythons (pytorch/pytorch#163938).
    Only torch can fix it, and under 3.13 the enum still works;
  - on a machine with more than two CPUs, Lightning suggests more workers for every loader
    with fewer than two ("does not have many workers which may be a bottleneck"; the filter its own docs give).
    The lessons load small images already in memory with ``num_workers=0`` by default, and lesson 4 says so.
- Paths read the same on every machine: a file under the notebook's folder is named relative to it in Lightning's
  info lines ("Restoring states from the checkpoint path at runs/..."), and a warning from an installed library
  names its file from its package (``pytorch_lightning/...``), not from where Python installed it.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from lightning_fabric.utilities.warnings import PossibleUserWarning
from pytorch_lightning.tuner import lr_finder

from helpers.course.runtime import avoid_tpu_metadata_lookup, choose_pjrt_device
from helpers.progress import FinderProgress

LIGHTNING_LOGGERS = ("pytorch_lightning", "lightning_fabric")
DROPPED = (
    "💡 Tip",
    "Trainer already configured with model summary callbacks",
    "Experiment with name ",
    "`weights_only` was not set",  # the learning-rate finder restoring its own temporary checkpoint
)


class DropLightningNoise(logging.Filter):
    """Drops the lines that start with one of :data:`DROPPED` (module docstring); names files under the notebook's
    folder relative to it; keeps the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(DROPPED):
            return False
        record.msg, record.args = record.getMessage().replace(os.getcwd() + os.sep, ""), ()
        return True


def _from_package(format_warning: Callable[..., str]) -> Callable[..., str]:
    """``format_warning`` (Python's, or Lightning's), naming an installed library's file from its package."""

    def formatted(message: Any, category: type[Warning], filename: str, lineno: int, line: str | None = None) -> str:
        text = format_warning(message, category, filename, lineno, line)
        for installed in ("site-packages", "dist-packages"):
            _, found, tail = filename.partition(os.sep + installed + os.sep)
            if found:
                return text.replace(filename, tail, 1)
        return text

    formatted.from_package = True
    return formatted


def prepare_lightning() -> None:
    """Keep torch_xla's TPU probe off the network where no TPU is attached and its device choice quiet; send
    Lightning's info lines to stdout without its noise; ignore two warnings (module docstring); name files
    the same way on every machine. Call it after ``import pytorch_lightning``; calling it again changes nothing."""
    avoid_tpu_metadata_lookup()
    choose_pjrt_device()
    for name in LIGHTNING_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if type(handler) is logging.StreamHandler and handler.stream in (sys.stderr, sys.__stderr__):
                handler.setStream(sys.stdout)
            if not any(isinstance(existing, DropLightningNoise) for existing in handler.filters):
                handler.addFilter(DropLightningNoise())
    lr_finder.tqdm = FinderProgress  # the finder's tqdm bar: a saved notebook would keep its first frame, "0/100"
    # the two warnings ignored (module docstring); DDP's forked processes inherit the filters, and a second call
    # replaces them rather than adding more
    warnings.filterwarnings(
        "ignore",
        "functools.partial will be a method descriptor in future Python versions",
        FutureWarning,
        r"torch\.distributed\.algorithms\.ddp_comm_hooks\Z",
    )
    warnings.filterwarnings("ignore", r"The '\w+' does not have many workers", PossibleUserWarning)
    if not getattr(warnings.formatwarning, "from_package", False):
        warnings.formatwarning = _from_package(warnings.formatwarning)
