"""Checks on the committed notebooks themselves (their execution is checked by nbval and papermill)."""

import re

import nbformat
import pytest

from tools.sync import BOOTSTRAP, notebook_paths

NOTEBOOKS = notebook_paths()
# what must never be committed in an output: machine paths, user names, secrets
LEAKS = re.compile(
    r"/work/|/root\b|/home/\w|/tmp/|/Users/\w|C:\\\\Users|site-packages|api[_-]?key\s*[:=]|wandb_[a-z0-9]{20,}", re.I
)


def code_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def output_texts(cell):
    for output in cell.outputs:
        if "text" in output:
            yield output["text"]
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/") or mime.endswith("json"):
                yield str(value)
        if output.get("output_type") == "error":
            yield "\n".join(output["traceback"])


def test_the_course_has_its_lessons_in_order():
    names = [path.name for path in NOTEBOOKS]
    assert names[:3] == ["01_dataset.ipynb", "02_dataloader.ipynb", "03_datamodule.ipynb"]
    assert [int(name[:2]) for name in names] == list(range(1, len(names) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_valid_and_first_code_cell_is_the_bootstrap(path):
    nbformat.validate(nbformat.read(path, as_version=4))
    assert code_cells(path)[0].source == BOOTSTRAP.read_text().rstrip("\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_come_from_one_clean_run(path):
    cells = code_cells(path)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1)), (
        "re-execute top to bottom: python -m tools.execute_notebooks"
    )
    for cell in cells:
        assert not any(o.get("output_type") == "error" for o in cell.outputs), f"error output in: {cell.source[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_a_parameters_cell_right_after_the_bootstrap(path):
    tagged = [cell for cell in code_cells(path) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and code_cells(path).index(tagged[0]) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prints_its_data_source_and_leaks_nothing(path):
    texts = [text for cell in code_cells(path) for text in output_texts(cell)]
    assert any("Data source: standin - offline stand-in" in text for text in texts)
    leaks = [match.group(0) for text in texts for match in LEAKS.finditer(text)]
    assert leaks == []
