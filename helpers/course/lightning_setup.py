"""What every training lesson does before its first ``Trainer``: no network for the TPU probe, no adverts.

- Whenever torch_xla is installed, every Lightning ``Trainer`` (even ``accelerator="cpu"``) asks it how
  many TPUs exist, and torch_xla asks a cloud metadata server even where no TPU is attached;
  :func:`helpers.course.runtime.avoid_tpu_metadata_lookup` answers from the PCI bus instead.
- Lightning 2.6 logs "💡 Tip" lines advertising its paid integrations (litlogger, litmodels) at every
  ``Trainer``; they are filtered out of its log, and nothing else is.
"""

from __future__ import annotations

import logging

from helpers.course.runtime import avoid_tpu_metadata_lookup

LIGHTNING_LOG = "pytorch_lightning.utilities.rank_zero"  # where rank_zero_info messages go


class HideIntegrationTips(logging.Filter):
    """Drops Lightning's "💡 Tip: ..." log records and keeps every other one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("💡 Tip")


def prepare_lightning() -> None:
    """Keep torch_xla's TPU probe off the network where no TPU is attached, and hide Lightning's integration tips."""
    avoid_tpu_metadata_lookup()
    log = logging.getLogger(LIGHTNING_LOG)
    if not any(isinstance(existing, HideIntegrationTips) for existing in log.filters):
        log.addFilter(HideIntegrationTips())
