"""The scalar engine: a `Value` node, how an op records it, and the backward pass.

Read it next to the seed derivation (docs/backprop.md), in this order:

1. `Value`: a number, its gradient, and the node it came from (`parents`, `op`).
2. `apply`: an op computes `out` from its parents and records them. What each op does
   and its chain rule live in one table, `autograd/ops.py`; the rule for `*` is
   `return g * b, g * a`: the seed's ∂z/∂w = a and ∂z/∂a = w, times g = ∂C/∂z.
3. `backprop`: visit nodes from the output back to the inputs, ask each op's rule what
   every parent receives, and **add** what every consumer sends, so a node used twice (the
   seed's a₁₀, feeding both z₂₀ and z₂₁) ends up with ∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀.
   `Value.backward()` runs it and adds the result to every `.grad`.

The same walk serves first order (rules called with floats), higher orders
(`create_graph=True`: rules called with the `Value`s, so the backward pass is itself a
graph) and the teaching views (`on_step` reports every step). Conveniences (operators
made from the table, number coercion, micrograd compatibility, pickling) come after.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
import operator
import string
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from autograd import ops
from autograd.ops import Op

__all__ = [
    "Value",
    "Role",
    "apply",
    "backprop",
    "dot",
    "sum",
    "grad",
    "jacobian",
    "hessian",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "zero_grad",
    "topological_order",
    "op",
]

_INF = math.inf
_DOT = ops.DOT

# Thread- and asyncio-safe switch for recording the graph (see `no_grad`): a stack of the
# open no_grad/enable_grad blocks, (enabled, frame of a generator block or None); empty: on.
_grad_mode: contextvars.ContextVar[tuple[tuple[bool, Any], ...]] = contextvars.ContextVar(
    "grad_mode", default=())
# The same for `detect_anomaly` blocks (any open one turns the checks on).
_anomaly_mode: contextvars.ContextVar[tuple[tuple[bool, Any], ...]] = contextvars.ContextVar(
    "anomaly_mode", default=())
# Set only while `autograd.compile` traces a function: told of every read of a Value's number
# that can steer Python control flow (comparisons, float(), int(), ...), of every node made
# under `no_grad` and of every node made at all, so the compiled code can check the reads,
# recompute the `no_grad` nodes and refuse nodes made before the trace.
_tracer: contextvars.ContextVar[Any] = contextvars.ContextVar("tracer", default=None)


class Role(NamedTuple):
    """What a node is in a network, attached by `nn` so drawings can group by neuron.

    kind: 'w' (weight), 'b' (bias), 'z' (pre-activation), 'a' (activation or input);
    layer: the seed's layer number (0 for inputs); unit: the neuron; index: the input k of
    a weight w_{l,j,k} (None otherwise).
    """

    kind: str
    layer: int
    unit: int
    index: int | None = None  # type: ignore[assignment]  # a field named like tuple.index


# ---- 1. the node ---------------------------------------------------------------------------
class Value:
    """A scalar in a computation graph: its `data`, its `grad`, and how it was made."""

    # __slots__: no per-node __dict__; no closure per node (the rule is in the op table).
    __slots__ = ("data", "grad", "_prev", "_fn", "role", "label", "_g", "__weakref__")
    data: float
    """The number this node holds: its forward value (an int given to `Value` is a float)."""
    grad: float | Value
    """∂(output)/∂(this node), added by each `backward()`: 0.0 until then; a `Value` after
    `backward(create_graph=True)` (so it can be differentiated again)."""
    label: str
    """The node's name in drawings, walkthroughs and messages ('' for none)."""
    role: Role | None
    """What the node is in an `nn` network (weight, bias, z or a of a neuron), or None."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy: `array * v`, `v * array`, `np.tanh(v)`... work on Values (see _numpy_call)."""
        return _numpy_call(ufunc, method, inputs, kwargs)

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = ""):
        """Wrap a real number (ints become floats); `label` names it in drawings.

        `_children` and `_op` are micrograd's constructor arguments for hand-built nodes.

        Raises:
            TypeError: `data` is not a real number, or `label` is not a str.
            OverflowError: `data` is an int too large for a float.
        """
        if isinstance(_children, str):  # Value(1.0, "x"): a positional label
            _children, label = (), _children
        if isinstance(data, Value):
            raise TypeError(f"Value: data must be a real number, got Value {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__} {label!r}")
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self._prev: tuple[Value, ...] = tuple(_children)
        # The op that made this node (an entry of autograd.ops); None for a leaf.
        self._fn: Op | None = _hand_built(_op) if (_op or self._prev) else None
        self.role = None  # what the node is in a network (set by nn), or None
        self.label = label
        # `_g`: the backward pass's running sum for this node, set by each pass (backprop).

    # ---- the public graph API: what viz, testing, nn and compile read -----------------------
    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op that made this node, in argument order (() for a leaf)."""
        return self._prev

    @property
    def op(self) -> str:
        """The name of the op that made this node in `autograd.ops` ('' for a leaf)."""
        fn = self._fn
        return "" if fn is None else fn.name

    @property
    def is_leaf(self) -> bool:
        """True for inputs, parameters and constants: nodes no op made."""
        return not self._prev

    @property
    def op_info(self) -> Op | None:
        """The table entry (`autograd.ops.Op`) of this node's op, or None for a leaf."""
        return self._fn

    if TYPE_CHECKING:  # made from the op table at import (see `_install`); typed here, and
        # tests/test_typing.py checks these against the table both ways (no drift, no typo
        # passes: there is no __getattr__). A number is `Value | float` (an int is a float
        # to type checkers; numpy scalars are floats or are converted).
        _g: Any  # the backward pass's running sum (a slot, set by each pass)

        @property  # micrograd's attributes (properties made below)
        def _backward(self) -> Callable[[], None]: ...
        @_backward.setter
        def _backward(self, step: Callable[[], None] | None) -> None: ...
        @property
        def _op(self) -> str: ...
        @property
        def _rule(self) -> Callable[..., Any] | None: ...
        # operators of the table: + - * / (both ways), unary -, and ** (POW, POW_N)
        def __add__(self, other: Value | float) -> Value: ...
        def __radd__(self, other: float) -> Value: ...
        def __sub__(self, other: Value | float) -> Value: ...
        def __rsub__(self, other: float) -> Value: ...
        def __mul__(self, other: Value | float) -> Value: ...
        def __rmul__(self, other: float) -> Value: ...
        def __truediv__(self, other: Value | float) -> Value: ...
        def __rtruediv__(self, other: float) -> Value: ...
        def __pow__(self, other: Value | float) -> Value: ...
        def __rpow__(self, other: float) -> Value: ...
        def __neg__(self) -> Value: ...
        def __pos__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        # methods of the table (Op.method): one input, or two for max/min
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def abs(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...
        def softplus(self) -> Value: ...
        def log1p(self) -> Value: ...
        def expm1(self) -> Value: ...
        def max(self, other: Value | float) -> Value: ...
        def min(self, other: Value | float) -> Value: ...
        # number conventions (read `data`, build no graph)
        def __lt__(self, other: Value | float) -> bool: ...
        def __le__(self, other: Value | float) -> bool: ...
        def __gt__(self, other: Value | float) -> bool: ...
        def __ge__(self, other: Value | float) -> bool: ...
        def __float__(self) -> float: ...
        def __int__(self) -> int: ...
        @overload
        def __round__(self, ndigits: None = None) -> int: ...
        @overload
        def __round__(self, ndigits: int) -> float: ...
        def __round__(self, ndigits: int | None = None) -> int | float: ...
        def __trunc__(self) -> int: ...
        def __bool__(self) -> bool: ...
        def detach(self) -> Value: ...
        def item(self) -> float: ...

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data!r}, grad={_safe_repr(self.grad)})"

    # ---- backward ---------------------------------------------------------------------------
    def backward(self, gradient: Any = 1.0, *, create_graph: bool = False) -> None:
        """Add ∂self/∂node · gradient to every node's `.grad` (accumulates, like PyTorch).

        With `create_graph=True` the gradients are `Value`s recording how they were
        computed, so they can be differentiated again (note: x.grad then refers back to x,
        a reference cycle; `autograd.grad` avoids that). If the pass fails, or is
        interrupted, no `.grad` changes.

        Raises:
            TypeError, ValueError, ArithmeticError: a rule failed; the message names the op.
        """
        _checked_root(self, "backward")
        with _pass_lock:
            saved = _enter_pass(self)
            try:
                _add_to_grads(_walk(self, gradient, create_graph, None), create_graph)
            finally:
                _leave_pass(saved)

    def zero_grad(self) -> None:
        """Reset `.grad` to 0.0 on every node of this graph."""
        for node in topological_order(self):
            node.grad = 0.0


