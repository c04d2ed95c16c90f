"""`autograd.compile`: trace a function once and write its backward pass out as Python.

The seed derives backprop by hand, one line of arithmetic per derivative. `compile` prints
that program for any function of `Value`s: it runs `fn` once on example arguments,
records the graph, and generates straight-line Python from the op table
(`autograd.ops`: each op's `code` and `local_code` templates):

    # forward
    z_1_0 = w_1_0_0 * x_0 + w_1_0_1 * x_1 + b_1_0
    a_1_0 = _sigmoid(z_1_0)
    ...
    # backward
    dC_da_1_0 = dC_dz_2_0 * w_2_0_0 + dC_dz_2_1 * w_2_1_0
    dC_dz_1_0 = dC_da_1_0 * (a_1_0 * (1.0 - a_1_0))

One assignment per node; each gradient is the sum of what its consumers send (the seed's
fan-out sum). Running that code is several times faster than building a graph per call.

What a trace cannot see it checks. Comparisons and number reads of a `Value` inside `fn`
(`if x > 0:`, `max(a, b)`, `float(x)`, `int(x)`, `round(x)`, `x.item()`) are recorded as
guards; a call where a guard comes out differently traces `fn` again (or raises
`TraceError` with `retrace=False`). Arguments `fn` refuses as `Value`s (a class label, a
loss target) are specialised on: one trace per distinct value. When the generated code
meets a number eager mode treats specially (an inf or nan anywhere, or any exception such
as a domain error), the call is redone in eager mode, so results and exceptions are eager
mode's. Reads of `.data` itself are invisible to the trace: branch on comparisons instead.
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import math
import operator
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import engine, ops
from autograd._gcscope import gc_scope
from autograd.engine import Value

__all__ = ["compile", "Compiled", "TraceError", "MAX_NODES"]

MAX_NODES = 100_000  # per sample: larger graphs would make compile() itself slow
MAX_TRACES = 64  # per distinct static key; the oldest is dropped beyond this
_CHUNK = 50  # terms per line of a long sum (Python's compiler recurses on nested +)
_REDUCTIONS = ("sum", "mean")
_SEQUENCES = {list, tuple}
_NUMBERS = {float, int}


class TraceError(Exception):
    """`fn` cannot be compiled, or a call needs a new trace and retracing is off."""


class _Miss(Exception):
    """Raised by generated code: guard number `args[0]` came out differently."""


class _NonFinite(Exception):
    """Raised by generated code: an inf or nan appeared; eager mode handles the call."""


# ---- tracing -------------------------------------------------------------------------------
class _Tracer:
    """Told by the engine of every number read and every `no_grad` node while `fn` runs."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, Value, Any, Any]] = []
        self.detached_nodes: dict[Value, tuple[tuple[Value, ...], ops.Op]] = {}

    def read(self, kind: str, value: Value, other: Any, result: Any) -> None:
        self.reads.append((kind, value, other, result))

    def detached(self, out: Value, prev: tuple[Value, ...], fn: ops.Op) -> None:
        self.detached_nodes[out] = (prev, fn)


class _Trace:
    """One run of `fn`: its outputs, input leaves, guards and `no_grad` nodes."""

    def __init__(self, outputs: list[Value], single: bool, inputs: list[Value],
                 tracer: _Tracer):
        self.outputs, self.single, self.inputs = outputs, single, inputs
        self.reads, self.detached = tracer.reads, tracer.detached_nodes


def _run_traced(fn: Callable[..., Any], args: Sequence[Any], static: frozenset[int],
                names: Sequence[str]) -> _Trace:
    """Run `fn` with dynamic arguments as fresh input leaves, recording what it reads."""
    wrapped: list[Any] = []
    inputs: list[Value] = []
    for i, arg in enumerate(args):
        if i in static:
            wrapped.append(arg)
        elif isinstance(arg, (list, tuple)):
            leaves = [Value(_number(v, i), label=f"{names[i]}_{k}") for k, v in enumerate(arg)]
            inputs += leaves
            wrapped.append(type(arg)(leaves) if isinstance(arg, tuple) else leaves)
        else:
            leaf = Value(_number(arg, i), label=names[i])
            inputs.append(leaf)
            wrapped.append(leaf)
    tracer = _Tracer()
    token = engine._tracer.set(tracer)
    try:
        with engine.enable_grad():
            result = fn(*wrapped)
    finally:
        engine._tracer.reset(token)
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
                             f"{type(out).__name__} {out!r}{where}")
    return _Trace(outputs, single, inputs, tracer)


def _number(x: Any, position: int) -> float:
    if isinstance(x, Value):
        return x.data
    return engine._as_float(x, f"compile (argument {position})")


# ---- code generation -----------------------------------------------------------------------
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SIMPLE = re.compile(r"\(?-?[A-Za-z0-9_.]+\)?\Z")
_RESERVED = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | {"math"}


def _literal(x: float) -> str:
    """A float as source text that evaluates to exactly `x`."""
    if x != x:
        return "_nan"
    if x in (math.inf, -math.inf):
        return "_inf" if x > 0 else "(-_inf)"
    text = repr(float(x))
    return f"({text})" if text.startswith("-") else text


def _sanitise(text: str) -> str:
    name = re.sub(r"[^0-9A-Za-z_]+", "_", text).strip("_")[:40]
    if name and name[0].isdigit():
        name = "v" + name
    return name


def _role_name(role: engine.Role) -> str:
    parts = [role.kind, role.layer, role.unit] + ([] if role.index is None else [role.index])
    return _sanitise("_".join(str(p) for p in parts))


def _postorder(roots: Iterable[Value], parents_of: Callable[[Value], Sequence[Value]]
               ) -> list[Value]:
    """Every node the roots depend on, parents first, without recursion."""
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
            stack.extend((p, False) for p in reversed(parents_of(node)) if p not in seen)
    return order


