"""The backward walk made fast and safe: what the engine's pass calls around `engine._walk`.

Nothing here is needed to understand backpropagation. `walk_fast` is `engine._walk` with
shortcuts (tests/autograd/engine/test_walk.py proves the sums equal, bit for bit); `reporting` runs
a walk step by step for `on_step`; the rest names a failing op in its error. Nodes are used
through their fields only, so this module does not import the engine (the engine imports it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

from autograd import ops

_INF = math.inf
_DOT = ops.DOT
Steps = Generator[tuple[Any, Any, Sequence[Any]], None, None]


def walk_fast(inner: list[Any]) -> None:
    """`engine._walk` without reports, with shortcuts: the same additions in the same order.

    A neuron's Σ is sent unrolled (no argument lists); a node with 1 or 2 parents calls its
    rule without building a list. A node with g == 0 is skipped when every send is then
    provably ±0.0 (`_zero_sends`), which leaves every running sum as it is (a running sum
    starts at 0.0 and is never -0.0). tests/autograd/engine/test_walk.py checks it against
    `engine._walk` bit for bit.
    """
    node = None
    try:
        for node in reversed(inner):
            g, fn = node._g, node._fn
            if fn is None:
                continue
            if g == 0.0 and (fn is _DOT or fn.inline) and -_INF < node.data < _INF:
                continue  # `_zero_sends(fn)`, written out: an off ReLU above, nothing to send
            prev = node._prev
            if fn is _DOT:  # z = Σₖ wₖ·aₖ (+ b): the rule of ops.DOT written out
                n = len(prev) // 2
                ws, xs = prev[:n], prev[n:2 * n]
                for w, a in zip(ws, xs):  # weights first, then inputs, as the rule sends
                    w._g += g * a.data  # ∂z/∂wₖ = aₖ
                for w, a in zip(ws, xs):
                    a._g += g * w.data  # ∂z/∂aₖ = wₖ
                if len(prev) % 2:
                    prev[-1]._g += g  # ∂z/∂b = 1
            elif len(prev) == 2:
                a, b = prev
                da, db = fn.rule(g, node.data, a.data, b.data)
                a._g += da
                b._g += db
            elif len(prev) == 1:
                a = prev[0]
                (da,) = fn.rule(g, node.data, a.data)
                a._g += da
            else:
                for parent, d in zip(prev, fn.rule(g, node.data, *[p.data for p in prev])):
                    parent._g += d
    except Exception as error:
        if node is None:
            raise
        raise in_backward(error, node) from error


def _zero_sends(fn: ops.Op) -> bool:
    """Whether every send of `fn`'s rule is ±0.0 when g is ±0.0 and the output is finite:
    true for a Σ (a finite z has finite terms, so each send g·aₖ, g·wₖ, g is ±0.0) and for
    the inline ops (+ − * neg relu: each send is ±g, g·(a parent) or g·(0 or 1), and a
    finite product has finite factors). tests/autograd/engine/test_walk.py checks every
    inline op of the table."""
    return fn is _DOT or fn.inline


def reporting(steps: Steps, inner: list[Any], on_step: Callable[..., None],
              create_graph: bool) -> None:
    """Run a walk, calling `on_step` after each step. A rule's error is raised naming the
    op and node (`in_backward`); `on_step`'s own errors pass unchanged."""
    last = None
    try:
        while True:
            try:
                step = next(steps, None)
            except Exception as error:
                node = _failed_at(inner, last, create_graph)
                if node is None:
                    raise
                raise in_backward(error, node) from error
            if step is None:
                return
            last = step[0]
            on_step(*step)
    finally:
        steps.close()


def _failed_at(inner: list[Any], last: Any, create_graph: bool) -> Any:
    """The node a walk failed on: the first after `last` (the last step done) it would take."""
    order = inner[::-1]
    start = 0 if last is None else order.index(last) + 1
    for node in order[start:]:
        if node._fn is not None and not (create_graph and node._g is None):
            return node
    return None


def in_backward(error: Exception, node: Any) -> Exception:
    """Re-raise a failure inside a rule with the op and value that caused it."""
    at = f" at node {node!r}" if getattr(error, "_anomaly", False) else ""
    message = f"backward of '{node._op}'{at} with inputs ({some_data(node._prev)}): {error}"
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


def some_data(nodes: Sequence[Any]) -> str:
    """The numbers of up to four nodes, for error messages."""
    shown = ", ".join(repr(p.data) for p in nodes[:4])
    return shown + (", ..." if len(nodes) > 4 else "")


def safe_repr(x: Any) -> str:
    """repr, even of an int too long for Python's int-to-str limit (a hand-set .grad)."""
    if type(x) is int and x.bit_length() > 10_000:
        return f"<int of about {x.bit_length() * 0.30103:.0f} digits>"
    return repr(x)


def clear(nodes: list[Any]) -> None:
    """Drop the scratch gradients (Values there would tie a node to its own gradient)."""
    for node in nodes:
        node._g = None