def _safe_repr(x: Any) -> str:
    """repr, even of an int too long for Python's int-to-str limit (a hand-set .grad)."""
    if type(x) is int and x.bit_length() > 10_000:
        return f"<int of about {x.bit_length() * 0.30103:.0f} digits>"
    return repr(x)


# ---- 2. making a node: forward value + parents + the op that knows the chain rule ------------
_new = object.__new__


def apply(fn: Op, *parents: Value) -> Value:
    """Run op `fn` forward on its parents' data and record the node (the op's output)."""
    return _node(fn.forward(*[p.data for p in parents]), parents, fn)


def _node(data: float, prev: tuple[Value, ...], fn: Op) -> Value:
    """Make an op's output node; under `no_grad` it is a plain leaf."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.role = None
    if not _blocks_open:
        out._prev = prev
        out._fn = fn
    else:
        _in_blocks(out, prev, fn)
    return out


def _in_blocks(out: Value, prev: tuple[Value, ...], fn: Op) -> None:
    """`_node` while a no_grad, enable_grad or detect_anomaly block is open somewhere."""
    if not -_INF < out.data < _INF and _anomaly_mode.get() and _anomaly_on():
        name = fn.text() if fn.params else fn.name  # '**2', '*', 'dot', a custom op's name
        raise _anomaly(f"op '{name}' made {out.data!r} from inputs ({_some_data(prev)})")
    if _recording(_grad_mode.get()):
        out._prev = prev
        out._fn = fn
        if _blocks_open and _tracer.get() is not None:  # a trace runs inside enable_grad()
            _tracer.get().made(out)
    else:
        out._prev = ()
        out._fn = None
        tracer = _tracer.get()
        if tracer is not None:
            tracer.detached(out, prev, fn)


# ---- 3. the backward pass: one walk, reporting each step if asked ----------------------------
Step = Callable[[Value, Any, Sequence[Any]], None]


def backprop(root: Value, gradient: Any = 1.0, *, create_graph: bool = False,
             on_step: Step | None = None) -> dict[Value, Any]:
    """{node: ∂root/∂node · gradient} for every node `root` depends on; no `.grad` changes.

    Nodes are visited from `root` back to the inputs in reverse topological order, so a
    node is processed only after every consumer has sent its share; each parent receives
    the sum of what its consumers send (the seed's fan-out sum). With `create_graph` the
    rules run on `Value`s and the gradients are differentiable `Value`s. `on_step(node, g,
    sends)` is called for each node processed: its upstream gradient g and what it sends
    to each parent. Without `on_step`, a node with g exactly 0 (an off ReLU) is skipped.

    Raises:
        TypeError, ValueError, ArithmeticError: a rule failed; the message names the op.
    """
    _checked_root(root, "backprop")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"backprop: on_step must be a function (node, g, sends) or None, "
                        f"got {type(on_step).__name__} {on_step!r}")
    with _pass_lock:
        saved = _enter_pass(root)
        try:
            nodes = _walk(root, gradient, create_graph, on_step)
            found = {node: node._g for node in nodes}
            if create_graph:
                _clear(nodes)
        finally:
            _leave_pass(saved)
    return found


def _checked_root(root: Any, who: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"{who}: expected a Value, got {type(root).__name__}")


# Passes keep their running sums in the nodes' `_g` slots (no dict: the fast path). A pass
# started while another runs in this thread (from `on_step`, or a custom op's rule calling
# `grad`) saves the slots of its own graph first and puts them back when it ends, so the
# outer pass finds its sums as it left them. `_depth`: passes running in the thread holding
# `_pass_lock` (only that thread changes it).
_depth = 0
_UNSET = object()


def _enter_pass(root: Value) -> list[tuple[Value, Any]] | None:
    """Called holding `_pass_lock`: None for an outermost pass, else the slots to restore."""
    global _depth
    saved = None if _depth == 0 else [
        (node, getattr(node, "_g", _UNSET)) for node in topological_order(root)]
    _depth += 1
    return saved


def _leave_pass(saved: list[tuple[Value, Any]] | None) -> None:
    global _depth
    _depth -= 1
    if saved is not None:
        for node, g in saved:
            node._g = None if g is _UNSET else g


def _walk(root: Value, gradient: Any, create_graph: bool, on_step: Step | None) -> list[Value]:
    """The one backward walk; leaves each node's gradient in its scratch field `_g`.

    Callers hold `_pass_lock` and call `_enter_pass`/`_leave_pass` around it (the scratch
    fields are shared by every pass).
    """
    if create_graph:
        seed: Any = gradient if isinstance(gradient, Value) else _constant(gradient, "backward")
    else:
        seed = _as_float(gradient.data if isinstance(gradient, Value) else gradient, "backward")
    if _blocks_open and _anomaly_on():  # checks each step: the fast paths below are off
        _check_gradient(seed, "the gradient given to backward")
        on_step = _checking(on_step)
    leaves: list[Value] = []
    sends: Sequence[Any]
    stepping = False  # True while on_step runs: its errors are its own, not the op's
    inner = _inner_order(root, leaves, None if create_graph else 0.0)
    nodes = leaves + inner
    root._g = seed
    node = root
    token = _grad_mode.set((*_grad_mode.get(), (True, None))) if create_graph else None
    try:
        if create_graph:  # rules on Values: the sends are graphs too
            for node in reversed(inner):
                g, fn = node._g, node._fn
                if fn is None or g is None:
                    continue  # a hand-built node with no rule, or nothing reached it
                prev = node._prev
                sends = _graph_sends(fn, g, node, prev)
                for parent, d in zip(prev, sends):
                    old = parent._g
                    parent._g = d if old is None else old + d
                if on_step is not None:
                    stepping = True
                    on_step(node, g, sends)
                    stepping = False
            return nodes
        for node in reversed(inner):  # rules on floats
            g, fn = node._g, node._fn
            if fn is None:
                continue  # a node built by hand with parents but no rule
            if g == 0.0 and on_step is None and -_INF < node.data < _INF:
                continue  # nothing to send (a ReLU that is off, a satisfied hinge): skip
            prev = node._prev
            if fn is _DOT and on_step is None:  # a neuron's Σ: z = Σₖ wₖ·aₖ (+ b), the
                # rule of ops.DOT written out here (no argument lists: most sends are these)
                n = len(prev) // 2
                ws, xs = prev[:n], prev[n:2 * n]
                for w, a in zip(ws, xs):  # weights first, then inputs, as the rule sends:
                    w._g += g * a.data  # ∂z/∂wₖ = aₖ   (a value used on both sides adds
                for w, a in zip(ws, xs):  # its sends up in the same order either way)
                    a._g += g * w.data  # ∂z/∂aₖ = wₖ
                if len(prev) % 2:
                    prev[-1]._g += g  # ∂z/∂b = 1
                continue
            if len(prev) == 2:  # most nodes: unrolled, no argument lists
                a, b = prev
                da, db = sends = fn.rule(g, node.data, a.data, b.data)
                a._g += da  # fan-out: every consumer *adds* its share
                b._g += db
            elif len(prev) == 1:
                a = prev[0]
                (da,) = sends = fn.rule(g, node.data, a.data)
                a._g += da
            else:
                sends = fn.rule(g, node.data, *[p.data for p in prev])
                for parent, d in zip(prev, sends):
                    parent._g += d
            if on_step is not None:
                stepping = True
                on_step(node, g, sends)
                stepping = False
    except Exception as error:
        if create_graph:
            _clear(nodes)
        if stepping:
            raise
        raise _in_backward(error, node) from error
    except BaseException:
        if create_graph:
            _clear(nodes)
        raise
    finally:
        if token is not None:
            _grad_mode.reset(token)
    return nodes


def _clear(nodes: list[Value]) -> None:
    """Drop the scratch gradients (Values there would tie a node to its own gradient)."""
    for node in nodes:
        node._g = None


_rule_running: contextvars.ContextVar[Op | None] = contextvars.ContextVar("rule_running",
                                                                          default=None)


def _graph_sends(fn: Op, g: Value, node: Value, prev: tuple[Value, ...]) -> list[Value]:
    """What `node` sends to each parent, as Values (a graph of the backward pass)."""
    if fn.order is not None and fn.order < 2:
        return _first_order_sends(fn, g, node, prev)
    token = _rule_running.set(fn)
    try:
        sends = fn.rule(g, node, *prev)
    finally:
        _rule_running.reset(token)
    return [d if isinstance(d, Value) else _constant(d, "backward") for d in sends]


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, parents before children, `root` last."""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: expected a Value, got {type(root).__name__}")
    leaves: list[Value] = []
    inner = _inner_order(root, leaves)
    return leaves + inner  # leaves have no parents: they can all go first


_NO_START = object()


def _inner_order(root: Value, leaves: list[Value] | None = None,
                 start: Any = _NO_START) -> list[Value]:
    """The nodes with parents in topological order (root last), without recursion.

    Leaves (weights, inputs, constants: most parents) go to `leaves` if it is given. A
    backward pass passes `start` (0.0 or None) to set every node's running sum `_g` as it
    is met, saving a second loop over the graph.
    """
    inner: list[Value] = []
    init = start is not _NO_START
    if not root._prev:
        if init:
            root._g = start
        if leaves is not None:
            leaves.append(root)
        return inner
    seen: set[Value] = set()
    stack: list[Any] = [root]
    emit, mark, push, pop = inner.append, seen.add, stack.append, stack.pop
    leaf = leaves.append if leaves is not None else None
    # Post-order DFS on an explicit stack: expanding a node pushes it back under a None
    # marker with its parents above, so popping the marker means all its parents are done.
    # A node already pushed but not yet expanded is pushed again, above its new consumer.
    while stack:
        node = pop()
        if node is None:
            emit(pop())
        elif node not in seen:
            mark(node)
            if init:
                node._g = start
            push(node)
            push(None)
            prev = node._prev
            if len(prev) > 4 and seen.issuperset(prev):
                continue  # a neuron's Σ whose weights and inputs were all met already
            for parent in prev:
                if parent not in seen:
                    if parent._prev:
                        push(parent)
                    else:
                        mark(parent)
                        if init:
                            parent._g = start
                        if leaf is not None:
                            leaf(parent)
    return inner


# One pass at a time: passes share the nodes' scratch fields. (Python runs one thread at a
# time anyway; the lock makes passes from several threads on shared graphs add up right.)
# Re-entrant: a pass nested in this thread's pass is isolated by `_enter_pass` instead.
_pass_lock = threading.RLock()


def _add_to_grads(nodes: list[Value], create_graph: bool) -> None:
    """`.grad += ∂root/∂node` for every node, all or nothing (an interrupt undoes it)."""
    if create_graph:
        try:
            _accumulate({node: node._g for node in nodes if node._g is not None})
        finally:
            _clear(nodes)
        return
    before = [node.grad for node in nodes]
    try:
        for node in nodes:  # the first-order path: floats, kept tight
            node.grad += node._g
    except BaseException:
        for node, old in zip(nodes, before):
            node.grad = old
        raise


def _accumulate(grads: dict[Value, Any]) -> None:
    """`.grad += g` for every (node, g) of a dict (autograd.compile's sums), all or nothing."""
    with _pass_lock:
        items = list(grads.items())
        before = [node.grad for node, _ in items]
        try:
            for node, g in items:
                if type(g) is float:  # compiled code and first-order passes: floats
                    node.grad += g
                    continue
                old = node.grad
                node.grad = g if type(old) is float and old == 0.0 and isinstance(g, Value) \
                    else old + g
        except BaseException:
            for (node, _), old in zip(items, before):
                node.grad = old
            raise


def _in_backward(error: Exception, node: Value) -> Exception:
    """Re-raise a failure inside a rule with the op and value that caused it."""
    at = f" at node {node!r}" if getattr(error, "_anomaly", False) else ""
    message = f"backward of '{node._op}'{at} with inputs ({_some_data(node._prev)}): {error}"
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)


