"""Run a function a lesson writes, outside the notebook: benchmarks and the cross-CPU check time and test the
lesson's own code, not a copy of it.

The cell that defines the function (``def name(`` at its first line) is executed in a namespace the
caller fills with what the cell uses from the lesson's earlier cells (imports, parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from tools.paths import NOTEBOOKS


def lesson_function(notebook: Path, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """The function ``name`` as the lesson defines it, bound to ``namespace`` for its globals."""
    cells = nbformat.read(notebook, as_version=4).cells
    sources = [cell.source for cell in cells if cell.cell_type == "code" and cell.source.startswith(f"def {name}(")]
    if len(sources) != 1:
        raise LookupError(f"{notebook.name} has {len(sources)} cells starting with 'def {name}(' (expected 1)")
    definition = sources[0].split("\n\n\n")[0]  # the def alone: what follows it in the cell runs the lesson
    exec(compile(definition, f"{notebook.name}:{name}", "exec"), namespace)
    return namespace[name]


def lesson5_train_raw(learning_rate: float = 0.05, momentum: float = 0.9) -> Callable[..., list[float]]:
    """Lesson 5's ``train_raw(model, loader, steps)``, with the lesson's imports and its default parameters."""
    import torch
    import torch_xla
    import torch_xla.core.xla_model as xm
    from torch.nn import functional as F
    from torch_xla.distributed.parallel_loader import MpDeviceLoader

    namespace = {"torch": torch, "torch_xla": torch_xla, "xm": xm, "F": F, "MpDeviceLoader": MpDeviceLoader,
                 "learning_rate": learning_rate, "MOMENTUM": momentum}  # fmt: skip
    return lesson_function(NOTEBOOKS / "05_xla_tpu.ipynb", "train_raw", namespace)


def lesson5_loader(data: Dataset, batch_size: int) -> DataLoader:
    """Lesson 5's train loader of a single process: a seeded ``DistributedSampler``, every batch full."""
    sampler = DistributedSampler(data, num_replicas=1, rank=0, shuffle=True, seed=0, drop_last=True)
    return DataLoader(data, batch_size=batch_size, sampler=sampler, drop_last=True)
