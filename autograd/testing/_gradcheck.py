"""`gradcheck`: compare the engine's gradients with central finite differences.

Public through `autograd.testing`; needs nothing beyond the engine (no hypothesis).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd._functional import grad
from autograd.engine import Value, topological_order
from autograd.reals import real

_ORDER_NAMES = {1: "first derivative", 2: "second derivative"}


class GradcheckError(AssertionError):
    """An analytic derivative disagrees with its finite-difference estimate."""


class _ShapeChanged(ValueError):
    """f returned a different number of outputs at a nearby point (already a clear message)."""


def gradcheck(f: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, order: int = 1, raise_exception: bool = True) -> bool:
    """Check every derivative of `f` at `inputs` against central finite differences.

    A derivative passes when |analytic − numeric| ≤ atol + rtol·|numeric| (PyTorch's rule).
    `f` runs on fresh leaf `Value`s holding the inputs' numbers (keeping their labels), so
    the `.grad` of Values passed in is never touched.

    Args:
        f: takes one `Value` per input and returns a `Value` or a list/tuple of `Value`s.
        inputs: numbers or `Value`s (a sequence of them, or a single one).
        eps: the finite-difference step.
        atol: absolute tolerance.
        rtol: tolerance relative to the numeric estimate.
        order: 1 checks first derivatives; 2 also checks second derivatives (the gradient
            of the gradient, via `create_graph`) against finite differences of the first.
        raise_exception: if False, return False on a mismatch instead of raising.

    Returns:
        True when every derivative agrees (False on a mismatch if `raise_exception=False`).

    Raises:
        GradcheckError: a derivative disagrees; the message names the output, the input
            (label and position), both numbers and the tolerance.
        TypeError: `f` is not callable, an input is not a number or `Value`, or `f`
            returns something other than a `Value` or a non-empty list/tuple of them.
        ValueError: an input is not finite, a setting is out of range, `f` is not finite
            at the inputs, or the finite differences cannot be taken: `f` raises or is not
            finite at inputs ± eps (too close to the edge of its domain: use a smaller
            eps), or eps is too small to move an input. These are raised even with
            `raise_exception=False`: they say the check cannot be made, not that it failed.
        Exception: whatever `f` (or backward through its graph) raises at the inputs
            themselves propagates unchanged.
    """
    if not callable(f):
        raise TypeError(f"gradcheck: f must be callable, got {type(f).__name__} {f!r}")
    point, labels = _read_inputs(inputs)
    _check_settings(eps, atol, rtol, order)
    if not isinstance(raise_exception, bool):
        raise TypeError(f"gradcheck: raise_exception must be True or False, "
                        f"got {raise_exception!r}")
    for k, x in enumerate(point):
        if x + eps == x or x - eps == x:
            raise ValueError(f"gradcheck: eps={eps!r} is too small to move input {k} "
                             f"({x!r}): x ± eps == x; use a larger eps")
    leaves = _leaves(point, labels)
    outputs = _call(f, leaves, None)
    for j, out in enumerate(outputs):
        if not math.isfinite(out.data):
            raise ValueError(f"gradcheck: output {j} of f is {out.data!r} at inputs "
                             f"{tuple(point)}; the derivatives of a non-finite value "
                             "cannot be checked")

    analytic = [_derivatives(out, leaves) for out in outputs]
    numeric = _central_differences(lambda p: _values_at(f, p, labels, len(outputs)), point, eps)
    checks: list[tuple[int, Any, Any]] = [(1, analytic, numeric)]  # order 2: one more level
    if order == 2:
        hessians = []
        for out in outputs:
            firsts = grad(out, leaves, create_graph=True, allow_unused=True)
            hessians.append([[0.0] * len(leaves) if g is None else _derivatives(g, leaves)
                             for g in firsts])
        numeric2 = _central_differences(
            lambda p: _gradients_at(f, p, labels, len(outputs)), point, eps)
        checks.append((2, hessians, numeric2))

    for n, found, expected in checks:
        _check_finite_differences(n, expected, point, eps)
        mismatch = _first_mismatch(found, expected, atol, rtol)
        if mismatch is None:
            continue
        if not raise_exception:
            return False
        index, a, b = mismatch
        raise GradcheckError(_message(n, index, a, b, outputs, labels, point, atol, rtol))
    return True


# ---- reading the arguments ------------------------------------------------------------------
def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _read_inputs(inputs: Any) -> tuple[list[float], list[str]]:
    """The inputs' numbers and labels; TypeError/ValueError naming the bad item."""
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, (Sequence, Value)):
        try:  # a lone number (a float, numpy scalar, Fraction, ...) is one input
            inputs = [real(inputs, "gradcheck", "inputs", finite=False)]
        except TypeError:
            raise TypeError("gradcheck: inputs must be a number, a Value or a sequence of "
                            f"them, got {type(inputs).__name__} {inputs!r}") from None
    elif isinstance(inputs, Value):
        inputs = [inputs]
    if not inputs:
        raise ValueError("gradcheck: inputs is empty; give at least one number or Value")
    point, labels = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            point.append(x.data)
            labels.append(x.label)
        else:
            try:
                point.append(real(x, "gradcheck", f"inputs[{i}]", finite=False))
            except TypeError:
                raise TypeError(f"gradcheck: inputs[{i}] must be a number or a Value, "
                                f"got {type(x).__name__} {x!r}") from None
            except OverflowError as error:  # a bad input value, as documented
                raise ValueError(str(error)) from None
            labels.append("")
        real(point[-1], "gradcheck", f"inputs[{i}]")  # ValueError unless finite
    return point, labels


