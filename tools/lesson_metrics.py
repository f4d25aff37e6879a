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
METRICS: dict[str, dict[str, str]] = {
    "01_dataset.ipynb": {
        "train_images": "len(train_set)",
        "test_images": "len(test_set)",
        "tabular_rows": "len(train_table)",
    },
    "02_dataloader.ipynb": {
        "batches_per_epoch": "len(loader)",
        "in_memory_at_least_10x_faster": "rates['in-memory'] >= 10 * rates['per-image']",
    },
    "03_datamodule.ipynb": {
        "train_size": "len(dm.train_set)",
        "val_size": "len(dm.val_set)",
        "test_size": "len(dm.test_set)",
    },
    "04_callbacks.ipynb": {
        "plain_loop_equals_lightning": "same",
        "trained_epochs": "trainer.current_epoch",
        "best_val_acc": "round(float(checkpoint.best_model_score), 4)",
    },
    "05_xla_tpu.ipynb": {  # None (left out) where the lesson ran without an XLA device
        "xla": "XLA",
        "lightning_val_loss": "round(float(metrics['val_loss']), 4)",
        "raw_compiles": "raw_metrics['compiles'] if XLA else None",
        "lightning_compiles": "lit_metrics['compiles'] if XLA else None",
        "lightning_host_reads": "lit_metrics['host_reads'] if XLA else None",
        "raw_lightning_weight_difference": "difference if XLA else None",
        "naive_compiles": "naive['compiles'] if XLA else None",
        "fixed_compiles": "fixed['compiles'] if XLA else None",
    },
    "06_loggers.ipynb": {
        "val_acc": "round(float(trainer.callback_metrics['val_acc']), 4)",
        "val_loss": "round(float(trainer.callback_metrics['val_loss']), 4)",
        "wandb_mode": "wandb_mode",
    },
    "07_all_together.ipynb": {
        "epochs": "trainer.current_epoch",
        "interrupted_and_resumed": "interrupted",
        "best_val_acc": "round(float(best_checkpoint.best_model_score), 4)",
        "test_acc": "round(test_metrics['test_acc'], 4)",
        "test_loss": "round(test_metrics['test_loss'], 4)",
    },
    "08_scaling_out.ipynb": {
        "replicas_equal": "replicas_equal",
        "ddp_steps": "reports[0]['steps']",
        "combined_batch_difference": "combined_difference",
        "accumulated_difference": "accumulated_difference",
    },
}


def metrics_cell(notebook: str) -> nbformat.NotebookNode:
    """The cell that displays ``notebook``'s metrics (:data:`METRICS`, those not None) as a JSON bundle."""
    fields = ", ".join(f"{name!r}: {expression}" for name, expression in METRICS[notebook].items())
    found = f"{{k: v for k, v in {{{fields}}}.items() if v is not None}}"
    source = f"__import__('IPython.display').display.display({{{MIMETYPE!r}: {found}}}, raw=True)"
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
