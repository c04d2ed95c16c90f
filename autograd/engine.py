"""The scalar engine: a `Value` node, its chain-rule table, and the backward pass.

Read it next to the seed derivation (shared/seed/NOTES.md). A forward op computes `out`
from its parents; its *rule* answers the chain-rule question "given g = ∂C/∂out, what does
each parent receive?". The backward pass visits nodes from the output back to the inputs
and **adds** what every consumer sends, so a node used twice (the seed's a₁₀, feeding both
z₂₀ and z₂₁) ends up with ∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀.

Each rule is written once, as `rule(g, out, *parents) -> one contribution per parent`.
The first-order pass calls it with floats (g, out.data, parent.data, ...); the
higher-order pass (`create_graph=True`) calls it with the `Value`s themselves, so the same
arithmetic records a differentiable graph of the backward pass.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

__all__ = [
    "Value",
    "dot",
    "sum",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "zero_grad",
    "topological_order",
    "op",
]

Rule = Callable[..., Sequence[Any]]

_builtin_sum = sum
_INF = math.inf
_JUPYTER_MAX_NODES = 400

# Thread- and asyncio-safe switch for recording the graph (see `no_grad`).
_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("grad_enabled", default=True)


def _as_float(x: Any, op: str) -> float:
    """Return `x` as a float, or raise TypeError naming `op` and the offending type."""
    kind = type(x)
    if kind is float:
        return x
    if kind is int:
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{op}: an integer of {len(str(abs(x)))} digits is too large "
                                "for a float") from None
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return float(x)
    # 0-d numpy arrays (np.array(2.0)) are numbers too; bool arrays are not.
    if getattr(x, "ndim", None) == 0 and getattr(getattr(x, "dtype", None), "kind", "") in "iuf":
        return float(x)
    raise TypeError(f"{op}: expected a real number, got {kind.__name__} {x!r}")


class Value:
    """A scalar in a computation graph: its `data`, its `grad`, and how it was made."""

    # __slots__: no per-node __dict__ (with no closure per node: ¼ of micrograd's bytes).
    __slots__ = ("data", "grad", "_prev", "_op", "_rule", "label", "__weakref__")
    # Let numpy defer to our reflected operators: np.float32(2) * Value(3) is a Value.
    __array_ufunc__ = None

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = ""):
        """Wrap a real number (ints become floats); `label` names it in drawings."""
        if isinstance(_children, str):  # Value(1.0, "x"): a positional label
            _children, label = (), _children
        if isinstance(data, Value):
            raise TypeError(f"Value: data must be a real number, got Value {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__} {label!r}")
        self.data = _as_float(data, "Value")
        self.grad: Any = 0.0
        self._prev: tuple[Value, ...] = tuple(_children)
        self._op = _op
        self._rule: Rule | None = None  # the op's chain rule; None for a leaf
        self.label = label

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data!r}, grad={self.grad!r})"

    def __float__(self) -> float:
        return self.data

    # ---- arithmetic -------------------------------------------------------------------
    def __add__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "+")
            if other is NotImplemented:
                return other
        return _node(self.data + other.data, (self, other), "+", _add_rule)

    def __radd__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "+")
            if other is NotImplemented:
                return other
        return _node(other.data + self.data, (other, self), "+", _add_rule)

    def __sub__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "-")
            if other is NotImplemented:
                return other
        return _node(self.data - other.data, (self, other), "-", _sub_rule)

    def __rsub__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "-")
            if other is NotImplemented:
                return other
        return _node(other.data - self.data, (other, self), "-", _sub_rule)

    def __mul__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "*")
            if other is NotImplemented:
                return other
        return _node(self.data * other.data, (self, other), "*", _mul_rule)

    def __rmul__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "*")
            if other is NotImplemented:
                return other
        return _node(other.data * self.data, (other, self), "*", _mul_rule)

    def __truediv__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "/")
            if other is NotImplemented:
                return other
        return _divide(self, other)

    def __rtruediv__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "/")
            if other is NotImplemented:
                return other
        return _divide(other, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _power(self, other)
        n = _exponent(other)
        if n is NotImplemented:
            return n
        data = _pow_data(self.data, n)
        return _node(data, (self,), f"**{_fmt(n)}", _const_pow_rule(n))

    def __rpow__(self, other: Any) -> Value:
        if not isinstance(other, Value):
            other = _operand(other, "**")
            if other is NotImplemented:
                return other
        return _power(other, self)

    def __neg__(self) -> Value:
        return _node(-self.data, (self,), "neg", _neg_rule)

    def __pos__(self) -> Value:
        return self

    # Ordering compares data (handy for max(), sorting, `if x > 0`); == stays identity so
    # Values hash by node, as graph walks need.
    def __lt__(self, other: Any) -> bool:
        return self.data < _plain(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _plain(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _plain(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _plain(other)

    # ---- functions --------------------------------------------------------------------
    def exp(self) -> Value:
        """e ** self; OverflowError past e ** 709.78 instead of inf."""
        try:
            data = math.exp(self.data)
        except OverflowError:
            message = f"exp: overflow, exp({self.data!r}) exceeds the float range"
            raise OverflowError(message) from None
        return _node(data, (self,), "exp", _exp_rule)

    def log(self) -> Value:
        """Natural logarithm; ValueError for inputs ≤ 0."""
        if not self.data > 0:
            if math.isnan(self.data):
                return _node(math.nan, (self,), "log", _log_rule)
            raise ValueError(f"log: domain error, input {self.data!r} is not > 0")
        return _node(math.log(self.data), (self,), "log", _log_rule)

    def tanh(self) -> Value:
        """Hyperbolic tangent (exactly ±1.0 far out, never overflows)."""
        return _node(math.tanh(self.data), (self,), "tanh", _tanh_rule)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for any x."""
        x = self.data
        if x >= 0:
            data = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            data = e / (1.0 + e)
        return _node(data, (self,), "sigmoid", _sigmoid_rule)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is taken as 0 (as in PyTorch)."""
        x = self.data
        return _node(0.0 if x <= 0 else x, (self,), "relu", _relu_rule)  # NaN stays NaN

    def sqrt(self) -> Value:
        """Square root; ValueError for negative inputs."""
        if self.data < 0:
            raise ValueError(f"sqrt: domain error, input {self.data!r} is negative")
        return _node(math.sqrt(self.data), (self,), "sqrt", _sqrt_rule)

    def abs(self) -> Value:
        """|x|; its derivative at 0 is taken as 0 (as in PyTorch)."""
        return _node(abs(self.data), (self,), "abs", _abs_rule)

    __abs__ = abs

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's per-node step: send this node's `.grad` on to its parents' `.grad`."""
        rule, prev = self._rule, self._prev
        if rule is None:
            return _no_step

        def step() -> None:
            contributions = rule(self.grad, self.data, *[p.data for p in prev])
            for parent, d in zip(prev, contributions):
                parent.grad += d

        return step

    @_backward.setter
    def _backward(self, step: Callable[[], None] | None) -> None:
        """Accept a micrograd-style closure that adds to the parents' `.grad` itself."""
        if step is None:
            self._rule = None
            return
        if not callable(step):
            raise TypeError(f"_backward: expected a callable, got {type(step).__name__}")
        zeros = (0.0,) * len(self._prev)

        def rule(g, out, *parents):  # first order only; the closure adds to .grad itself
            step()
            return zeros

        rule.pure = False  # calling it changes grads: drawings must not probe it
        self._rule = rule

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the SVG drawing of its graph (text if it is too big)."""
        from autograd.viz import RenderError, to_svg  # graphviz is imported only here

        try:  # Jupyter draws every Value it shows: keep that to graphs that draw quickly
            return to_svg(self, max_nodes=_JUPYTER_MAX_NODES)
        except RenderError:
            return None

    # ---- backward ---------------------------------------------------------------------
    def backward(self, gradient: Any = 1.0, *, create_graph: bool = False) -> None:
        """Add ∂self/∂node · gradient to every node's `.grad` (accumulates, like PyTorch).

        With `create_graph=True` the gradients are `Value`s recording how they were
        computed, so they can be differentiated again (note: x.grad then refers back to x,
        a reference cycle; `autograd.grad` avoids that).
        """
        if create_graph:
            order = topological_order(self)
            found = _backprop_values(order, self, _seed(gradient))
            for node in order:
                g = found.get(node)
                if g is not None:
                    node.grad = g if _is_zero(node.grad) else node.grad + g
            return
        seed = _as_float(gradient.data if isinstance(gradient, Value) else gradient, "backward")
        leaves, inner, saved = _walk(self)
        try:
            _backprop_floats(leaves, inner, self, seed)
        finally:
            # The pass ran from 0; add back what each node held before, in one addition,
            # so that backward twice is exactly 2× backward once (or, after a failure, just
            # put it back).
            for node, before in saved:
                node.grad = before + node.grad

    def zero_grad(self) -> None:
        """Reset `.grad` to 0.0 on every node of this graph."""
        _walk(self)  # the walk leaves every node at 0.0


# ---- building nodes ---------------------------------------------------------------------
_new = object.__new__


def _node(data: float, prev: tuple[Value, ...], op: str, rule: Rule) -> Value:
    """Make an op's output node; under `no_grad` it is a plain leaf."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _grad_enabled.get():
        out._prev = prev
        out._op = op
        out._rule = rule
    else:
        out._prev = ()
        out._op = ""
        out._rule = None
    return out


