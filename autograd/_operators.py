"""`Value`'s operators and methods, made from the op table, and its number conventions.

Every op of `autograd.ops` with an `operator` or `method` becomes one on `Value` (now, and
for every op registered later), so `a * b`, `x.tanh()` and a custom op's method all make
their node through `engine.apply`'s path. The number conventions (`<`, `float(v)`,
`round(v)`, `bool(v)`, ...) read `data` and build no graph; each such read is told to the
engine's observer, if one is installed (see `autograd.engine.observe`). numpy ufuncs on
Values apply these operators elementwise.

Built on `autograd.engine` (which does not import this module: `autograd/__init__` does).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd._modes import current_observer
from autograd.engine import Value, _as_float, _constant, _node, _operand, _rule_running, apply
from autograd.ops import Op
from autograd.ops._table import _removers


# ---- operators and methods, made from the op table -----------------------------------------
def _binary(fn: Op) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """`__add__` and `__radd__` (etc.) for a binary op of the table.

    An op marked `inline` (its `code` is exactly its forward and cannot fail: + - *) gets
    methods compiled from that code, so `a * b` runs `a.data * b.data` with no extra call.
    """
    forward, symbol = fn.forward, fn.text()
    if fn.inline and fn.code:
        code = fn.code
        return (_compiled(fn, code, "self, other", "(self, other)", a="self.data", b="other.data"),
                _compiled(fn, code, "self, other", "(other, self)", a="other.data", b="self.data"))

    def method(self: Value, other: Any) -> Any:
        if not isinstance(other, Value):
            other = _operand(other, symbol)
            if other is NotImplemented:
                return other
        return _node(forward(self.data, other.data), (self, other), fn)

    def reflected(self: Value, other: Any) -> Any:
        if not isinstance(other, Value):
            other = _operand(other, symbol)
            if other is NotImplemented:
                return other
        return _node(forward(other.data, self.data), (other, self), fn)

    return method, reflected


def _compiled(fn: Op, code: str, params: str, parents: str, **names: str) -> Callable[..., Any]:
    """A method whose forward is the op's own `code` template, written out inline."""
    lines = [f"def method({params}):"]
    if "other" in params:
        lines += ["    if not isinstance(other, Value):",
                  f"        other = _operand(other, {fn.text()!r})",
                  "        if other is NotImplemented:",
                  "            return other"]
    lines.append(f"    return _node({code.format(**names)}, {parents}, fn)")
    namespace: dict[str, Any] = {"Value": Value, "_operand": _operand, "_node": _node, "fn": fn}
    exec(compile("\n".join(lines), f"<autograd op {fn.name!r}>", "exec"), namespace)
    return namespace["method"]


def _unary(fn: Op) -> Callable[[Value], Value]:
    if fn.inline and fn.code:
        return _compiled(fn, fn.code, "self", "(self,)", x="self.data")
    forward = fn.forward

    def method(self: Value) -> Value:
        return _node(forward(self.data), (self,), fn)

    return method


def _binary_method(fn: Op) -> Callable[[Value, Any], Value]:
    forward, name = fn.forward, fn.name

    def method(self: Value, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, name)
        return _node(forward(self.data, other.data), (self, other), fn)

    return method


def _install(fn: Op) -> None:
    """Give `Value` the operator or method of a table entry (called for every op)."""
    if fn.operator is not None:
        if fn.arity == 1:
            _set_method(f"__{fn.operator}__", _unary(fn))
        else:
            method, reflected = _binary(fn)
            _set_method(f"__{fn.operator}__", method)
            _set_method(f"__r{fn.operator}__", reflected)
    if fn.method is not None:
        if fn.method in _RESERVED:
            raise ValueError(f"op {fn.name!r}: method name {fn.method!r} is taken by Value")
        made = _unary(fn) if fn.arity == 1 else _binary_method(fn) if fn.arity == 2 else None
        if made is not None:
            made.__doc__ = fn.doc[:1].upper() + fn.doc[1:] if fn.doc else f"The op {fn.name!r}."
            _set_method(fn.method, made)


def _set_method(name: str, method: Callable[..., Any]) -> None:
    """`Value.<name> = method`, named so pickle finds it again (`Value.relu` in a model)."""
    method.__name__, method.__qualname__ = name, f"Value.{name}"
    method.__module__ = Value.__module__
    setattr(Value, name, method)


def _uninstall(fn: Op) -> None:
    name = fn.method
    if name is not None and name not in _RESERVED and name in vars(Value):
        delattr(Value, name)


def _power(self: Value, other: Any) -> Any:
    """x ** n for a number n (one input), x ** y for a Value y (both get gradients)."""
    if isinstance(other, Value):
        return apply(ops.POW, self, other)
    try:
        n = _as_float(other, "**")
    except TypeError:
        return NotImplemented
    return apply(ops.POW_N.bind(n), self)


def _rpower(self: Value, other: Any) -> Any:
    other = _operand(other, "**")
    return other if other is NotImplemented else apply(ops.POW, other, self)


def _pos(self: Value) -> Value:
    return self


