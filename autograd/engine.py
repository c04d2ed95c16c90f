"""The scalar engine: a `Value` node, how an op records it, and the backward pass.

Read it next to the seed derivation (docs/backprop.md), in this order:

1. `Value`: a number, its gradient, and the node it came from (`parents`, `op`).
2. `apply`: an op computes `out` from its parents and records them. What each op does
   and its chain rule live in one table, `autograd/ops.py`; the rule for `*` is
   `return g * b, g * a`: the seed's ∂z/∂w = a and ∂z/∂a = w, times g = ∂C/∂z.
3. `backprop`: put the nodes in topological order, then visit them from the output back
   to the inputs, ask each op's rule what every parent receives, and **add** what every
   consumer sends, so a node used twice (the seed's a₁₀, feeding both z₂₀ and z₂₁) ends
   up with ∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀. `Value.backward()` runs it and adds the
   result to every `.grad`.

That is the whole idea: sections 1 to 3, `_walk` being the loop itself. A first reading
can skip the rest: section 4 makes a pass safe (one at a time, all or nothing, errors that
name the op) and fast (`_passes.walk_fast`, the same sums bit for bit, shortcuts written
out); section 5 is higher orders (`create_graph=True`: the rules run on `Value`s, so the
backward pass is itself a graph); section 6, the hook tools such as `autograd.compile`
use (`observe`). Built on this module, in their own files: `Value`'s operators made from
the table (`_operators.py`), `dot` and `sum` (`_nary.py`), `grad`, `jacobian` and
`hessian` (`_functional.py`), custom ops (`_custom.py`), pickling (`_pickle.py`); below
it, the grad-mode switches (`_modes.py`).
"""

from __future__ import annotations

import contextvars
import importlib
import math
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, overload

from autograd import _micrograd, _modes, ops
from autograd._modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from autograd._passes import clear as _clear
from autograd._passes import reporting as _reporting
from autograd._passes import safe_repr as _safe_repr
from autograd._passes import some_data as _some_data
from autograd._passes import walk_fast as _walk_fast
from autograd.ops import Op
from autograd.reals import real

