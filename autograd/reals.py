"""One check for "a real number, or an error naming who asked and what was wrong".

Every argument that must be a number goes through `real`: the engine's `Value(x)` and
constants, `nn`'s hyper-parameters, loss targets and state files, the matrix formulas and
`gradcheck`'s inputs. So the same inputs are accepted everywhere (ints, floats, `Fraction`,
`Decimal`, numpy scalars and 0-d arrays; never `bool`) and the messages read alike.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["real", "too_large"]


def real(value: Any, who: str, name: str = "", *, finite: bool = True) -> float:
    """`value` as a float, or an exception naming `who` (the operation) and `name`.

    `finite=False` lets inf and nan through (a `Value` may hold them; a learning rate may
    not). A numpy scalar or 0-d array counts as a number; a `bool` does not.

    Raises:
        TypeError: `value` is not a real number (the message gives its type and repr).
        OverflowError: `value` is an int (or other real) too large for a float.
        ValueError: `finite` is true and `value` is inf or nan.
    """
    kind = type(value)
    if kind is float:  # the common case first, with no further checks
        result = value
    elif kind is not bool and isinstance(value, numbers.Real):
        try:
            result = float(value)
        except OverflowError:
            if name:
                raise OverflowError(f"{who}: {name} is {too_large(value)}, too large for a "
                                    "float") from None
            raise OverflowError(f"{who}: {too_large(value)} is too large for a float") from None
    elif getattr(value, "ndim", None) == 0 and _numeric_dtype(value):
        result = float(value)  # a 0-d numpy array (np.array(2.0)); bool arrays are not
    else:
        must = f"{name} must be" if name else "expected"
        raise TypeError(f"{who}: {must} a real number, got {kind.__name__} {_repr(value)}")
    if finite and not -math.inf < result < math.inf:
        must = f"{name} must be" if name else "expected"
        raise ValueError(f"{who}: {must} finite, got {result!r}")
    return result


def too_large(value: Any) -> str:
    """'an integer of about 401 digits': never repr(value) (over 4300 digits repr raises)."""
    if isinstance(value, int):
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    return f"a {type(value).__name__} of magnitude over 1.8e308"


def _numeric_dtype(value: Any) -> bool:
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    return isinstance(kind, str) and kind in ("i", "u", "f")


def _repr(value: Any) -> str:
    """repr for a message: bounded, and never failing (a hostile or huge object)."""
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__} with a failing repr>"
    return text if len(text) <= 200 else text[:197] + "..."
