"""Argument checks and random sources shared by the `nn` modules (private)."""

from __future__ import annotations

import inspect
import numbers
import random
from collections.abc import Callable
from typing import Any, TypeVar

from autograd.reals import real


def positive_int(value: Any, who: str, name: str) -> int:
    """`value` as an int ≥ 1, or TypeError/ValueError naming `who` and `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who}: {name} must be an int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{who}: {name} must be ≥ 1, got {value!r}")
    return int(value)


def in_range(value: Any, who: str, name: str, low: float, high: float, *,
             low_open: bool = False, high_open: bool = False) -> float:
    """A finite float within [low, high] (ends excluded when *_open), else ValueError."""
    x = real(value, who, name)
    too_low = x <= low if low_open else x < low
    too_high = x >= high if high_open else x > high
    if too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{who}: {name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")
    return x


def choice(value: Any, options: tuple[str, ...], who: str, name: str) -> str:
    """`value` if it is one of `options`, else ValueError listing them."""
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{who}: unknown {name} {value!r}; choose one of {listed}")
    return value


def random_source(seed: Any, rng: Any, who: str) -> Any:
    """A `random.Random`-like source: `rng`, or `Random(seed)`, or the global `random`."""
    if seed is not None and rng is not None:
        raise ValueError(f"{who}: give seed or rng, not both")
    if rng is not None:
        for method in ("uniform", "gauss", "shuffle"):
            if not callable(getattr(rng, method, None)):
                raise TypeError(f"{who}: rng must be a random.Random-like object with "
                                f".{method}(), got {type(rng).__name__}")
        return rng
    if seed is None:
        return random  # the module's global state, as micrograd uses: random.seed() works
    if isinstance(seed, bool) or not isinstance(seed, (int, str, bytes)):
        raise TypeError(f"{who}: seed must be an int, str or bytes, got {type(seed).__name__}")
    return random.Random(seed)


F = TypeVar("F", bound=Callable[..., Any])


def shared_doc(**parts: str) -> Callable[[F], F]:
    """Put the text `parts[name]` where a docstring says `{name}` (a line of its own takes
    that line's indentation), as pandas' and scipy's shared docstrings: text several
    functions document alike is written once."""

    def fill(function: F) -> F:
        lines: list[str] = []
        for line in inspect.cleandoc(function.__doc__ or "").splitlines():
            alone = line.strip()
            if alone[:1] == "{" and alone[1:-1] in parts and alone[-1:] == "}":
                indent = line[:len(line) - len(line.lstrip())]
                lines += [indent + text if text else "" for text in
                          parts[alone[1:-1]].splitlines()]
                continue
            for name, text in parts.items():
                line = line.replace("{" + name + "}", text)
            lines.append(line)
        function.__doc__ = "\n".join(lines)
        return function

    return fill
