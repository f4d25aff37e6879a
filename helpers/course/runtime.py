"""Where the course runs, and keeping Lightning's TPU probe off the network.

Whenever ``torch_xla`` is installed, every Lightning ``Trainer`` (even ``accelerator="cpu"``) asks
it how many TPU devices exist. torch_xla counts TPU chips on the PCI bus, then asks a cloud
metadata server for the TPU version *even when it found none*. :func:`avoid_tpu_metadata_lookup`
answers that question from environment variables instead, but only where no TPU chip is attached,
so real TPU detection on a TPU VM (Colab's TPU runtime) is untouched. Chips are recognised exactly
as torch_xla 2.9 recognises them (Google's PCI vendor id and a TPU device id): a chip torch_xla
would not count is not a TPU to Lightning either.

torch_xla also picks its device when ``PJRT_DEVICE`` is unset and says so as a logged warning
("Defaulting to PJRT_DEVICE=CPU", or "libtpu.so and TPU device found. Setting PJRT_DEVICE=TPU.") in
whichever cell first makes a ``Trainer``; :func:`choose_pjrt_device` makes the same choice beforehand, quietly.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

GOOGLE_PCI_VENDOR_ID = "0x1ae0"
# torch_xla 2.9's list (torch_xla/_internal/tpu.py): v2/v3, v4, v5e, v6e, two test ids, 7x.
TPU_PCI_DEVICE_IDS = frozenset({"0x0027", "0x005e", "0x0063", "0x006f", "0x0056", "0x0062", "0x0076"})
PCI_DEVICES = Path("/sys/bus/pci/devices")
# Any parseable accelerator type works: with no chip attached torch_xla reports 0 devices.
_NO_TPU_ACCELERATOR_TYPE = "v4-8"


def on_colab() -> bool:
    """True inside a Google Colab kernel."""
    return "google.colab" in sys.modules


def tpu_chips_attached(pci_devices: Path = PCI_DEVICES) -> int:
    """Count TPU chips on the PCI bus (no network; the test torch_xla makes, so other Google devices don't count)."""
    if not pci_devices.is_dir():
        return 0
    count = 0
    for vendor in pci_devices.glob("*/vendor"):
        try:
            is_google = vendor.read_text().strip() == GOOGLE_PCI_VENDOR_ID
            if is_google and (vendor.parent / "device").read_text().strip() in TPU_PCI_DEVICE_IDS:
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


def choose_pjrt_device(
    environ: MutableMapping[str, str] = os.environ, pci_devices: Path = PCI_DEVICES, xla_installed: bool | None = None
) -> str | None:
    """Where torch_xla is installed and ``PJRT_DEVICE`` is unset, set it as torch_xla would (``TPU`` where a chip is
    attached, else ``CPU``), without its logged warning; return what it set, or None."""
    if xla_installed is None:
        xla_installed = importlib.util.find_spec("torch_xla") is not None
    if not xla_installed or "PJRT_DEVICE" in environ:
        return None
    environ["PJRT_DEVICE"] = "TPU" if tpu_chips_attached(pci_devices) else "CPU"
    return environ["PJRT_DEVICE"]