def _some_data(nodes: Sequence[Value]) -> str:
    """The numbers of up to four nodes, for error messages."""
    shown = ", ".join(repr(p.data) for p in nodes[:4])
    return shown + (", ..." if len(nodes) > 4 else "")


# ---- anomaly mode: the first inf or nan raises, naming where it came from ------------------
def _anomaly(message: str) -> FloatingPointError:
    """The error `detect_anomaly` raises (marked so a backward pass adds the node to it)."""
    error = FloatingPointError(f"detect_anomaly: {message}")
    error._anomaly = True  # type: ignore[attr-defined]
    return error


def _anomaly_on() -> bool:
    """True inside a `detect_anomaly` block of this thread and task."""
    return any(frame is None or frame.f_back is not None for _, frame in _anomaly_mode.get())


def _check_gradient(g: Any, what: str) -> None:
    x = g.data if isinstance(g, Value) else g
    if not -_INF < x < _INF:
        raise _anomaly(f"{what} is {_safe_repr(x)}")


def _checking(report: Step | None) -> Step:
    """An `on_step` that raises at the first non-finite gradient of a step, then reports."""

    def step(node: Value, g: Any, sends: Sequence[Any]) -> None:
        _check_gradient(g, f"the gradient of node {node!r} (op '{node._op}'), summed over "
                           f"its consumers,")
        for i, d in enumerate(sends):
            x = d.data if isinstance(d, Value) else d
            if not -_INF < x < _INF:
                raise _anomaly(
                    f"backward of op '{node._op}' at node {node!r} sent {_safe_repr(x)} as the "
                    f"gradient of its input {i} (inputs ({_some_data(node._prev)}), upstream "
                    f"gradient {_safe_repr(g.data if isinstance(g, Value) else g)})")
        if report is not None:
            report(node, g, sends)

    return step


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