def _no_step() -> None:
    """A leaf's micrograd step: nothing to send."""


def _constant(x: Any, op: str) -> Value:
    """Wrap a plain number used in an expression; drawings mark it as a constant."""
    out = Value(_as_float(x, op))
    out._op = "const"
    return out


def _operand(other: Any, op: str) -> Any:
    """A plain number on the other side of a binary op as a constant; else NotImplemented."""
    try:
        return _constant(other, op)
    except TypeError:
        return NotImplemented


def _plain(x: Any) -> float:
    return x.data if isinstance(x, Value) else x


def _fmt(n: float) -> str:
    return str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n)


def _is_zero(x: Any) -> bool:
    return type(x) is float and x == 0.0


def _seed(gradient: Any) -> Value:
    return gradient if isinstance(gradient, Value) else _constant(gradient, "backward")


def _exponent(n: Any) -> Any:
    try:
        return _as_float(n, "**")
    except TypeError:
        return NotImplemented


def _pow_data(x: float, n: float) -> float:
    """x ** n as a real number, with an exception naming the op for every bad case."""
    if x < 0 and not n.is_integer():
        raise ValueError(f"**: negative base {x!r} with non-integer exponent {n!r} "
                         "has no real result")
    if x == 0 and n < 0:
        raise ZeroDivisionError(f"**: zero base {x!r} with negative exponent {n!r}")
    try:
        return math.pow(x, n)
    except OverflowError:
        raise OverflowError(f"**: overflow, {x!r} ** {n!r} exceeds the float range") from None