def _check_settings(eps: Any, atol: Any, rtol: Any, order: Any) -> None:
    for name, x in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if not _is_number(x) or not math.isfinite(x) or x < 0 or (name == "eps" and x == 0):
            bound = "> 0" if name == "eps" else "≥ 0"
            raise ValueError(f"gradcheck: {name} must be a finite number {bound}, got {x!r}")
    if type(order) is not int or order not in _ORDER_NAMES:
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")


def _leaves(point: list[float], labels: list[str]) -> list[Value]:
    return [Value(x, label=label) for x, label in zip(point, labels)]


def _call(f: Callable[..., Any], leaves: list[Value], count: int | None) -> list[Value]:
    """f(*leaves) as a list of output Values; TypeError if f returns anything else."""
    result = f(*leaves)
    outputs = list(result) if isinstance(result, (list, tuple)) else [result]
    if not outputs or not all(isinstance(out, Value) for out in outputs):
        raise TypeError("gradcheck: f must return a Value or a non-empty list/tuple of Values, "
                        f"got {type(result).__name__} {result!r}")
    if count is not None and len(outputs) != count:
        raise _ShapeChanged(f"gradcheck: f returned {count} outputs at the inputs but "
                            f"{len(outputs)} at a nearby point")
    return outputs


# ---- the two sides of the comparison ---------------------------------------------------------
def _values_at(f: Callable[..., Any], point: list[float], labels: list[str],
               count: int) -> list[float]:
    """f's outputs at `point` as floats."""
    return [out.data for out in _call(f, _leaves(point, labels), count)]


def _gradients_at(f: Callable[..., Any], point: list[float], labels: list[str],
                  count: int) -> list[list[float]]:
    """The analytic first derivatives of f at `point`, flattened: [output][input]."""
    leaves = _leaves(point, labels)
    return [_derivatives(out, leaves) for out in _call(f, leaves, count)]


def _derivatives(out: Value, leaves: list[Value]) -> list[float]:
    """∂out/∂leaf for every leaf, as floats (0.0 for a leaf `out` does not use)."""
    return [0.0 if g is None else g.data for g in grad(out, leaves, allow_unused=True)]


def _central_differences(h: Callable[[list[float]], list[Any]], point: list[float],
                         eps: float) -> list[Any]:
    """(h(x + eps·eₖ) − h(x − eps·eₖ)) / 2eps for each input k, laid out as h[...][k]."""
    columns = []
    for k in range(len(point)):
        up, down = list(point), list(point)
        up[k] += eps
        down[k] -= eps
        columns.append(_map2(lambda a, b: (a - b) / (2 * eps), _at(h, up, k, eps),
                             _at(h, down, k, eps)))
    return _transpose_last(columns)


