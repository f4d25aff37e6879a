"""torch_xla's debug metrics as plain numbers: graph compilations, executions and CPU fallbacks.

XLA traces each training step into a graph, compiles it once per distinct graph and replays the
compiled program after that. A loop that keeps compiling (shapes that change, ``.item()`` in the
middle of a step) is slow, so the lessons count compilations around a block of code::

    with xla_metrics_delta() as delta:
        train(...)
    delta["compiles"]
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch_xla.debug.metrics as met

NANOSECONDS = 1e9


def _count_and_seconds(name: str) -> tuple[int, float]:
    """(number of samples, total seconds) of a torch_xla timing metric; zeros before the first one."""
    data = met.metric_data(name)
    if data is None:
        return 0, 0.0
    count, total_ns, _samples = data
    return int(count), total_ns / NANOSECONDS


def fallback_counts() -> dict[str, int]:
    """How often each op ran on the CPU because XLA has no lowering for it (``aten::`` counters).

    ``aten::_local_scalar_dense`` is ``tensor.item()``: it copies a value back to the host.
    """
    return {name: int(met.counter_value(name)) for name in met.executed_fallback_ops()}


def xla_metrics() -> dict[str, float]:
    """Process-wide totals so far: compiles, compile_seconds, executions, execute_seconds, fallbacks."""
    compiles, compile_seconds = _count_and_seconds("CompileTime")
    _, execute_seconds = _count_and_seconds("ExecuteTime")
    return {
        "compiles": compiles,
        "compile_seconds": compile_seconds,
        # the ExecuteComputation counter, not ExecuteTime's sample count: that one can lag just after a sync
        "executions": int(met.counter_value("ExecuteComputation") or 0),
        "execute_seconds": execute_seconds,
        "fallbacks": sum(fallback_counts().values()),
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
