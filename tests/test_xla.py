"""Lesson 5 plumbing: XLA device checks, compile and host-read counting, and Lightning on ``xla:0``.

Runs on torch_xla's CPU device (``PJRT_DEVICE=CPU``, set by conftest). Each test uses its own batch
size: torch_xla caches compiled graphs for the whole process, so a shape seen by an earlier test
would compile nothing here.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from helpers.xla.device import TORCH_XLA_MISSING, XLAStatus, require_xla, xla_status

pytest.importorskip("torch_xla", reason=TORCH_XLA_MISSING)

_STATUS = xla_status()
if not _STATUS.available:
    pytest.skip(f"no usable XLA device: {_STATUS.reason}", allow_module_level=True)

import pytorch_lightning as pl  # noqa: E402
import torch_xla  # noqa: E402
from pytorch_lightning.accelerators import CPUAccelerator, XLAAccelerator  # noqa: E402
from pytorch_lightning.strategies import SingleDeviceStrategy, SingleDeviceXLAStrategy  # noqa: E402
from pytorch_lightning.utilities.exceptions import MisconfigurationException  # noqa: E402

from helpers.course.trainers import quiet_trainer  # noqa: E402
from helpers.xla import accelerator as xla_lightning  # noqa: E402
from helpers.xla import device as xla_device  # noqa: E402
from helpers.xla.accelerator import CPUXLAAccelerator, xla_trainer_kwargs  # noqa: E402
from helpers.xla.metrics import GraphTimeline, fallback_counts, xla_metrics, xla_metrics_delta  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Lightning 2.6 still calls xm.xla_device / xm.mark_step, deprecated in torch_xla 2.8: not ours to fix.
pytestmark = pytest.mark.filterwarnings(r"ignore:Use torch_xla\.(device|sync) instead:DeprecationWarning")


def stripes(n: int = 240, seed: int = 0) -> TensorDataset:
    """28x28 noise images whose label is which horizontal stripe is bright: learnable in a few steps."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = torch.randn(n, 1, 28, 28, generator=generator) * 0.3
    images[torch.arange(n), 0, labels * 2 + 4, :] += 2.0
    return TensorDataset(images, labels)


def tiny_cnn(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.Linear(4 * 7 * 7, 10)
    )


def cpu_loss(model: nn.Module, dataset: TensorDataset) -> float:
    """Mean cross-entropy of ``model`` over ``dataset``, computed on the CPU."""
    images, labels = dataset.tensors
    with torch.no_grad():
        return F.cross_entropy(model.cpu()(images), labels).item()


class LitTiny(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.net = tiny_cnn()

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        images, labels = batch
        return F.cross_entropy(self(images), labels)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.05)


# ---------------------------------------------------------------- device checks


def test_status_reports_the_cpu_xla_device() -> None:
    assert _STATUS.available and _STATUS.kind == "CPU" and _STATUS.devices >= 1, _STATUS


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("TPU", "no TPU chip is attached"),
        ("FOO", "'FOO' is not a device"),
        ("cpu", "'cpu' is not a device"),
        ("", "'' is not a device"),
    ],
)
def test_bad_pjrt_device_says_what_to_do(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.setenv("PJRT_DEVICE", value)
    status = xla_status()
    assert not status.available and message in status.reason and "PJRT_DEVICE=CPU" in status.reason
    with pytest.raises(RuntimeError, match="No usable XLA device"):
        require_xla()


@pytest.fixture
def uncached_status() -> Iterator[None]:
    """xla_status() answers once per PJRT_DEVICE value; a test that changes what it sees needs a fresh answer."""
    xla_device._status.cache_clear()
    yield
    xla_device._status.cache_clear()


def test_missing_torch_xla_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch, uncached_status: None) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    status = xla_status()
    assert not status.available and "pip install torch-xla" in status.reason


