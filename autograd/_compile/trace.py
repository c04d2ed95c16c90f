"""Tracing: run `fn` once on input leaves and record its graph, reads and `no_grad` nodes."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd import engine, ops
from autograd._passes import safe_repr
from autograd.engine import Value


class TraceError(Exception):
    """`fn` cannot be compiled, or a call needs a new trace and retracing is off."""


class Miss(Exception):
    """Raised by generated code: guard number `args[0]` came out differently."""


class NonFinite(Exception):
    """Raised by generated code: an inf or nan appeared; eager mode handles the call."""


class Tracer:
    """The engine's observer while `fn` runs (`autograd.engine.observe`): records every
    number read, every node made and every `no_grad` node, as compiled code needs them."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, Value, Any, Any]] = []
        self.detached_nodes: dict[Value, tuple[tuple[Value, ...], ops.Op]] = {}
        self.made_nodes: set[int] = set()
        self._keep: list[Value] = []  # ids stay valid while the trace lives

    def read(self, how: str, value: Value, other: Any, result: Any) -> None:
        """A read becomes a guard; `bool(v)` is recorded as the comparisons that decided it
        (still exactly ±0.0, still nan, or the same sign and not 0)."""
        if how == "bool":
            data = value.data
            if not result or data != data:
                how, other, result = "float", None, data
            else:
                how, other, result = (">" if data > 0 else "<"), 0.0, True
        self.reads.append((how, value, other, result))

    def made(self, out: Value) -> None:
        self.made_nodes.add(id(out))
        self._keep.append(out)

    def detached(self, out: Value, prev: tuple[Value, ...], fn: ops.Op | None) -> None:
        """A `no_grad` node is recomputed from its parents; `x.detach()` as x·1 (exactly x)."""
        if fn is None:
            prev, fn = (prev[0], engine._constant(1.0, "detach")), ops.MUL
        self.detached_nodes[out] = (prev, fn)


class Trace:
    """One run of `fn`: its outputs, input leaves, guards, `no_grad` nodes, node order."""

    def __init__(self, outputs: list[Value], single: bool, inputs: list[Value],
                 tracer: Tracer, check: bool = True):
        self.outputs, self.single, self.inputs = outputs, single, inputs
        self.reads, self.detached = tracer.reads, tracer.detached_nodes
        self.order: list[Value] = []
        self.slots: list[tuple[Any, str]] = []  # what generated code takes, in order
        if not check:  # an eager run: nothing will be generated from it
            return
        self.order = forward_order(self)
        for node in self.order:  # ops generated code cannot express, named by the table
            fn = node._fn
            if node._prev and fn is None:
                raise TraceError(f"compile: node {node!r} has parents but no op (its "
                                 f"`_backward` was set to None); build it from ops "
                                 f"(operators, methods, autograd.op)")
            if node._prev and fn is not None and fn.internal:
                raise TraceError(
                    f"compile: node {node!r} was made by the internal op {fn.name!r} "
                    f"({fn.doc}); generated code cannot express it: build fn from ops "
                    f"(operators, methods, autograd.op, autograd.dot), and compile a "
                    f"first-order function rather than one using create_graph=True")
        made = tracer.made_nodes
        for node in self.order:  # a node with parents that fn did not make: made before
            if node._prev and id(node) not in made and node not in self.detached:
                raise TraceError(
                    f"compile: fn uses a Value computed outside it ({_show(node)}, made by op "
                    f"{node.op!r}); compiled code would recompute it from its inputs on "
                    f"every call while eager mode keeps its old number. Compute it inside "
                    f"fn, or pass Value({_show(node)}.data) (a leaf) if it is a constant")

    def parents(self, node: Value) -> Sequence[Value]:
        """A node's parents as the forward computation sees them (`no_grad` nodes too)."""
        found = self.detached.get(node)
        return found[0] if found is not None else node._prev


def _show(node: Value) -> str:
    return f"label {node.label!r}" if node.label else f"data={node.data!r}"


