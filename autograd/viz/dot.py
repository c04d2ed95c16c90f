"""DOT for a `Value` graph: value boxes, op circles, chain-rule edges, neuron boxes.

Structure comes from data: `nn` attaches a `Role` to its nodes, and `collapse=True` groups
by those roles (never by parsing labels).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import graphviz

from autograd.engine import Value
from autograd.viz.graph import Graph, _record, _text, is_const, neuron_of
from autograd.viz.render import RenderError

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
        from autograd import viz  # the package's names, so they can be configured there

        if self.node_count is not None and self.node_count > viz.MAX_NODES:
            raise RenderError(f"the graph has {self.node_count} nodes, over MAX_NODES="
                              f"{viz.MAX_NODES}; render it with render(diagram.source) if you "
                              "really mean to")
        return viz.render(self.source).decode("utf-8")


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
        hidden = not opts.show_constants and is_const(node)
        role = neuron_of(node)
        folds = opts.collapse and role is not None and role.kind in "wba"
        count += not (hidden or folds)
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    if count > limit:
        _too_big(fn, f"over {cap}" if count > cap else str(count), opts)


def _too_big(fn: str, count: str, opts: _Options) -> None:
    hint = "" if opts.collapse else "draw it with collapse=True (one box per neuron) or "
    raise RenderError(f"{fn}: the graph has {count} nodes, over max_nodes={opts.max_nodes}; "
                      f"{hint}pass a larger max_nodes")


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


def _boxes(graph: Graph) -> tuple[dict[Value, Value], dict[Value, list[Value]]]:
    """Collapsed mode: {member: its neuron's z node} and {z: [z, a, b, w...]} per neuron."""
    owner: dict[Value, Value] = {}
    members: dict[Value, list[Value]] = {}
    for node in graph.order:
        info = neuron_of(node)
        if info is None or info.kind != "z" or node.op != "dot":
            continue
        group = [node]
        owner[node] = node
        for consumer, _ in graph.uses[node]:
            role = neuron_of(consumer)
            if (role is not None and role.kind == "a" and role[1:3] == info[1:3]
                    and len(consumer.parents) == 1):
                group.append(consumer)
                owner[consumer] = node
        members[node] = group
    for z, group in members.items():
        info = neuron_of(z)
        params = []
        for parent in z.parents:
            role = neuron_of(parent)
            if role is None or role.kind not in "wb" or role[1:3] != info[1:3]:
                continue
            if parent.is_leaf and all(c in members for c, _ in graph.uses[parent]):
                params.append(parent)  # a parameter used only by this neuron (or its copies)
        group += sorted(dict.fromkeys(params),
                        key=lambda n: (neuron_of(n).kind == "w", neuron_of(n).index or 0))
    return owner, members


def _build(root: Value, opts: _Options, fn: str, graph: Graph | None = None,
           sums: bool = True) -> Diagram:
    """The DOT drawing of `root`'s graph (the shared core of every public function)."""
    graph = graph or Graph(root, opts.precision, fn=fn)
    owner, members = _boxes(graph) if opts.collapse else ({}, {})
    absorbed = {m for group in members.values() for m in group if m not in owner}
    hidden = set() if opts.show_constants else {
        n for n in graph.order if is_const(n)}
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
        info = neuron_of(node) if clusters else None
        buckets.setdefault((info.layer, info.unit) if info else None, []).append(line)

    def row(node: Value) -> list[str]:
        if is_const(node):
            fields = [f"const {graph.names[node]}"]
        else:
            fields = [graph.names[node], f"data {graph.num(node.data)}"]
        if opts.show_grads:
            fields.append(f"grad {graph.num(graph.grad(node))}")
        return fields

    for node in drawn:
        i = graph.index[node]
        constant = is_const(node)
        summed = [m for m in members.get(node, [node]) if len(uses[m]) > 1]
        fanin = bool(summed)
        classes = ["value"]
        if node.is_leaf:
            classes.append("const" if constant else "leaf")
        classes += ["fanin"] * fanin + ["root"] * (node is graph.root)
        rows = [row(node)]
        if node in members:
            layer, neuron = neuron_of(node).layer, neuron_of(node).unit
            classes.append("neuron")
            rows = [[f"neuron {neuron} of layer {layer}"]] + [row(m) for m in members[node]]
        if opts.show_grads and sums:
            rows += [[line] for m in summed for line in graph.sum_terms(m)]
        fill = "#eeeeee" if constant else _fill(graph.grad(node), scale) if scale else "#ffffff"
        attrs = _attrs(id=f"v{i}", class_=" ".join(classes), shape="Mrecord",
                       style="filled,dashed" if constant else "filled", fillcolor=fill,
                       color=_FAN_IN_COLOR if fanin else None, penwidth=2.5 if fanin else None,
                       label=_record(rows, opts.rankdir))
        place(node, f"\tv{i} [{attrs}]\n")
        if node.is_leaf:
            continue
        target = f"op{i}"
        if node in members:
            target = f"v{i}"
        else:
            text = " ".join([node.op_info.text() if node.op_info else "?"]
                            + [graph.names[p] for p in node.parents if p in hidden])
            attrs = _attrs(id=f"op{i}", class_="op", shape="circle" if len(text) <= 2
                           else "ellipse", style="filled", fillcolor="#f4f1e8",
                           margin="0.04,0.02", label=_text(text))
            place(node, f"\top{i} [{attrs}]\n")
            edges.append(f'\top{i} -> v{i} [{_attrs(id=f"o{i}", class_="result")}]\n')
        inputs = [(node, pos, p) for pos, p in enumerate(node.parents)]
        if node in members:  # the neuron's activation: its input z is inside the box
            inputs += [(m, pos, p) for m in members[node][1:] if m in owner
                       for pos, p in enumerate(m.parents)]
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
    info = neuron_of(node)
    return info.layer if info else None


def _edge(graph: Graph, opts: _Options, node: Value, pos: int, source: str, target: str,
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

