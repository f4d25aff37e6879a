"""Checks on the committed notebooks themselves (their execution is checked by nbval and papermill)."""

import logging
import re

import nbformat
import papermill
import pytest

from tools.paths import SOLUTIONS, course_config, notebook_paths
from tools.sync import badge, bootstrap_cell

NOTEBOOKS = notebook_paths()
# what must never be committed in an output: machine paths, user names, secrets
LEAKS = re.compile(
    r"/work/|/root\b|/home/\w|/tmp/|/Users/\w|C:\\\\Users|site-packages|api[_-]?key\s*[:=]\s*['\"]?[a-z0-9]{20,}|wandb_[a-z0-9]{20,}",
    re.I,
)
NOISE = re.compile(r"\x1b\[|💡 Tip|litlogger|litmodels|Kernel is running over TCP|0/\?|from WANDB_MODE")


def cells(path, kind="code"):
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == kind]


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
    assert [int(name[:2]) for name in names] == list(range(1, 9))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_its_badge_and_goals_and_first_runs_the_bootstrap(path):
    nbformat.validate(nbformat.read(path, as_version=4))
    title = cells(path, "markdown")[0].source
    assert title.startswith(f"# Lesson {int(path.name[:2])} · ") and badge(course_config(), path.name) in title
    assert "**By the end of this lesson you can**" in title
    assert cells(path)[0].source == bootstrap_cell(course_config())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_a_recap_a_note_on_the_article_and_checked_exercises(path):
    markdown = "\n".join(cell.source for cell in cells(path, "markdown"))
    assert "## Recap" in markdown and "## Exercises" in markdown and "### What changed since the article" in markdown
    code = cells(path)
    assert "helpers.exercises" not in code[2].source, "exercise checkers are imported where the exercises are"
    checks = [
        cell for cell in code if re.search(r"^from helpers\.exercises\.lesson\d import check_\w+$", cell.source, re.M)
    ]
    for cell in checks:
        (name,) = re.findall(r"^from helpers\.exercises\.lesson\d import (check_\w+)$", cell.source, re.M)
        assert re.search(rf"^{name}\(", cell.source, re.M), f"{name} is called in the cell that imports it"
    assert 2 <= len(checks) <= 5  # at least two, and one per skill a lesson adds
    assert all(output_texts(cell) for cell in checks), "every exercise cell shows its checker's verdict"
    assert (SOLUTIONS / path.with_suffix(".py").name).exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_come_from_one_clean_run(path):
    code = cells(path)
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
        "re-execute top to bottom: python -m tools.execute_notebooks"
    )
    for cell in code:
        assert not any(o.get("output_type") == "error" for o in cell.outputs), f"error output in: {cell.source[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_a_parameters_cell_right_after_the_bootstrap(path):
    tagged = [cell for cell in cells(path) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1 and cells(path).index(tagged[0]) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_reads_every_parameter(path, caplog):
    names = [line.split("=")[0].strip() for line in cells(path)[1].source.splitlines() if "=" in line]
    with caplog.at_level(logging.WARNING, logger="papermill"):
        found = papermill.inspect_notebook(str(path))
    assert list(found) == names and caplog.messages == []  # papermill skips a line it cannot parse, with a warning


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prints_its_data_source_and_leaks_nothing_and_is_quiet(path):
    texts = [text for cell in cells(path) for text in output_texts(cell)]
    assert any("Data source: the offline stand-in" in text for text in texts)
    assert not any("Final metrics" in text for text in texts), "the tools read a lesson's metrics, it prints none"
    assert [m.group(0) for text in texts for m in LEAKS.finditer(text)] == []
    assert [m.group(0) for text in texts for m in NOISE.finditer(text)] == []
    assert not any("widget-view" in mime for cell in cells(path) for o in cell.outputs for mime in o.get("data", {}))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cells_fit_on_a_screen_and_no_cell_is_long(path):
    bootstrap, parameters, imports = (cell.source.count("\n") + 1 for cell in cells(path)[:3])
    assert bootstrap <= 6 and parameters <= 15 and imports <= 15
    assert cells(path)[2].source.endswith("start_lesson(globals())"), (
        "one call checks the parameters, sets the lesson up"
    )
    long = [cell.source.splitlines()[0] for cell in cells(path) if cell.source.count("\n") + 1 > 30]
    assert long == [], "split code cells longer than 30 lines"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_says_nothing_about_the_courses_tests(path):
    text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    assert not re.search(r"papermill|nbval|tests/|course_env|numerics profile|\.py line \d|lines? \d+[–-]\d+", text)