def run_python(script: str, *args: object, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter (torch_xla not started) from the repository root.

    From a file, so that processes it spawns can import its functions.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "script.py")
        path.write_text(textwrap.dedent(script))
        return subprocess.run(
            [sys.executable, str(path), *map(str, args)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def test_bad_pjrt_device_in_a_fresh_process_leaves_the_runtime_usable() -> None:
    """Bad values must be caught before torch_xla's runtime starts: a runtime started wrong stays broken."""
    done = run_python(
        """
        import os
        from helpers.xla.device import xla_status
        for value in ("FOO", "TPU", "CPU"):
            os.environ["PJRT_DEVICE"] = value
            status = xla_status()
            print(value, status.available, status.kind, status.devices)
        """,
        PJRT_DEVICE="FOO",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["FOO False FOO 0", "TPU False TPU 0", "CPU True CPU 1"]


@pytest.mark.parametrize("devices", [0, 2, 64, True])
def test_too_many_or_invalid_devices_is_a_clear_value_error(devices: int) -> None:
    with pytest.raises(ValueError, match="devices"):
        xla_trainer_kwargs(devices=devices)


def test_lightning_refuses_too_many_cpu_xla_devices() -> None:
    with pytest.raises(ValueError, match="only 1 CPU XLA device"):
        quiet_trainer(accelerator=CPUXLAAccelerator(), devices=2)


# ---------------------------------------------------------------- metrics and raw loops


def test_metrics_delta_counts_a_compile_a_fallback_and_a_host_read() -> None:
    with xla_metrics_delta() as delta:
        values = torch.arange(11.0, device=torch_xla.device()) * 3
        assert values.median().item() == 15.0  # median has no XLA lowering here: a CPU fallback
    assert delta["compiles"] >= 1 and delta["executions"] >= 1 and delta["fallbacks"] >= 1
    assert delta["host_reads"] == 1  # the .item()
    assert "aten::_local_scalar_dense" in fallback_counts()
    assert set(delta) == set(xla_metrics())


def test_graph_timeline_names_where_a_fit_compiles(xla_fit: tuple[pl.Trainer, float, float]) -> None:
    trainer, _, _ = xla_fit
    timeline = next(callback for callback in trainer.callbacks if isinstance(callback, GraphTimeline))
    where = [row[0] for row in timeline.rows]
    assert where[0] == "start: loader checks, sanity check" and "training step" in where
    assert all(graphs >= 0 and reads >= 0 for _, _, graphs, reads in timeline.rows)
    assert "training step" in timeline.table().splitlines()[2]


COURSE_FIT = """
    import sys
    from tools.course_env import apply_course_env
    apply_course_env()
    import pytorch_lightning as pl, torch_xla
    from torch.utils.data import DataLoader
    from helpers.course.trainers import quiet_trainer
    from helpers.data.in_memory import standin_tensors
    from helpers.model import FashionCNN
    from helpers.xla.accelerator import xla_trainer_kwargs
    from helpers.xla.metrics import xla_metrics_delta

    steps = int(sys.argv[1])
    train, val = standin_tensors(64 * 12, 0), standin_tensors(64 * 2 + 10, 1)  # 12 steps an epoch
    pl.seed_everything(0, verbose=False)
    model = FashionCNN(learning_rate=0.05, optimizer="sgd")
    trainer = quiet_trainer(**xla_trainer_kwargs(), max_steps=steps)
    with xla_metrics_delta() as delta:
        trainer.fit(model, DataLoader(train, 64, shuffle=True, drop_last=True), DataLoader(val, 64))
        torch_xla.sync(wait=True)
    print(delta["compiles"], delta["host_reads"], delta["executions"])
"""


def test_the_course_model_on_xla_compiles_a_fixed_number_of_graphs_and_reads_nothing_per_step() -> None:
    """Lesson 5's claim, pinned: in fresh processes, 3 epochs cost what 1 does (counts, not times)."""
    counts = {}
    for steps in (18, 42):  # 1.5 and 3.5 epochs: each crosses an epoch boundary and ends mid-epoch
        done = run_python(COURSE_FIT, steps)
        assert done.returncode == 0, done.stderr
        compiles, host_reads, executions = map(int, done.stdout.split())
        counts[steps] = (compiles, host_reads, executions - steps)
    assert counts[18][:2] == counts[42][:2] == (6, 6)  # graphs and host reads, per fit
    assert counts[18][2] <= counts[42][2] <= counts[18][2] + 4  # executions: one per step, plus a few per epoch


# ---------------------------------------------------------------- Lightning on the XLA device


@pytest.fixture(scope="module")
def xla_fit() -> Iterator[tuple[pl.Trainer, float, float]]:
    """One Lightning run on xla:0: (trainer, loss before, loss after)."""
    data = stripes()
    model = LitTiny()
    before = cpu_loss(model, data)
    trainer = quiet_trainer(**xla_trainer_kwargs(), max_steps=30, callbacks=[GraphTimeline()])
    trainer.fit(model, DataLoader(data, 16, shuffle=True, drop_last=True))
    yield trainer, before, cpu_loss(model, data)


def test_lightning_trains_on_the_xla_device(xla_fit: tuple[pl.Trainer, float, float]) -> None:
    trainer, before, after = xla_fit
    assert isinstance(trainer.accelerator, CPUXLAAccelerator)
    assert isinstance(trainer.strategy, SingleDeviceXLAStrategy)
    assert str(trainer.strategy.root_device) == "xla:0"
    assert trainer.global_step == 30
    assert after < before / 2


def test_cpu_xla_accelerator_leaves_later_cpu_trainers_unchanged(
    xla_fit: tuple[pl.Trainer, float, float], caplog: pytest.LogCaptureFixture
) -> None:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.INFO):
        warnings.simplefilter("always")
        trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_checkpointing=False)
    assert type(trainer.accelerator) is CPUAccelerator
    assert type(trainer.strategy) is SingleDeviceStrategy and trainer.strategy.root_device.type == "cpu"
    assert "TPU available: False, using: 0 TPU cores" in caplog.text
    assert not [w for w in caught if "TPU" in str(w.message)]
    assert not XLAAccelerator.is_available() and XLAAccelerator.auto_device_count() == 0
    with pytest.raises(MisconfigurationException, match="XLAAccelerator` can not run"):
        quiet_trainer(accelerator="tpu")


# ---------------------------------------------------------------- several CPU XLA devices (measured facts)


def test_lightning_refuses_several_cpu_xla_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    two_devices = XLAStatus(True, "pretend CPU_NUM_DEVICES=2", "CPU", 2)
    monkeypatch.setattr(xla_lightning, "require_xla", lambda devices=1: two_devices)
    with pytest.raises(ValueError, match="takes devices=1"):
        xla_trainer_kwargs(devices=2)


def test_spmd_shards_a_batch_over_two_cpu_devices_and_matches_one_device() -> None:
    """What does work on two CPU devices: SPMD (one process, the batch sharded, gradients reduced by XLA)."""
    done = run_python(
        """
        import numpy as np, torch, torch_xla, torch_xla.runtime as xr, torch_xla.distributed.spmd as xs
        import torch.nn.functional as F
        from torch import nn

        xr.use_spmd()
        mesh = xs.Mesh(np.arange(xr.global_runtime_device_count()), (2,), ("data",))
        generator = torch.Generator().manual_seed(0)
        images, labels = torch.randn(32, 784, generator=generator), torch.randint(0, 10, (32,), generator=generator)
        for device in (torch_xla.device(), torch.device("cpu")):
            torch.manual_seed(0)
            model = nn.Linear(784, 10).to(device)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for _ in range(3):
                x, y = images.to(device), labels.to(device)
                if device.type == "xla":
                    xs.mark_sharding(x, mesh, ("data", None))
                    xs.mark_sharding(y, mesh, ("data",))
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                torch_xla.sync()
            print(device.type, round(loss.item(), 5))
        """,
        CPU_NUM_DEVICES="2",
    )
    assert done.returncode == 0, done.stderr
    xla_line, cpu_line = done.stdout.split("\n")[:2]
    assert xla_line.split()[1] == cpu_line.split()[1], done.stdout