def _divide(a: Value, b: Value) -> Value:
    if b.data == 0:
        raise ZeroDivisionError(f"/: division by zero, {a.data!r} / {b.data!r}")
    return _node(a.data / b.data, (a, b), "/", _div_rule)


def _power(a: Value, b: Value) -> Value:
    return _node(_pow_data(a.data, b.data), (a, b), "**", _pow_rule)


# ---- the chain-rule table: rule(g, out, *parents) -> contribution to each parent --------
# Arguments are floats in a first-order pass and Values under create_graph; rules use only
# operators (and `_log`) that work on both, so each derivative is written exactly once.

def _add_rule(g, out, a, b):
    return g, g


def _sub_rule(g, out, a, b):
    return g, -g


def _mul_rule(g, out, a, b):
    return g * b, g * a


def _div_rule(g, out, a, b):  # out = a / b: ∂/∂a = 1/b, ∂/∂b = -a/b² = -out/b
    return g / b, -g * out / b


def _pow_rule(g, out, a, b):  # out = a ** b: ∂/∂a = b·a^(b-1), ∂/∂b = out·ln a
    if a > 0:
        d_exponent = g * out * _log(a)
    else:  # ln a undefined: 0 where PyTorch masks it (a = 0, b ≥ 0), else nan
        d_exponent = g * (0.0 if float(a) == 0 and b >= 0 else math.nan)
    return g * b * a ** (b - 1), d_exponent


