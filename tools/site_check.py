"""``make site-check``: open every page of the built site (build/site/) in headless Chromium and fail on what a
reader would find broken.

The site is served over a loopback HTTP server (127.0.0.1 only) and the browser may fetch nothing else, so the
check also proves the site works offline. Chromium is Debian's package (``apt-get install chromium``), driven by
Playwright for Python. For every page (every HTML file outside ``_static/``) it checks that:

- the page loads, logs no console error, raises no JavaScript error and requests nothing from another host;
- every image decodes to a non-zero size;
- every link into the site resolves to a file, and its ``#anchor`` to an element of that page;
- a lesson page links to its notebook in Colab with the badge, and to the next lesson;
- on a lesson page, every code cell that has outputs in the committed notebook shows them: each text output in
  full (whitespace aside), and each image.

A full-page screenshot of every page goes to build/site-screenshots/ (``--docs-image`` also saves the top of
the first lesson's page, for docs/img/lesson-page.png).
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import nbformat

from tools.paths import ROOT, SITE
from tools.site_lessons import Lesson, finished_outputs, lessons, with_next

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

SCREENSHOTS = ROOT / "build" / "site-screenshots"
VIEWPORT = {"width": 1280, "height": 800}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TEXT_ONLY = {"text/plain", "application/vnd.jupyter.widget-view+json"}  # the site shows a widget as its text
# What the check reads from a page once it has loaded, after every image has been given the chance to decode.
COLLECT = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  const links = [...document.querySelectorAll("a[href]")];
  const article = document.querySelector("article") || document.body;  // the page's own text, without navigation
  return {
    ids: [...document.querySelectorAll("[id]")].map((e) => e.id),
    links: links.map((a) => a.href),
    article_links: [...article.querySelectorAll("a[href]")].map((a) => a.href),
    broken_images: images.filter((img) => img.naturalWidth === 0).map((img) => img.getAttribute("src")),
    badge_links: links.filter((a) => [...a.querySelectorAll("img")].some((img) => img.naturalWidth > 0))
                      .map((a) => a.href),
    cells: [...document.querySelectorAll("div.cell")].map((cell) => {
      const out = cell.querySelector(".cell_output");
      return {text: out ? out.innerText : "",
              images: out ? [...out.querySelectorAll("img")].filter((img) => img.naturalWidth > 0).length : 0};
    }),
  };
}"""


@dataclass
class ShownCell:
    """What a page shows of a code cell's outputs."""

    text: str
    images: int


@dataclass
class PageFacts:
    """What a page holds, its links made relative to the site's root (``notebooks/02_x.html#anchor``);
    ``article_links``: those in the page's own text, not in the navigation around it."""

    ids: set[str]
    links: list[str]
    article_links: list[str]
    broken_images: list[str]
    badge_links: list[str]
    cells: list[ShownCell]


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def normalized(text: str) -> str:
    return " ".join(ANSI.sub("", text).split())


def expected_texts(cell: nbformat.NotebookNode) -> list[str]:
    """A code cell's text outputs as the site shows them once the cell finished (stream chunks joined, settled)."""
    texts = []
    for output in finished_outputs(copy.deepcopy(cell.outputs)):
        data = output.get("data", {})
        if output.output_type == "stream":
            texts.append(output.text)
        elif "text/plain" in data and set(data) <= TEXT_ONLY:
            texts.append(data["text/plain"])
    return [text for text in texts if text.strip()]


def shows_image(output: nbformat.NotebookNode) -> bool:
    """Whether the site shows this output as an image (an HTML version, where there is one, is shown instead)."""
    data = output.get("data", {})
    return "text/html" not in data and any(mime.startswith("image/") for mime in data)


def missing_outputs(nb: nbformat.NotebookNode, shown: list[ShownCell]) -> list[str]:
    """Code cells with outputs in the notebook whose outputs the page does not show."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if len(code) != len(shown):
        return [f"the page shows {len(shown)} code cells, the notebook has {len(code)}"]
    problems = []
    for number, (cell, seen) in enumerate(zip(code, shown), 1):
        if not cell.outputs:
            continue
        images = sum(map(shows_image, cell.outputs))
        unseen = [text for text in expected_texts(cell) if normalized(text) not in normalized(seen.text)]
        first_line = cell.source.split("\n", 1)[0][:60]
        where = f"code cell {number} ({first_line})"
        if not seen.text.strip() and not seen.images:
            problems.append(f"{where}: its output is missing")
        elif unseen:
            problems.append(f"{where}: output not shown in full: {normalized(unseen[0])[:80]!r}")
        elif seen.images < images:
            problems.append(f"{where}: shows {seen.images} of its {images} images")
    return problems


def broken_links(links: dict[str, list[str]], ids: dict[str, set[str]], files: set[str]) -> list[str]:
    """Links into the site (per page) that resolve to no file, or to no element of the page they point into."""
    problems = []
    for page, targets in links.items():
        for target in dict.fromkeys(targets):
            path, _, anchor = target.partition("#")
            if path not in files:
                problems.append(f"{page}: link to {target}: no such file")
            elif anchor and anchor not in ids.get(path, set()):
                problems.append(f"{page}: link to {target}: no element with that id on {path}")
    return problems


def lesson_problems(lesson: Lesson, lesson_after: Lesson | None, facts: PageFacts) -> list[str]:
    """A lesson page's Colab badge, its link to the next lesson and its outputs."""
    problems = []
    if lesson.colab_url not in facts.badge_links:
        problems.append(f"no Open-in-Colab badge linking to {lesson.colab_url}")
    if lesson_after and lesson_after.page not in (link.partition("#")[0] for link in facts.article_links):
        problems.append(f"no link to the next lesson, {lesson_after.page}")
    return problems + missing_outputs(nbformat.read(lesson.notebook, as_version=4), facts.cells)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the check reports what failed."""


@contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) from a thread; yield the server's origin."""
    with ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(site))) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()


