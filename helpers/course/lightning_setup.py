"""What every lesson does before its first ``Trainer``: no network for the TPU probe, Lightning's notes on stdout.

- Whenever torch_xla is installed, every Lightning ``Trainer`` (even ``accelerator="cpu"``) asks it how
  many TPUs exist, and torch_xla asks a cloud metadata server even where no TPU is attached;
  :func:`helpers.course.runtime.avoid_tpu_metadata_lookup` answers from the PCI bus instead.
- Lightning writes its info lines ("GPU available: ...", the model summary, "Seed set to 0") through Python
  logging to stderr, which notebook front ends colour as an error; they go to stdout instead. Warnings
  (``warnings.warn``) stay on stderr.
- Two kinds of Lightning info lines are dropped, and nothing else: the "💡 Tip" lines advertising its paid
  integrations (litlogger, litmodels), and the note that a ``ModelSummary`` passed in ``callbacks`` replaces the
  default one (the lessons pass one on purpose, so the summary looks the same with or without ``rich``).
"""

from __future__ import annotations

import logging
import sys

from helpers.course.runtime import avoid_tpu_metadata_lookup

LIGHTNING_LOGGERS = ("pytorch_lightning", "lightning_fabric")
DROPPED = ("💡 Tip", "Trainer already configured with model summary callbacks")


class DropLightningNoise(logging.Filter):
    """Drops Lightning's integration tips and its note about a ``ModelSummary`` passed in; keeps the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DROPPED)


def prepare_lightning() -> None:
    """Keep torch_xla's TPU probe off the network where no TPU is attached; send Lightning's info lines to stdout
    without its noise. Call it after ``import pytorch_lightning``; calling it again changes nothing."""
    avoid_tpu_metadata_lookup()
    for name in LIGHTNING_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if type(handler) is logging.StreamHandler and handler.stream in (sys.stderr, sys.__stderr__):
                handler.setStream(sys.stdout)
            if not any(isinstance(existing, DropLightningNoise) for existing in handler.filters):
                handler.addFilter(DropLightningNoise())
