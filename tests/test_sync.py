from tools.sync import badge_url, course_config, helpers_requirement, sync


def test_generated_pieces_match_their_single_source():
    assert sync(write=False) == [], "run: python -m tools.sync"


def test_derived_strings():
    cfg = {"github": "me/course", "branch": "main"}
    assert badge_url(cfg, "01_dataset.ipynb") == (
        "https://colab.research.google.com/github/me/course/blob/main/notebooks/01_dataset.ipynb"
    )
    assert helpers_requirement(cfg) == "lightning-course-helpers @ git+https://github.com/me/course@main"
    assert set(course_config()) == {"github", "branch"}
