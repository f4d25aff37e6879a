"""Run what a lesson writes, outside the notebook: tests check it against the packaged copy in ``helpers``, and
benchmarks and the cross-CPU check time and test the lesson's own code, not a copy of it.

:func:`lesson_code` runs a lesson's parameters cell, the import lines of its imports cell and the cells that
define the names asked for (a cell whose first line is ``class Name(`` or ``def name(``; only the definition, not
what the cell runs after it), and returns the namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from tools.paths import NOTEBOOKS


def lesson_code(notebook: str | Path, *names: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """A namespace holding ``notebook``'s parameters, its imports and its definitions of ``names``, in order.

    ``namespace`` is filled first (what a definition needs from cells that are not run: an import made in a
    later cell, a parameter set differently); the parameters cell does not overwrite what it holds.
    """
    path = NOTEBOOKS / notebook if isinstance(notebook, str) else notebook
    code = [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    parameters, imports = code[1], code[2]
    namespace = dict(namespace or {})
    given = dict(namespace)
    exec(compile(parameters, f"{path.name}:parameters", "exec"), namespace)
    namespace.update(given)
    import_lines = [line for line in imports.splitlines() if line.startswith(("import ", "from "))]
    exec(compile("\n".join(import_lines), f"{path.name}:imports", "exec"), namespace)
    for name in names:
        sources = [source for source in code if source.startswith((f"class {name}(", f"def {name}("))]
        if len(sources) != 1:
            raise LookupError(
                f"{path.name} has {len(sources)} cells starting with the definition of {name} (expected 1)"
            )
        definition = sources[0].split("\n\n\n")[0]  # the definition alone: what follows it in the cell runs the lesson
        exec(compile(definition, f"{path.name}:{name}", "exec"), namespace)
    return namespace


def lesson5_train_raw(learning_rate: float = 0.05) -> Callable[..., list[float]]:
    """Lesson 5's ``train_raw(model, loader, steps)``, with the lesson's imports (torch_xla's among them)."""
    import torch_xla
    import torch_xla.core.xla_model as xm
    from torch_xla.distributed.parallel_loader import MpDeviceLoader

    namespace = {"torch_xla": torch_xla, "xm": xm, "MpDeviceLoader": MpDeviceLoader, "learning_rate": learning_rate}
    return lesson_code("05_xla_tpu.ipynb", "train_raw", namespace=namespace)["train_raw"]


def lesson5_loader(data: Dataset, batch_size: int) -> DataLoader:
    """Lesson 5's train loader of a single process: a seeded ``DistributedSampler``, every batch full."""
    sampler = DistributedSampler(data, num_replicas=1, rank=0, shuffle=True, seed=0, drop_last=True)
    return DataLoader(data, batch_size=batch_size, sampler=sampler, drop_last=True)