def _numbers(xs: Any, who: str) -> list[float]:
    """`xs` (a sequence of numbers or Values) as floats, for jacobian and hessian."""
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
    values = _numbers(xs, "jacobian")
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
    values = _numbers(xs, "hessian")
    leaves, out = _called(f, values, "hessian")
    if not isinstance(out, Value) and isinstance(out, Iterable):
        raise TypeError(f"hessian: f must return one Value (a scalar), got "
                        f"{type(out).__name__}; use jacobian for several outputs")
    with enable_grad():
        firsts = _row(out, leaves, "hessian", create_graph=True)
    return [_row(g, leaves, "hessian") for g in firsts]


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
    method.__name__, method.__qualname__, method.__module__ = name, f"Value.{name}", __name__
    setattr(Value, name, method)


def _uninstall(fn: Op) -> None:
    for name in (fn.method,):
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


Value.__pow__ = _power  # type: ignore[method-assign]
Value.__rpow__ = _rpower  # type: ignore[method-assign]
Value.__pos__ = _pos  # type: ignore[method-assign]



# ---- ordering and number conventions (all read `data`; none build a graph) -----------------
def _plain(x: Any) -> Any:
    return x.data if isinstance(x, Value) else x


def _seen(kind: str, self: Value, other: Any, result: Any) -> Any:
    """Tell a running trace (autograd.compile) that `result` was read from `self`."""
    tracer = _tracer.get()
    if tracer is not None:
        tracer.read(kind, self, other, result)
    return result