def site_path(url: str, origin: str) -> str | None:
    """A URL on the site as a path from its root (with its ``#anchor``), or None for another site's."""
    if not url.startswith(f"{origin}/"):
        return None
    parts = urlsplit(url)
    path = unquote(parts.path).lstrip("/")
    path = path + "index.html" if path == "" or path.endswith("/") else path
    return f"{path}#{unquote(parts.fragment)}" if parts.fragment else path


def visit(page: Page, origin: str, name: str) -> tuple[PageFacts | None, list[str]]:
    """Load the site's page ``name``; return what it holds and what went wrong while loading."""
    problems: list[str] = []

    def route(request_route: Route) -> None:
        if request_route.request.url.startswith((origin, "data:")):
            request_route.continue_()
        else:
            problems.append(f"requests another host: {request_route.request.url}")
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and problems.append(f"console error: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response", lambda response: response.status >= 400 and problems.append(f"{response.status}: {response.url}")
    )
    response = page.goto(f"{origin}/{name}", wait_until="load")
    if response is None or response.status != 200:
        return None, [*problems, f"does not load ({response.status if response else 'no response'})"]
    raw = page.evaluate(COLLECT)
    facts = PageFacts(
        ids=set(raw["ids"]),
        links=[path for url in raw["links"] if (path := site_path(url, origin))],
        article_links=[path for url in raw["article_links"] if (path := site_path(url, origin))],
        broken_images=[src or "(no src)" for src in raw["broken_images"]],
        badge_links=raw["badge_links"],
        cells=[ShownCell(**cell) for cell in raw["cells"]],
    )
    return facts, problems + [f"image does not decode or has zero size: {src}" for src in facts.broken_images]


def site_files(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}


def html_pages(files: set[str]) -> list[str]:
    """The site's pages: its HTML files outside ``_static/`` (the theme's templates)."""
    return sorted(name for name in files if name.endswith(".html") and not name.startswith("_static/"))


def check_site(site: Path, course: list[Lesson], screenshots: Path, docs_image: Path | None = None) -> list[str]:
    """Every page of ``site`` in Chromium (its lessons: ``course``); return the problems, one line each."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("playwright is not installed: make site-check installs requirements-site.txt") from None
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install chromium (Debian's package; Playwright drives it)")
    files = site_files(site)
    pages = html_pages(files)
    lesson_pages = {lesson.page: (lesson, after) for lesson, after in with_next(course)}
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)
    problems, links, ids = [], {}, {}
    with served(site) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        context = browser.new_context(viewport=VIEWPORT)
        for name in pages:
            page = context.new_page()
            facts, found = visit(page, origin, name)
            if facts:
                links[name], ids[name] = facts.links, facts.ids
                if name in lesson_pages:
                    found += lesson_problems(*lesson_pages[name], facts)
                page.screenshot(path=screenshots / name.replace("/", "__").replace(".html", ".png"), full_page=True)
                if docs_image and course and name == course[0].page:
                    page.screenshot(path=docs_image)
            problems += [f"{name}: {problem}" for problem in found]
            page.close()
        browser.close()
    missing = [f"{page}: lesson page missing" for page in lesson_pages if page not in pages]
    return missing + problems + broken_links(links, ids, files)


def main() -> int:
    parser = argparse.ArgumentParser(description="Check the built course website in headless Chromium.")
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default: build/site)")
    parser.add_argument("--screenshots", type=Path, default=SCREENSHOTS, help="default: build/site-screenshots")
    parser.add_argument("--docs-image", type=Path, help="also save the top of the first lesson's page here (PNG)")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"no site in {args.site}: run make site first")
    start = time.perf_counter()
    problems = check_site(args.site, lessons(), args.screenshots, args.docs_image)
    for problem in problems:
        print(problem)
    pages = len(html_pages(site_files(args.site)))
    verdict = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}" if problems else "ok"
    print(f"site-check: {pages} pages in Chromium in {time.perf_counter() - start:.0f} s: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
