"""Images per second of several loaders, measured alternately in one run (lesson 2 and ``bench/data_loading.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import torch


def images_per_second(loader: Iterable[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Iterate over the whole loader once and return images delivered per second."""
    start, n = time.perf_counter(), 0
    for images, _ in loader:
        n += len(images)
    return n / (time.perf_counter() - start)


def compare_throughput(loaders: Mapping[str, Iterable], repeats: int = 3) -> dict[str, float]:
    """Best images/s of each loader over ``repeats`` alternating epochs.

    Runs with one intra-op thread, as DataLoader worker processes do: batch-sized tensor ops gain
    nothing from more threads, and on a busy machine thread hand-offs would dominate the timing.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    best = dict.fromkeys(loaders, 0.0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(repeats):
            for name, loader in loaders.items():
                best[name] = max(best[name], images_per_second(loader))
    finally:
        torch.set_num_threads(threads)
    return best


def throughput_table(rates: Mapping[str, float]) -> str:
    """One line per loader, ``name: N img/s``, then each one's speed relative to the first, ``N×``."""
    baseline = next(iter(rates.values()))
    lines = [f"{name}: {rate:,.0f} img/s" for name, rate in rates.items()]
    lines += [f"{name} / {next(iter(rates))}: {rate / baseline:.1f}×" for name, rate in list(rates.items())[1:]]
    return "\n".join(lines)
