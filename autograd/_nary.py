"""n-ary ops as ONE node each: `dot` (a neuron's z = Σₖ wₖ·aₖ + b) and `sum`.

Built with `+` and `*` a neuron of n inputs would be 2n nodes; as one node its rule
(`ops.DOT`) sends every wₖ its aₖ and every aₖ its wₖ at once. Built on `autograd.engine`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autograd import ops
from autograd.engine import Value, _as_float, _constant, _node

_DOT = ops.DOT


def values(items: Iterable[Any], op: str) -> tuple[Value, ...]:
    """`items` as a tuple of Values (plain numbers become constants), or a TypeError naming
    `op`."""
    if isinstance(items, (Value, str)) or not isinstance(items, Iterable):
        raise TypeError(f"{op}: expected a sequence of Values or numbers, "
                        f"got {type(items).__name__} {items!r}")
    items = tuple(items)
    for item in items:
        if not isinstance(item, Value):  # rare: wrap plain numbers as constants
            return tuple(i if isinstance(i, Value) else _constant(i, op) for i in items)
    return items


def dot(ws: Iterable[Any], xs: Iterable[Any], bias: Any = None, *, label: str = "") -> Value:
    """Σₖ wₖ·xₖ (+ bias) as ONE graph node: a neuron's pre-activation z.

    Raises:
        TypeError: an argument is not a sequence of Values or numbers.
        ValueError: `ws` and `xs` differ in length.
    """
    if type(ws) is list and type(xs) is list and (bias is None or type(bias) is Value):
        try:  # the common case (a neuron: lists of Values): no per-item checks
            return _dot_node(ws, xs, bias, label)
        except _NotValues:
            pass  # the checks below say what is wrong
    ws, xs = values(ws, "dot"), values(xs, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    if bias is not None and not isinstance(bias, Value):
        bias = _constant(bias, "dot")
    return _dot_node(ws, xs, bias, label, checked=True)


class _NotValues(Exception):
    """`_dot_node` was given something other than equally long sequences of Values."""


def _dot_node(ws: Sequence[Any], xs: Sequence[Any], bias: Value | None, label: str,
              checked: bool = False) -> Value:
    """The Σ node of `dot` (raises _NotValues for operands that are not all Values).

    `checked`: the operands are known to be Values; their `.data` are made floats (a numpy
    number someone stored there) or refused with a TypeError naming `dot`.
    """
    if len(ws) != len(xs):
        raise _NotValues
    data = 0.0  # added left to right, as the compiled code does: same float, same order
    try:
        if checked:
            for w, x in zip(ws, xs):
                data += _as_float(w.data, "dot") * _as_float(x.data, "dot")
        else:
            for w, x in zip(ws, xs):
                data += w.data * x.data
        if bias is not None:
            data += _as_float(bias.data, "dot") if checked else bias.data
    except (AttributeError, TypeError):
        if checked:
            raise
        raise _NotValues from None
    if type(data) is not float:  # e.g. objects whose .data is not a number (never when checked)
        raise _NotValues
    if bias is None:
        out = _node(data, (*ws, *xs), _DOT)
    else:
        out = _node(data, (*ws, *xs, bias), _DOT)
    out.label = label
    return out


def sum(terms: Iterable[Any], *, label: str = "") -> Value:  # noqa: A001 (autograd.sum)
    """Σ terms as ONE graph node (builtin sum() would build a chain of binary +).

    Raises:
        TypeError: `terms` is not a sequence of Values or numbers.
        ValueError: `terms` is empty.
        OverflowError: the sum exceeds the float range.
    """
    terms = values(terms, "sum")
    if not terms:
        raise ValueError("sum: needs at least one term, got an empty sequence")
    out = _node(ops.SUM.forward(*[t.data for t in terms]), terms, ops.SUM)
    out.label = label
    return out
