"""micrograd compatibility: nodes built by hand, `Value(data, (a, b), '+')`, whose chain rule
is a closure set as `node._backward` that adds to the parents' `.grad` itself.

Such a node's op is the table entry `HAND_BUILT` bound to (text, closure, node), so every
consumer of the table (the backward pass, drawings) handles it like any op. The engine
makes `Value._backward`, `_op` and `_rule` properties of the functions here; nothing here
imports the engine (nodes are used through their fields).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import ops
from autograd.ops import Op


def _closure_rule(text: str, step: Callable[[], None] | None, node: Any,
                  g: Any, out: Any, *xs: Any) -> list[Any]:
    """Run a micrograd-style closure (it adds to the parents' `.grad` itself) as a rule."""
    if step is None or node is None:
        return [0.0] * len(xs)  # built by hand and never given a _backward: sends nothing
    prev = node._prev
    saved = [(p, p.grad) for p in dict.fromkeys(prev)] + [(node, node.grad)]
    try:
        for p in dict.fromkeys(prev):
            p.grad = 0.0
        node.grad = g
        step()
        sends, first = [], set()
        for p in prev:  # a parent used twice received both shares on its first entry
            sends.append(0.0 if p in first else p.grad)
            first.add(p)
    finally:
        for each, before in saved:
            each.grad = before
    return sends


HAND_BUILT = ops.register(Op(name="micrograd", arity=None, forward=float, rule=_closure_rule,
                             builtin=True, internal=True, order=1, closure=True,
                             doc="a node built by hand, micrograd style"))


def hand_built(text: str) -> Op | None:
    """The op of `Value(data, children, text)`: HAND_BUILT with no closure yet."""
    return HAND_BUILT.bind(text, None, None).replace(symbol=text) if text else None


def _closure(fn: Op) -> Callable[[], None] | None:
    """The closure a hand-built node was given (`fn`: HAND_BUILT bound to it), else None."""
    return fn.params[1] if fn.closure and fn.params else None


def get_backward(node: Any) -> Callable[[], None]:
    """micrograd's per-node step: send this node's `.grad` on to its parents' `.grad`."""
    fn, prev = node._fn, node._prev
    if fn is None or not prev:
        return _no_step
    closure = _closure(fn)
    if closure is not None:
        return closure

    def step() -> None:
        for parent, d in zip(prev, fn.rule(node.grad, node.data, *[p.data for p in prev])):
            parent.grad += d

    return step


def set_backward(node: Any, step: Callable[[], None] | None) -> None:
    """Accept a micrograd-style closure that adds to the parents' `.grad` itself."""
    if step is not None and not callable(step):
        raise TypeError(f"_backward: expected a callable, got {type(step).__name__}")
    text = op_text(node) or "?"
    node._fn = HAND_BUILT.bind(text, step, node).replace(symbol=text) if step else None


def _no_step() -> None:
    """A leaf's micrograd step: nothing to send."""


def op_text(node: Any) -> str:
    """micrograd's `_op`: the op as written ('*', 'tanh', '**2'), '' for a leaf."""
    fn = node._fn
    return "" if fn is None else fn.text()


def rule(node: Any) -> Callable[..., Any] | None:
    """The chain rule of the node's op (None for a leaf or a constant)."""
    fn = node._fn
    return None if fn is None or fn.constant else fn.rule
