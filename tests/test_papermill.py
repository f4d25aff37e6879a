"""Every lesson runs headless through papermill with non-default parameters, and does what they say."""

import papermill
import pytest

from helpers.xla.device import TORCH_XLA_MISSING, torch_xla_installed
from tools.paths import NOTEBOOKS, notebook_paths
from tools.run_course import execute_lesson, final_metrics

RUNS = {
    "01_dataset.ipynb": (
        {"seed": 1, "n_samples": 200, "n_features": 12},
        ["X: (200, 12)", "length: 200"],
        {"tabular_rows": 200, "train_images": 6000},
    ),
    "02_dataloader.ipynb": (
        {"batch_size": 20, "num_workers": 0, "seed": 1, "bench_repeats": 1},
        ["images: (20, 1, 28, 28)", "batches per epoch: 300", "num_workers=0 give the same batches: True"],
        {"batches_per_epoch": 300, "in_memory_at_least_10x_faster": True},
    ),
    "03_datamodule.ipynb": (
        {"batch_size": 32, "val_split": 500, "seed": 1},
        ["train: 5500 | validation: 500 (val_split=500)", "same seed, same split:       True"],
        {"train_size": 5500, "val_size": 500},
    ),
    "04_callbacks.ipynb": (
        {"batch_size": 128, "max_epochs": 2, "learning_rate": 3e-3, "seed": 1},
        [
            "same weights as the plain loop: True",
            "max_epochs=2, trained epochs: 2",
            "last.ckpt",
            "lr at each epoch start (LambdaCallback): [0.003, 0.0015]",
        ],
        {"plain_loop_equals_lightning": True, "trained_epochs": 2},
    ),
    "05_xla_tpu.ipynb": (
        {"batch_size": 32, "max_steps": 30, "seed": 1, "xla_device": "CPU"},
        [
            "torch_xla 2.9.0: 1 CPU XLA device(s), on xla:0",
            "5400 images -> 168 batches of 32 per epoch, every batch full",
            "30 steps, loss every 10th step:",
            "CPUXLAAccelerator, SingleDeviceXLAStrategy on xla:0",
        ],
        {
            "raw_compiles": 2,
            "lightning_host_reads": 6,
            "raw_lightning_weight_difference": 0.0,
            "naive_compiles": 5,
            "fixed_compiles": 2,
        },
    ),
    "06_loggers.ipynb": (
        {"batch_size": 128, "max_epochs": 1, "seed": 1, "log_every_n_steps": 5},
        ["43 steps/epoch x 1 epochs, every 5th: 8 step points", "all equal: True"],
        {"wandb_mode": "offline"},
    ),
    "07_all_together.ipynb": (
        {"batch_size": 128, "max_epochs": 2, "seed": 1, "accelerator": "cpu", "interrupt_at_step": 60},
        [
            "accelerator: CPUAccelerator | devices: 1",
            "fit stopped: simulated power cut at step 60 (epoch 1)",
            "resumed from last.ckpt at step 50 (epoch 1)",
        ],
        {"epochs": 2, "interrupted_and_resumed": True},
    ),
    "08_scaling_out.ipynb": (
        {"batch_size": 16, "processes": 2, "seed": 1, "learning_rate": 0.1},
        ["rank 1: 512 images", "rank 1 of 2: DistributedSampler, 512 images, 32 steps", "replicas equal: True"],
        {"replicas_equal": True, "ddp_steps": 32},
    ),
}
WRITES_RUNS = {"04_callbacks.ipynb", "06_loggers.ipynb", "07_all_together.ipynb", "08_scaling_out.ipynb"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("data"))


def execute(name, tmp_path, parameters):
    if name in WRITES_RUNS:
        parameters = {"run_dir": str(tmp_path / "run"), **parameters}
    return execute_lesson(NOTEBOOKS / name, tmp_path / name, parameters)


def stdout_of(nb):
    return "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_non_default_parameters(name, tmp_path, data_dir):
    parameters, expected_lines, expected_metrics = RUNS[name]
    if parameters.get("xla_device") == "CPU" and not torch_xla_installed():
        pytest.skip(f"{TORCH_XLA_MISSING} test_05_without_xla runs lesson 5 without it.")
    nb = execute(name, tmp_path, {**parameters, "data_source": "standin", "data_dir": data_dir})
    assert any("injected-parameters" in cell.metadata.get("tags", []) for cell in nb.cells)
    text = stdout_of(nb)
    for line in expected_lines:
        assert line in text
    assert "Data source: the offline stand-in" in text and "(requested 'standin')" in text
    metrics = final_metrics(nb)
    assert {k: metrics[k] for k in expected_metrics} == expected_metrics
    if name == "08_scaling_out.ipynb":  # one process with the combined batch, or accumulating, trains the same
        assert metrics["combined_batch_difference"] < 1e-5 and metrics["accumulated_difference"] < 1e-5