def _op_of(node: Value) -> ops.Op:
    """The op that made a node with parents (one built by hand may have none)."""
    fn = node._fn
    if fn is None:
        raise TraceError(f"compile: node {node!r} has parents but no op (its `_backward` was "
                         f"set to None); build it from ops (operators, methods, autograd.op)")
    return fn


def _sum_lines(target: str, terms: Sequence[str], indent: str) -> list[str]:
    """`target = t0 + t1 + ...`: statements of at most `_CHUNK` terms (same order of
    additions), each wrapped at about 100 columns."""
    lines: list[str] = []
    for start in range(0, len(terms), _CHUNK):
        head = f"{indent}{target} = " + (f"{target} + " if start else "")
        lines += _wrap(head, terms[start:start + _CHUNK], " + ", "")
    return lines


def _items(items: Sequence[str], indent: str, width: int = 96) -> list[str]:
    """Tuple items, each followed by a comma, over lines of about `width` columns."""
    lines, line = [], indent
    for item in items:
        if len(line) + len(item) + 2 > width and line != indent:
            lines.append(line.rstrip())
            line = indent
        line += item + ", "
    if line != indent:
        lines.append(line.rstrip())
    return lines


def _unpack(names: Sequence[str], value: str) -> list[str]:
    """`(a, b, ...) = value` over lines, one statement however many names (compiles fast)."""
    if not names:
        return []
    return ["(", *_items(names, "    "), f") = {value}"]


