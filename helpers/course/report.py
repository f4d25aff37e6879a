"""A notebook's final metrics, shown to the learner and machine-readable for the headless course run."""

from __future__ import annotations

from typing import Any

from IPython.display import display

METRICS_MIMETYPE = "application/vnd.lightning-course.metrics+json"


def format_metrics(metrics: dict[str, Any]) -> str:
    """``name=value, ...`` with floats to 4 significant digits."""
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items())


def metrics_bundle(metrics: dict[str, Any]) -> dict[str, Any]:
    """The display bundle: readable text plus a JSON copy that ``tools/run_course.py`` collects."""
    return {"text/plain": f"Final metrics: {format_metrics(metrics)}", METRICS_MIMETYPE: metrics}


def show_final_metrics(**metrics: Any) -> None:
    """Display the lesson's headline numbers as the notebook's final metrics."""
    display(metrics_bundle(metrics), raw=True)
