"""The course website: its sources (tools.site_lessons, tools.site_pages) and the browser check (tools.site_check).
The browser tests need Debian's chromium and Playwright, and are skipped without them."""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_output

from tools.paths import ROOT, notebook_paths
from tools.site_check import (
    PageFacts,
    ShownCell,
    broken_links,
    check_site,
    find_chromium,
    lesson_problems,
    missing_outputs,
)
from tools.site_lessons import SITE_BADGE, Lesson, finished_outputs, lessons, next_link, site_notebook
from tools.site_pages import navigation, site_links, stage
from tools.sync import COLAB_BADGE_IMAGE, badge


def test_the_lessons_are_the_notebooks_titled_by_their_first_heading():
    course = lessons()
    assert [lesson.notebook for lesson in course] == notebook_paths()
    for number, lesson in enumerate(course, 1):
        assert lesson.title.startswith(f"Lesson {number} · ")


def test_the_landing_page_lists_every_lesson():  # it is the README
    readme = (ROOT / "README.md").read_text()
    assert [path.name for path in notebook_paths() if f"](notebooks/{path.name})" not in readme] == []


def test_outputs_are_shown_as_they_stood_when_the_cell_finished():
    outputs = [
        new_output("stream", name="stderr", text="Epoch 0:  50%|##  | 1/2\r"),
        new_output("stream", name="stderr", text="Epoch 0: 100%|####| 2/2\nGPU available: False\n"),
        new_output("display_data", data={"text/plain": "<Figure>"}),
        new_output("stream", name="stdout", text="done\n"),
    ]
    finished = finished_outputs(outputs)
    assert [output.get("text") for output in finished] == [
        "Epoch 0: 100%|####| 2/2\nGPU available: False\n",
        None,
        "done\n",
    ]


def write_lesson(folder: Path, name: str, title: str, outputs: list) -> Lesson:
    nb = nbformat.v4.new_notebook()
    cfg = {"github": "me/course", "branch": "main"}
    cell = nbformat.v4.new_code_cell("print('hi')")
    cell.outputs = outputs
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\n{badge(cfg, name)}"), cell]
    nbformat.write(nb, folder / name)
    return lessons([folder / name])[0]


def test_a_lesson_page_shows_the_sites_badge_and_links_to_the_next_lesson(tmp_path):
    first = write_lesson(tmp_path, "01_a.ipynb", "Lesson 1 · A", [])
    second = write_lesson(tmp_path, "02_b.ipynb", "Lesson 2 · B", [])
    nb = site_notebook(first, second)
    assert COLAB_BADGE_IMAGE not in nb.cells[0].source and f"]({SITE_BADGE})" in nb.cells[0].source
    assert nb.cells[-1].source == next_link(second) == "**Next lesson:** [Lesson 2 · B](02_b.ipynb)"
    assert "solutions.md" in next_link(None)


def test_links_point_at_the_sites_pages_or_at_github():
    text = "[a](README.md) [b](MAINTAINERS.md#ci) [c](tools/sync.py) [d](solutions/) [e](https://x.org/y) [f](#here)"
    assert site_links(text, {"index.md", "MAINTAINERS.md", "solutions.md"}) == (
        "[a](index.md) [b](MAINTAINERS.md#ci) "
        "[c](https://github.com/lightning-course/pytorch-lightning-course/blob/main/tools/sync.py) "
        "[d](solutions.md) [e](https://x.org/y) [f](#here)"
    )


def test_the_staged_sources_have_every_lesson_and_page(tmp_path):
    course = stage(tmp_path)
    staged = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    assert {"index.md", "MAINTAINERS.md", "solutions.md", SITE_BADGE.lstrip("/")} <= staged
    assert {lesson.source for lesson in course} <= staged
    index = (tmp_path / "index.md").read_text()
    assert navigation(course) in index and COLAB_BADGE_IMAGE not in index
    solutions = (tmp_path / "solutions.md").read_text()
    sections = [lesson.title for lesson in course if lesson.solutions.exists()]
    assert re.findall(r"^## (.*)$", solutions, re.M) == sections and sections


def test_broken_links_and_anchors_are_found():
    links = {"index.html": ["a.html#top", "a.html#gone", "missing.html", "index.html#here"]}
    ids = {"a.html": {"top"}, "index.html": {"here"}}
    assert broken_links(links, ids, {"index.html", "a.html"}) == [
        "index.html: link to a.html#gone: no element with that id on a.html",
        "index.html: link to missing.html: no such file",
    ]