# ---- number conventions: they read `data` and build no graph ---------------------------------
# Ordering compares data (handy for sorting, `if x > 0`); == stays identity so Values hash
# by node, as graph walks need. Each read is told to the observer: compiled code replays
# such a read as a guard (a branch taken on the number must be taken again).
def _told(how: str, value: Value, other: Any, result: Any) -> Any:
    """Tell the observer (if any) that `result` was read from `value` (with `other`)."""
    observer = current_observer.get()
    if observer is not None:
        observer.read(how, value, other, result)
    return result


def _comparison(how: str, compare: Callable[[Any, Any], bool]) -> Callable[[Value, Any], bool]:
    def method(self: Value, other: Any) -> bool:
        number = other.data if isinstance(other, Value) else other
        return _told(how, self, other, compare(self.data, number))

    return method


def _data_of(self: Value) -> float:
    """`data` for float(), int(), round() and trunc(), refused inside a create_graph rule."""
    running = _rule_running.get()
    if running is not None:
        raise TypeError(
            f"op {running.name!r}: float() of a Value inside its derivative under "
            f"create_graph=True would lose the graph (math.cos(x) and friends call float()); "
            f"use Value operations (x.cos(), x.exp(), x * y) instead, or declare the op "
            f"with order=1 if its derivative is first-order only")
    return self.data


def _float(self: Value) -> float:
    """float(v) is v.data; refused inside a rule under create_graph (it loses the graph)."""
    return _told("float", self, None, _data_of(self))


def _item(self: Value) -> float:
    """The number inside (as PyTorch's `tensor.item()`): `data`, no graph."""
    return _float(self)


def _int(self: Value) -> int:
    """int(v): int(v.data), no graph."""
    return _told("int", self, None, int(_data_of(self)))


def _round(self: Value, ndigits: int | None = None) -> Any:
    """round(v[, n]): round(v.data[, n]), no graph."""
    return _told("round", self, ndigits, round(_data_of(self), ndigits))


def _trunc(self: Value) -> int:
    """math.trunc(v): math.trunc(v.data), no graph."""
    return _told("trunc", self, None, math.trunc(_data_of(self)))


def _bool(self: Value) -> bool:
    """bool(v) is bool(v.data), so `if loss:` tests the number."""
    return _told("bool", self, None, bool(self.data))


def _detach(self: Value) -> Value:
    """A new leaf holding this node's number: no gradient flows back through it.

    PyTorch's `tensor.detach()`, the scalar way; the label is kept for drawings. An
    observer is told of it as of a `no_grad` node computed from this one.
    """
    out = Value(self.data, label=self.label)
    observer = current_observer.get()
    if observer is not None:
        observer.detached(out, (self,), None)
    return out


def _format(self: Value, spec: str) -> str:
    """f"{v:.4f}" formats `data`; an empty spec gives the repr."""
    return repr(self) if not spec else format(self.data, spec)


# ---- numpy: object arrays of Values, as micrograd gives ----------------------------------------
# numpy asks `Value.__array_ufunc__` whenever a ufunc meets a Value: `ndarray * v` (np.multiply),
# `np.float32(2) * v`, `np.tanh(v)`. Each element goes through the Python operator or method,
# so `np.array([1., 2.]) * v` is an object array of Values (backward through it works) and a
# numpy scalar with a Value gives a Value. numpy is loaded already when this runs.
_NUMPY_CALLS: dict[str, Callable[..., Any]] = {
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "true_divide": operator.truediv, "divide": operator.truediv, "power": operator.pow,
    "negative": operator.neg, "positive": operator.pos, "absolute": operator.abs,
    "less": operator.lt, "less_equal": operator.le, "greater": operator.gt,
    "greater_equal": operator.ge, "equal": operator.eq, "not_equal": operator.ne,
    **{name: operator.methodcaller(name) for name in
       ("exp", "log", "tanh", "sqrt", "sin", "cos", "log1p", "expm1")},
}


def _array_ufunc(self: Value, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """numpy: `array * v`, `v * array`, `np.tanh(v)`... work on Values, elementwise with
    Python's operators; NotImplemented for other ufuncs (numpy then raises a TypeError)."""
    call = _NUMPY_CALLS.get(getattr(ufunc, "__name__", ""))
    if call is None or method != "__call__" or kwargs:
        return NotImplemented
    import numpy

    boxed = []
    for x in inputs:
        if isinstance(x, Value):  # as a 0-d object array, so numpy does not ask us again
            box = numpy.empty((), dtype=object)
            box[()] = x
            x = box
        boxed.append(x)
    return numpy.frompyfunc(call, len(boxed), 1)(*boxed)


for _name, _method in {
        "__pow__": _power, "__rpow__": _rpower, "__pos__": _pos,
        "__lt__": _comparison("<", operator.lt), "__le__": _comparison("<=", operator.le),
        "__gt__": _comparison(">", operator.gt), "__ge__": _comparison(">=", operator.ge),
        "__float__": _float, "item": _item, "__int__": _int, "__round__": _round,
        "__trunc__": _trunc, "__bool__": _bool, "__format__": _format, "detach": _detach,
        "__array_ufunc__": _array_ufunc}.items():
    setattr(Value, _name, _method)

# ---- every op of the table becomes an operator or method of Value --------------------------
_RESERVED = frozenset(dir(Value)) | {"backward", "zero_grad", "parents", "op", "item", "detach"}
ops.subscribe(_install)  # now, and for every op registered later
_removers.append(_uninstall)
Value.__abs__ = Value.abs  # type: ignore[method-assign]
