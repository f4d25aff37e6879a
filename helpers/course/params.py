"""One validator for every argument the course checks: a lesson's parameters, the DataModule's, the model's.

A :class:`Rule` says what a value may be (``whole(minimum=1)``, ``number(above=0)``, ``one_of("auto", "real")``,
``text()``, ``fraction_or_count()``); :func:`check` raises :class:`ParameterError` with one sentence that says
what to use. :func:`check_parameters` checks a notebook's papermill parameters the same way, by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

NUMBERS = ("a whole number", "a number", "a fraction")  # how the rules for numbers begin


class ParameterError(ValueError):
    """A value breaks its rule; the message says what to use instead."""


@dataclass(frozen=True)
class Rule:
    """What a value may be: ``description`` says it in words, ``allows`` tests a value."""

    description: str
    allows: Callable[[Any], bool]


def _is_number(value: Any, kinds: tuple[type, ...] = (int, float)) -> bool:
    """An int or finite float as asked for by ``kinds``, never a bool."""
    if isinstance(value, bool) or not isinstance(value, kinds):
        return False
    return math.isfinite(value)


def _example(example: Any) -> str:
    return "" if example is None else f" (e.g. {example!r})"


def whole(minimum: int = 0, example: int | None = None) -> Rule:
    """A whole number (not a bool) of at least ``minimum``."""
    return Rule(
        f"a whole number of at least {minimum}{_example(example)}", lambda v: _is_number(v, (int,)) and v >= minimum
    )


def number(
    minimum: float | None = None, above: float | None = None, below: float | None = None, example: float | None = None
) -> Rule:
    """A finite int or float, at least ``minimum``, strictly above ``above`` and below ``below`` where given."""
    bounds = [
        f"at least {minimum}" if minimum is not None else "",
        f"above {above}" if above is not None else "",
        f"below {below}" if below is not None else "",
    ]
    said = " and ".join(bound for bound in bounds if bound)

    def allows(value: Any) -> bool:
        if not _is_number(value):
            return False
        return (
            (minimum is None or value >= minimum)
            and (above is None or value > above)
            and (below is None or value < below)
        )

    return Rule(f"a number {said}".rstrip() + _example(example), allows)


def one_of(*choices: Any) -> Rule:
    """Exactly one of ``choices`` (``True`` is not ``1``)."""
    return Rule(
        f"one of {', '.join(map(repr, choices))}",
        lambda v: any(v is c or (type(v) is type(c) and v == c) for c in choices),
    )


def text(example: str | None = None) -> Rule:
    """A string."""
    return Rule(f"a string{_example(example)}", lambda v: isinstance(v, str))


def fraction_or_count() -> Rule:
    """A fraction in (0, 1) as a float, or a count of at least 1 as an int (a validation split)."""
    return Rule(
        "a fraction between 0 and 1 (e.g. 0.1) or a count of at least 1 (e.g. 500)",
        lambda v: (_is_number(v, (float,)) and 0 < v < 1) or (_is_number(v, (int,)) and v >= 1),
    )


def check(name: str, value: Any, rule: Rule) -> Any:
    """Return ``value`` if ``rule`` allows it; else raise :class:`ParameterError` saying what ``name`` must be."""
    if not rule.allows(value):
        raise ParameterError(f"{name} must be {rule.description}, got {value!r}")
    return value


def check_parameters(values: Mapping[str, Any], **rules: Rule) -> None:
    """Check each named notebook parameter in ``values`` (a notebook's ``globals()``) against its rule.

    A number passed as a string (papermill's ``-p name '64'``) gets a hint on how to pass it.
    """
    for name, rule in rules.items():
        if name not in values:
            raise ParameterError(f"parameter {name!r} is missing: keep it in the notebook's parameters cell")
        value = values[name]
        try:
            check(name, value, rule)
        except ParameterError as error:
            if isinstance(value, str) and not rule.allows(value) and rule.description.startswith(NUMBERS):
                raise ParameterError(f"{error}: with papermill, pass numbers unquoted (-p {name} 64)") from None
            raise
