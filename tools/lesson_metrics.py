"""Each lesson's headline numbers, read from the lesson's own variables once it has run: what ``make course``
summarises and the papermill tests check. Nothing in the lessons prints them for the tools' sake.

:func:`metrics_cell` is a code cell the tools append to a copy of a lesson before running it headless; it
displays the numbers under :data:`MIMETYPE`, which notebook front ends do not show, and :func:`final_metrics`
reads them back from the executed copy. The committed lessons never hold that cell.
"""

from __future__ import annotations

from typing import Any

import nbformat

MIMETYPE = "application/vnd.lightning-course.metrics+json"
# lesson -> {metric: a Python expression over the lesson's variables, giving a JSON value}
METRICS: dict[str, dict[str, str]] = {}


def metrics_cell(notebook: str) -> nbformat.NotebookNode:
    """The cell that displays ``notebook``'s metrics (:data:`METRICS`) as a JSON bundle."""
    fields = ", ".join(f"{name!r}: {expression}" for name, expression in METRICS[notebook].items())
    source = f"__import__('IPython.display').display.display({{{MIMETYPE!r}: {{{fields}}}}}, raw=True)"
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["lesson-metrics"]})


def final_metrics(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The metrics an executed lesson's :func:`metrics_cell` displayed (empty if it has none)."""
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found.update(output.get("data", {}).get(MIMETYPE, {}))
    return found


def format_metrics(metrics: dict[str, Any]) -> str:
    """``name=value, ...`` with floats to 4 significant digits."""
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())