def test_a_code_cell_whose_output_the_page_lacks_is_found():
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_code_cell(f"cell_{number}()") for number in range(4)]
    cells[0].outputs = [new_output("stream", name="stdout", text="loss 0.5\nacc 0.9\n")]
    cells[1].outputs = [new_output("display_data", data={"image/png": "iVBO", "text/plain": "<Figure>"})]
    cells[2].outputs = [new_output("execute_result", data={"text/plain": "'Correct'"}, execution_count=1)]
    nb.cells = cells
    shown = [ShownCell("loss 0.5\nacc  0.9", 0), ShownCell("", 1), ShownCell("'Correct'", 0), ShownCell("", 0)]
    assert missing_outputs(nb, shown) == []
    shown = [ShownCell("loss 0.5", 0), ShownCell("<Figure>", 0), ShownCell("", 0), ShownCell("", 0)]
    assert missing_outputs(nb, shown) == [
        "code cell 1 (cell_0()): output not shown in full: 'loss 0.5 acc 0.9'",
        "code cell 2 (cell_1()): shows 0 of its 1 images",
        "code cell 3 (cell_2()): its output is missing",
    ]
    assert missing_outputs(nb, shown[:2]) == ["the page shows 2 code cells, the notebook has 4"]


def test_a_lesson_page_needs_its_colab_badge_and_the_next_lesson(tmp_path):
    lesson = write_lesson(tmp_path, "01_a.ipynb", "Lesson 1 · A", [])
    after = write_lesson(tmp_path, "02_b.ipynb", "Lesson 2 · B", [])
    facts = PageFacts(
        ids=set(),
        links=["notebooks/02_b.html"],
        article_links=[],
        broken_images=[],
        badge_links=[],
        cells=[ShownCell("", 0)],
    )  # the sidebar's link to the next lesson does not count: the page's text must have one
    assert lesson_problems(lesson, after, facts) == [
        f"no Open-in-Colab badge linking to {lesson.colab_url}",
        "no link to the next lesson, notebooks/02_b.html",
    ]
    facts.badge_links, facts.article_links = [lesson.colab_url], ["notebooks/02_b.html#top"]
    assert lesson_problems(lesson, after, facts) == []


BROKEN_PAGE = """<!doctype html><html><head><title>broken</title></head><body>
<a href="#nowhere">a broken anchor</a> <a href="missing.html">a missing page</a> <a href="good.html#fine">fine</a>
<img src="missing.png" alt="an image that does not load"> <img src="https://example.com/x.png" alt="off the site">
<script>console.error("boom")</script>
<div class="cell"><div class="cell_input">print("hi")</div></div>
</body></html>"""
GOOD_PAGE = """<!doctype html><html><head><title>good</title></head><body><h1 id="fine">Fine</h1>
<a href="notebooks/01_a.html">lesson</a></body></html>"""


@pytest.mark.skipif(find_chromium() is None, reason="chromium not found: apt-get install chromium")
def test_the_browser_check_fails_a_broken_site_and_passes_a_good_page(tmp_path):
    pytest.importorskip("playwright", reason="playwright not installed: pip install -r requirements-site.txt")
    lesson = write_lesson(tmp_path, "01_a.ipynb", "Lesson 1 · A", [new_output("stream", name="stdout", text="hi\n")])
    site = tmp_path / "site"
    (site / "notebooks").mkdir(parents=True)
    (site / "notebooks" / "01_a.html").write_text(BROKEN_PAGE)
    (site / "good.html").write_text(GOOD_PAGE)
    problems = check_site(site, [lesson], tmp_path / "shots")
    page = "notebooks/01_a.html"
    assert set(problems) >= {
        f"{page}: console error: boom",
        f"{page}: requests another host: https://example.com/x.png",
        f"{page}: image does not decode or has zero size: missing.png",
        f"{page}: no Open-in-Colab badge linking to {lesson.colab_url}",
        f"{page}: code cell 1 (print('hi')): its output is missing",
        f"{page}: link to {page}#nowhere: no element with that id on {page}",
        f"{page}: link to notebooks/missing.html: no such file",
    }
    assert not [problem for problem in problems if problem.startswith("good.html")]
    assert sorted(path.name for path in (tmp_path / "shots").iterdir()) == ["good.png", "notebooks__01_a.png"]
