"""Checkers for the exercises at the end of every lesson: ``check_...(your_answer)`` says what is right or wrong.

One module per lesson (``lesson1`` ... ``lesson7``). A checker never raises: it returns a :class:`Verdict`,
which a notebook shows as plain text ("Correct: ..." or "Not yet: ..."), and ``verdict.passed`` is the
answer for code. Reference solutions live in the repository's ``solutions/`` folder; ``tests/test_exercises.py``
runs each one, and a second, differently written correct answer, through its checker, and each checker on a table
of wrong answers it must reject with the words a learner should read.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch


class Wrong(Exception):
    """Raised inside a checker with a plain-words description of what is wrong."""


@dataclass(frozen=True)
class Verdict:
    """A checker's answer: passed or not, and the sentence a learner reads."""

    passed: bool
    message: str

    def __repr__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.passed


def verdict(exercise: str, checks: Callable[[], str]) -> Verdict:
    """Run ``checks`` (which returns what was confirmed, or raises :class:`Wrong`) and turn it into a Verdict.

    An exception from the learner's own code is reported with its type, message and the line it came from.
    ``checks`` runs with torch's global random numbers seeded with 0, and put back as they were afterwards: a
    checker gives the same verdict every time, and leaves the notebook's random numbers alone.
    """
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            confirmed = checks()
    except Wrong as wrong:
        return Verdict(False, f"Not yet ({exercise}): {wrong}")
    except Exception as error:  # the learner's code failed: say where, in one line
        frames = traceback.extract_tb(error.__traceback__)
        yours = [f for f in frames if not any(part in f.filename for part in ("site-packages", "/helpers/"))]
        where = f" (line {yours[-1].lineno}: {yours[-1].line})" if yours else ""
        return Verdict(False, f"Not yet ({exercise}): your code raised {type(error).__name__}: {error}{where}")
    return Verdict(True, f"Correct ({exercise}): {confirmed}")


def expect(condition: bool, message: str) -> None:
    """Raise :class:`Wrong` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Wrong(message)


def same_tensor(value: object, expected: torch.Tensor) -> bool:
    """Whether ``value`` is a tensor of ``expected``'s dtype, shape and values (``torch.equal`` ignores the dtype)."""
    return torch.is_tensor(value) and value.dtype == expected.dtype and torch.equal(value, expected)


@contextmanager
def names_replaced(namespaces: Iterable[dict[str, Any]], replacements: dict[int, Any]) -> Iterator[None]:
    """Inside the block, every name in ``namespaces`` (module or function globals) bound to an object whose ``id`` is
    a key of ``replacements`` is bound to that key's value instead; put back afterwards. The caller keeps the
    replaced objects alive (their ids are the keys)."""
    unique = {id(namespace): namespace for namespace in namespaces}.values()
    replaced = [(ns, name, value) for ns in unique for name, value in ns.items() if id(value) in replacements]
    for namespace, name, value in replaced:
        namespace[name] = replacements[id(value)]
    try:
        yield
    finally:
        for namespace, name, value in replaced:
            namespace[name] = value
