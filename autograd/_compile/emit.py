"""Code generation: one trace written out as `call`, `forward` and `batch` functions.

Everything an op contributes comes from its entry in `autograd.ops`: `code` and
`local_code` templates (filled by `ops.fill`, as drawings fill theirs), `terms` for n-ary
sums of products, and otherwise the op's own `forward` and `rule` functions, bound in the
namespace. Every name and value in the source comes from `names.Namespace`.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd import engine, ops
from autograd._compile import text
from autograd._compile.names import CODE_GLOBALS, Namespace, literal
from autograd._compile.trace import Miss, NonFinite, Trace, TraceError
from autograd._gcscope import gc_scope
from autograd._passes import safe_repr
from autograd.engine import Value
from autograd.ops._table import _Partial

MAX_TRACE_NODES = 100_000  # per sample: larger graphs would make compile() itself slow
"""Largest traced graph (op nodes per call) `compile` accepts; larger ones raise `TraceError`
(not `autograd.viz.MAX_NODES`, the boxes a drawing shows)."""
INNER, DETACHED, INPUT, CONSTANT, PARAM = "inner", "detached", "input", "constant", "param"
_INTERNAL_NAMES = ("_P", "_seed", "_rows", "_n", "_outs", "_redo", "_check", "call", "forward",
                   "batch")


class Program:
    """Generated code for one trace: `call`, `forward` and `batch` functions, and `sources`.

    `function(kind)` compiles one on first use. Kept after generation: the parameters,
    the guards' descriptions (for error messages), the output shape and the namespace.
    """

    def __init__(self, trace: Trace, fn_name: str):
        outputs = trace.outputs
        order = trace.order
        computed = sum(1 for node in order if trace.parents(node))
        if computed > MAX_TRACE_NODES:
            raise TraceError(f"compile: the traced graph has {computed:,} op nodes per call, "
                             f"more than {MAX_TRACE_NODES:,}; straight-line code that long "
                             f"compiles slowly. Use eager mode, or compile a smaller per-sample "
                             f"function and run it with .batch()")
        self.trace = trace
        self.ns = Namespace({**ops.CODE_NAMESPACE, **CODE_GLOBALS, "_Miss": Miss,
                             "_NonFinite": NonFinite})
        self.ns.reserve(*_INTERNAL_NAMES)
        self.fn_name = self.ns.name(fn_name, default="fn")
        inputs = {v: k for k, v in enumerate(trace.inputs)}
        self.kind: dict[Value, str] = {}
        params: list[Value] = []
        for node in order:
            fn = node._fn
            if node in trace.detached:
                kind = DETACHED
            elif node._prev:
                kind = INNER
            elif node in inputs:
                kind = INPUT
            elif fn is not None and fn.constant:
                kind = CONSTANT
            else:
                kind = PARAM
                params.append(node)
            self.kind[node] = kind
        position: dict[Value, int] = {}
        for node in order:  # parameters in the order the forward code first reads them
            for parent in trace.parents(node):
                position.setdefault(parent, len(position))
        params.sort(key=lambda p: position.get(p, len(position)))
        self.params = params
        # inputs of the generated code: Value leaves, and floats fn hands to ops unchanged
        self.input_names = [self.ns.name(hint, default="x") for _, hint in trace.slots]
        self.name: dict[Value, str] = {}
        self.slot_names: dict[int, str] = {}
        for (obj, _), name in zip(trace.slots, self.input_names):
            if isinstance(obj, Value):
                self.name[obj] = name
            else:
                self.slot_names[id(obj)] = name
        self._names(order, outputs)
        self._position = {node: k for k, node in enumerate(order)}
        guards = [self._guard(*read) for read in trace.reads]
        self.guards = list(dict.fromkeys(guards))  # a check read twice is checked once
        forward = self._forward_lines(order)
        backward, grad_names, input_grads, accumulators = self._backward_lines()
        self.sources = self._assemble(forward, backward, grad_names, input_grads, accumulators)
        self._functions: dict[str, Callable[..., Any]] = {}
        # Keep what running needs (parameters, guard descriptions), not the traced graph.
        self.single = trace.single
        self.width = len(outputs)
        self.said = [said for _, said, _, _ in self.guards]
        del self.trace, self.kind, self.name, self._position, self._grad_names
        del self.batch_backward, self.guards

    def function(self, kind: str) -> Callable[..., Any]:
        """The generated function `kind` ('call', 'forward' or 'batch'), compiled on first use."""
        found = self._functions.get(kind)
        if found is None:
            code: dict[str, Any] = {}
            source = self.sources[kind]
            with gc_scope():
                exec(builtins.compile(source, f"<autograd.compile {self.fn_name} {kind}>",
                                      "exec"), self.ns.globals, code)
            found = self._functions[kind] = code[kind]
        return found

    # -- names -----------------------------------------------------------------------------
    def _names(self, order: list[Value], outputs: list[Value]) -> None:
        temps = 0
        for node in order:
            if self.kind[node] == CONSTANT or node in self.name:
                continue
            hint: Any = ""
            role = node.role
            if role is not None:
                hint = "_".join(str(p) for p in (role.kind, role.layer, role.unit,
                                                 *(() if role.index is None else (role.index,))))
            if not hint:
                hint = node.label
            if not hint and len(outputs) == 1 and node is outputs[0]:
                hint = "out"
            if not hint:
                temps += 1
                hint = f"t{temps}"
            self.name[node] = self.ns.name(hint)
        self.root = self.name.get(outputs[0], "out") if len(outputs) == 1 else "out"

    def expr(self, node: Any) -> str:
        """Source text of a value: a node's variable, a constant's literal, or a bound name."""
        if not isinstance(node, Value):
            return self.ns.value(node)
        if self.kind.get(node) == CONSTANT:
            return self.slot_names.get(id(node.data)) or self.ns.value(node.data)
        return self.name[node]

    # -- guards ----------------------------------------------------------------------------
    def _guard(self, kind: str, value: Value, other: Any, result: Any
               ) -> tuple[str, str, str, Value]:
        """(test true when the guard FAILS, description for errors, source comment, last
        node it reads). A float result is checked with its sign (-0.0 is not 0.0)."""
        v = self.expr(value)
        name = self.name.get(value) or safe_repr(value.data)
        if kind in ("<", "<=", ">", ">="):
            o = self.expr(other)
            test = f"{v} {kind} {o}"
            fail = f"not ({test})" if result else test
            shown = f"{v} {kind} {o} was {bool(result)}"
            told = self.name.get(other) if isinstance(other, Value) else None
            said = f"{name} {kind} {told or _safe(other)} was {bool(result)}"
        else:
            call = {"float": "float({})", "int": "int({})", "trunc": "math.trunc({})",
                    "round": "round({})" if other is None else "round({}, " +
                    self.ns.value(other) + ")"}[kind].format(v)
            fail = _differs(call, result, self.ns)
            shown = f"{call} was {self.ns.value(result) if type(result) in (int, float) else '?'}"
            digits = "" if other is None else f", {_safe(other)}"
            said = f"{kind}({name}{digits}) was {_safe(result)}"
        last = value if not isinstance(other, Value) else max(
            value, other, key=lambda n: self._position.get(n, -1))
        return fail, said, shown, last

    # -- forward ---------------------------------------------------------------------------
    def _forward_lines(self, order: list[Value]) -> list[tuple[Value, list[str]]]:
        """(node, lines computing it) for every node that is computed."""
        lines: list[tuple[Value, list[str]]] = []
        for node in order:
            kind = self.kind[node]
            if kind == INNER or kind == DETACHED:
                prev, fn = self.trace.detached[node] if kind == DETACHED else (
                    node._prev, _op(node))
                computed = self._compute(node, fn, prev)
                if kind == DETACHED:
                    computed[0] += "  # no_grad: no gradient flows back"
                lines.append((node, computed))
        return lines

    def _compute(self, node: Value, fn: ops.Op, prev: Sequence[Value]) -> list[str]:
        target = self.name[node]
        args = [self.expr(p) for p in prev]
        if fn.terms is not None:
            terms = fn.terms(len(prev))
            if terms.exact:
                return [f"{target} = math.fsum(({', '.join(args)},))" if args else
                        f"{target} = 0.0"]
            # Eager `dot` adds from 0.0: the same sum, except that -0.0 (every term -0.0)
            # comes out 0.0 there; only a sign check in a guard can tell them apart.
            parts = [f"{args[i]} * {args[j]}" for i, j in terms.products]
            parts += [args[k] for k in terms.singles]
            return text.sum_lines(target, parts or ["0.0"], "")
        code = _code(fn)
        if code is not None:
            return [f"{target} = {ops.fill(code, target, args, self._params(fn))}"]
        return [f"{target} = {self._call(fn, 'forward', args)}"]

    def _params(self, fn: ops.Op) -> list[str]:
        return [self._param(p) for p in fn.params]

    def _param(self, p: Any) -> str:
        """A bound argument of an op: an input's name if it is one, a tuple item by item."""
        found = self.slot_names.get(id(p))
        if found is not None:
            return found
        if type(p) is tuple and self._holds_slot(p):
            return "(" + "".join(self._param(item) + ", " for item in p) + ")"
        return self.ns.value(p)

    def _holds_slot(self, params: tuple[Any, ...]) -> bool:
        stack = list(params)
        while stack:
            p = stack.pop()
            if id(p) in self.slot_names:
                return True
            if type(p) is tuple:
                stack += p
        return False

    def _call(self, fn: ops.Op, what: str, args: list[str]) -> str:
        """A call of the op's own `forward` or `rule`, bound in the namespace; an op whose
        bound arguments hold an input gets them at run time, from the variables."""
        function = fn.forward if what == "forward" else fn.rule
        if self.slot_names and self._holds_slot(fn.params) and \
                isinstance(function, _Partial):
            name = self.ns.bind(function.function, f"op_{fn.name}_{what}")
            return f"{name}({', '.join([*self._params(fn), *args])})"
        name = self.ns.bind(function, f"op_{fn.name}_{what}")
        return f"{name}({', '.join(args)})"

    def sparse_forward(self, forward: list[tuple[Value, list[str]]]
                       ) -> tuple[list[tuple[Value, list[str]]], list[str], list[str]]:
        """`batch`'s forward: a Σ whose every product has a factor made by a `zeros` op (an
        off ReLU gives exactly 0.0) adds each product inside `if factor:` right after that
        factor is computed, starting from 0.0 and ending with its single terms (the bias),
        as eager `dot` adds.

        Returns the forward lines, the Σ nodes started at 0.0 each row, and the other
        factors (parameters or computed values) that must be finite for 0·w to be 0.
        """
        at = {node: k for k, (node, _) in enumerate(forward)}
        sends: dict[Value, list[str]] = {}  # a zeros-op value -> lines adding its products
        ends: dict[Value, list[str]] = {}
        factors: list[str] = []
        for node, _ in forward:
            fn = node._fn
            if self.kind[node] != INNER or fn is None or fn.terms is None:
                continue
            prev = node._prev
            terms = fn.terms(len(prev))
            if terms.exact:
                continue
            pairs = []
            for i, j in terms.products:
                w, x = prev[i], prev[j]
                sparse, other = (x, w) if self._zeros(x) else (w, x)
                if not self._zeros(sparse) or not (
                        self.kind[other] == PARAM or (self.kind[other] == INNER
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
                ends[node] = [f"{target} += {self.expr(prev[k])}" for k in terms.singles]
        lines: list[tuple[Value, list[str]]] = []
        for node, computed in forward:
            if node in ends:
                computed = ends[node]
            if node in sends:
                computed = [*computed, f"if {self.name[node]}:", *sends[node]]
            lines.append((node, computed))
        return lines, [self.name[node] for node in ends], list(dict.fromkeys(factors))

    def _zeros(self, node: Value) -> bool:
        fn = node._fn
        return self.kind[node] == INNER and fn is not None and fn.zeros

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
            if self.kind[node] in (INNER, PARAM, INPUT):
                self._grad_names[node] = self.ns.name(f"d{self.root}_d{self.name[node]}")
        incoming: dict[Value, list[str]] = {node: [] for node in backward_order}
        for out in outputs:
            if out in incoming:
                incoming[out].append("_seed")
        lines: list[tuple[str, Any]] = []
        inner = [self._grad_names[n] for n in reversed(backward_order) if self.kind[n] == INNER]
        batch: list[tuple[str, Any]] = [(line, False) for line in text.unpack(
            inner, f"(0.0,) * {len(inner)}")]
        for node in reversed(backward_order):
            kind = self.kind[node]
            if kind == PARAM or kind == INPUT:
                g = self._grad_names[node]
                seeds = [(f"{g} += _seed", kind == INPUT) for o in outputs if o is node]
                lines += seeds
                batch += seeds
                continue
            if kind != INNER:
                continue
            g = self._grad_names[node]
            lines += [(line, False) for line in text.sum_lines(g, incoming[node], "")]
            batch += [(f"{g} += _seed", False) for send in incoming[node] if send == "_seed"]
            leaf_sends: list[tuple[str, bool]] = []
            inner_sends: list[tuple[str, bool]] = []
            helpers: list[tuple[str, Any]] = []
            for parent, send in self._sends(node, g, helpers):
                pkind = self.kind[parent]
                if pkind == INNER:
                    incoming[parent].append(send)
                    inner_sends.append((f"    {self._grad_names[parent]} += {send}", False))
                elif pkind == PARAM or pkind == INPUT:
                    leaf_sends.append((f"    {self._grad_names[parent]} += {send}",
                                       pkind == INPUT))
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

    def _sends(self, node: Value, g: str, lines: list[tuple[str, Any]]
               ) -> list[tuple[Value, str]]:
        """What `node` sends each parent, as source text (`g` times the local derivative)."""
        prev = node._prev
        fn = _op(node)
        args = [self.expr(p) for p in prev]
        if fn.terms is not None:
            terms = fn.terms(len(prev))
            sends = [g] * len(prev)
            for i, j in terms.products:
                sends[i], sends[j] = f"{g} * {args[j]}", f"{g} * {args[i]}"
            return list(zip(prev, sends))
        local = _local_code(fn)
        if local is not None:
            params = self._params(fn)
            return [(p, text.times(g, ops.fill(template, self.name[node], args, params)))
                    for p, template in zip(prev, local)]
        tmp = self.ns.name(self.name[node], prefix="_s_")
        zeros = ", ".join(["0.0"] * len(prev)) + ("," if len(prev) == 1 else "")
        rule = self._call(fn, "rule", [g, self.name[node], *args])
        lines.append((f"{tmp} = {rule} if {g} else ({zeros})", False))
        return [(p, f"{tmp}[{k}]") for k, p in enumerate(prev)]

    # -- functions -------------------------------------------------------------------------
    def _assemble(self, forward: list[tuple[Value, list[str]]],
                  backward: list[tuple[str, Any]], grad_names: list[str],
                  input_grads: list[str], accumulators: list[str]) -> dict[str, str]:
        inputs = self.input_names
        read = text.unpack([self.name[p] for p in self.params], "[p.data for p in _P]")
        guards = self._guards_after()
        outs = [self.expr(o) for o in self.trace.outputs]
        out_tuple = f"({', '.join(outs)},)"
        init = list(dict.fromkeys(accumulators + [g for g in input_grads if g != "0.0"]))
        init_lines = text.unpack(init, f"(0.0,) * {len(init)}")
        checked_forward = self._forward_body(forward, guards, lambda k: f"raise _Miss({k})",
                                             "raise _NonFinite")
        signature = ", ".join(["_P", *inputs])
        call = [f"def call({signature}, _seed=1.0):",
                f'    """{self.fn_name}: forward and backward for one call."""',
                "    # parameters: read fresh from each Value's .data on every call",
                _block(read), "    # forward", _block(checked_forward),
                "    # backward: each gradient is the sum of what its consumers send",
                _block(init_lines), _block(text.render(backward, inputs=True)),
                "    # ∂output/∂parameter for each parameter (the caller checks they are finite,"
                " then adds them to .grad)",
                f"    return {out_tuple}, (",
                *text.items(grad_names, "        "),
                f"    ), ({', '.join(input_grads)}{',' if input_grads else ''})"]
        forward_only = [f"def forward({signature}):",
                        f'    """{self.fn_name}: the outputs only."""',
                        _block(read), _block(checked_forward), f"    return {out_tuple}"]
        batch = self._batch_function(forward, guards, read, out_tuple, grad_names, accumulators)
        return {"call": _clean(call), "forward": _clean(forward_only), "batch": _clean(batch)}

    def _guards_after(self) -> dict[Value | None, list[tuple[int, str, str]]]:
        """Each guard under the node after which it can be checked (None: at the start)."""
        guards: dict[Value | None, list[tuple[int, str, str]]] = {}
        for k, (fail, _, shown, last) in enumerate(self.guards):
            at = last if self.kind.get(last, "") in (INNER, DETACHED) else None
            guards.setdefault(at, []).append((k, fail, shown))
        return guards

    def _forward_body(self, lines_of: list[tuple[Value, list[str]]],
                      guards: dict[Value | None, list[tuple[int, str, str]]],
                      on_miss: Callable[[int], str], on_bad: str) -> list[str]:
        """The forward lines with each guard checked as soon as it can be, then one check
        that no value is inf or nan."""
        body = []
        for k, fail, shown in guards.get(None, []):
            body += [f"if {fail}:  # traced: {shown}", f"    {on_miss(k)}"]
        for node, lines in lines_of:
            body += lines
            for k, fail, shown in guards.get(node, []):
                body += [f"if {fail}:  # traced: {shown}", f"    {on_miss(k)}"]
        values = [self.name[n] for n, kind in self.kind.items()
                  if kind == INNER or kind == DETACHED]
        if values:
            body.append("# an inf or nan anywhere: eager mode decides what happens")
            body += _finite_check(values, on_bad)
        return body

    def _batch_function(self, forward: list[tuple[Value, list[str]]],
                        guards: dict[Value | None, list[tuple[int, str, str]]], read: list[str],
                        out_tuple: str, grad_names: list[str],
                        accumulators: list[str]) -> list[str]:
        """`batch`: one loop over the rows, a row whose guard fails or that meets an inf or
        nan noted in `_redo` for eager mode; parameter gradients summed over the rows."""
        inputs = self.input_names
        target = (f"({', '.join(inputs)},)" if inputs else "_")
        per_row_bwd = text.render(self.batch_backward, inputs=False)
        batch_accumulators = list(dict.fromkeys(accumulators))
        sparse_forward, sums, factors = self.sparse_forward(forward)
        sparse_note = []
        if sums:
            sparse_note = [
                "# Σ nodes fed by ReLUs add a product only when the ReLU is on: the same sums"
                " in the same order", "# (an inf or nan weight would make 0·w a nan: such"
                " calls go to eager mode)", *_finite_check(factors, "raise _NonFinite")]
        redo = "_redo.append(_n); continue"
        return ["def batch(_P, _rows, _seed):",
                f'    """{self.fn_name}: forward and backward of every row."""',
                _block(read), _block(sparse_note),
                _block(text.unpack(batch_accumulators, f"(0.0,) * {len(batch_accumulators)}")),
                "    _outs = []", "    _redo = []",
                "    # per row: the forward and backward of one call; parameter gradients "
                "are summed over the rows",
                f"    for _n, {target} in enumerate(_rows):",
                _block(text.unpack(sums, f"(0.0,) * {len(sums)}") if sums else [], 2),
                _block(self._forward_body(sparse_forward, guards, lambda k: redo, redo), 2),
                f"        _outs.append({out_tuple})",
                _block(per_row_bwd, 2),
                "    return _outs, (",
                *text.items(grad_names, "        "),
                "    ), _redo"]


def _block(lines: list[str], depth: int = 1) -> str:
    """Lines indented `depth` levels, as one piece of source."""
    return "\n".join("    " * depth + line for line in lines)


def _clean(parts: list[str]) -> str:
    """The function's source: its pieces without blank ones, ending in a newline."""
    return "\n".join(p for p in parts if p.strip()) + "\n"


def _finite_check(names: list[str], on_bad: str) -> list[str]:
    """`on_bad` if any of `names` is inf or nan: one sum tells (inf and nan propagate), and
    only if it is not finite are the values looked at one by one (finite values whose sum
    overflows are not a reason to leave the generated code)."""
    return [*text.sum_lines("_check", names, ""),
            "if not _isfinite(_check) and not _finite((", *text.items(names, "    "), ")):",
            f"    {on_bad}"]


def _differs(call: str, result: Any, ns: Namespace) -> str:
    """Source that is true when `call` no longer gives `result` (sign of zero and nan too)."""
    if type(result) is float:
        if result != result:
            return f"{call} == {call}"
        if result == 0.0:
            sign = "<" if math.copysign(1.0, result) > 0 else ">"
            return f"_copysign(1.0, {call}) {sign} 0.0 or {call} != 0.0"
        return f"{call} != {literal(result)}"
    return f"{call} != {ns.value(result)}"


def _safe(x: Any) -> str:
    """repr for an error message (never for source); a repr that fails is not fatal."""
    try:
        return safe_repr(x)[:200]
    except Exception:
        return f"<{type(x).__name__}>"


def _op(node: Value) -> ops.Op:
    """The op of a node with parents (the trace refused those without one)."""
    fn = node._fn
    if fn is None:
        raise TraceError(f"compile: node {node!r} has parents but no op")
    return fn


def _code(fn: ops.Op) -> str | None:
    """The op's forward template, if generated code may use it (built-in ops only: a
    custom op's template is not trusted as source; its `forward` is called instead)."""
    if not fn.builtin or fn.internal:
        return None
    return fn.code


def _local_code(fn: ops.Op) -> tuple[str, ...] | None:
    if not fn.builtin or fn.internal or not fn.local_code or fn.arity is None:
        return None
    return fn.local_code
