"""Where the course runs, and keeping Lightning's TPU probe off the network.

Whenever ``torch_xla`` is installed, every Lightning ``Trainer`` (even ``accelerator="cpu"``) asks
it how many TPU devices exist. torch_xla counts TPU chips on the PCI bus, then asks a cloud
metadata server for the TPU version *even when it found none*. :func:`avoid_tpu_metadata_lookup`
answers that question from environment variables instead, but only where no TPU chip is attached,
so real TPU detection on a TPU VM (Colab's TPU runtime) is untouched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

GOOGLE_PCI_VENDOR_ID = "0x1ae0"
PCI_DEVICES = Path("/sys/bus/pci/devices")
# Any parseable accelerator type works: with no chip attached torch_xla reports 0 devices.
_NO_TPU_ACCELERATOR_TYPE = "v4-8"


def on_colab() -> bool:
    """True inside a Google Colab kernel."""
    return "google.colab" in sys.modules


def tpu_chips_attached(pci_devices: Path = PCI_DEVICES) -> int:
    """Count Google TPU chips on the PCI bus (no network, the same test torch_xla makes)."""
    if not pci_devices.is_dir():
        return 0
    count = 0
    for vendor in pci_devices.glob("*/vendor"):
        try:
            if vendor.read_text().strip() == GOOGLE_PCI_VENDOR_ID:
                count += 1
        except OSError:
            continue
    return count


def avoid_tpu_metadata_lookup(environ: MutableMapping[str, str] = os.environ, pci_devices: Path = PCI_DEVICES) -> bool:
    """Stop torch_xla's cloud-metadata lookup where no TPU is attached; return True if it set anything.

    Sets ``TPU_SKIP_MDS_QUERY=1`` and a placeholder ``TPU_ACCELERATOR_TYPE`` (both are needed:
    the first alone makes torch_xla crash). Leaves everything alone when a TPU chip is attached
    or when the caller already chose ``TPU_SKIP_MDS_QUERY`` themselves.
    """
    if tpu_chips_attached(pci_devices) or "TPU_SKIP_MDS_QUERY" in environ:
        return False
    environ["TPU_SKIP_MDS_QUERY"] = "1"
    environ.setdefault("TPU_ACCELERATOR_TYPE", _NO_TPU_ACCELERATOR_TYPE)
    return True
