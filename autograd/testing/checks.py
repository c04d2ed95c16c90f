"""Argument checks for hypothesis strategies, raising `InvalidArgument` as hypothesis' own do.

Used by `autograd.testing`'s strategies and by `nn.testing`; a strategy of your own can use
them too. Needs hypothesis (`pip install 'seedgrad[testing]'`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Sequence
from typing import Any

from autograd.extras import extra_needed

with extra_needed("hypothesis", "testing", "autograd.testing.checks"):
    from hypothesis.errors import InvalidArgument

__all__ = ["check_bounds", "check_choice", "check_int", "check_sizes"]


def check_bounds(where: str, min_value: Any, max_value: Any) -> None:
    """min_value and max_value are finite reals with min_value ≤ max_value.

    Raises:
        InvalidArgument: naming `where` and the bad bound.
    """
    for name, x in (("min_value", min_value), ("max_value", max_value)):
        if not isinstance(x, numbers.Real) or isinstance(x, bool):
            raise InvalidArgument(f"{where}: {name} must be a finite real number, "
                                  f"got {_shown(x)}")
        try:
            finite = math.isfinite(x)
        except OverflowError:  # an int beyond the float range
            raise InvalidArgument(f"{where}: {name} must be a finite real number within the "
                                  f"float range (±1.8e308), got {_shown(x)}") from None
        if not finite:
            raise InvalidArgument(f"{where}: {name} must be a finite real number, got {x!r}")
    if min_value > max_value:
        raise InvalidArgument(f"{where}: min_value={min_value!r} > max_value={max_value!r}")


def check_int(where: str, name: str, x: Any, least: int) -> None:
    """`x` (the argument `name`) is an int ≥ `least`.

    Raises:
        InvalidArgument: naming `where`, `name` and the value.
    """
    if not isinstance(x, int) or isinstance(x, bool) or x < least:
        raise InvalidArgument(f"{where}: {name} must be an int ≥ {least}, got {x!r}")


def check_sizes(where: str, low: str, min_size: Any, high: str, max_size: Any,
                least: int) -> None:
    """`min_size` and `max_size` (named `low` and `high`) are ints ≥ `least`, in order.

    Raises:
        InvalidArgument: naming `where` and the bad size.
    """
    check_int(where, low, min_size, least)
    check_int(where, high, max_size, least)
    if min_size > max_size:
        raise InvalidArgument(f"{where}: {low}={min_size!r} > {high}={max_size!r}")


def check_choice(where: str, name: str, chosen: Any, known: Sequence[str]) -> tuple[str, ...]:
    """`chosen` is a non-empty collection of names from `known`; returns them in `known`'s
    order (a fixed order, for reproducible draws).

    Raises:
        InvalidArgument: naming `where`, `name` and the unknown names.
    """
    if isinstance(chosen, str) or not isinstance(chosen, Collection) or not chosen:
        raise InvalidArgument(f"{where}: {name} must be a non-empty collection of names "
                              f"from {known}, got {chosen!r}")
    unknown = [x for x in chosen if x not in known]
    if unknown:
        raise InvalidArgument(f"{where}: unknown {name} {unknown!r}; choose from {known}")
    return tuple(x for x in known if x in chosen)


def _shown(x: Any) -> str:
    """repr, or the size of an int too long to print (Python refuses > 4300 digits)."""
    if isinstance(x, int) and x.bit_length() > 1000:
        return f"an int of about {x.bit_length() * 0.30103:.0f} digits"
    return repr(x)