def _at(h: Callable[[list[float]], list[Any]], point: list[float], k: int, eps: float) -> Any:
    """h(point) for a finite difference; an error there says which point and suggests eps."""
    try:
        return h(point)
    except (_ShapeChanged, TypeError):
        raise  # f's result changed shape or type: already clear
    except Exception as error:
        raise ValueError(f"gradcheck: f raised {type(error).__name__} at the finite-difference "
                         f"point {tuple(point)} (input {k} moved by eps={eps!r}): {error}; "
                         "the inputs are too close to the edge of f's domain for this eps: "
                         "use a smaller eps or other inputs") from error


def _check_finite_differences(order: int, numeric: Any, point: list[float], eps: float,
                              index: tuple[int, ...] = ()) -> None:
    """ValueError if an estimate is nan or inf (f not finite, or overflowing, near the point)."""
    if isinstance(numeric, list):
        for i, x in enumerate(numeric):
            _check_finite_differences(order, x, point, eps, (*index, i))
    elif not math.isfinite(numeric):
        j, *wrt = index
        raise ValueError(f"gradcheck: the finite-difference estimate of the "
                         f"{_ORDER_NAMES[order]} of output {j} with respect to input(s) "
                         f"{', '.join(map(str, wrt))} is {numeric!r} at inputs {tuple(point)} "
                         f"(eps={eps!r}): f is not finite or overflows near the inputs; use a "
                         "smaller eps or other inputs")


def _map2(fn: Callable[[float, float], float], a: Any, b: Any) -> Any:
    if isinstance(a, list):
        return [_map2(fn, x, y) for x, y in zip(a, b)]
    return fn(a, b)


def _transpose_last(columns: list[Any]) -> Any:
    """[k][...] → [...][k]: move the differentiated-input index last."""
    if not isinstance(columns[0], list):
        return columns
    return [_transpose_last([c[i] for c in columns]) for i in range(len(columns[0]))]


def _first_mismatch(found: Any, expected: Any, atol: float,
                    rtol: float) -> tuple[tuple[int, ...], float, float] | None:
    """The index and both numbers of the first entry outside the tolerance, else None."""
    if not isinstance(found, list):
        if abs(found - expected) <= atol + rtol * abs(expected):
            return None  # nan on either side fails this test, as it should
        return (), found, expected
    for i, (a, b) in enumerate(zip(found, expected)):
        mismatch = _first_mismatch(a, b, atol, rtol)
        if mismatch is not None:
            return (i, *mismatch[0]), mismatch[1], mismatch[2]
    return None


# ---- the failure message -------------------------------------------------------------------
def _describe_output(j: int, out: Value) -> str:
    ops = []
    for node in topological_order(out):
        fn = node.op_info
        if fn is not None and not fn.constant and node.op not in ops:
            ops.append(node.op)
    name = f"output {j}" + (f" {out.label!r}" if out.label else "")
    if not ops:
        return f"{name} (a leaf)"
    return f"{name} (op {out.op!r}; ops in its graph: {', '.join(ops)})"


def _describe_input(k: int, labels: list[str]) -> str:
    return f"input {labels[k]!r} (position {k})" if labels[k] else f"input at position {k}"


def _message(order: int, index: tuple[int, ...], analytic: float, numeric: float,
             outputs: list[Value], labels: list[str], point: list[float], atol: float,
             rtol: float) -> str:
    j, *wrt = index
    if order == 1:
        respect = _describe_input(wrt[0], labels)
        via = ""
    else:  # second derivative ∂/∂x_k (∂out/∂x_i): index is (output, i, k)
        respect = f"{_describe_input(wrt[0], labels)} then {_describe_input(wrt[1], labels)}"
        via = " (autograd.grad with create_graph=True, differentiated again)"
    tolerance = atol + rtol * abs(numeric)
    return (f"gradcheck: {_ORDER_NAMES[order]} of {_describe_output(j, outputs[j])} with "
            f"respect to {respect} is wrong at inputs {tuple(point)}: analytic{via} "
            f"{analytic!r}, numeric {numeric!r}, |difference| {abs(analytic - numeric)!r} "
            f"> tolerance {tolerance!r} (atol {atol!r} + rtol {rtol!r}·|numeric|)")