def _const_pow_rule(n: float) -> Rule:
    """Rule for x ** n with a fixed number n (a closure over n, not over the node)."""
    if n == 0:
        return lambda g, out, x: (g * 0.0,)
    return lambda g, out, x: (g * n * x ** (n - 1),)


def _neg_rule(g, out, x):
    return (-g,)


def _exp_rule(g, out, x):
    return (g * out,)


def _log_rule(g, out, x):
    return (g / x,)


def _tanh_rule(g, out, x):
    return (g * (1 - out * out),)


def _sigmoid_rule(g, out, x):  # σ' = σ (1 − σ), the seed's σ′(z)
    return (g * (out * (1 - out)),)


def _relu_rule(g, out, x):  # a step: constant pieces, so no higher-order terms
    return (g * (1.0 if x > 0 else 0.0),)


def _sqrt_rule(g, out, x):
    return (g * 0.5 / out,)


def _abs_rule(g, out, x):
    return (g * (1.0 if x > 0 else (-1.0 if x < 0 else 0.0)),)


def _sum_rule(g, out, *terms):
    return (g,) * len(terms)


def _dot_rule(g, out, *args):
    """z = Σₖ wₖ·aₖ (+ b): ∂z/∂wₖ = aₖ, ∂z/∂aₖ = wₖ, ∂z/∂b = 1 (the seed's derivation)."""
    n = len(args) // 2
    ws, xs = args[:n], args[n:2 * n]
    contributions = [g * local for local in xs + ws]  # wₖ gets g·aₖ, aₖ gets g·wₖ
    if len(args) % 2:
        contributions.append(g)
    return contributions


def _log(x: Any) -> Any:
    return x.log() if isinstance(x, Value) else math.log(x)


# ---- n-ary ops ----------------------------------------------------------------------------
def _values(items: Iterable[Any], op: str) -> tuple[Value, ...]:
    if isinstance(items, (Value, str)) or not isinstance(items, Iterable):
        raise TypeError(f"{op}: expected a sequence of Values or numbers, "
                        f"got {type(items).__name__} {items!r}")
    items = tuple(items)
    for item in items:
        if not isinstance(item, Value):  # rare: wrap plain numbers as constants
            return tuple(i if isinstance(i, Value) else _constant(i, op) for i in items)
    return items