def _lt(self: Value, other: Any) -> bool:
    return _seen("<", self, other, self.data < _plain(other))


def _le(self: Value, other: Any) -> bool:
    return _seen("<=", self, other, self.data <= _plain(other))


def _gt(self: Value, other: Any) -> bool:
    return _seen(">", self, other, self.data > _plain(other))


def _ge(self: Value, other: Any) -> bool:
    return _seen(">=", self, other, self.data >= _plain(other))


def _float(self: Value) -> float:
    """float(v) is v.data; refused inside a rule under create_graph (it loses the graph)."""
    return _seen("float", self, None, _number(self))


def _number(self: Value) -> float:
    """`data` for float(), int(), round() and trunc(), refused inside a create_graph rule."""
    running = _rule_running.get()
    if running is not None:
        raise TypeError(
            f"op {running.name!r}: float() of a Value inside its derivative under "
            f"create_graph=True would lose the graph (math.cos(x) and friends call float()); "
            f"use Value operations (x.cos(), x.exp(), x * y) instead, or declare the op "
            f"with order=1 if its derivative is first-order only")
    return self.data


def _item(self: Value) -> float:
    """The number inside (as PyTorch's `tensor.item()`): `data`, no graph."""
    return _float(self)


def _int(self: Value) -> int:
    """int(v): int(v.data), no graph."""
    return _seen("int", self, None, int(_number(self)))


