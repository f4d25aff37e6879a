"""The one call at the end of every lesson's imports cell: check the parameters, set Lightning up, make the run folder.

    run = start_lesson(globals())

Every parameter of the course has its rule here, once (:data:`COURSE_PARAMETERS`): a lesson's parameters cell
names the ones it uses, and ``start_lesson`` checks those it finds.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers.course.lightning_setup import prepare_lightning
from helpers.course.params import check_parameters, fraction_or_count, number, one_of, text, whole
from helpers.course.run_dirs import fresh_run_dir
from helpers.data.fashion_mnist import DATA_SOURCES

COURSE_PARAMETERS = {
    "seed": whole(minimum=0),
    "batch_size": whole(minimum=1, example=64),
    "num_workers": whole(minimum=0),
    "data_source": one_of(*DATA_SOURCES),
    "data_dir": text(),
    "run_dir": text(),
    "n_samples": whole(minimum=1),
    "n_features": whole(minimum=6),
    "bench_repeats": whole(minimum=1),
    "val_split": fraction_or_count(),
    "max_epochs": whole(minimum=1),
    "max_steps": whole(minimum=1),
    "learning_rate": number(above=0),
    "patience": whole(minimum=0),
    "min_delta": number(minimum=0),
    "log_every_n_steps": whole(minimum=1),
    "show_tensorboard": one_of(None, True, False),
    "accelerator": text(),
    "interrupt_at_step": whole(minimum=0),
    "xla_device": one_of("auto", "TPU", "CPU", "off"),
    "processes": whole(minimum=1),
    "find_lr": one_of(True, False),
}


def start_lesson(namespace: Mapping[str, Any]) -> Path | None:
    """Check the lesson's parameters (those of :data:`COURSE_PARAMETERS` in ``namespace``), prepare Lightning if it
    is imported, and return the lesson's emptied run folder (``run_dir``), or None for a lesson without one."""
    check_parameters(namespace, **{name: rule for name, rule in COURSE_PARAMETERS.items() if name in namespace})
    if "pytorch_lightning" in sys.modules:
        prepare_lightning()
    return fresh_run_dir(namespace["run_dir"]) if "run_dir" in namespace else None
