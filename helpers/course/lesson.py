"""The one call at the end of every lesson's imports cell: check the parameters, set Lightning up, make the run folder.

    run = start_lesson(globals(), max_epochs=whole(minimum=1), learning_rate=number(above=0))

The parameters every lesson shares (``seed``, ``batch_size``, ``num_workers``, ``data_source``, ``data_dir``,
``run_dir``) have their rules here, once; a lesson names only its own.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpers.course.lightning_setup import prepare_lightning
from helpers.course.params import Rule, check_parameters, one_of, text, whole
from helpers.course.run_dirs import fresh_run_dir
from helpers.data.fashion_mnist import DATA_SOURCES

SHARED_RULES = {
    "seed": whole(minimum=0),
    "batch_size": whole(minimum=1, example=64),
    "num_workers": whole(minimum=0),
    "data_source": one_of(*DATA_SOURCES),
    "data_dir": text(),
    "run_dir": text(),
}


def start_lesson(namespace: Mapping[str, Any], **rules: Rule) -> Path | None:
    """Check the lesson's parameters (the shared ones it has, and ``rules``), prepare Lightning if it is imported,
    and return the lesson's emptied run folder (``run_dir``), or None for a lesson without one."""
    shared = {name: rule for name, rule in SHARED_RULES.items() if name in namespace}
    check_parameters(namespace, **(shared | rules))
    if "pytorch_lightning" in sys.modules:
        prepare_lightning()
    return fresh_run_dir(namespace["run_dir"]) if "run_dir" in namespace else None
