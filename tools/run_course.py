"""Run the whole course headless: papermill executes every lesson into build/course/ and a summary is printed.

``python -m tools.run_course [--data-source auto|real|standin] [--output DIR]``. Lessons run in the course
environment (``tools.course_env``), in parallel, one per core. ``auto`` (the lessons' default) reads the
real files when they are in ``notebooks/data`` and the offline stand-in otherwise; ``real`` downloads them.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
import papermill

from helpers.data.fashion_mnist import DATA_SOURCES
from tools.course_env import IPCKernelManager, apply_course_env, course_pool, missing_here
from tools.lesson_metrics import final_metrics, format_metrics, metrics_cell
from tools.paths import NOTEBOOKS, ROOT, notebook_paths


def execute_lesson(
    path: Path, out: Path, parameters: dict, kernel_name: str = "python3", appended: Sequence[str] = ()
) -> nbformat.NotebookNode:
    """Run one lesson with papermill as the course runs it (from notebooks/, python3 kernel), with ``appended`` code
    cells and its metrics cell appended (:mod:`tools.lesson_metrics`); return the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in appended]
    nb.cells.append(metrics_cell(path.name))
    papermill.execute_notebook(
        nb,
        out,
        parameters=parameters,
        cwd=NOTEBOOKS,
        kernel_name=kernel_name,
        kernel_manager_class=IPCKernelManager,
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def run_lesson(path: Path, output_dir: Path, parameters: dict, kernel_name: str = "python3") -> dict:
    """Execute one lesson with papermill; return a summary row (never raises for a failing lesson)."""
    start = time.perf_counter()
    row = {"notebook": path.name, "status": "ok", "metrics": {}, "error": ""}
    try:
        row["metrics"] = final_metrics(execute_lesson(path, output_dir / path.name, parameters, kernel_name))
    except Exception as err:  # papermill raises PapermillExecutionError naming the failing cell
        row["status"], row["error"] = "FAILED", f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[-1]}"
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def format_summary(rows: list[dict]) -> str:
    """The summary table printed at the end of the course run."""
    lines = [f"{'notebook':<28}{'seconds':>9}  {'status':<10}final metrics", "-" * 78]
    for row in rows:
        metrics = format_metrics(row["metrics"])
        lines.append(f"{row['notebook']:<28}{row['seconds']:>9.1f}  {row['status']:<10}{metrics or '-'}")
    lines += [f"{row['notebook']}: {row['error']}" for row in rows if row["error"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-source", choices=DATA_SOURCES, default=None)
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "course")
    args = parser.parse_args()
    apply_course_env()
    if missing := missing_here():
        print(missing, flush=True)
    parameters = {} if args.data_source is None else {"data_source": args.data_source}
    args.output.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    paths = notebook_paths()
    print(f"running {len(paths)} lessons ...", flush=True)
    with course_pool() as pool:
        rows = list(pool.map(run_lesson, paths, [args.output] * len(paths), [parameters] * len(paths)))
    (args.output / "summary.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(format_summary(rows))
    print(f"{time.perf_counter() - start:.0f} s in all; executed notebooks and summary.json are in {args.output}")
    return 0 if all(row["status"] == "ok" for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