def forward_order(trace: Trace) -> list[Value]:
    """Every node the outputs and guards depend on, parents first, without recursion.

    Not the engine's `topological_order` (the backward pass uses that): this walk sees the
    parents a `no_grad` node was computed from, and visits parents in argument order, so
    a layer's units are computed in order and `batch` can add each ReLU's products to the
    next layer's sums right after it, in the order eager `dot` adds them."""
    roots = [*trace.outputs]
    for _, value, other, _ in trace.reads:
        roots += (value, other) if isinstance(other, Value) else (value,)
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        if root in seen:
            continue
        stack: list[tuple[Value, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(trace.parents(node)) if p not in seen)
    return order


def run_traced(fn: Callable[..., Any], args: Sequence[Any], static: frozenset[int],
               names: Sequence[str], check: bool = True, lifted: frozenset[int] = frozenset(),
               probe: Probes | None = None) -> Trace:
    """Run `fn` with dynamic arguments as fresh input leaves, recording what it reads;
    `check`: refuse graphs generated code cannot express (off for an eager run).

    `lifted`: static arguments that are floats (or lists of floats) fn refuses as Values,
    passed as fresh float objects (`trace.slots`) so that where fn hands one unchanged to
    an op (a loss target) generated code can take it as an input; with `probe`, passed as
    `Probe`s instead, which note any arithmetic fn does on them in Python."""
    wrapped: list[Any] = []
    inputs: list[Value] = []
    slots: list[tuple[Any, str]] = []  # (Value leaf or fresh float, name hint) in flat order
    for i, arg in enumerate(args):
        if i in lifted:
            single = not isinstance(arg, (list, tuple))
            items = [arg] if single else list(arg)
            made = [probe.make(v) if probe is not None else _fresh(v) for v in items]
            slots += [(v, names[i] if single else f"{names[i]}_{k}")
                      for k, v in enumerate(made)]
            wrapped.append(made[0] if single else type(arg)(made))
        elif i in static:
            wrapped.append(arg)
        elif isinstance(arg, (list, tuple)):
            leaves = [Value(argument_float(v, i), label=f"{names[i]}_{k}")
                      for k, v in enumerate(arg)]
            inputs += leaves
            slots += [(leaf, leaf.label) for leaf in leaves]
            wrapped.append(type(arg)(leaves) if isinstance(arg, tuple) else leaves)
        else:
            leaf = Value(argument_float(arg, i), label=names[i])
            inputs.append(leaf)
            slots.append((leaf, names[i]))
            wrapped.append(leaf)
    tracer = Tracer()
    with engine.observe(tracer), engine.enable_grad():
        result = fn(*wrapped)
    single = not isinstance(result, (list, tuple))
    outputs = []
    for k, out in enumerate([result] if single else result):
        if isinstance(out, Value):
            outputs.append(out)
        elif isinstance(out, (int, float)) and not isinstance(out, bool):
            outputs.append(engine._constant(out, "compile"))
        else:
            where = "" if single else f" (item {k})"
            raise TraceError(f"compile: fn must return a Value or a list of Values, got "
                             f"{type(out).__name__} {safe_repr(out)}{where}")
    trace = Trace(outputs, single, inputs, tracer, check)
    trace.slots = slots
    return trace


def _fresh(x: Any) -> float:
    """A float object of its own (its identity marks it as this argument in op params)."""
    return float.__new__(float, repr(float(x))) if math.isfinite(x) else float(x) * 1.0


class Probes:
    """Makes `Probe` floats and collects what fn did with them in Python."""

    def __init__(self) -> None:
        self.uses: list[str] = []

    def make(self, x: Any) -> float:
        made = Probe(float(x))
        made.owner = self
        return made


class Probe(float):
    """A float argument on a check run: arithmetic, comparison or conversion to an int in
    Python is noted (compiled code could not follow it); `float(p)` is not (that is how
    a loss takes its target), nor is anything an op does with the float it gets."""

    owner: Probes

    def __float__(self) -> float:
        return float.__new__(float, float.__repr__(self))


def _noting(name: str) -> Callable[..., Any]:
    method = getattr(float, name)

    def noted(self: Probe, *args: Any) -> Any:
        if args and isinstance(args[0], Value):
            return NotImplemented  # the Value's reflected operator makes it a constant
        self.owner.uses.append(name)
        return method(float(self), *args)

    noted.__name__ = name
    return noted


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__divmod__", "__rdivmod__", "__pow__", "__rpow__", "__neg__",
              "__pos__", "__abs__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__",
              "__bool__", "__int__", "__round__", "__trunc__", "__floor__", "__ceil__",
              "__hash__", "is_integer", "as_integer_ratio"):
    setattr(Probe, _name, _noting(_name))


def argument_float(x: Any, position: int) -> float:
    """An argument's number (a Value's data, or any real number as a float)."""
    if isinstance(x, Value):
        return x.data
    return engine._as_float(x, f"compile (argument {position})")