def dot(ws: Iterable[Any], xs: Iterable[Any], bias: Any = None, *, label: str = "") -> Value:
    """Σₖ wₖ·xₖ (+ bias) as ONE graph node: a neuron's pre-activation z."""
    ws, xs = _values(ws, "dot"), _values(xs, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot: {len(ws)} weights but {len(xs)} inputs")
    if bias is not None and not isinstance(bias, Value):
        bias = _constant(bias, "dot")
    return _linear(ws, xs, bias, label)


def _linear(ws: Sequence[Value], xs: Sequence[Value], b: Value | None, label: str) -> Value:
    """`dot` without its argument checks, for callers whose operands are Values already."""
    data = _builtin_sum([w.data * x.data for w, x in zip(ws, xs)])
    if b is None:
        parents = (*ws, *xs)
    else:
        data += b.data
        parents = (*ws, *xs, b)
    out = _node(data, parents, "Σ", _dot_rule)
    out.label = label
    return out


def sum(terms: Iterable[Any], *, label: str = "") -> Value:  # noqa: A001 (autograd.sum)
    """Σ terms as ONE graph node (builtin sum() would build a chain of binary +)."""
    terms = _values(terms, "sum")
    if not terms:
        raise ValueError("sum: needs at least one term, got an empty sequence")
    out = _node(math.fsum(t.data for t in terms), terms, "+", _sum_rule)
    out.label = label
    return out


def op(name: str, forward: Callable[..., Any],
       local_derivatives: Callable[..., Sequence[Any]]) -> Callable[..., Value]:
    """Define a new op: `forward(*xs) -> float`, `local_derivatives(*xs) -> ∂out/∂xᵢ each`.

    `local_derivatives` receives floats in a first-order pass and `Value`s under
    `create_graph`, so written with operators (and Value methods) it serves every order.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"op: name must be a non-empty str, got {name!r}")
    if not callable(forward) or not callable(local_derivatives):
        raise TypeError(f"op {name!r}: forward and local_derivatives must be callable")

    def rule(g, out, *xs):
        derivatives = list(local_derivatives(*xs))
        if len(derivatives) != len(xs):
            raise ValueError(f"op {name!r}: local_derivatives returned {len(derivatives)} "
                             f"derivatives for {len(xs)} inputs")
        return [g * d for d in derivatives]

    def apply(*inputs: Any) -> Value:
        parents = _values(inputs, name)
        data = _as_float(forward(*[p.data for p in parents]), f"op {name!r} forward")
        return _node(data, parents, name, rule)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"The custom op {name!r} (see autograd.op)."
    return apply


# ---- graph walks (iterative: no recursion limit) ------------------------------------------
def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, parents before children, `root` last."""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: expected a Value, got {type(root).__name__}")
    leaves, inner, _ = _walk(root, zero=False)
    return leaves + inner  # leaves have no parents: they can all go first


def _walk(root: Value, zero: bool = True
          ) -> tuple[list[Value], list[Value], list[tuple[Value, Any]]]:
    """Walk `root`'s graph without recursion: leaves, inner nodes in topological order.

    With `zero` (for a backward pass) every grad is left at 0.0, and the third list holds
    (node, grad) for each node whose grad was not 0.
    """
    leaves: list[Value] = []
    inner: list[Value] = []
    saved: list[tuple[Value, Any]] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    leaf, emit, keep, mark = leaves.append, inner.append, saved.append, seen.add
    push, pop = stack.append, stack.pop
    # Post-order DFS on an explicit stack: expanding a node pushes it back under a None
    # marker with its parents above, so popping the marker means all its parents are done.
    # Leaves (weights, inputs, constants: most parents) are listed as soon as they are met.
    try:
        while stack:
            node = pop()
            if node is None:
                emit(pop())
            elif node not in seen:
                mark(node)
                if zero:
                    if node.grad:
                        keep((node, node.grad))
                    node.grad = 0.0
                if not node._prev:  # only the root can be a leaf here
                    leaf(node)
                    continue
                push(node)
                push(None)
                for parent in node._prev:
                    if parent not in seen:
                        if parent._prev:
                            push(parent)
                        else:
                            mark(parent)
                            if zero:
                                if parent.grad:
                                    keep((parent, parent.grad))
                                parent.grad = 0.0
                            leaf(parent)
    except BaseException:  # e.g. KeyboardInterrupt: put back what was zeroed
        for node, before in saved:
            node.grad = before
        raise
    return leaves, inner, saved


def _backprop_floats(leaves: list[Value], inner: list[Value], root: Value, seed: float) -> None:
    """One first-order pass from zeroed grads, leaving ∂root/∂node·seed in every `.grad`.

    On failure every grad is zeroed again and the error names the op that failed.
    """
    root.grad = seed
    try:
        for node in reversed(inner):
            rule = node._rule
            if rule is None:  # a node built by hand with parents but no rule
                continue
            g, prev = node.grad, node._prev
            if g == 0.0 and -_INF < node.data < _INF:
                continue  # nothing to send (a ReLU that is off, a satisfied hinge): skip
            n = len(prev)
            # Unrolled 1- and 2-parent cases: most nodes; avoids building argument lists.
            if n == 2:
                a, b = prev
                da, db = rule(g, node.data, a.data, b.data)
                a.grad += da  # fan-out: every consumer *adds* its share
                b.grad += db
            elif n == 1:
                (a,) = prev
                (da,) = rule(g, node.data, a.data)
                a.grad += da
            else:
                for parent, d in zip(prev, rule(g, node.data, *[p.data for p in prev])):
                    parent.grad += d
    except Exception as error:
        for each in leaves:
            each.grad = 0.0
        for each in inner:
            each.grad = 0.0
        raise _in_backward(error, node) from error


def _backprop_values(order: list[Value], root: Value, seed: Value) -> dict[Value, Value]:
    """One pass that records the backward graph: {node: ∂root/∂node·seed as a Value}."""
    grads: dict[Value, Value] = {root: seed}
    token = _grad_enabled.set(True)
    try:
        for node in reversed(order):
            rule, g = node._rule, grads.get(node)
            if rule is None or g is None:
                continue
            try:
                contributions = rule(g, node, *node._prev)
            except Exception as error:
                raise _in_backward(error, node) from error
            for parent, d in zip(node._prev, contributions):
                if not isinstance(d, Value):
                    d = _constant(d, "backward")
                seen = grads.get(parent)
                grads[parent] = d if seen is None else seen + d
    finally:
        _grad_enabled.reset(token)
    return grads


def _in_backward(error: Exception, node: Value) -> Exception:
    """Re-raise a failure inside a rule with the op and value that caused it."""
    parents = ", ".join(repr(p.data) for p in node._prev[:4])
    more = ", ..." if len(node._prev) > 4 else ""
    message = f"backward of '{node._op}' with inputs ({parents}{more}): {error}"
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


def grad(outputs: Value, inputs: Sequence[Value], grad_outputs: Any = 1.0, *,
         create_graph: bool = False) -> list[Value]:
    """∂outputs/∂input for each input, as Values; `.grad` fields are left untouched.

    With `create_graph=True` the results are differentiable again (higher orders).
    Inputs the output does not depend on get a gradient of 0.
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
    order = topological_order(outputs)
    if create_graph:
        found = _backprop_values(order, outputs, _seed(grad_outputs))
        return [found[x] if x in found else _constant(0.0, "grad") for x in inputs]
    if isinstance(grad_outputs, Value):
        grad_outputs = grad_outputs.data
    seed = _as_float(grad_outputs, "grad")
    leaves, inner, saved = _walk(outputs)
    try:
        _backprop_floats(leaves, inner, outputs, seed)
        members = set(leaves).union(inner)
        return [Value(x.grad if x in members else 0.0) for x in inputs]
    finally:
        for node in leaves:
            node.grad = 0.0
        for node in inner:
            node.grad = 0.0
        for node, before in saved:
            node.grad = before


# ---- gradient switches -------------------------------------------------------------------
@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops build no graph (results are leaves); per thread and task."""
    token = _grad_enabled.set(False)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Turn graph recording back on inside a `no_grad` block."""
    token = _grad_enabled.set(True)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside `no_grad`)."""
    return _grad_enabled.get()


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Reset `.grad` to 0.0: on a whole graph (given its output) or on a list of Values."""
    if isinstance(values, Value):
        values.zero_grad()
        return
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(f"zero_grad: expected a Value or a list of Values, "
                        f"got {type(values).__name__} {values!r}")
    values = list(values)
    for i, v in enumerate(values):
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad: item {i} is a {type(v).__name__}, not a Value")
    for v in values:
        v.grad = 0.0
