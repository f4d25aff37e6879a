"""Every lesson runs headless through papermill with non-default parameters, and does what they say."""

import nbformat
import papermill
import pytest

from tools.run_course import final_metrics
from tools.sync import NOTEBOOKS

RUNS = {
    "01_dataset.ipynb": (
        {"seed": 1, "n_samples": 200, "n_features": 12},
        ["X: (200, 12)", "length: 200"],
        {"tabular_rows": 200, "train_images": 6000},
    ),
    "02_dataloader.ipynb": (
        {"batch_size": 32, "num_workers": 0, "seed": 1, "bench_repeats": 1},
        ["images: (32, 1, 28, 28)", "batches per epoch: 188", "num_workers=0 give the same batches: True"],
        {"batches_per_epoch": 188, "in_memory_at_least_10x_faster": True},
    ),
    "03_datamodule.ipynb": (
        {"batch_size": 32, "val_split": 500, "seed": 1},
        ["train: 5500 | validation: 500 (val_split=500)", "same first batch:   True"],
        {"train_size": 5500, "val_size": 500},
    ),
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("data"))


def execute(name, tmp_path, parameters):
    out = tmp_path / name
    papermill.execute_notebook(
        NOTEBOOKS / name, out, parameters=parameters, cwd=NOTEBOOKS, kernel_name="python3", progress_bar=False
    )
    return nbformat.read(out, as_version=4)


def stdout_of(nb):
    return "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_non_default_parameters(name, tmp_path, data_dir):
    parameters, expected_lines, expected_metrics = RUNS[name]
    nb = execute(name, tmp_path, {**parameters, "data_source": "standin", "data_dir": data_dir})
    assert any("injected-parameters" in cell.metadata.get("tags", []) for cell in nb.cells)
    text = stdout_of(nb)
    for line in expected_lines:
        assert line in text
    assert "Data source: standin" in text and "requested 'standin'" in text
    metrics = final_metrics(nb)
    assert {k: metrics[k] for k in expected_metrics} == expected_metrics


def test_every_lesson_has_a_papermill_run():
    assert sorted(RUNS) == sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))[: len(RUNS)]


@pytest.mark.parametrize(
    ("name", "parameters", "message"),
    [
        ("03_datamodule.ipynb", {"batch_size": "64"}, "parameter 'batch_size' must be int, got str '64'"),
        ("01_dataset.ipynb", {"data_source": "mnist"}, "unknown data source 'mnist'"),
        ("03_datamodule.ipynb", {"val_split": 0.0}, "val_split=0.0 gives 0 validation samples"),
        ("02_dataloader.ipynb", {"batch_size": 0}, "batch_size must be a positive whole number"),
    ],
)
def test_bad_parameters_fail_with_a_clear_message(name, parameters, message, tmp_path, data_dir):
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        execute(name, tmp_path, {**parameters, "data_dir": data_dir})
    assert message in str(failure.value)
