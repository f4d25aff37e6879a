"""The lessons as the course website shows them, read from notebooks/*.ipynb (never from a hand-written list).

A lesson's page is its committed notebook, not executed again, with three changes for the site: the Colab badge
image is the site's own copy (Google's does not load offline), each stream's output is shown as it stood when
the cell finished (progress bars redrawn with ``\\r`` settled), and a last cell links to the next lesson.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.paths import SOLUTIONS, course_config, notebook_paths
from tools.sync import COLAB_BADGE_IMAGE, badge_url

SITE_BADGE = "/img/colab-badge.svg"  # where the site's own badge (docs/site/colab-badge.svg) is staged
REDRAWN = re.compile(r"[^\n]*\r(?=[^\r\n])")  # a line's text up to a carriage return that more text overwrites


@dataclass(frozen=True)
class Lesson:
    notebook: Path
    title: str

    @property
    def source(self) -> str:
        """Its document in the site's sources (the same path as in the repository)."""
        return f"notebooks/{self.notebook.name}"

    @property
    def page(self) -> str:
        """Its page, relative to the site's root."""
        return f"notebooks/{self.notebook.stem}.html"

    @property
    def colab_url(self) -> str:
        return badge_url(course_config(), self.notebook.name)

    @property
    def solutions(self) -> Path:
        return SOLUTIONS / f"{self.notebook.stem}.py"


def lesson_title(nb: nbformat.NotebookNode, path: Path) -> str:
    """The ``# `` heading that opens the notebook's first cell."""
    first = nb.cells[0].source.splitlines()[0] if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    if not first.startswith("# "):
        raise ValueError(f"{path.name}: its first cell must start with the lesson's title, a '# ' heading")
    return first[2:].strip()


def lessons(paths: list[Path] | None = None) -> list[Lesson]:
    """The course's lessons in order (default: every ``notebooks/NN_*.ipynb``)."""
    return [
        Lesson(path, lesson_title(nbformat.read(path, as_version=4), path))
        for path in (notebook_paths() if paths is None else paths)
    ]


def with_next(course: list[Lesson]) -> list[tuple[Lesson, Lesson | None]]:
    """Each lesson with the one after it (None after the last)."""
    return list(zip(course, [*course[1:], None]))


def site_badges(markdown: str) -> str:
    """Colab badges showing the site's own badge image instead of Google's."""
    return markdown.replace(COLAB_BADGE_IMAGE, SITE_BADGE)


def settled(text: str) -> str:
    """Text as a terminal shows it: what a carriage return went back over is overwritten."""
    return REDRAWN.sub("", text)


def finished_outputs(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """A cell's outputs as they stood when it finished: adjacent chunks of one stream joined, then settled."""
    finished: list[nbformat.NotebookNode] = []
    for output in outputs:
        previous = finished[-1] if finished else None
        if output.output_type == "stream" and previous and previous.get("name") == output.name:
            previous.text += output.text
        else:
            finished.append(output)
    for output in finished:
        if output.output_type == "stream":
            output.text = settled(output.text)
    return finished


def next_link(lesson_after: Lesson | None) -> str:
    """The Markdown of the last cell of a lesson's page: where to go next."""
    if lesson_after is None:
        return "**That was the last lesson.** The exercises' answers are in the [reference solutions](../solutions.md)."
    return f"**Next lesson:** [{lesson_after.title}]({lesson_after.notebook.name})"


def site_notebook(lesson: Lesson, lesson_after: Lesson | None) -> nbformat.NotebookNode:
    """The notebook the lesson's page is built from."""
    nb = nbformat.read(lesson.notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = site_badges(cell.source)
        elif cell.cell_type == "code":
            cell.outputs = finished_outputs(cell.outputs)
    nb.cells.append(nbformat.v4.new_markdown_cell(next_link(lesson_after)))
    return nb