def _round(self: Value, ndigits: int | None = None) -> Any:
    """round(v[, n]): round(v.data[, n]), no graph."""
    return _seen("round", self, ndigits, round(_number(self), ndigits))


def _trunc(self: Value) -> int:
    """math.trunc(v): math.trunc(v.data), no graph."""
    return _seen("trunc", self, None, math.trunc(_number(self)))


def _bool(self: Value) -> bool:
    """bool(v) is bool(v.data), so `if loss:` tests the number (a guard under compile)."""
    data = self.data
    result = bool(data)
    if _tracer.get() is not None:  # record it as the comparisons that decided it
        if not result:
            _seen("float", self, None, data)  # guard: still exactly ±0.0
        elif data != data:
            _seen("float", self, None, data)  # guard: still nan
        else:
            _seen(">" if data > 0 else "<", self, 0.0, True)  # guard: same sign, not 0
    return result


def _detach(self: Value) -> Value:
    """A new leaf holding this node's number: no gradient flows back through it.

    PyTorch's `tensor.detach()`, the scalar way; the label is kept for drawings. Under
    `autograd.compile` it is recomputed from this node like a `no_grad` result.
    """
    out = Value(self.data, label=self.label)
    tracer = _tracer.get()
    if tracer is not None:
        tracer.detached(out, (self, _constant(1.0, "detach")), ops.MUL)  # x·1 is x exactly
    return out


def _format(self: Value, spec: str) -> str:
    """f"{v:.4f}" formats `data`; an empty spec gives the repr."""
    return repr(self) if not spec else format(self.data, spec)


# Ordering compares data (handy for sorting, `if x > 0`); == stays identity so Values hash
# by node, as graph walks need.
Value.__lt__ = _lt  # type: ignore[method-assign]
Value.__le__ = _le  # type: ignore[method-assign]
Value.__gt__ = _gt  # type: ignore[method-assign]
Value.__ge__ = _ge  # type: ignore[method-assign]
Value.__float__ = _float  # type: ignore[method-assign]
Value.item = _item  # type: ignore[method-assign]
Value.__int__ = _int  # type: ignore[method-assign]
Value.__round__ = _round  # type: ignore[method-assign]
Value.__trunc__ = _trunc  # type: ignore[method-assign]
Value.__format__ = _format  # type: ignore[method-assign,assignment]
Value.__bool__ = _bool  # type: ignore[method-assign]
Value.detach = _detach  # type: ignore[method-assign]


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


