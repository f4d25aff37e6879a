"""Lesson 8's exercises: epoch metrics averaged over processes (``sync_dist``), and the accumulation that gives an
effective batch."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from torch.nn import functional as F

from helpers.exercises import Verdict, Wrong, expect, verdict

BATCHES = [(5, 0), (6, 1)]  # (seed, batch_idx) of the validation batches the checker feeds


def _batch(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(16, 1, 28, 28, generator=generator), torch.randint(0, 10, (16,), generator=generator)


def _logged_in_validation(model: pl.LightningModule) -> dict[str, list[tuple[float, dict[str, Any]]]]:
    """Every ``self.log`` call of ``model.validation_step`` on two batches: name -> [(value, options), ...]."""
    calls: dict[str, list[tuple[float, dict[str, Any]]]] = {}

    def log(name: str, value: Any, **options: Any) -> None:
        calls.setdefault(name, []).append((float(value), options))

    model.log = log  # log_dict calls self.log too
    model.eval()
    with torch.no_grad():
        for seed, batch_idx in BATCHES:
            model.validation_step(_batch(seed), batch_idx)
    return calls


def check_synced_validation(model_class: type[pl.LightningModule]) -> Verdict:
    """``model_class()`` logs ``val_loss`` (cross-entropy) and ``val_acc`` in ``validation_step``, once per batch,
    each with ``sync_dist=True`` and averaged over the epoch (the default ``reduce_fx="mean"``)."""

    def checks() -> str:
        torch.manual_seed(0)
        model = model_class()
        calls = _logged_in_validation(model)
        for name in ("val_loss", "val_acc"):
            expect(name in calls, f"validation_step logs no {name!r} (it logs: {', '.join(calls) or 'nothing'})")
            expect(len(calls[name]) == len(BATCHES), f"{name} was logged {len(calls[name])} times in 2 batches")
            for _, options in calls[name]:
                expect(options.get("sync_dist") is True, f"{name} is logged without sync_dist=True: each process "
                       "would keep the mean of its own shard")  # fmt: skip
                expect(options.get("on_step") in (None, False), f"{name}: on_step=True logs every batch; "
                       "validation metrics are per epoch")  # fmt: skip
                expect(options.get("reduce_fx", "mean") in ("mean", torch.mean), f"{name}: keep reduce_fx='mean'")
        with torch.no_grad():
            for (seed, _), (loss, _), (acc, _) in zip(BATCHES, calls["val_loss"], calls["val_acc"]):
                images, labels = _batch(seed)
                logits = model(images)
                expect(abs(loss - float(F.cross_entropy(logits, labels))) < 1e-5, "val_loss is not the batch's "
                       "cross-entropy")  # fmt: skip
                right = float((logits.argmax(dim=1) == labels).float().mean())
                expect(abs(acc - right) < 1e-6, f"val_acc {acc:.4f} is not the batch's share of right answers")
        return "val_loss and val_acc are logged per epoch with sync_dist=True"

    return verdict("SyncedValidationCNN", checks)


ACCUMULATION_CASES = [  # (effective_batch, batch_size, devices) -> accumulate_grad_batches, or None: no whole number
    ((256, 32, 2), 4),
    ((64, 32, 2), 1),
    ((128, 16, 1), 8),
    ((96, 32, 1), 3),
    ((96, 32, 2), None),
    ((32, 64, 1), None),
    ((100, 32, 1), None),
]


def check_accumulation(accumulation: Any) -> Verdict:
    """``accumulation(effective_batch, batch_size, devices)`` returns the ``accumulate_grad_batches`` that makes each
    optimizer step see ``effective_batch`` images, and raises ``ValueError`` when no whole number of batches does."""

    def checks() -> str:
        for (effective, batch, devices), expected in ACCUMULATION_CASES:
            case = f"accumulation({effective}, {batch}, {devices})"
            if expected is None:
                try:
                    got = accumulation(effective, batch, devices)
                except ValueError as error:
                    expect(str(error).strip() != "", f"{case} raised ValueError without saying what to change")
                    continue
                raise Wrong(f"{case} returned {got!r}: {devices} x {batch} images per batch never add up to "
                            f"{effective}; raise a ValueError that says so")  # fmt: skip
            got = accumulation(effective, batch, devices)
            expect(type(got) is int, f"{case} returned {got!r}: accumulate_grad_batches is a whole number (an int)")
            expect(got == expected, f"{case} returned {got}, expected {expected}: each step sees "
                   "batch_size x devices x accumulate_grad_batches images")  # fmt: skip
        return (
            f"{len(ACCUMULATION_CASES)} cases right, including the {sum(e is None for _, e in ACCUMULATION_CASES)} "
            "that no whole number fits"
        )

    return verdict("accumulation", checks)
