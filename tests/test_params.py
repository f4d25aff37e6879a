import pytest

from helpers.course.params import ParameterError, check_parameters


def test_accepts_matching_types():
    check_parameters(
        {"batch_size": 64, "val_split": 0.1, "lr": 1, "name": "x"},
        batch_size=int,
        val_split=(int, float),
        lr=float,
        name=str,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("64", "must be int, got str '64'.*-p batch_size 64"), (True, "got bool"), (6.4, "got float")],
)
def test_wrong_type_says_how_to_pass_it(value, message):
    with pytest.raises(ParameterError, match=message):
        check_parameters({"batch_size": value}, batch_size=int)


def test_missing_parameter():
    with pytest.raises(ParameterError, match="'seed' is missing"):
        check_parameters({}, seed=int)