def _numpy_call(ufunc: Any, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Apply a numpy ufunc elementwise with Python's operators; NotImplemented for others."""
    call = _NUMPY_CALLS.get(getattr(ufunc, "__name__", ""))
    if call is None or method != "__call__" or kwargs:
        return NotImplemented  # numpy then raises a TypeError naming the ufunc and Value
    import numpy

    boxed = []
    for x in inputs:
        if isinstance(x, Value):  # as a 0-d object array, so numpy does not ask us again
            box = numpy.empty((), dtype=object)
            box[()] = x
            x = box
        boxed.append(x)
    return numpy.frompyfunc(call, len(boxed), 1)(*boxed)


# ---- constants and number coercion -----------------------------------------------------------
def _as_float(x: Any, op: str) -> float:
    """Return `x` as a float, or raise TypeError naming `op` and the offending type."""
    kind = type(x)
    if kind is float:
        return x
    if kind is int:
        try:
            return float(x)
        except OverflowError:
            digits = x.bit_length() * 0.30103
            raise OverflowError(f"{op}: an integer of about {digits:.0f} digits is too "
                                "large for a float") from None
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{op}: {kind.__name__} too large for a float") from None
    # 0-d numpy arrays (np.array(2.0)) are numbers too; bool arrays are not.
    if getattr(x, "ndim", None) == 0:
        dtype_kind = getattr(getattr(x, "dtype", None), "kind", None)
        if isinstance(dtype_kind, str) and dtype_kind in ("i", "u", "f"):
            return float(x)
    raise TypeError(f"{op}: expected a real number, got {kind.__name__} {x!r}")


def _constant(x: Any, op: str) -> Value:
    """Wrap a plain number used in an expression; drawings mark it as a constant."""
    out = Value(_as_float(x, op))
    out._fn = _CONST
    return out


def _operand(other: Any, op: str) -> Any:
    """A plain number on the other side of a binary op as a constant; else NotImplemented."""
    try:
        return _constant(other, op)
    except TypeError:
        return NotImplemented


def _no_rule(g: Any, out: Any, *xs: Any) -> Sequence[Any]:
    raise TypeError("this node has no chain rule")


# A constant is a leaf marked by this entry (drawings show it as a number, not a name).
_CONST = ops.register(Op(name="const", arity=0, forward=float, rule=_no_rule, builtin=True,
                         internal=True, doc="a number used in an expression"))


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
    ws, xs = _values(ws, "dot"), _values(xs, "dot")
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
    terms = _values(terms, "sum")
    if not terms:
        raise ValueError("sum: needs at least one term, got an empty sequence")
    out = _node(ops.SUM.forward(*[t.data for t in terms]), terms, ops.SUM)
    out.label = label
    return out


# ---- custom ops -----------------------------------------------------------------------------
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
        parents = _values(inputs, name)
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


# First-order-only ops under create_graph: the sends are right, differentiating them raises.
def _order_exceeded(name: str, g: Any, out: Any, *xs: Any) -> Sequence[Any]:
    raise TypeError(f"op {name!r} was declared with order=1: its derivative cannot be "
                    f"differentiated again (write local_derivatives with Value operations "
                    f"and drop order=1 for higher orders)")


_FIRST_ORDER = ops.register(Op(name="d(order=1)", arity=None, forward=float,
                               rule=_order_exceeded, symbol="∂", builtin=True, internal=True,
                               doc="the derivative of an order=1 op"))


def _first_order_sends(fn: Op, g: Value, node: Value, prev: tuple[Value, ...]) -> list[Value]:
    sends = fn.rule(g.data, node.data, *[p.data for p in prev])
    marker = _FIRST_ORDER.bind(fn.name)
    return [_node(_as_float(d, f"op {fn.name!r}"), (g, node, *prev), marker) for d in sends]


# ---- gradient switches -------------------------------------------------------------------
# inspect.CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR (fixed code-object flags; importing
# inspect would double the time `import autograd` takes)
_SUSPENDABLE = 0x20 | 0x80 | 0x200


# How many no_grad/enable_grad/detect_anomaly blocks are open, in all threads and tasks
# together: while it is 0 no context can be inside one, and `_node` need not look its own
# context up (so anomaly mode costs nothing outside its blocks).
_blocks_open = 0
_blocks_lock = threading.Lock()


def _recording(mode: tuple[tuple[bool, Any], ...]) -> bool:
    """The innermost open block decides, skipping blocks of suspended generators."""
    for enabled, frame in reversed(mode):
        if frame is None or frame.f_back is not None:  # not a generator paused at a yield
            return enabled
    return True


class _GradMode(contextlib.ContextDecorator):
    """`with no_grad():` / `with enable_grad():` (also usable as decorators).

    Each block is one entry of a per-thread, per-task stack. Leaving a block removes its
    own entry, so blocks left out of order still end in the right state; a block inside a
    generator paused at a `yield` does not apply to the code that resumed the caller.
    """

    def __init__(self, enabled: bool, mode: contextvars.ContextVar[Any] = _grad_mode):
        self.enabled = enabled
        self._mode = mode  # the stack this kind of block lives on
        self._entries: list[tuple[bool, Any]] = []

    def __enter__(self) -> None:
        caller = sys._getframe(1)
        frame = caller if caller.f_code.co_flags & _SUSPENDABLE else None
        entry = (self.enabled, frame)
        global _blocks_open
        with _blocks_lock:
            _blocks_open += 1
        self._entries.append(entry)
        self._mode.set((*self._mode.get(), entry))

    def _recreate_cm(self) -> _GradMode:
        return _GradMode(self.enabled, self._mode)  # a decorated function: a fresh block

    def __exit__(self, *exc: Any) -> None:
        entry = self._entries.pop()
        mode = self._mode.get()
        for i in range(len(mode) - 1, -1, -1):
            if mode[i] is entry:
                self._mode.set(mode[:i] + mode[i + 1:])
                break
        global _blocks_open
        with _blocks_lock:
            _blocks_open -= 1


def no_grad() -> _GradMode:
    """Inside this block ops build no graph (results are leaves); per thread and task."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Turn graph recording back on inside a `no_grad` block."""
    return _GradMode(True)


def detect_anomaly() -> _GradMode:
    """Inside this block the first inf or nan an op makes raises `FloatingPointError`.

    Forward: naming the op and its inputs; backward: naming the op, the node whose
    gradient was being sent back, its inputs and the upstream gradient. Per thread and
    task, like `no_grad`; outside any such block nothing is checked and nothing is slower.
    """
    return _GradMode(True, _anomaly_mode)


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside `no_grad`)."""
    mode = _grad_mode.get()
    return not mode or _recording(mode)


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Reset `.grad` to 0.0: on a whole graph (given its output) or on a list of Values.

    Raises:
        TypeError: `values` is neither a Value nor an iterable of Values.
    """
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