__all__ = ["Value", "Role", "apply", "backprop", "topological_order", "zero_grad", "no_grad",
           "enable_grad", "is_grad_enabled", "detect_anomaly", "observe", "observing", "Observer"]


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
        self._fn: Op | None = _micrograd.hand_built(_op) if (_op or self._prev) else None
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
        with _pass_lock, _OnePass(self):
            _add_to_grads(_backward_pass(self, gradient, create_graph, None), create_graph)

    def zero_grad(self) -> None:
        """Reset `.grad` to 0.0 on every node of this graph."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data!r}, grad={_safe_repr(self.grad)})"

    if TYPE_CHECKING:  # made from the op table at import (autograd/_operators.py); typed
        # here, and tests/test_typing.py checks these against the table both ways (no drift,
        # no typo passes: there is no __getattr__). A number is `Value | float` (an int is a
        # float to type checkers; numpy scalars are floats or are converted).
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
        def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any: ...


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
    if not _blocks_open:  # no no_grad, detect_anomaly or observe block open anywhere
        out._prev = prev
        out._fn = fn
    else:
        _node_in_blocks(out, prev, fn)
    return out


# ---- 3. the backward pass: order the nodes, then one walk --------------------------------------
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


Step = Callable[[Value, Any, Sequence[Any]], None]


def backprop(root: Value, gradient: Any = 1.0, *, create_graph: bool = False,
             on_step: Step | None = None) -> dict[Value, Any]:
    """{node: ∂root/∂node · gradient} for every node `root` depends on; no `.grad` changes.

    Nodes are visited from `root` back to the inputs in reverse topological order, so a
    node is processed only after every consumer has sent its share; each parent receives
    the sum of what its consumers send (the seed's fan-out sum). With `create_graph` the
    rules run on `Value`s and the gradients are differentiable `Value`s. `on_step(node, g,
    sends)` is called for each node processed: its upstream gradient g and what it sends
    to each parent.

    Raises:
        TypeError, ValueError, ArithmeticError: a rule failed; the message names the op.
    """
    _checked_root(root, "backprop")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"backprop: on_step must be a function (node, g, sends) or None, "
                        f"got {type(on_step).__name__} {on_step!r}")
    with _pass_lock, _OnePass(root):
        nodes = _backward_pass(root, gradient, create_graph, on_step)
        found = {node: node._g for node in nodes}
        if create_graph:
            _clear(nodes)
    return found


def _backward_pass(root: Value, gradient: Any, create_graph: bool,
                   on_step: Step | None) -> list[Value]:
    """Order the nodes, start every running sum `_g` at 0 and the root's at the seed, then
    walk; returns the nodes, each holding ∂root/∂node · gradient in `_g`."""
    leaves: list[Value] = []
    inner = _inner_order(root, leaves, None if create_graph else 0.0)
    root._g = _seed(gradient, create_graph)
    if _blocks_open and _modes.anomaly_on():  # checks each step: the shortcuts are off
        on_step = _anomaly_checks(root._g, on_step)
    if create_graph:
        _walk_graph(leaves + inner, inner, on_step)
    elif on_step is None:
        _walk_fast(inner)  # the same sums as `_walk`, bit for bit (tests prove it)
    else:
        _reporting(_walk(inner), inner, on_step, create_graph)
    return leaves + inner


def _walk(inner: list[Value]) -> Generator[tuple[Value, float, Sequence[float]], None, None]:
    """THE backward walk (first order): yields each step (node, g, sends) once done.

    `inner` is topological: reversed, every consumer of a node comes before it, so when a
    node's turn comes its `_g` holds the sum of everything its consumers sent: g = ∂C/∂node.
    """
    for node in reversed(inner):
        fn = node._fn
        if fn is None:
            continue  # a node built by hand with parents but no rule
        g, parents = node._g, node._prev
        sends = fn.rule(g, node.data, *[p.data for p in parents])  # ask the op's rule
        for parent, d in zip(parents, sends):
            parent._g += d  # fan-out: every consumer *adds* its share
        yield node, g, sends


# ---- 4. a safe pass (a first reading can skip from here) ------------------------------------
_INF = math.inf


def _seed(gradient: Any, create_graph: bool) -> Any:
    """The root's gradient: a float, or a Value under create_graph (a constant if a number)."""
    if create_graph:
        return gradient if isinstance(gradient, Value) else _constant(gradient, "backward")
    return _as_float(gradient.data if isinstance(gradient, Value) else gradient, "backward")


def _checked_root(root: Any, who: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"{who}: expected a Value, got {type(root).__name__}")


# One pass at a time: passes keep their running sums in the nodes' `_g` slots (no dict: the
# fast path). (Python runs one thread at a time anyway; the lock makes passes from several
# threads on shared graphs add up right.) A pass started while another runs in this thread
# (from `on_step`, or a custom op's rule calling `grad`) saves the slots of its own graph
# first and puts them back when it ends, so the outer pass finds its sums as it left them.
_pass_lock = threading.RLock()
_depth = 0  # passes running in the thread holding `_pass_lock` (only that thread changes it)
_UNSET = object()


class _OnePass:
    """`with _pass_lock, _OnePass(root):` one pass at a time; a nested pass (this thread's,
    inside another) restores the slots it used. `with` takes the lock itself, not `__enter__`:
    a KeyboardInterrupt landing between an acquire and the block would leave it held, and
    every other thread's next pass would wait forever."""

    __slots__ = ("root", "saved")

    def __init__(self, root: Value):
        self.root = root

    def __enter__(self) -> None:  # the caller holds `_pass_lock` (`with _pass_lock, ...`)
        global _depth
        self.saved = None if _depth == 0 else [
            (node, getattr(node, "_g", _UNSET)) for node in topological_order(self.root)]
        _depth += 1

    def __exit__(self, *exc: Any) -> None:
        global _depth
        _depth -= 1
        if self.saved is not None:
            for node, g in self.saved:
                node._g = None if g is _UNSET else g


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


def _anomaly_checks(seed: Any, report: Step | None) -> Step:
    """Inside `detect_anomaly`: check the seed, and an `on_step` that raises at the first
    non-finite gradient of a step, then reports."""
    _check_gradient(seed, "the gradient given to backward")

    def step(node: Value, g: Any, sends: Sequence[Any]) -> None:
        _check_gradient(g, f"the gradient of node {node!r} (op '{node._op}'), summed over "
                           f"its consumers,")
        for i, d in enumerate(sends):
            x = d.data if isinstance(d, Value) else d
            if not -_INF < x < _INF:
                raise _modes.anomaly(
                    f"backward of op '{node._op}' at node {node!r} sent {_safe_repr(x)} as the "
                    f"gradient of its input {i} (inputs ({_some_data(node._prev)}), upstream "
                    f"gradient {_safe_repr(g.data if isinstance(g, Value) else g)})")
        if report is not None:
            report(node, g, sends)

    return step


def _check_gradient(g: Any, what: str) -> None:
    x = g.data if isinstance(g, Value) else g
    if not -_INF < x < _INF:
        raise _modes.anomaly(f"{what} is {_safe_repr(x)}")


# ---- 5. higher orders: the walk on Values (create_graph=True) -------------------------------
_rule_running: contextvars.ContextVar[Op | None] = contextvars.ContextVar("rule_running",
                                                                          default=None)


def _walk_graph(nodes: list[Value], inner: list[Value], on_step: Step | None) -> None:
    """`_walk` with the rules called on Values, so every send is a graph. A running sum
    starts at None (nothing arrived), and the rules record even inside `no_grad`."""
    token = _modes.grad_mode.set((*_modes.grad_mode.get(), (True, None)))
    try:
        _reporting(_graph_steps(inner), inner, on_step or _no_report, True)
    except BaseException:
        _clear(nodes)
        raise
    finally:
        _modes.grad_mode.reset(token)


def _graph_steps(inner: list[Value]) -> Generator[tuple[Value, Value, list[Value]], None, None]:
    for node in reversed(inner):
        g, fn = node._g, node._fn
        if fn is None or g is None:
            continue  # a hand-built node with no rule, or nothing reached it
        prev = node._prev
        sends = _graph_sends(fn, g, node, prev)
        for parent, d in zip(prev, sends):
            old = parent._g
            parent._g = d if old is None else old + d
        yield node, g, sends


def _no_report(node: Value, g: Any, sends: Sequence[Any]) -> None:
    """An `on_step` that does nothing."""


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


# ---- constants, numbers, zero_grad ----------------------------------------------------------
def _as_float(x: Any, who: str) -> float:
    """`x` as a float (inf and nan allowed: a Value may hold them), or an error naming `who`."""
    return x if type(x) is float else real(x, who, finite=False)


def _no_rule(g: Any, out: Any, *xs: Any) -> Sequence[Any]:
    raise TypeError("this node has no chain rule")


# A constant is a leaf marked by this entry (drawings show it as a number, not a name).
_CONST = ops.register(Op(name="const", arity=0, forward=float, rule=_no_rule, builtin=True,
                         internal=True, doc="a number used in an expression"))


def _constant(x: Any, who: str) -> Value:
    """Wrap a plain number used in an expression; drawings mark it as a constant."""
    out = Value(_as_float(x, who))
    out._fn = _CONST
    return out


def _operand(other: Any, who: str) -> Any:
    """A plain number on the other side of a binary op as a constant; else NotImplemented."""
    try:
        return _constant(other, who)
    except TypeError:
        return NotImplemented


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


# ---- 6. the hook for tools: observers (autograd.compile is one) ------------------------------
class Observer(Protocol):
    """What `observe` tells a tool about the code running inside its block."""

    def made(self, out: Value) -> None:
        """An op made `out` and recorded its parents."""

    def detached(self, out: Value, parents: tuple[Value, ...], fn: Op | None) -> None:
        """`out` was computed but not recorded: by op `fn` from `parents` under `no_grad`,
        or (`fn` None) as `parents[0].detach()`."""

    def read(self, how: str, value: Value, other: Any, result: Any) -> None:
        """Python read `value`'s number, which can steer control flow: `how` is '<', '<=',
        '>', '>=' (with `other`), 'float', 'int', 'trunc', 'bool' or 'round' (`other`: the
        digits); `result` is what the read gave."""


def observe(observer: Observer) -> Any:
    """`with observe(observer):` tells `observer` of every node made, every node computed
    but not recorded, and every read of a Value's number, in this thread and task (the
    innermost observer only). `autograd.compile` traces a function this way; outside any
    such block nothing is told and nothing is slower."""
    return _modes.observe(observer)


def observing() -> Observer | None:
    """The observer of the innermost open `observe` block in this thread and task, or None."""
    return _modes.current_observer.get()


def _node_in_blocks(out: Value, prev: tuple[Value, ...], fn: Op) -> None:
    """`_node` while a no_grad, enable_grad, detect_anomaly or observe block is open."""
    if not -_INF < out.data < _INF and _modes.anomaly_mode.get() and _modes.anomaly_on():
        name = fn.text() if fn.params else fn.name  # '**2', '*', 'dot', a custom op's name
        raise _modes.anomaly(f"op '{name}' made {out.data!r} from inputs ({_some_data(prev)})")
    watcher = _modes.current_observer.get()
    if _modes.recording(_modes.grad_mode.get()):
        out._prev = prev
        out._fn = fn
        if watcher is not None:
            watcher.made(out)
    else:
        out._prev = ()
        out._fn = None
        if watcher is not None:
            watcher.detached(out, prev, fn)


def _blocks_changed(count: int) -> None:
    global _blocks_open
    _blocks_open = count


_blocks_open = 0  # a copy of _modes' count of open blocks, read by `_node`
_modes.on_blocks_open(_blocks_changed)


# ---- what nn attaches to a node; micrograd's attributes -------------------------------------
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


Value._backward = property(_micrograd.get_backward,  # type: ignore[method-assign,assignment]
                           _micrograd.set_backward)
Value._op = property(_micrograd.op_text)  # type: ignore[method-assign,assignment]
Value._rule = property(_micrograd.rule)  # type: ignore[method-assign,assignment]

# Names defined in modules built on this one (they import it, so it cannot import
# them): resolved on first use. `autograd` itself exports them directly.
_BUILT_ON = {"dot": "autograd._nary", "sum": "autograd._nary", "op": "autograd._custom",
             "grad": "autograd._functional", "jacobian": "autograd._functional",
             "hessian": "autograd._functional",
             "_stub": "autograd._pickle", "_stub_after": "autograd._pickle"}


if not TYPE_CHECKING:  # hidden from type checkers: a typo stays an error, and code that is
    # checked imports these from `autograd`, where they are declared
    def __getattr__(name: str) -> Any:
        """`dot`, `sum`: one node for a neuron's Σ (autograd._nary); `grad`, `jacobian`,
        `hessian`: derivatives of chosen inputs (autograd._functional); `op`: custom ops
        (autograd._custom); `_stub`, `_stub_after`: what older pickles of graphs name. Kept
        for code written against earlier versions; `autograd.dot` etc. are the public names."""
        module = _BUILT_ON.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | {name for name in _BUILT_ON if not name.startswith("_")})