def test_every_lesson_has_a_papermill_run():
    assert sorted(RUNS) == sorted(path.name for path in notebook_paths())


@pytest.mark.parametrize(
    ("name", "parameters", "message"),
    [
        (
            "03_datamodule.ipynb",
            {"batch_size": "64"},
            "batch_size must be a whole number of at least 1 (e.g. 64), got '64': with papermill, pass numbers",
        ),
        (
            "01_dataset.ipynb",
            {"data_source": "mnist"},
            "data_source must be one of 'auto', 'real', 'standin', got 'mnist'",
        ),
        (
            "03_datamodule.ipynb",
            {"val_split": 0.0},
            "val_split must be a fraction between 0 and 1 (e.g. 0.1) or a count of at least 1 (e.g. 500), got 0.0",
        ),
        ("02_dataloader.ipynb", {"batch_size": 0}, "batch_size must be a whole number of at least 1 (e.g. 64), got 0"),
        ("05_xla_tpu.ipynb", {"xla_device": "GPU"}, "xla_device must be one of 'auto', 'TPU', 'CPU', 'off', got 'GPU'"),
        ("08_scaling_out.ipynb", {"processes": 0}, "processes must be a whole number of at least 1, got 0"),
        ("04_callbacks.ipynb", {"max_epochs": 0}, "max_epochs must be a whole number of at least 1, got 0"),
        ("07_all_together.ipynb", {"learning_rate": -0.1}, "learning_rate must be a number above 0, got -0.1"),
        (
            "06_loggers.ipynb",
            {"max_epochs": "3"},
            "max_epochs must be a whole number of at least 1, got '3': with papermill, pass numbers unquoted",
        ),
        ("01_dataset.ipynb", {"data_dir": "01_dataset.ipynb"}, "data_dir '01_dataset.ipynb' is a file: give a folder"),
    ],
)
def test_bad_parameters_fail_with_a_clear_message(name, parameters, message, tmp_path, data_dir):
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        execute(name, tmp_path, {"data_dir": data_dir, **parameters})
    assert message in str(failure.value)


def test_a_run_dir_holding_other_files_is_refused_and_kept(tmp_path, data_dir):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "notes.txt").write_text("mine")
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        execute("07_all_together.ipynb", tmp_path, {"data_dir": data_dir})
    assert "already holds files this course did not write; nothing was deleted" in str(failure.value)
    assert (tmp_path / "run" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("xla_device", "reason"),
    [
        ("TPU", "PJRT_DEVICE=TPU but no TPU chip is attached" if torch_xla_installed() else TORCH_XLA_MISSING),
        ("off", "xla_device='off'"),
        ("auto, torch_xla hidden", TORCH_XLA_MISSING),
    ],
)
def test_05_without_xla_says_why_and_trains_with_lightning(xla_device, reason, tmp_path, data_dir, monkeypatch):
    """No usable XLA device (as on a Colab GPU or CPU runtime, or without torch_xla): lesson 5 says why, skips the
    raw XLA parts and still trains with Lightning on accelerator='auto'. PJRT_DEVICE=TPU is set inside the kernel
    only; "torch_xla hidden" runs the kernel with a sitecustomize that makes `import torch_xla` fail, as on Colab's
    CPU and GPU images."""
    if xla_device.endswith("hidden"):
        hide = tmp_path / "hide_torch_xla"
        hide.mkdir()
        (hide / "sitecustomize.py").write_text("import sys\n\nsys.modules['torch_xla'] = None  # import fails\n")
        monkeypatch.setenv("PYTHONPATH", str(hide))
        xla_device = "auto"
    parameters = {"xla_device": xla_device, "data_source": "standin", "data_dir": data_dir}
    nb = execute("05_xla_tpu.ipynb", tmp_path, parameters)
    text = stdout_of(nb)
    assert f"XLA: not used. {reason}" in text
    assert "skipped: no XLA device" in text
    assert "CPUAccelerator, SingleDeviceStrategy on cpu" in text
    metrics = final_metrics(nb)
    assert set(metrics) == {"xla", "lightning_val_loss"} and metrics["xla"] is False
    assert metrics["lightning_val_loss"] < 1.5  # trained: an untrained model scores about ln(10) = 2.30