# ---- micrograd compatibility ----------------------------------------------------------------
def _hand_built(text: str) -> Op | None:
    """micrograd builds nodes as Value(data, (a, b), '+') and then sets `_backward`."""
    return _HAND_BUILT.bind(text, None, None).replace(symbol=text) if text else None


def _closure_rule(text: str, step: Callable[[], None] | None, node: Value | None,
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


_HAND_BUILT = ops.register(Op(name="micrograd", arity=None, forward=float, rule=_closure_rule,
                              builtin=True, internal=True, order=1,
                              doc="a node built by hand, micrograd style"))


def _get_backward(self: Value) -> Callable[[], None]:
    """micrograd's per-node step: send this node's `.grad` on to its parents' `.grad`."""
    fn, prev = self._fn, self._prev
    if fn is None or not prev:
        return _no_step
    if fn.name == "micrograd" and fn.params[1] is not None:
        return fn.params[1]  # the closure itself

    def step() -> None:
        for parent, d in zip(prev, fn.rule(self.grad, self.data, *[p.data for p in prev])):
            parent.grad += d

    return step


def _set_backward(self: Value, step: Callable[[], None] | None) -> None:
    """Accept a micrograd-style closure that adds to the parents' `.grad` itself."""
    if step is not None and not callable(step):
        raise TypeError(f"_backward: expected a callable, got {type(step).__name__}")
    text = self._op or "?"
    self._fn = _HAND_BUILT.bind(text, step, self).replace(symbol=text) if step else None


def _no_step() -> None:
    """A leaf's micrograd step: nothing to send."""


def _get_op_text(self: Value) -> str:
    """micrograd's `_op`: the op as written ('*', 'tanh', '**2'), '' for a leaf."""
    fn = self._fn
    if fn is None:
        return ""
    return fn.text()


def _get_rule(self: Value) -> Callable[..., Any] | None:
    fn = self._fn
    return None if fn is None or fn is _CONST else fn.rule


Value._backward = property(_get_backward, _set_backward)  # type: ignore[method-assign,assignment]
Value._op = property(_get_op_text)  # type: ignore[method-assign,assignment]
Value._rule = property(_get_rule)  # type: ignore[method-assign,assignment]


# ---- pickle and copy: flat, iterative, by op name -------------------------------------------
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


# ---- every op of the table becomes an operator or method of Value --------------------------
_RESERVED = frozenset(dir(Value)) | {"backward", "zero_grad", "parents", "op", "item",
                                      "detach"}
ops.subscribe(_install)  # now, and for every op registered later
ops._removers.append(_uninstall)
Value.__abs__ = Value.abs  # type: ignore[method-assign]
