"""torch_xla's debug metrics as plain numbers, and where in a Lightning fit graphs are compiled.

XLA traces each training step into a graph, compiles it once per distinct graph and replays the
compiled program after that. A loop that keeps compiling (shapes that change, ``.item()`` in the
middle of a step) is slow, and every value read back to the host (``.item()``, ``print``, ``if`` on a
tensor) makes the host wait for the device. The lessons count both around a block of code::

    with xla_metrics_delta() as delta:
        train(...)
    delta["compiles"], delta["host_reads"]

:class:`GraphTimeline` is a callback that records, step by step, where a Lightning fit compiled graphs
and read values back.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytorch_lightning as pl

NANOSECONDS = 1e9
HOST_READ = "aten::_local_scalar_dense"  # the op behind .item(), float(), bool() on a device tensor


def _met() -> ModuleType:
    """``torch_xla.debug.metrics``, imported on first use: this module imports where torch_xla is missing."""
    return importlib.import_module("torch_xla.debug.metrics")


def _count_and_seconds(name: str) -> tuple[int, float]:
    """(number of samples, total seconds) of a torch_xla timing metric; zeros before the first one."""
    data = _met().metric_data(name)
    if data is None:
        return 0, 0.0
    count, total_ns, _samples = data
    return int(count), total_ns / NANOSECONDS


def fallback_counts() -> dict[str, int]:
    """How often each op ran on the CPU because XLA has no lowering for it (``aten::`` counters).

    ``aten::_local_scalar_dense`` is ``tensor.item()``: it copies a value back to the host.
    """
    met = _met()
    return {name: int(met.counter_value(name)) for name in met.executed_fallback_ops()}


def xla_metrics() -> dict[str, float]:
    """Process-wide totals so far: compiles, compile_seconds, executions, execute_seconds, fallbacks, host_reads.

    ``host_reads`` counts ``aten::_local_scalar_dense``: a tensor value copied to the host (``.item()``,
    ``float()``, ``bool()``, ...); it is one of the ``fallbacks``.
    """
    compiles, compile_seconds = _count_and_seconds("CompileTime")
    _, execute_seconds = _count_and_seconds("ExecuteTime")
    fallbacks = fallback_counts()
    return {
        "compiles": compiles,
        "compile_seconds": compile_seconds,
        # the ExecuteComputation counter, not ExecuteTime's sample count: that one can lag just after a sync
        "executions": int(_met().counter_value("ExecuteComputation") or 0),
        "execute_seconds": execute_seconds,
        "fallbacks": sum(fallbacks.values()),
        "host_reads": fallbacks.get(HOST_READ, 0),
    }


@contextmanager
def xla_metrics_delta() -> Iterator[dict[str, float]]:
    """Yield a dict that holds, once the block ends, how much each :func:`xla_metrics` value grew in it.

    Counts only: nothing is reset, so other code reading the metrics is not disturbed.
    """
    before = xla_metrics()
    delta: dict[str, float] = {}
    try:
        yield delta
    finally:
        after = xla_metrics()
        delta.update({name: after[name] - before[name] for name in after})


class GraphTimeline(pl.Callback):
    """Records where a Lightning fit compiles XLA graphs and reads values to the host, step by step.

    ``rows`` holds ``(where, step, graphs compiled, host reads)`` for every stretch of the fit in which
    either happened: before training (loader checks, sanity-check validation), each training step,
    each validation. Call :meth:`finish` after ``fit`` to add what the end of the fit did.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, int]] = []
        self._last = xla_metrics()

    def _mark(self, where: str, step: int) -> None:
        now = xla_metrics()
        graphs, reads = now["compiles"] - self._last["compiles"], now["host_reads"] - self._last["host_reads"]
        self._last = now
        if graphs or reads:
            self.rows.append((where, step, int(graphs), int(reads)))

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._mark("start: loader checks, sanity check", trainer.global_step)

    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, *args: Any) -> None:
        self._mark("training step", trainer.global_step)

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not trainer.sanity_checking:
            self._mark("training step", trainer.global_step)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not trainer.sanity_checking:
            self._mark("validation", trainer.global_step)

    def finish(self, step: int) -> None:
        """Record what happened since the last hook: the end of the fit (results moved to the CPU)."""
        self._mark("end of fit", step)

    def table(self) -> str:
        """The rows as a text table."""
        lines = [f"{'where':<36}{'step':>6}{'graphs':>8}{'host reads':>12}"]
        lines += [f"{where:<36}{step:>6}{graphs:>8}{reads:>12}" for where, step, graphs, reads in self.rows]
        return "\n".join(lines)
