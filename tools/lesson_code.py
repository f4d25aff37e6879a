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


def lesson_function(notebook: Path, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """The function ``name`` as the lesson defines it, bound to ``namespace`` for its globals."""
    cells = nbformat.read(notebook, as_version=4).cells
    sources = [cell.source for cell in cells if cell.cell_type == "code" and cell.source.startswith(f"def {name}(")]
    if len(sources) != 1:
        raise LookupError(f"{notebook.name} has {len(sources)} cells starting with 'def {name}(' (expected 1)")
    definition = sources[0].split("\n\n\n")[0]  # the def alone: what follows it in the cell runs the lesson
    exec(compile(definition, f"{notebook.name}:{name}", "exec"), namespace)
    return namespace[name]
