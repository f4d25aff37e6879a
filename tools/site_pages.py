"""The course website's sources, staged from the repository into build/site-src/ for Sphinx (docs/site/conf.py):

- ``index.md``: the README (the learners' front door), then the site's navigation, one entry per lesson;
- ``notebooks/NN_topic.ipynb``: the lessons (:mod:`tools.site_lessons`);
- ``solutions.md``: the exercises' reference solutions (solutions/*.py), one section per lesson;
- ``MAINTAINERS.md``: the maintainers' documentation.

Links between these files work on the site as they do on GitHub; links to other files of the repository go to
GitHub.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from tools.paths import ROOT, SOLUTIONS, course_config
from tools.site_lessons import SITE_BADGE, Lesson, lessons, site_badges, site_notebook, with_next
from tools.sync import GITHUB

SITE_SOURCES = ROOT / "build" / "site-src"
SITE_CONFIG = ROOT / "docs" / "site"  # conf.py, the badge, the stylesheet
IMAGES = ROOT / "docs" / "img"  # images the README and MAINTAINERS.md show
MARKDOWN_LINK = re.compile(r"\]\(([^()\s]+)\)")
PAGES = ("index.md", "MAINTAINERS.md", "solutions.md")  # the pages written here; the lessons' are notebooks
RENAMED = {"README.md": "index.md", "solutions/": "solutions.md"}  # repository path -> its page's source


def course_title() -> str:
    """The README's first heading."""
    return (ROOT / "README.md").read_text().splitlines()[0].removeprefix("# ")


def site_links(markdown: str, staged: set[str]) -> str:
    """Relative links of a Markdown file at the repository's root, pointed at what the site has, else at GitHub."""
    cfg = course_config()

    def retarget(match: re.Match) -> str:
        path, hash_, fragment = match.group(1).partition("#")
        if not path or ":" in path or path.startswith("/"):  # an anchor on the page, a URL, a site path
            return match.group(0)
        path = RENAMED.get(path, path)
        if path not in staged:
            path = f"{GITHUB}/{cfg['github']}/blob/{cfg['branch']}/{path}"
        return f"]({path}{hash_}{fragment})"

    return MARKDOWN_LINK.sub(retarget, markdown)


def navigation(course: list[Lesson]) -> str:
    """The site's table of contents (hidden on the landing page, shown in the sidebar)."""
    entries = "\n".join(lesson.source.removesuffix(".ipynb") for lesson in course)
    return (
        f"\n```{{toctree}}\n:hidden:\n:caption: Lessons\n\n{entries}\n```\n"
        "\n```{toctree}\n:hidden:\n:caption: Reference\n\nsolutions\nMAINTAINERS\n```\n"
    )


def solutions_page(course: list[Lesson]) -> str:
    """solutions/README.md, then each lesson's solutions file in a section titled like the lesson."""
    sections = [
        f"## {lesson.title}\n\nThe exercises at the end of [the lesson]({lesson.source}):\n\n"
        f"```{{literalinclude}} /solutions/{lesson.solutions.name}\n:language: python\n```"
        for lesson in course
        if lesson.solutions.exists()
    ]
    return "\n\n".join([(SOLUTIONS / "README.md").read_text().strip(), *sections]) + "\n"


def stage(dest: Path = SITE_SOURCES) -> list[Lesson]:
    """Write the site's sources into ``dest`` (emptied first); return the lessons."""
    shutil.rmtree(dest, ignore_errors=True)
    course = lessons()
    for lesson, lesson_after in with_next(course):
        (dest / lesson.source).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(site_notebook(lesson, lesson_after), dest / lesson.source)
        if lesson.solutions.exists():
            (dest / "solutions").mkdir(exist_ok=True)
            shutil.copy(lesson.solutions, dest / "solutions")
    if IMAGES.is_dir():
        shutil.copytree(IMAGES, dest / IMAGES.relative_to(ROOT))
    badge = dest / SITE_BADGE.lstrip("/")
    badge.parent.mkdir(parents=True)
    shutil.copy(SITE_CONFIG / "colab-badge.svg", badge)

    staged = {path.relative_to(dest).as_posix() for path in dest.rglob("*") if path.is_file()} | set(PAGES)
    readme = site_badges((ROOT / "README.md").read_text())
    (dest / "index.md").write_text(site_links(readme, staged) + navigation(course))
    (dest / "MAINTAINERS.md").write_text(site_links((ROOT / "MAINTAINERS.md").read_text(), staged))
    (dest / "solutions.md").write_text(solutions_page(course))
    return course