def _wrap(head: str, items: Sequence[str], separator: str, tail: str,
          width: int = 96) -> list[str]:
    """`head + separator.join(items) + tail`, in parentheses over lines if it is long."""
    text = head + separator.join(items) + tail
    if len(text) <= width or len(items) < 2:
        return [text]
    indent = " " * (len(head) - len(head.lstrip()) + 4)
    lines, line = [], head + "("
    for k, item in enumerate(items):
        piece = item + (separator.rstrip() if k < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > width and line.strip() not in ("", "(") and \
                not line.endswith("("):
            lines.append(line)
            line = indent + piece
        else:
            line += ("" if line.endswith("(") else " ") + piece
    lines.append(line + ")" + tail)
    return lines


class _Program:
    """Generated code for one trace: `call`, `forward` and `batch` functions, and `source`."""

    def __init__(self, trace: _Trace, fn_name: str, input_names: list[str], static: str = ""):
        self.trace = trace
        self.static = static
        outputs = trace.outputs
        detached = trace.detached

        def forward_parents(node: Value) -> Sequence[Value]:
            found = detached.get(node)
            return found[0] if found is not None else node._prev

        guard_values = [v for kind, v, other, _ in trace.reads
                        for v in ((v, other) if isinstance(other, Value) else (v,))]
        order = _postorder([*outputs, *guard_values], forward_parents)
        computed = sum(1 for node in order if forward_parents(node))
        if computed > MAX_NODES:
            raise TraceError(f"compile: the traced graph has {computed:,} op nodes per call, "
                             f"more than {MAX_NODES:,}; straight-line code that long compiles "
                             f"slowly. Use eager mode, or compile a smaller per-sample function "
                             f"and run it with .batch()")
        input_set = {id(v): k for k, v in enumerate(trace.inputs)}
        self.kind: dict[Value, str] = {}
        params: list[Value] = []
        for node in order:
            if node in detached:
                kind = "detached"
            elif node._prev:
                kind = "inner"
                name = node.op
                if name == "micrograd":
                    raise TraceError(f"compile: node {node!r} was built by hand, micrograd "
                                     f"style, with a closure as its backward step; a closure "
                                     f"cannot be written out as code. Build it from ops "
                                     f"(operators, methods, autograd.op)")
                if name == "d(order=1)":
                    raise TraceError("compile: fn differentiates through create_graph=True; "
                                     "compile the first-order function instead")
            elif id(node) in input_set:
                kind = "input"
            elif node.op == "const":
                kind = "const"
            else:
                kind = "param"
                params.append(node)
            self.kind[node] = kind
        position: dict[Value, int] = {}
        for node in order:  # parameters in the order the forward code first reads them
            for parent in forward_parents(node):
                position.setdefault(parent, len(position))
        params.sort(key=lambda p: position.get(p, len(position)))
        self.params = params
        self.namespace: dict[str, Any] = dict(ops.CODE_NAMESPACE)
        self.namespace.update(_Miss=_Miss, _NonFinite=_NonFinite, _isfinite=math.isfinite,
                              _inf=math.inf, _nan=math.nan)
        self._op_names: dict[int, str] = {}
        self._names(order, trace, input_names)
        self.order = order
        self.input_names = input_names
        self.fn_name = fn_name
        self._position = {node: k for k, node in enumerate(order)}
        self.guards: list[tuple[str, str, Value | None]] = [
            self._guard(*read) for read in trace.reads]
        self.guards = list(dict.fromkeys(self.guards))  # a check read twice is checked once
        forward = self._forward_lines(order)
        backward, grad_names, input_grads, accumulators = self._backward_lines()
        self.sources = self._assemble(forward, backward, grad_names, input_grads, accumulators)
        self._functions: dict[str, Callable[..., Any]] = {}
        # Keep what running needs (parameters, guard texts), not the traced graph.
        self.single = trace.single
        self.guards = [(fail, said, None) for fail, said, _ in self.guards]
        del self.trace, self.order, self.kind, self.name, self._position, self._grad_names
        del self.batch_backward

    def function(self, kind: str) -> Callable[..., Any]:
        """The generated function `kind` ('call', 'forward' or 'batch'), compiled on first use."""
        found = self._functions.get(kind)
        if found is None:
            code: dict[str, Any] = {}
            text = self.sources[kind]
            with gc_scope():
                exec(builtins.compile(text, f"<autograd.compile {self.fn_name} {kind}>",
                                      "exec"), self.namespace, code)
            found = self._functions[kind] = code[kind]
        return found

    # -- names -----------------------------------------------------------------------------
    def _names(self, order: list[Value], trace: _Trace, input_names: list[str]) -> None:
        used = set(_RESERVED) | set(self.namespace)
        self.name: dict[Value, str] = {}
        for v, name in zip(trace.inputs, input_names):
            self.name[v] = name
            used.add(name)
        temps = 0
        for node in order:
            kind = self.kind[node]
            if kind == "const" or node in self.name:
                continue
            base = ""
            if node.role is not None:
                base = _role_name(node.role)
            if not base and node.label:
                base = _sanitise(node.label)
            if not base and len(trace.outputs) == 1 and node is trace.outputs[0]:
                base = "out"
            if not base:
                temps += 1
                base = f"t{temps}"
            name, k = base, 1
            while name in used:
                k += 1
                name = f"{base}_{k}"
            used.add(name)
            self.name[node] = name
        outputs = trace.outputs
        root = self.name.get(outputs[0], "out") if len(outputs) == 1 else "out"
        self.root = root
        self.used = used

    def _grad_name(self, node: Value) -> str:
        base = f"d{self.root}_d{self.name[node]}"
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        return name

    def expr(self, node: Any) -> str:
        """Source text of a node's value (its variable, or a literal for a constant)."""
        if not isinstance(node, Value):
            if isinstance(node, (int, float)) and not isinstance(node, bool):
                return _literal(float(node)) if isinstance(node, float) else repr(node)
            key = f"_k{len(self.namespace)}"
            self.namespace[key] = node
            return key
        if self.kind.get(node) == "const":
            return _literal(node.data)
        return self.name[node]

    def _op_function(self, fn: ops.Op, what: str) -> str:
        """A namespace name for an op's registered forward or rule (ops without templates)."""
        key = self._op_names.get(id(fn))
        if key is None:  # _op_<name>, numbered when ops of one name differ (bound params)
            key = base = f"_op_{_sanitise(fn.name) or 'custom'}"
            taken = set(self._op_names.values())
            while key in taken:
                key = f"{base}_{len(taken)}"
            self._op_names[id(fn)] = key
            self.namespace[f"{key}_forward"] = fn.forward
            self.namespace[f"{key}_rule"] = fn.rule
        return f"{key}_{what}"

    # -- guards ----------------------------------------------------------------------------
    def _guard(self, kind: str, value: Value, other: Any, result: Any) -> tuple[str, str, Value]:
        """(test that is true when the guard FAILS, description, last node it reads)."""
        v = self.expr(value)
        if kind in ("<", "<=", ">", ">="):
            test = f"{v} {kind} {self.expr(other)}"
            fail = f"not ({test})" if result else test
            said = f"{self._describe(value)} {kind} {self._describe(other)} was {bool(result)}"
        elif kind == "float":
            fail = f"{v} == {v}" if result != result else f"{v} != {_literal(result)}"
            said = f"float({self._describe(value)}) was {result!r}"
        elif kind == "int":
            fail, said = f"int({v}) != {result!r}", f"int({self._describe(value)}) was {result!r}"
        elif kind == "trunc":
            fail = f"math.trunc({v}) != {result!r}"
            said = f"math.trunc({self._describe(value)}) was {result!r}"
        else:  # round
            digits = "" if other is None else f", {other!r}"
            fail = f"round({v}{digits}) != {self.expr(result)}"
            said = f"round({self._describe(value)}{digits}) was {result!r}"
        last = value if not isinstance(other, Value) else max(
            value, other, key=lambda n: self._position.get(n, -1))
        return fail, said, last

    def _describe(self, x: Any) -> str:
        if isinstance(x, Value):
            return self.name.get(x) or repr(x.data)
        return repr(x)

    # -- forward ---------------------------------------------------------------------------
    def _forward_lines(self, order: list[Value]) -> list[tuple[Value, list[str]]]:
        """(node, lines computing it) for every node that is computed."""
        lines: list[tuple[Value, list[str]]] = []
        for node in order:
            kind = self.kind[node]
            if kind in ("inner", "detached"):
                prev, fn = self.trace.detached[node] if kind == "detached" else (
                    node._prev, _op_of(node))
                computed = self._compute(node, fn, prev)
                if kind == "detached":
                    computed[0] += "  # no_grad: no gradient flows back"
                lines.append((node, computed))
        return lines

    def _sparse_forward(self, forward: list[tuple[Value, list[str]]]
                        ) -> tuple[list[tuple[Value, list[str]]], list[str], list[str]]:
        """`batch`'s forward: a Σ whose every product has a factor made by a `zeros` op (an
        off ReLU gives exactly 0.0) adds each product inside `if factor:` right after that
        factor is computed, starting from 0.0 and ending with the bias, as eager `dot` adds.

        Returns the forward lines, the Σ nodes started at 0.0 each row, and the other
        factors (parameters or computed values) that must be finite for 0·w to be 0.
        """
        at = {node: k for k, (node, _) in enumerate(forward)}
        sends: dict[Value, list[str]] = {}  # a zeros-op value -> lines adding its products
        bias: dict[Value, str] = {}
        factors: list[str] = []
        for node, _ in forward:
            if self.kind[node] != "inner" or _op_of(node).name != "dot":
                continue
            prev = node._prev
            n = len(prev) // 2
            pairs = []
            for w, x in zip(prev[:n], prev[n:2 * n]):
                sparse, other = (x, w) if self._zeros(x) else (w, x)
                if not self._zeros(sparse) or not (
                        self.kind[other] == "param" or (self.kind[other] == "inner"
                                                        and at[other] < at[sparse])):
                    break
                pairs.append((w, x, sparse, other))
            else:
                if not pairs or [at[p[2]] for p in pairs] != sorted(at[p[2]] for p in pairs):
                    continue  # the products would be added out of order
                target = self.name[node]
                for w, x, sparse, other in pairs:
                    sends.setdefault(sparse, []).append(
                        f"    {target} += {self.expr(w)} * {self.expr(x)}")
                    factors.append(self.expr(other))
                bias[node] = f"{target} += {self.expr(prev[-1])}" if len(prev) % 2 else ""
        lines: list[tuple[Value, list[str]]] = []
        for node, computed in forward:
            if node in bias:
                computed = [bias[node]] if bias[node] else []
            if node in sends:
                computed = [*computed, f"if {self.name[node]}:", *sends[node]]
            lines.append((node, computed))
        return lines, [self.name[node] for node in bias], list(dict.fromkeys(factors))

    def _zeros(self, node: Value) -> bool:
        return self.kind[node] == "inner" and _op_of(node).zeros

    def _compute(self, node: Value, fn: ops.Op, prev: Sequence[Value]) -> list[str]:
        target = self.name[node]
        args = [self.expr(p) for p in prev]
        name = fn.name
        if name == "dot":
            n = len(prev) // 2
            terms = [f"{args[k]} * {args[n + k]}" for k in range(n)] + args[2 * n:]
            return _sum_lines(target, terms or ["0.0"], "")
        if name == "sum":
            return [f"{target} = math.fsum(({', '.join(args)},))"]
        code = _code(fn)
        if code is not None:
            return [f"{target} = {code.format(**_slots(args, fn))}"]
        shown = fn.symbol if fn.symbol != fn.name else fn.name
        comment = f"  # {shown}" if shown != _sanitise(fn.name) else ""
        return [f"{target} = {self._op_function(fn, 'forward')}({', '.join(args)}){comment}"]

    # -- backward --------------------------------------------------------------------------
    def _backward_lines(self) -> tuple[list[tuple[str, Any]], list[str], list[str],
                                        list[str]]:
        """Lines, parameter and input gradient names, accumulators.

        A line is (text, False), (text, True) for a send to an input, or (`if g:`, block)
        with the block's (text, is_input) lines: the sends a zero gradient skips.

        `batch` gets its own lines (`self.batch_backward`): every gradient starts at 0.0 and
        each node adds its sends to its parents inside its own `if g:`, so a unit whose
        ReLU is off costs nothing; the sums come out the same, in the same order."""
        outputs = self.trace.outputs
        backward_order: list[Value] = []
        seen: set[Value] = set()
        for out in outputs:  # the engine's own order, so fan-in sums add up as eager's do
            for node in engine.topological_order(out):
                if node not in seen:
                    seen.add(node)
                    backward_order.append(node)
        self._grad_names: dict[Value, str] = {}
        for node in backward_order:
            if self.kind[node] in ("inner", "param", "input"):
                self._grad_names[node] = name = self._grad_name(node)
                self.used.add(name)
        incoming: dict[Value, list[str]] = {node: [] for node in backward_order}
        for out in outputs:
            if out in incoming:
                incoming[out].append("_seed")
        lines: list[tuple[str, Any]] = []
        inner = [self._grad_names[n] for n in reversed(backward_order) if self.kind[n] == "inner"]
        batch: list[tuple[str, Any]] = [(line, False) for line in _unpack(
            inner, f"(0.0,) * {len(inner)}")] if inner else []
        for node in reversed(backward_order):
            kind = self.kind[node]
            if kind in ("param", "input"):
                g = self._grad_names[node]
                seeds = [(f"{g} += _seed", kind == "input") for _ in range(
                    len([o for o in outputs if o is node]))]
                lines += seeds
                batch += seeds
                continue
            if kind != "inner":
                continue
            g = self._grad_names[node]
            lines += [(line, False) for line in _sum_lines(g, incoming[node], "")]
            batch += [(f"{g} += _seed", False) for send in incoming[node] if send == "_seed"]
            leaf_sends: list[tuple[str, bool]] = []
            inner_sends: list[tuple[str, bool]] = []
            helpers: list[tuple[str, Any]] = []
            for parent, send in self._sends(node, g, helpers):
                pkind = self.kind[parent]
                if pkind == "inner":
                    incoming[parent].append(send)
                    inner_sends.append((f"    {self._grad_names[parent]} += {send}", False))
                elif pkind in ("param", "input"):
                    leaf_sends.append((f"    {self._grad_names[parent]} += {send}",
                                       pkind == "input"))
            lines += helpers
            batch += helpers
            if leaf_sends:
                lines.append((f"if {g}:", leaf_sends))
            if leaf_sends or inner_sends:
                batch.append((f"if {g}:", inner_sends + leaf_sends))
        self.batch_backward = batch
        params = [self._grad_names.get(p, "0.0") for p in self.params]
        inputs = [self._grad_names.get(v, "0.0") for v in self.trace.inputs]
        accumulators = [self._grad_names[p] for p in self.params if p in self._grad_names]
        return lines, params, inputs, accumulators

    def _sends(self, node: Value, g: str, lines: list[tuple[str, bool]]
               ) -> list[tuple[Value, str]]:
        """What `node` sends each parent, as source text (`g` times the local derivative)."""
        prev = node._prev
        fn = _op_of(node)
        args = [self.expr(p) for p in prev]
        if fn.name == "dot":
            n = len(prev) // 2
            sends = [f"{g} * {args[n + k]}" for k in range(n)]
            sends += [f"{g} * {args[k]}" for k in range(n)]
            return list(zip(prev, sends + [g] * (len(prev) - 2 * n)))
        if fn.name == "sum":
            return [(p, g) for p in prev]
        local = _local_code(fn)
        if local is not None:
            slots = _slots(args, fn, self.name[node])
            return [(p, _times(g, template.format(**slots))) for p, template in zip(prev, local)]
        tmp = f"_s_{self.name[node]}"
        zeros = ", ".join(["0.0"] * len(prev)) + ("," if len(prev) == 1 else "")
        rule = self._op_function(fn, "rule")
        lines.append((f"{tmp} = {rule}({g}, {self.name[node]}, {', '.join(args)}) "
                      f"if {g} else ({zeros})", False))
        return [(p, f"{tmp}[{k}]") for k, p in enumerate(prev)]

    # -- functions -------------------------------------------------------------------------
    def _assemble(self, forward: list[tuple[Value, list[str]]],
                  backward: list[tuple[str, bool]], grad_names: list[str],
                  input_grads: list[str], accumulators: list[str]) -> dict[str, str]:
        inputs = self.input_names
        read = _unpack([self.name[p] for p in self.params], "[p.data for p in _P]")
        guards_after: dict[Value | None, list[tuple[int, str, str]]] = {}
        for k, (fail, said, last) in enumerate(self.guards):
            computed = last is not None and self.kind.get(last, "") in ("inner", "detached")
            at = last if computed else None
            guards_after.setdefault(at, []).append((k, fail, said))

        def forward_body(on_miss: Callable[[int], str], on_bad: str,
                         lines_of: list[tuple[Value, list[str]]] = forward) -> list[str]:
            body = []
            for k, fail, said in guards_after.get(None, []):
                body += [f"if {fail}:  # traced: {said}", f"    {on_miss(k)}"]
            for node, lines in lines_of:
                body += lines
                for k, fail, said in guards_after.get(node, []):
                    body += [f"if {fail}:  # traced: {said}", f"    {on_miss(k)}"]
            values = [self.name[n] for n, kind in self.kind.items()
                      if kind in ("inner", "detached")]
            if values:
                body.append("# an inf or nan anywhere: eager mode decides what happens")
                body += _sum_lines("_check", values, "")
                body += ["if not _isfinite(_check):", f"    {on_bad}"]
            return body

        outs = [self.expr(o) for o in self.trace.outputs]
        out_tuple = f"({', '.join(outs)},)"
        init = list(dict.fromkeys(accumulators + [g for g in input_grads if g != "0.0"]))
        init = _unpack(init, f"(0.0,) * {len(init)}")
        indent = "    "

        def block(lines: list[str], depth: int = 1) -> str:
            return "\n".join(indent * depth + line for line in lines)

        signature = ", ".join(["_P", *inputs])
        header = f'    """{self.fn_name}: forward and backward for one call'
        if self.static:
            header += f" (traced with {self.static})"
        call = [f"def call({signature}, _seed=1.0):", header + '."""',
                "    # parameters: read fresh from each Value's .data on every call",
                block(read), "    # forward",
                block(forward_body(lambda k: f"raise _Miss({k})", "raise _NonFinite")),
                "    # backward: each gradient is the sum of what its consumers send",
                block(init), block(_render(backward, inputs=True)),
                "    # ∂output/∂parameter for each parameter (the caller adds them to .grad)",
                f"    return {out_tuple}, (",
                *_items(grad_names, "        "),
                f"    ), ({', '.join(input_grads)}{',' if input_grads else ''})"]
        forward_only = [f"def forward({signature}):",
                        block(read),
                        block(forward_body(lambda k: f"raise _Miss({k})", "raise _NonFinite")),
                        f"    return {out_tuple}"]
        target = (f"({', '.join(inputs)},)" if inputs else "_")
        per_row_bwd = _render(self.batch_backward, inputs=False)
        batch_accumulators = list(dict.fromkeys(accumulators))
        sparse_forward, sums, factors = self._sparse_forward(forward)
        sparse_note = []
        if sums:
            sparse_note = [
                "# Σ nodes fed by ReLUs add a product only when the ReLU is on: the same sums"
                " in the same order", "# (an inf or nan weight would make 0·w a nan: such"
                " calls go to eager mode)", *_sum_lines("_check", factors, ""),
                "if not _isfinite(_check):", "    raise _NonFinite"]
        batch = ["def batch(_P, _rows, _seed):",
                 block(read), block(sparse_note),
                 block(_unpack(batch_accumulators, f"(0.0,) * {len(batch_accumulators)}")),
                 "    _outs = []", "    _redo = []",
                 "    # per row: the forward and backward of one call; parameter gradients "
                 "are summed over the rows",
                 f"    for _n, {target} in enumerate(_rows):",
                 block(_unpack(sums, f"(0.0,) * {len(sums)}") if sums else [], 2),
                 block(forward_body(lambda k: "_redo.append(_n); continue",
                                    "_redo.append(_n); continue", sparse_forward), 2),
                 f"        _outs.append({out_tuple})",
                 block(per_row_bwd, 2),
                 "    return _outs, (",
                 *_items(grad_names, "        "),
                 "    ), _redo"]
        clean = lambda parts: "\n".join(p for p in parts if p.strip()) + "\n"  # noqa: E731
        return {"call": clean(call), "forward": clean(forward_only), "batch": clean(batch)}


def _render(lines: list[tuple[str, Any]], inputs: bool) -> list[str]:
    """Backward lines as text; without `inputs`, the sends to inputs are left out."""
    out = []
    for text, extra in lines:
        if isinstance(extra, list):
            body = [line for line, is_input in extra if inputs or not is_input]
            if body:
                out += [text, *body]
        elif inputs or not extra:
            out.append(text)
    return out


def _code(fn: ops.Op) -> str | None:
    """The forward template, made safe where Python's float operators differ from the op."""
    if fn.name == "**":  # float ** float gives a complex number for a negative base
        return "math.pow({a}, {b})"
    if fn.name == "**n":
        n = fn.params[0]
        if float(n).is_integer() and abs(n) < 2**53:
            return "{x} ** " + _literal(float(n))
        return "math.pow({x}, " + _literal(float(n)) + ")"
    if not fn.builtin or fn.internal:
        return None
    return fn.code


def _local_code(fn: ops.Op) -> tuple[str, ...] | None:
    if not fn.builtin or fn.internal or not fn.local_code or fn.arity is None:
        return None
    return fn.local_code


def _slots(args: list[str], fn: ops.Op, out: str = "") -> dict[str, str]:
    slots = {"out": out}
    if len(args) == 1:
        slots["x"] = args[0]
    elif len(args) == 2:
        slots["a"], slots["b"] = args
    if fn.params:
        slots["n"] = _literal(float(fn.params[0]))
    return slots


def _times(g: str, local: str) -> str:
    """g times a local derivative, as text: g, -g, g * b or g * (expression)."""
    if local == "1.0":
        return g
    if local == "-1.0":
        return f"-{g}"
    if _SIMPLE.match(local) or (local.startswith("(") and _closes_at_end(local)):
        return f"{g} * {local}"
    return f"{g} * ({local})"


def _closes_at_end(text: str) -> bool:
    """True if the parenthesis opening `text` is the one closing it: `(a) * (b)` is not."""
    depth = 0
    for k, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return k == len(text) - 1
    return False


# ---- the compiled callable ------------------------------------------------------------------
class Compiled:
    """`fn` compiled: call it, `.forward` it, `.batch` it over rows; `.source` is the code."""

    def __init__(self, fn: Callable[..., Any], example_args: tuple[Any, ...], retrace: bool):
        self.fn = fn
        self.retrace = retrace
        self.nargs = len(example_args)
        self.names = _argument_names(fn, self.nargs)
        self.fn_name = _sanitise(getattr(fn, "__name__", "") or "") or "fn"
        if self.fn_name == "lambda":
            self.fn_name = "fn"
        self._lock = threading.Lock()
        self._cache: dict[Any, list[_Program]] = {}
        self._static: frozenset[int] = frozenset()
        args = [_plain(a) for a in example_args]
        with gc_scope():  # tracing and code generation make many objects, no cycles
            trace, self._static = self._first_trace(args)
            self._add(self._key(args), self._program(trace, args))

    # -- public ----------------------------------------------------------------------------
    def __call__(self, *args: Any) -> float | list[float]:
        """Forward and backward: ADD ∂output/∂p to every parameter's `.grad`; the output.

        Like `fn(*args).backward()` (for a list output, every output's backward), as floats.
        """
        if engine._tracer.get() is not None:  # inside another trace: be `fn` itself
            return self.fn(*args)
        checked = self._check(args)
        if not engine.is_grad_enabled():
            return self.forward(*checked)
        outs, grads, input_grads = self._run(checked, 1.0)
        _add_grads(grads)
        for arg, gs in zip(checked, input_grads):
            if gs is None:
                continue
            if isinstance(arg, Value):
                _add_grads({arg: gs})
            elif isinstance(arg, (list, tuple)):
                _add_grads({v: g for v, g in zip(arg, gs) if isinstance(v, Value)})
        return outs[0] if self._last.single else list(outs)

    def forward(self, *args: Any) -> float | list[float]:
        """The output only (no gradients), as floats."""
        checked = self._check(args)
        flat = self._flat(checked)
        key = self._key(checked)
        while True:
            program, miss = None, None
            for program in self._cache.get(key, []):
                try:
                    outs = program.function('forward')(program.params, *flat)
                except _Miss as error:
                    miss = (program, error.args[0])
                    continue
                except Exception:
                    outs = self._eager(checked, None)[0]
                return outs[0] if self._last.single else list(outs)
            self._retrace(key, checked, miss)

    def batch(self, *arg_lists: Any, reduction: str = "sum") -> float | list[float]:
        """Run over rows (`arg_lists[i][n]` is argument i of row n) in one generated loop.

        Returns Σₙ fn(rowₙ) (`reduction="sum"`, the seed's L = Σₙ Cⁿ) or its mean, and adds
        that reduced output's gradient to every parameter's `.grad`, all at once.

        Raises:
            TypeError: wrong number of argument lists, or a row holds a non-number.
            ValueError: the lists differ in length, are empty, or `reduction` is unknown.
        """
        if reduction not in _REDUCTIONS:
            raise ValueError(f"batch: reduction must be 'sum' or 'mean', got {reduction!r}")
        if len(arg_lists) != self.nargs:
            raise TypeError(f"batch: fn takes {self.nargs} arguments, got {len(arg_lists)} "
                            f"argument lists")
        columns = [_column(c, i) for i, c in enumerate(arg_lists)]
        count = len(columns[0]) if columns else 0
        for i, column in enumerate(columns):
            if len(column) != count:
                raise ValueError(f"batch: argument list 0 has {count} rows but argument list "
                                 f"{i} has {len(column)}")
        if count == 0:
            raise ValueError("batch: needs at least one row, got none")
        seed = 1.0 if reduction == "sum" else 1.0 / count
        grad_on = engine.is_grad_enabled()
        groups: dict[Any, list[int]] = {}
        fast = self._fast_rows(columns)
        if fast is not None:  # one shape, no static arguments: one group, rows ready
            groups[fast[0]] = list(range(count))
        else:
            for n in range(count):
                groups.setdefault(self._key([c[n] for c in columns]), []).append(n)
        outs: list[Any] = [None] * count
        grads: dict[Value, float] = {}
        sums: list[tuple[list[Value], list[float]]] = []  # per distinct parameter list

        def add_all(params: list[Value], gs: Sequence[float]) -> None:
            for known, total in sums:  # traces of one fn usually read the same parameters
                if known is params or known == params:
                    total[:] = map(operator.add, total, gs)
                    return
            sums.append((params, list(gs)))
        for key, members in groups.items():
            if key not in self._cache:
                self._retrace(key, [c[members[0]] for c in columns], None)
            program = self._cache[key][0]
            flat_rows = fast[1] if fast is not None else [
                self._flat([c[n] for c in columns]) for n in members]
            redo = list(range(len(members)))
            if grad_on:
                try:
                    found, gs, redo = program.function("batch")(program.params, flat_rows, seed)
                except Exception:  # eager mode decides, row by row
                    found, gs, redo = [], (), list(range(len(members)))
                if not redo and fast is not None:
                    outs = found
                else:
                    done = set(redo)
                    for k, out in zip((k for k in range(len(members)) if k not in done),
                                      found):
                        outs[members[k]] = out
                if gs:
                    add_all(program.params, gs)
            for k in redo:
                args = [c[members[k]] for c in columns]
                if grad_on:
                    found, row_grads, _ = self._run(args, seed)
                    for p, g in row_grads.items():
                        grads[p] = grads[p] + g if p in grads else g
                else:
                    found = self.forward(*args)
                    found = tuple(found) if isinstance(found, list) else (found,)
                outs[members[k]] = found
        if len(sums) == 1 and not grads:  # the usual case: one trace, no row redone
            grads = dict(zip(*sums[0]))
        else:
            for params, total in sums:
                for p, g in zip(params, total):
                    grads[p] = grads[p] + g if p in grads else g
        if grads:
            _add_grads(grads)
        width = len(outs[0])
        totals = [math.fsum(out[i] for out in outs) for i in range(width)]
        if reduction == "mean":
            totals = [t * (1.0 / count) for t in totals]
        return totals[0] if self._last.single else totals

    def prepare(self, *kinds: str) -> None:
        """Run Python's compile() on the generated code now instead of at first use.

        `kinds`: 'call', 'forward', 'batch' (default: all three).

        Raises:
            ValueError: an unknown kind.
        """
        for kind in kinds or ("call", "forward", "batch"):
            if kind not in ("call", "forward", "batch"):
                raise ValueError(f"prepare: kind must be 'call', 'forward' or 'batch', "
                                 f"got {kind!r}")
            self._latest().function(kind)

    @property
    def source(self) -> str:
        """The generated Python of every trace (one function per trace, forward + backward)."""
        parts = []
        for programs in self._cache.values():
            for program in programs:
                parts.append(program.sources["call"])
        return "\n\n".join(parts)

    @property
    def batch_source(self) -> str:
        """The generated loop `batch` runs (of the most recent trace)."""
        return self._latest().sources["batch"]

    @property
    def parameters(self) -> list[Value]:
        """The parameters the most recent trace reads (Value leaves that are not arguments)."""
        return list(self._latest().params)

    @property
    def traces(self) -> int:
        """How many traces are cached (more than one after guards or static values changed)."""
        return sum(len(p) for p in self._cache.values())

    def __repr__(self) -> str:
        return f"<autograd.compile {self.fn_name}: {self.traces} trace(s)>"

    # -- machinery -------------------------------------------------------------------------
    def _latest(self) -> _Program:
        return self._last


    def _check(self, args: tuple[Any, ...]) -> list[Any]:
        if len(args) != self.nargs:
            raise TypeError(f"compiled {self.fn_name}: takes {self.nargs} arguments, "
                            f"got {len(args)}")
        return [_plain(a) for a in args]

    def _first_trace(self, args: list[Any]) -> tuple[_Trace, frozenset[int]]:
        """Trace with every argument as Values; on a TypeError try one static argument (the
        last first), then more; with all of them static, fn's own errors are raised."""
        n = self.nargs
        tries: list[frozenset[int]] = [frozenset()] + [frozenset({i}) for i in reversed(range(n))]
        tries += [frozenset(range(n - k, n)) for k in range(2, n)]
        for static in tries:
            try:
                return _run_traced(self.fn, args, static, self.names), static
            except TypeError:
                continue  # fn refused a Value somewhere: specialise on other arguments
        static = frozenset(range(self.nargs))  # plain numbers: fn's own errors are raised
        return _run_traced(self.fn, args, static, self.names), static

    def _fast_rows(self, columns: list[list[Any]]
                   ) -> tuple[Any, list[tuple[Any, ...]]] | None:
        """(key, flat rows of floats) if no argument is static and every row has the first
        row's shape and holds only floats and ints; else None (the general path)."""
        if self._static or not columns:
            return None
        first = [c[0] for c in columns]
        key = self._key(first)
        per_row: list[Iterable[tuple[Any, ...]]] = []  # each column as one tuple per row
        for column, arg in zip(columns, first):
            kinds = set(map(type, column))  # the checks and the flattening all run in C
            if type(arg) in (list, tuple):
                if not kinds <= _SEQUENCES or set(map(len, column)) != {len(arg)}:
                    return None
                per_row.append(map(tuple, column))
            elif kinds & _SEQUENCES:
                return None
            else:
                per_row.append(zip(column))
        joined = per_row[0]
        for more in per_row[1:]:
            joined = map(operator.add, joined, more)
        rows: list[tuple[Any, ...]] = list(joined)
        kinds = set(map(type, itertools.chain.from_iterable(rows)))
        if not kinds <= _NUMBERS:
            return None
        if int in kinds:
            rows = [tuple(map(float, row)) for row in rows]
        return key, rows

    def _key(self, args: Sequence[Any]) -> tuple[Any, ...]:
        key = []
        for i, arg in enumerate(args):
            if i in self._static:
                key.append(_static_key(arg))
            elif isinstance(arg, (list, tuple)):
                key.append(len(arg))
            else:
                key.append(None)
        return tuple(key)

    def _flat(self, args: Sequence[Any]) -> list[float]:
        flat: list[float] = []
        for i, arg in enumerate(args):
            if i in self._static:
                continue
            if isinstance(arg, (list, tuple)):
                flat += [v if type(v) is float else _number(v, i) for v in arg]
            else:
                flat.append(arg if type(arg) is float else _number(arg, i))
        return flat

    def _program(self, trace: _Trace, args: Sequence[Any]) -> _Program:
        names = []
        for i, arg in enumerate(args):
            if i in self._static:
                continue
            if isinstance(arg, (list, tuple)):
                names += [f"{self.names[i]}_{k}" for k in range(len(arg))]
            else:
                names.append(self.names[i])
        static = ", ".join(f"{self.names[i]}={args[i]!r}" for i in sorted(self._static))
        return _Program(trace, self.fn_name, names, static[:200])

    def _add(self, key: Any, program: _Program) -> None:
        with self._lock:
            programs = self._cache.setdefault(key, [])
            programs.insert(0, program)
            del programs[MAX_TRACES:]
            self._last = program

    def _retrace(self, key: Any, args: Sequence[Any], miss: tuple[_Program, int] | None
                 ) -> None:
        if not self.retrace:
            if miss is not None:
                program, k = miss
                raise TraceError(f"compiled {self.fn_name}: guard failed: traced, "
                                 f"{program.guards[k][1]}; this call differs (retrace=False)")
            raise TraceError(f"compiled {self.fn_name}: these arguments need a new trace "
                             f"(a new value of a static argument, or a new list length: "
                             f"{key!r}); retrace=False")
        with gc_scope():
            trace = _run_traced(self.fn, args, self._static, self.names)
            self._add(key, self._program(trace, args))

    def _run(self, args: Sequence[Any], seed: float
             ) -> tuple[tuple[float, ...], dict[Value, float], list[Any]]:
        """(outputs, {parameter: gradient}, input gradients per argument) for one call."""
        flat = self._flat(args)
        key = self._key(args)
        while True:
            miss = None
            for program in self._cache.get(key, []):
                try:
                    outs, grads, input_grads = program.function('call')(program.params, *flat, seed)
                except _Miss as error:
                    miss = (program, error.args[0])
                    continue
                except Exception:
                    return self._eager(args, seed)
                return outs, dict(zip(program.params, grads)), self._unflatten(
                    args, input_grads)
            self._retrace(key, args, miss)

    def _unflatten(self, args: Sequence[Any], flat: Sequence[float]) -> list[Any]:
        out: list[Any] = []
        k = 0
        for i, arg in enumerate(args):
            if i in self._static:
                out.append(None)
            elif isinstance(arg, (list, tuple)):
                out.append(list(flat[k:k + len(arg)]))
                k += len(arg)
            else:
                out.append(flat[k])
                k += 1
        return out

    def _eager(self, args: Sequence[Any], seed: float | None
               ) -> tuple[tuple[float, ...], dict[Value, float], list[Any]]:
        """Run `fn` in eager mode: its exceptions, its numbers (the fallback of any doubt)."""
        trace = _run_traced(self.fn, args, self._static, self.names)
        outs = tuple(o.data for o in trace.outputs)
        if seed is None:
            return outs, {}, []
        found: dict[Value, Any] = {}
        for out in trace.outputs:
            for node, g in engine.backprop(out, seed).items():
                found[node] = found[node] + g if node in found else g
        inputs = {v: k for k, v in enumerate(trace.inputs)}
        grads = {node: g for node, g in found.items()
                 if node.is_leaf and node not in inputs and node.op != "const"}
        flat = [found.get(v, 0.0) for v in trace.inputs]
        return outs, grads, self._unflatten(args, flat)


def _add_grads(grads: dict[Value, Any]) -> None:
    engine._accumulate(grads)


def _plain(arg: Any) -> Any:
    """numpy arrays and scalars as Python lists and numbers."""
    if not isinstance(arg, Value) and hasattr(arg, "tolist") and hasattr(arg, "ndim"):
        return arg.tolist()
    return arg


def _column(values: Any, i: int) -> list[Any]:
    values = _plain(values)
    if isinstance(values, (str, bytes, Value)) or not isinstance(values, Iterable):
        raise TypeError(f"batch: argument list {i} must be a sequence of rows, got "
                        f"{type(values).__name__} {values!r}")
    return list(values)


def _static_key(arg: Any) -> Any:
    if isinstance(arg, (list, tuple)):
        return (type(arg).__name__, tuple(_static_key(a) for a in arg))
    try:
        hash(arg)
    except TypeError:
        return ("id", id(arg))
    return (type(arg).__name__, arg)


def _argument_names(fn: Callable[..., Any], count: int) -> list[str]:
    """Variable names for the arguments: fn's parameter names where it has them."""
    import inspect  # only when compiling: keeps `import autograd` light

    names: list[str] = []
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    for p in parameters:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(_sanitise(p.name) or f"arg{len(names)}")
    names = [n if n not in _RESERVED and n.isidentifier() else f"{n}_arg" for n in names]
    while len(names) < count:
        names.append(f"x{len(names)}")
    names = names[:count]
    seen: set[str] = set()
    for k, n in enumerate(names):  # distinct even if the signature repeats a sanitised name
        while n in seen:
            n += "_"
        seen.add(n)
        names[k] = n
    return names


def compile(fn: Callable[..., Any], *example_args: Any, retrace: bool = True) -> Compiled:  # noqa: A001
    """Trace `fn(*example_args)` once and generate its forward and backward as Python.

    `fn` takes numbers, lists of numbers or `Value`s (numpy arrays work too) and returns a
    `Value` or a list of them. Leaves it reads that are not arguments (a model's weights)
    are its parameters, read fresh from `.data` on every call.

    The result `step`: `step(*args)` returns the output as a float (a list for a list
    output) and ADDS ∂output/∂p to every parameter's `.grad`, like `fn(*args).backward()`;
    `step.forward(*args)` only computes the output; `step.batch(*arg_lists,
    reduction="sum" | "mean")` loops over rows in one generated function; `step.source`
    is the generated Python.

    Args:
        fn: the function to compile.
        example_args: arguments for the first trace.
        retrace: trace again when a guard (a comparison on a Value) or a static argument
            differs; if False raise `TraceError` instead.

    Raises:
        TraceError: the graph cannot be compiled (too big, hand-built closures), or `fn`
            does not return Values.
        TypeError, ValueError, ArithmeticError: `fn` itself failed on the example.
    """
    if not callable(fn):
        raise TypeError(f"compile: fn must be callable, got {type(fn).__name__} {fn!r}")
    return Compiled(fn, tuple(example_args), bool(retrace))
