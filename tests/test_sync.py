import nbformat

from tools.paths import course_config
from tools.sync import badge, badge_url, bootstrap_cell, helpers_requirement, requirements_url, sync, synced_notebook

CFG = {"github": "me/course", "branch": "main"}


def test_generated_pieces_match_their_single_source():
    assert sync(write=False) == [], "run: python -m tools.sync"


def test_derived_strings():
    assert badge_url(CFG, "01_dataset.ipynb") == (
        "https://colab.research.google.com/github/me/course/blob/main/notebooks/01_dataset.ipynb"
    )
    assert helpers_requirement(CFG) == "lightning-course-helpers @ git+https://github.com/me/course@main"
    assert "git+https://github.com/me/course@main" in bootstrap_cell(CFG)
    assert requirements_url(CFG) == "https://raw.githubusercontent.com/me/course/main/requirements-colab.txt"
    assert set(course_config()) == {"github", "branch"}


def test_a_notebook_gets_the_bootstrap_cell_and_its_own_badge():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson 9 · X\n\nText."), nbformat.v4.new_code_cell("pass")]
    assert synced_notebook(nb, "09_x.ipynb", CFG) is True
    assert nb.cells[0].source == f"# Lesson 9 · X\n\n{badge(CFG, '09_x.ipynb')}\n\nText."
    assert nb.cells[1].source == bootstrap_cell(CFG)
    assert synced_notebook(nb, "09_x.ipynb", CFG) is False
