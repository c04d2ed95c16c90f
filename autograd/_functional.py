"""Derivatives of chosen inputs: `grad` (as `torch.autograd.grad`), and whole derivatives of a
function at a point, `jacobian` and `hessian` (as `torch.autograd.functional`). Built on
`autograd.engine.backprop`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd._modes import enable_grad
from autograd.engine import Value, _as_float, _constant, backprop


def grad(outputs: Value, inputs: Sequence[Value], grad_outputs: Any = 1.0, *,
         create_graph: bool = False, allow_unused: bool = False) -> list[Any]:
    """∂outputs/∂input for each input, as Values; `.grad` fields are left untouched.

    With `create_graph=True` the results are differentiable again (higher orders). As in
    PyTorch, an input the output does not depend on is an error (a likely mistake), unless
    `allow_unused=True`: then its gradient is None.

    Raises:
        TypeError: `outputs` is not a Value or `inputs` is not a sequence of Values.
        RuntimeError: an input is not in the graph of `outputs` and `allow_unused` is False.
    """
    if not isinstance(outputs, Value):
        raise TypeError(f"grad: outputs must be a Value, got {type(outputs).__name__}")
    if isinstance(inputs, Value):
        raise TypeError("grad: inputs must be a sequence of Values, got one Value; "
                        "wrap it in a list")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {type(x).__name__}")
    found = backprop(outputs, grad_outputs, create_graph=create_graph)
    if not allow_unused:
        for i, x in enumerate(inputs):
            if x not in found:
                raise RuntimeError(
                    f"grad: inputs[{i}] ({x!r}) is not used in the graph of the output; "
                    f"pass allow_unused=True to get None for it")
    if create_graph:
        return [None if x not in found else _constant(0.0, "grad") if found[x] is None
                else found[x] for x in inputs]
    return [Value(found[x]) if x in found else None for x in inputs]


def _point(xs: Any, who: str) -> list[float]:
    """The point `xs` (a sequence of numbers or Values) as floats, for jacobian and hessian."""
    if isinstance(xs, (Value, str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"{who}: xs must be a sequence of numbers (one per argument of f), "
                        f"got {type(xs).__name__} {xs!r}; wrap a single number in a list")
    return [_as_float(x.data if isinstance(x, Value) else x, f"{who} (xs[{i}])")
            for i, x in enumerate(xs)]


def _called(f: Any, xs: list[float], who: str) -> tuple[list[Value], Any]:
    """Fresh leaves for `xs` and f(*leaves), recorded even inside `no_grad`."""
    if not callable(f):
        raise TypeError(f"{who}: f must be a function of Values, got {type(f).__name__} {f!r}")
    leaves = [Value(x) for x in xs]
    with enable_grad():
        return leaves, f(*leaves)


def _row(y: Any, leaves: list[Value], who: str, create_graph: bool = False) -> list[Any]:
    """∂y/∂leaf for every leaf (0 for leaves y does not use, or a number y)."""
    if not isinstance(y, Value):
        _as_float(y, f"{who} (an output of f)")  # a constant output: its derivatives are 0
        return [_constant(0.0, who) if create_graph else 0.0 for _ in leaves]
    found = grad(y, leaves, create_graph=create_graph, allow_unused=True)
    if create_graph:
        return [_constant(0.0, who) if g is None else g for g in found]
    return [0.0 if g is None else g.data for g in found]


def jacobian(f: Callable[..., Any], xs: Sequence[Any]) -> list[Any]:
    """The derivatives of `f(*xs)` at the numbers `xs`, as floats (torch.autograd.functional).

    `f` takes one Value per number in `xs`. If it returns one Value, the result is the
    list [∂f/∂xⱼ]; if it returns a sequence of Values, the nested list J[i][j] = ∂fᵢ/∂xⱼ.
    Arguments f does not use get 0.

    Args:
        f: a function of `len(xs)` Values returning a Value or a sequence of Values.
        xs: the point, one number per argument of `f` (Values are read as their number).

    Raises:
        TypeError: `f` is not callable, `xs` is not a sequence of numbers, or `f` returns
            something other than Values or numbers.
    """
    values = _point(xs, "jacobian")
    leaves, out = _called(f, values, "jacobian")
    if isinstance(out, Value) or not isinstance(out, Iterable) or isinstance(out, str):
        return _row(out, leaves, "jacobian")
    return [_row(y, leaves, "jacobian") for y in out]


def hessian(f: Callable[..., Any], xs: Sequence[Any]) -> list[list[float]]:
    """The second derivatives H[i][j] = ∂²f/∂xᵢ∂xⱼ of a scalar `f(*xs)` at the numbers `xs`.

    Built on `grad(create_graph=True)`: the first derivatives are graphs, differentiated
    once more. Equal to `torch.autograd.functional.hessian` (float64).

    Args:
        f: a function of `len(xs)` Values returning one Value.
        xs: the point, one number per argument of `f` (Values are read as their number).

    Raises:
        TypeError: `f` is not callable, `xs` is not a sequence of numbers, or `f` does not
            return one Value (or number).
    """
    values = _point(xs, "hessian")
    leaves, out = _called(f, values, "hessian")
    if not isinstance(out, Value) and isinstance(out, Iterable):
        raise TypeError(f"hessian: f must return one Value (a scalar), got "
                        f"{type(out).__name__}; use jacobian for several outputs")
    with enable_grad():
        firsts = _row(out, leaves, "hessian", create_graph=True)
    return [_row(g, leaves, "hessian") for g in firsts]
