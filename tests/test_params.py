import math
from pathlib import Path

import papermill
import pytest

from helpers.course.lesson import COURSE_PARAMETERS, start_lesson
from helpers.course.params import (
    ParameterError,
    check,
    check_parameters,
    fraction_or_count,
    number,
    one_of,
    text,
    whole,
)
from tools.paths import notebook_paths


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (whole(minimum=1), [1, 64], [0, -1, 1.0, True, "64", None]),
        (whole(minimum=0), [0, 3], [-1, False]),
        (number(above=0), [1e-3, 1, 2.5], [0, -1e-3, math.inf, math.nan, True, "1e-3"]),
        (number(minimum=0, below=1), [0, 0.9], [1, 1.5, -0.1]),
        (one_of("auto", "real", None), ["auto", None], ["Auto", "", 0]),
        (one_of(1, 2), [1, 2], [True, 1.0]),
        (text(), ["runs/04", ""], [4, None, Path("x")]),
        (fraction_or_count(), [0.1, 0.5, 1, 500], [0.0, 1.0, 0, -3, True, "0.1"]),
    ],
)
def test_rules_accept_and_reject(rule, good, bad):
    for value in good:
        assert check("x", value, rule) is value
    for value in bad:
        with pytest.raises(ParameterError, match=r"^x must be .*, got "):
            check("x", value, rule)


def test_message_says_what_to_use():
    with pytest.raises(ParameterError, match=r"batch_size must be a whole number of at least 1 \(e.g. 64\), got 0"):
        check("batch_size", 0, whole(minimum=1, example=64))


def test_parameters_checked_by_name_with_papermill_hint():
    check_parameters({"batch_size": 64, "name": "x"}, batch_size=whole(minimum=1), name=text())
    with pytest.raises(ParameterError, match=r"got '64': with papermill, pass numbers unquoted \(-p batch_size 64\)"):
        check_parameters({"batch_size": "64"}, batch_size=whole(minimum=1))
    with pytest.raises(ParameterError, match="'seed' is missing"):
        check_parameters({}, seed=whole())


def test_start_lesson_checks_every_course_parameter_it_finds(tmp_path):
    values = {"seed": 0, "batch_size": 64, "data_source": "auto", "run_dir": str(tmp_path / "run"), "max_epochs": 2}
    run = start_lesson(values)
    assert run == tmp_path / "run" and run.is_dir()
    assert start_lesson({"seed": 0}) is None
    with pytest.raises(ParameterError, match="data_source must be one of 'auto', 'real', 'standin'"):
        start_lesson(values | {"data_source": "web"})
    with pytest.raises(ParameterError, match="max_epochs must be a whole number of at least 1, got 0"):
        start_lesson(values | {"max_epochs": 0})


def test_every_lesson_parameter_has_a_rule():
    for path in notebook_paths():
        parameters = papermill.inspect_notebook(str(path))
        assert set(parameters) <= set(COURSE_PARAMETERS), (
            f"{path.name}: give each parameter a rule in COURSE_PARAMETERS"
        )
