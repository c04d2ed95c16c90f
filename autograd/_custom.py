"""Custom ops: `autograd.op(name, forward, local_derivatives)` registers a new op in the
table (`autograd.ops`) like the built-ins, so the backward pass, drawings, strategies and
`compile` all use it. Built on `autograd.engine`."""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

from autograd import ops
from autograd._nary import values
from autograd.engine import Value, _as_float, apply
from autograd.ops import Op


class _LocalRule:
    """A custom op's rule: g times each local derivative (picklable by the op's name)."""

    __slots__ = ("name", "local_derivatives")

    def __init__(self, name: str, local_derivatives: Callable[..., Sequence[Any]]):
        self.name, self.local_derivatives = name, local_derivatives

    def __call__(self, g: Any, out: Any, *xs: Any) -> list[Any]:
        derivatives = list(self.local_derivatives(*xs))
        if len(derivatives) != len(xs):
            raise ValueError(f"op {self.name!r}: local_derivatives returned "
                             f"{len(derivatives)} derivatives for {len(xs)} inputs")
        return [g * d for d in derivatives]


class _CustomForward:
    __slots__ = ("name", "forward")

    def __init__(self, name: str, forward: Callable[..., Any]):
        self.name, self.forward = name, forward

    def __call__(self, *xs: float) -> float:
        try:
            out = self.forward(*xs)
        except (ArithmeticError, ValueError) as error:  # math's bare "math range error" etc.
            args = error.args  # float ** gives (34, 'Numerical result out of range')
            reason = args[1] if len(args) == 2 and isinstance(args[0], int) else error
            message = f"op {self.name!r} forward with inputs ({', '.join(map(repr, xs[:4]))}" \
                      f"{', ...' if len(xs) > 4 else ''}): {reason}"
            try:
                renamed = type(error)(message)
            except Exception:
                renamed = ArithmeticError(message) if isinstance(error, ArithmeticError) \
                    else ValueError(message)
            raise renamed from error
        return _as_float(out, f"op {self.name!r} forward")


def op(name: str, forward: Callable[..., Any], local_derivatives: Callable[..., Sequence[Any]],
       *, order: int | None = None, display: Sequence[str] = (),
       arity: int | None = None) -> Callable[..., Value]:
    """Define a new op: `forward(*xs) -> float`, `local_derivatives(*xs) -> ∂out/∂xᵢ each`.

    The op is registered in the table `autograd.ops` like the built-ins (drawings show it,
    `expressions(ops=[name])` generates it, pickled graphs refer to it by name).
    `local_derivatives` receives floats in a first-order pass and `Value`s under
    `create_graph`, so written with Value operations (`x.cos()`, not `math.cos(x)`) it
    serves every order. If it only works on floats, pass `order=1`: differentiating
    through it a second time then raises instead of silently returning 0.

    Args:
        name: the op's name (also `Value.op` of its nodes); must not be a built-in's.
        forward: floats -> float.
        local_derivatives: inputs -> one ∂out/∂input per input.
        order: highest derivative order supported (1, or None for all).
        display: optional text of each local derivative for drawings, e.g. ("cos {x}",).
        arity: number of inputs if fixed (for hypothesis strategies); None: any.

    Raises:
        TypeError: bad name, non-callable forward/local_derivatives, or bad order/display.
        ValueError: `name` is a built-in op's.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"op: name must be a non-empty str, got {name!r}")
    if not callable(forward) or not callable(local_derivatives):
        raise TypeError(f"op {name!r}: forward and local_derivatives must be callable")
    if order is not None and (type(order) is not int or order < 1):
        raise TypeError(f"op {name!r}: order must be a positive int or None, got {order!r}")
    if isinstance(display, str) or not all(isinstance(t, str) for t in display):
        raise TypeError(f"op {name!r}: display must be a sequence of str, got {display!r}")
    if arity is not None and (type(arity) is not int or arity < 1):
        raise TypeError(f"op {name!r}: arity must be a positive int or None, got {arity!r}")
    _check_display(name, tuple(display), arity)
    fn = ops.register(Op(name=name, arity=arity, forward=_CustomForward(name, forward),
                         rule=_LocalRule(name, local_derivatives), symbol=name,
                         local_text=tuple(display), order=order,
                         doc=f"the custom op {name!r}"))

    def apply_op(*inputs: Any) -> Value:
        parents = values(inputs, name)
        if fn.arity is not None and len(parents) != fn.arity:
            raise TypeError(f"op {name!r}: takes {fn.arity} inputs, got {len(parents)}")
        return apply(fn, *parents)

    apply_op.__name__ = apply_op.__qualname__ = name
    apply_op.__doc__ = f"The custom op {name!r} (see autograd.op)."
    return apply_op


def _check_display(name: str, display: tuple[str, ...], arity: int | None) -> None:
    """Refuse display templates that a drawing could not fill in, now rather than later."""
    if arity is not None and len(display) > arity:
        raise ValueError(f"op {name!r}: display has {len(display)} templates for {arity} "
                         f"inputs (one local derivative per input)")
    allowed = {"out", *(f"x{i}" for i in range(arity or 0))}
    # any arity: {x} is filled on nodes with one input, {a} and {b} on nodes with two
    allowed |= {"x"} if arity in (1, None) else set()
    allowed |= {"a", "b"} if arity in (2, None) else set()
    shown = ", ".join(f"{{{n}}}" for n in sorted(allowed)) + (", {x0}, {x1}, ..." if
                                                             arity is None else "")
    for template in display:
        try:
            fields = list(_FORMATTER.parse(template))
        except ValueError as error:
            raise ValueError(f"op {name!r}: display template {template!r} is not a valid "
                             f"template ({error}; write {{{{ and }}}} for braces)") from None
        for _, field, spec, conversion in fields:
            if field is None:
                continue
            digits = field[1:]
            known = field in allowed or (arity is None and field[:1] == "x" and digits.isdigit()
                                         and digits == str(int(digits)))
            if not known:
                raise ValueError(f"op {name!r}: display template {template!r} names "
                                 f"{{{field}}}; it may name {shown}")
            if spec or conversion:
                raise ValueError(f"op {name!r}: display template {template!r} formats "
                                 f"{{{field}}} with {('!' + conversion) if conversion else ''}"
                                 f"{(':' + spec) if spec else ''}; only plain names are "
                                 f"allowed")


_FORMATTER = string.Formatter()

