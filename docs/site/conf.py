"""Sphinx configuration of the course website: ``make site`` (tools/build_site.py) builds it from the sources that
tools/site_pages.py stages in build/site-src/. Nothing is executed and nothing is fetched from the network."""

from tools.paths import course_config
from tools.site_pages import course_title

_course = course_config()

project = html_title = course_title()
extensions = ["myst_nb"]

# the committed notebooks with their committed outputs, the ones strict nbval checks: never executed here
nb_execution_mode = "off"
# a widget's output (a progress bar) as its text: the widget scripts would come from a CDN
nb_mime_priority_overrides = [("*", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
myst_heading_anchors = 3  # "#reproducible-outputs" links as on GitHub

html_theme = "sphinx_book_theme"
html_theme_options = {
    "repository_url": f"https://github.com/{_course['github']}",
    "repository_branch": _course["branch"],
    "use_repository_button": True,
    "use_download_button": False,  # it would offer the site's copy of a notebook, not the repository's
    "show_toc_level": 2,
}
html_theme_options["footer_content_items"] = []  # no author line
html_context = {"default_mode": "light"}  # without one, pydata-sphinx-theme logs a console error on a first visit
html_static_path = ["static"]
html_css_files = ["course.css"]
html_copy_source = False
html_show_sourcelink = False
