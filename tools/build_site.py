"""``make site``: the course as a static website in build/site/, from the committed notebooks and their outputs.

Nothing is executed: Sphinx with myst-nb (docs/site/conf.py) renders the sources :mod:`tools.site_pages` stages,
and any Sphinx warning (a broken cross-reference, a missing image) fails the build. ``make site-check`` then opens
every page in a browser (:mod:`tools.site_check`).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from sphinx.cmd.build import build_main

from tools.paths import ROOT, SITE
from tools.site_pages import SITE_CONFIG, SITE_SOURCES, stage


def build(sources: Path = SITE_SOURCES, site: Path = SITE) -> None:
    """Stage the sources into ``sources`` and build the site into ``site`` (both emptied first)."""
    stage(sources)
    shutil.rmtree(site, ignore_errors=True)
    args = ["-b", "html", "-c", str(SITE_CONFIG), "--fail-on-warning", "--keep-going", "--quiet"]
    if build_main([*args, str(sources), str(site)]):
        raise SystemExit("make site: Sphinx reported the problems above; fix them in the notebooks or Markdown files")


def main() -> None:
    start = time.perf_counter()
    build()
    print(f"site: {SITE.relative_to(ROOT)}/index.html, built in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
