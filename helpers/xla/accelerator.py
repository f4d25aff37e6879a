"""Lightning on the XLA device: a real TPU, or torch_xla's CPU device where there is none (CI).

On a TPU, ``Trainer(accelerator="tpu", devices=1)`` is all it takes. On the CPU XLA device
(``PJRT_DEVICE=CPU``) Lightning's ``XLAAccelerator`` refuses, because it counts TPU *chips*.
:class:`CPUXLAAccelerator` counts torch_xla's CPU devices instead and is passed to one Trainer as an
instance: nothing global is patched, so other Trainers in the process are untouched, and it refuses
to run where a TPU is the configured device. :func:`xla_trainer_kwargs` picks the right one::

    trainer = Trainer(**xla_trainer_kwargs(), max_epochs=1)
"""

from __future__ import annotations

import torch
from pytorch_lightning.accelerators import XLAAccelerator
from typing_extensions import override

from helpers.xla.device import require_xla, xla_status

# Measured with torch_xla 2.9 and CPU_NUM_DEVICES=2: xmp.spawn runs one thread per CPU device in one
# process; each thread compiles its own graph, their all-reduces get different op_ids, so neither
# rendezvous completes: XLA logs "may be stuck" after 5 s and aborts the process 10 s later.
_NO_MULTI_DEVICE_ON_CPU = (
    "Lightning on the CPU XLA device takes devices=1. For more, Lightning's XLAStrategy calls "
    "xmp.spawn, which needs torch_xla's runtime not yet started in the notebook process, and on the "
    "CPU device the threads it starts stall in their first all-reduce until XLA aborts the process. "
    "Several XLA devices work on a TPU: Trainer(accelerator='tpu', devices=N)."
)


class CPUXLAAccelerator(XLAAccelerator):
    """Lightning's XLA accelerator, counting torch_xla's CPU devices instead of TPU chips.

    Lightning then trains exactly as on one TPU core (``SingleDeviceXLAStrategy`` on ``xla:0``).
    Only for ``PJRT_DEVICE=CPU``: on a TPU use ``accelerator="tpu"``.
    """

    @staticmethod
    @override
    def is_available() -> bool:
        status = xla_status()
        return status.available and status.kind == "CPU"

    @staticmethod
    @override
    def auto_device_count() -> int:
        status = xla_status()
        return status.devices if status.kind == "CPU" else 0

    @staticmethod
    @override
    def parse_devices(devices: int | str | list[int]) -> int:
        """Accept ``devices=1`` (int or digits); a clear ValueError for anything else."""
        if isinstance(devices, str) and devices.strip().isdigit():
            devices = int(devices)
        if not isinstance(devices, int):
            raise ValueError(f"CPUXLAAccelerator takes a number of devices, got {devices!r}")
        require_xla(devices)
        if devices > 1:
            raise ValueError(_NO_MULTI_DEVICE_ON_CPU)
        return devices

    @staticmethod
    @override
    def get_parallel_devices(devices: int | str | list[int]) -> list[torch.device]:
        count = CPUXLAAccelerator.parse_devices(devices)
        return [torch.device("xla", index) for index in range(count)]


def xla_trainer_kwargs(devices: int = 1) -> dict[str, object]:
    """``accelerator`` and ``devices`` for a ``Trainer`` on the XLA device: 'tpu' on a TPU, else the CPU one.

    Raises RuntimeError (no usable XLA device, with what to do) or ValueError (too many ``devices``).
    """
    if require_xla(devices).kind == "TPU":
        return {"accelerator": "tpu", "devices": devices}
    return {"accelerator": CPUXLAAccelerator(), "devices": CPUXLAAccelerator.parse_devices(devices)}
