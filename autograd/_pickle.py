"""Pickle and copy `Value` graphs: flat and iterative (a million-node chain at the default
recursion limit), ops by name (`Op.__reduce__`). Built on `autograd.engine`.

A node with parents is written as a stub that first names all its ancestors (in topological
order), so the pickler writes each of them before the node and never recurses deeply.
"""

from __future__ import annotations

import threading
from typing import Any

from autograd.engine import Value, _inner_order, _new

_pickling = threading.local()


def _reduce(self: Value, protocol: Any = None) -> tuple[Any, ...]:
    """Pickle/deepcopy without recursion: ancestors first (topologically), then the node."""
    state = (self.data, self.grad, self._fn, self.role, self.label, self._prev)
    pending: set[Value] | None = getattr(_pickling, "pending", None)
    if pending is None:
        pending = _pickling.pending = set()
    if not self._prev or self in pending:
        pending.discard(self)  # its parents come earlier in the stream: no recursion
        return (_stub, (), state)
    pending.clear()
    ancestors = _inner_order(self)[:-1]
    pending.update(ancestors)
    return (_stub_after, (ancestors,), state)


def _stub(*_: Any) -> Value:
    out = _new(Value)
    out.data, out.grad, out._prev, out._fn, out.role, out.label = 0.0, 0.0, (), None, None, ""
    out._g = None
    return out


def _stub_after(ancestors: list[Value]) -> Value:
    return _stub()


def _setstate(self: Value, state: tuple[Any, ...]) -> None:
    self.data, self.grad, self._fn, self.role, self.label, self._prev = state


Value.__reduce_ex__ = _reduce  # type: ignore[method-assign,assignment]
Value.__setstate__ = _setstate  # type: ignore[attr-defined]
