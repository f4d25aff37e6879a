"""Check a notebook's papermill parameters before anything uses them.

papermill replaces the ``parameters`` cell's values with whatever it is given; a string where a
number belongs would otherwise fail many cells later with a confusing message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ParameterError(TypeError):
    """A notebook parameter has the wrong type; the message says how to pass it."""


def _type_names(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(t.__name__ for t in types)


def check_parameters(values: Mapping[str, Any], **expected: type | tuple[type, ...]) -> None:
    """Raise ParameterError unless each named parameter in ``values`` has the expected type.

    Call it as ``check_parameters(globals(), batch_size=int, val_split=(int, float))``.
    ``bool`` is not accepted where ``int`` is expected, and ``int`` is accepted for ``float``.
    """
    for name, types in expected.items():
        if name not in values:
            raise ParameterError(f"parameter {name!r} is missing: keep it in the notebook's parameters cell")
        value = values[name]
        allowed = types if isinstance(types, tuple) else (types,)
        if float in allowed and int not in allowed:
            allowed = (*allowed, int)
        ok = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
        if not ok:
            raise ParameterError(
                f"parameter {name!r} must be {_type_names(types)}, got {type(value).__name__} {value!r}. "
                f"With papermill pass numbers unquoted (-p {name} 64) and strings with -r or quotes."
            )
