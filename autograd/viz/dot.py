"""DOT for a `Value` graph: value boxes, op circles, chain-rule edges, neuron boxes.

Structure comes from data: `nn` attaches a `Role` to its nodes, and `collapse=True` groups
by those roles (never by parsing labels).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import graphviz

from autograd.engine import Role, Value
from autograd.ops import weighted_sum
from autograd.viz.graph import Graph, _record, _text, is_const, neuron_of
from autograd.viz.i18n import Words, check_lang
from autograd.viz.render import RenderError, render

MAX_NODES = 1000
"""Default limit for rendering: bigger graphs raise RenderError (suggesting collapse=True)."""
# A value used by more consumers than this is drawn once (with its fan-in sum) plus a small
# copy beside each use: dozens of long edges from one node make Graphviz's layout take
# minutes, and a picture of them teaches nothing.
_MAX_EDGES_OUT = 8
_SPAN_BUDGET = 24  # total layers a node's edges may span before its uses get copies
_BIG = 150  # above this many boxes, cap Graphviz's layout effort (10x faster, a bit messier)
# ... and route edges as straight lines: spline routing is half of a big graph's render time.
_FAST_LAYOUT = ('mclimit="0.1" nslimit="1" nslimit1="1" searchsize="5" remincross="false" '
                'splines="line" ')

_POSITIVE = (49, 130, 189)   # blue: ∂out/∂node > 0
_NEGATIVE = (222, 45, 38)    # red: ∂out/∂node < 0
WHITE = "#ffffff"
"""The fill of a box whose gradient is 0 or not known yet."""
FAN_IN = "#e6550d"
"""The border of a box used several times, and the edges of its uses (orange)."""
ACTIVE = "#7b3294"
"""The step being processed and the edges it sends along (purple; the page's `--active`)."""
CONSTANT = "#eeeeee"
"""The fill of a constant's (dashed) box."""


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{c:02x}" for c in rgb)


LEGEND = (
    (_hex(_POSITIVE), "fill", "blue fill: gradient > 0 (darker: larger |gradient|)", True),
    (_hex(_NEGATIVE), "fill", "red fill: gradient < 0", True),
    (WHITE, "fill", "white: gradient 0, or not known yet (grad ?)", False),
    (FAN_IN, "border", "orange border or edge: the node is used several times; its gradient "
                       "is the sum of what each use sends", True),
    (ACTIVE, "border", "purple: the step being processed and the edges it sends along", False),
    (CONSTANT, "dashed", "grey dashed box: a constant", True),
)
"""The colours of every drawing: (colour, shown as, meaning, in the SVG's own legend line).

The walkthrough's legend panel lists them all; static drawings state the first kind."""
_DIRECTIONS = ("LR", "TB")


class Diagram(graphviz.Digraph):
    """A `graphviz.Digraph` that Jupyter displays inline as SVG, with or without `dot`.

    Jupyter shows it scaled to the cell width (a click zooms to actual size). Jupyter
    calls these on every displayed Diagram, so they never raise: a drawing over
    MAX_NODES boxes (from `to_dot`, which has no limit) or one Graphviz cannot render is
    shown as a line of text saying why, not as a traceback or a render that takes minutes.
    """

    node_count: int | None = None  # boxes drawn, set by to_dot; None: unknown (built by hand)
    """The number of boxes `to_dot` drew; None for a Diagram built by hand."""
    grad_texts: dict[str, list[tuple[int, str]]] = {}  # box id → (text index, node id)
    """Per box id, (text index, node id) of each gradient written in it (walkthrough pages)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **_: Any) -> dict[str, str]:
        from autograd.viz.jupyter import bundle

        return bundle(self._svg, lambda error: f"<autograd.viz.Diagram, not drawn: {error}>",
                      include, exclude)

    def _svg(self) -> str:
        if self.node_count is not None and self.node_count > MAX_NODES:
            raise RenderError(f"the graph has {self.node_count} nodes, over MAX_NODES="
                              f"{MAX_NODES}; render it with render(diagram.source) if you "
                              "really mean to", nodes=str(self.node_count))
        return render(self.source).decode("utf-8")


# ---- options: declared once, read by every drawing function ---------------------------------
class DrawOptions(TypedDict, total=False):
    """The keyword options of `to_dot`, `to_svg`, `save_svg` and `walkthrough`.

    Attributes:
        rankdir: 'LR' (left to right) or 'TB' (top to bottom).
        show_grads: write each node's gradient (and the fan-in sums).
        show_local: write the chain rule on the edges (local derivative, what is sent).
        show_constants: draw numbers used in expressions as boxes.
        color: fill boxes by the gradient's sign and size.
        clusters: boxes per layer and neuron of an `nn` graph (None: only when collapsed).
        collapse: one box per neuron of an `nn` graph.
        precision: significant digits of the numbers (1 to 17).
        lang: the language of the words drawn ('en' or 'zh').
    """

    rankdir: str
    show_grads: bool
    show_local: bool
    show_constants: bool
    color: bool
    clusters: bool | None
    collapse: bool
    precision: int
    lang: str


DEFAULTS: dict[str, Any] = {"rankdir": "LR", "show_grads": True, "show_local": True,
                            "show_constants": True, "color": True, "clusters": None,
                            "collapse": False, "precision": 4, "lang": "en"}
"""The value each `DrawOptions` option takes when not given."""
assert set(DEFAULTS) == set(DrawOptions.__annotations__), "one default per option"


@dataclass(frozen=True)
class Options:
    """The checked options of one drawing: `DrawOptions` with defaults, plus max_nodes.

    Attributes:
        rankdir: 'LR' (left to right) or 'TB' (top to bottom).
        show_grads: write each node's gradient (and the fan-in sums).
        show_local: write the chain rule on the edges.
        show_constants: draw numbers used in expressions as boxes.
        color: fill boxes by the gradient's sign and size.
        clusters: boxes per layer and neuron (None: only when collapsed).
        collapse: one box per neuron of an `nn` graph.
        precision: significant digits of the numbers.
        lang: the language of the words drawn.
        max_nodes: refuse drawings of more boxes (None: no limit).
    """

    rankdir: str = DEFAULTS["rankdir"]
    show_grads: bool = DEFAULTS["show_grads"]
    show_local: bool = DEFAULTS["show_local"]
    show_constants: bool = DEFAULTS["show_constants"]
    color: bool = DEFAULTS["color"]
    clusters: bool | None = DEFAULTS["clusters"]
    collapse: bool = DEFAULTS["collapse"]
    precision: int = DEFAULTS["precision"]
    lang: str = DEFAULTS["lang"]
    max_nodes: int | None = None


def with_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Show `DrawOptions` as explicit keyword-only parameters in `function`'s signature.

    The function takes `**options: Unpack[DrawOptions]` (what type checkers and editors
    read); `help()` and `inspect.signature` then list every option with its default.
    """
    signature = inspect.signature(function)
    params = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    hints = DrawOptions.__annotations__
    params += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=getattr(hints[name], "__forward_arg__", hints[name]))
               for name, default in DEFAULTS.items()]
    function.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return function


def check_options(fn: str, root: Any, options: Mapping[str, Any], max_nodes: Any) -> Options:
    """The options of a call to `fn` checked, with defaults; errors name `fn` and the bad
    value, and a graph over max_nodes is refused before any per-node work."""
    if not isinstance(root, Value):
        raise TypeError(f"{fn}: root must be a Value, got {type(root).__name__}")
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        known = ", ".join(sorted(DEFAULTS))
        raise TypeError(f"{fn}: unknown option {unknown[0]!r} (options: {known})")
    opts = Options(**options, max_nodes=max_nodes)
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
    check_lang(fn, opts.lang)
    _check_size(root, opts, fn)
    return opts


def _check_size(root: Value, opts: Options, fn: str) -> None:
    """Refuse a graph over max_nodes before any per-node work (names, derivatives, layout).

    The walk stops once it has counted 10 × max_nodes boxes, so a graph of millions of
    nodes is refused in milliseconds. The count is exact unless collapse=True, where only
    nodes that cannot fold into a neuron box are counted (`diagram` checks again).
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


def _too_big(fn: str, count: str, opts: Options) -> None:
    hint = "" if opts.collapse else "draw it with collapse=True (one box per neuron) or "
    raise RenderError(f"{fn}: the graph has {count} nodes, over max_nodes={opts.max_nodes}; "
                      f"{hint}pass a larger max_nodes", nodes=count)


# ---- DOT -----------------------------------------------------------------------------------
def grad_fill(g: float, scale: float) -> str:
    """A box's fill for gradient `g`: white for 0, blue for positive, red for negative; darker
    for larger |g| (`scale` is the |g| drawn darkest, see `colour_scale`); yellow for nan."""
    if math.isnan(g):
        return "#fff3b0"
    if g == 0 or scale == 0:
        return WHITE
    t = math.sqrt(min(abs(g) / scale, 1.0)) * 0.75
    r, gr, b = _POSITIVE if g > 0 else _NEGATIVE
    return "#" + "".join(f"{round(255 - t * (255 - c)):02x}" for c in (r, gr, b))


def colour_scale(graph: Graph) -> float:
    """The |gradient| drawn darkest: the largest below the root (the root's own 1 would leave
    every other box nearly white), or the root's when nothing else has one."""
    below = [abs(graph.grad(n)) for n in graph.order if n is not graph.root]
    below = [g for g in below if math.isfinite(g) and g > 0]
    if below:
        return max(below)
    root = abs(graph.grad(graph.root))
    return root if math.isfinite(root) else 0.0


def _attrs(**attrs: Any) -> str:
    return " ".join(f'{k.rstrip("_")}="{v}"' for k, v in attrs.items() if v is not None)


def neuron_boxes(graph: Graph) -> tuple[dict[Value, Value], dict[Value, list[Value]]]:
    """Collapsed mode: {member: its neuron's z node} and {z: [z, a, b, w...]} per neuron."""
    owner: dict[Value, Value] = {}
    members: dict[Value, list[Value]] = {}
    roles: dict[Value, Role] = {}
    for node in graph.order:
        info = neuron_of(node)
        if (info is None or info.kind != "z"
                or weighted_sum(node.op_info, len(node.parents)) is None):
            continue
        roles[node] = info
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
        info = roles[z]
        params: dict[Value, Role] = {}
        for parent in z.parents:
            role = neuron_of(parent)
            if role is None or role.kind not in "wb" or role[1:3] != info[1:3]:
                continue
            if parent.is_leaf and all(c in members for c, _ in graph.uses[parent]):
                params[parent] = role  # a parameter used only by this neuron (or its copies)
        group += sorted(params, key=lambda n: (params[n].kind == "w", params[n].index or 0))
    return owner, members


def diagram(root: Value, opts: Options, fn: str, graph: Graph | None = None,
            sums: bool = True, partial: dict[Value, str] | None = None) -> Diagram:
    """The DOT drawing of `root`'s graph (the shared core of every public function).

    For the walkthrough (`sums=False`): `partial` gives, per node used several times, the
    partial-sum note its grad field must have room for; the returned Diagram's
    `grad_texts` says which text of each box is whose grad field (counted, never parsed).
    """
    graph = graph or Graph(root, opts.precision, fn=fn)
    writer = _Writer(graph, opts, _plan(graph, opts, fn), partial or {}, sums)
    for node in writer.plan.drawn:
        writer.box(node)
        if not node.is_leaf:
            writer.inputs(node, writer.op(node))
    return writer.diagram()


@dataclass(frozen=True)
class _Plan:
    """What one drawing shows: its boxes, how `nn` neurons fold, which uses get copies."""

    owner: dict[Value, Value]  # collapsed: member → its neuron's z node
    members: dict[Value, list[Value]]  # collapsed: z → the nodes its neuron box shows
    hidden: set[Value]  # constants not drawn (show_constants=False)
    drawn: list[Value]  # the boxes, in graph order
    uses: dict[Value, list[tuple[Value, int]]]  # per node, its drawn consumers
    far: set[tuple[Value, Value, int]]  # (parent, consumer, position): from a copy
    clusters: bool  # boxes grouped per layer (and neuron)
    scale: float  # the |gradient| filled darkest; 0: no colours


def _plan(graph: Graph, opts: Options, fn: str) -> _Plan:
    """Decide what is drawn; refuse a drawing of more than max_nodes boxes."""
    owner, members = neuron_boxes(graph) if opts.collapse else ({}, {})
    absorbed = {m for group in members.values() for m in group if m not in owner}
    hidden = set() if opts.show_constants else {n for n in graph.order if is_const(n)}
    drawn = [n for n in graph.order
             if n not in hidden and n not in absorbed and owner.get(n, n) is n]
    if opts.max_nodes is not None and len(drawn) > opts.max_nodes:
        _too_big(fn, str(len(drawn)), opts)
    uses = {n: [u for u in graph.uses[n] if u[0] not in hidden] for n in graph.order}
    # a full MLP reads best unclustered; collapsed, by layer
    clusters = bool(members) if opts.clusters is None else opts.clusters
    scale = colour_scale(graph) if opts.color and opts.show_grads else 0.0
    return _Plan(owner, members, hidden, drawn, uses, _far_uses(graph, uses, drawn),
                 clusters, scale)


class _Writer:
    """The DOT lines of one drawing: boxes and op circles (grouped into clusters), edges."""

    def __init__(self, graph: Graph, opts: Options, plan: _Plan, partial: dict[Value, str],
                 sums: bool):
        self.graph, self.opts, self.plan = graph, opts, plan
        self.words = Words(opts.lang)
        self.partial, self.sums = partial, sums
        self.buckets: dict[tuple[int, int], list[str]] = {}  # (layer, unit): a cluster's lines
        self.loose: list[str] = []  # the lines outside every cluster
        self.edges: list[str] = []
        self.copies: dict[Value, int] = {}  # per node, the copies drawn so far
        self.grad_texts: dict[str, list[tuple[int, str]]] = {}

    def place(self, node: Value, line: str) -> None:
        """Put a line in the cluster of `node`'s neuron (or outside every cluster)."""
        info = neuron_of(node) if self.plan.clusters else None
        if info is None:
            self.loose.append(line)
        else:
            self.buckets.setdefault((info.layer, info.unit), []).append(line)

    def fields(self, node: Value) -> list[str]:
        """One row of a box: name, data, grad (a constant is its value: name only)."""
        graph, words = self.graph, self.words
        if is_const(node):
            fields = [graph.names[node]]  # a constant is its value everywhere: box, edge, caption
        else:
            fields = [graph.names[node], f"{words('data')} {graph.num(node.data)}"]
        if self.opts.show_grads:
            note = f" ({self.partial[node]})" if node in self.partial else ""  # room for it
            fields.append(f"{words('grad')} {graph.num(graph.grad(node))}{note}")
        return fields

    def rows(self, node: Value) -> tuple[list[list[str]], list[Value | None]]:
        """The rows of `node`'s box, and the node each row shows (None: a title row)."""
        members = self.plan.members.get(node)
        role = neuron_of(node) if members is not None else None
        if members is None or role is None:
            return [self.fields(node)], [node]
        title = self.words("neuron_box", unit=role.unit, layer=role.layer)
        return [[title]] + [self.fields(m) for m in members], [None, *members]

    def box(self, node: Value) -> None:
        """The value box of `node` (a neuron box when collapsed), with its fan-in sums."""
        graph, opts, plan = self.graph, self.opts, self.plan
        i = graph.index[node]
        constant = is_const(node)
        summed = [m for m in plan.members.get(node, [node]) if len(plan.uses[m]) > 1]
        fanin = bool(summed)
        rows, shown = self.rows(node)
        classes = ["value"]
        if node.is_leaf:
            classes.append("const" if constant else "leaf")
        classes += ["fanin"] * fanin + ["root"] * (node is graph.root)
        classes += ["neuron"] * (shown[0] is None)
        if opts.show_grads:  # which text is whose grad: one <text> per field, in order
            self.grad_texts[f"v{i}"] = _grad_positions(graph, rows, shown)
            if self.sums:
                rows += [[line] for m in summed for line in graph.sum_terms(m)]
        fill = CONSTANT if constant else grad_fill(graph.grad(node), plan.scale) \
            if plan.scale else WHITE
        attrs = _attrs(id=f"v{i}", class_=" ".join(classes), shape="Mrecord",
                       style="filled,dashed" if constant else "filled", fillcolor=fill,
                       color=FAN_IN if fanin else None, penwidth=2.5 if fanin else None,
                       label=_record(rows, opts.rankdir))
        self.place(node, f"\tv{i} [{attrs}]\n")

    def op(self, node: Value) -> str:
        """The op circle of `node` and its edge to the result box; returns the id its
        inputs point to (the neuron box itself when collapsed)."""
        graph, i = self.graph, self.graph.index[node]
        if node in self.plan.members:
            return f"v{i}"
        text = " ".join([node.op_info.text() if node.op_info else "?"]
                        + [graph.names[p] for p in node.parents if p in self.plan.hidden])
        attrs = _attrs(id=f"op{i}", class_="op", shape="circle" if len(text) <= 2
                       else "ellipse", style="filled", fillcolor="#f4f1e8",
                       margin="0.04,0.02", label=_text(text))
        self.place(node, f"\top{i} [{attrs}]\n")
        self.edges.append(f'\top{i} -> v{i} [{_attrs(id=f"o{i}", class_="result")}]\n')
        return f"op{i}"

    def inputs(self, node: Value, target: str) -> None:
        """An edge per use of each input of `node` (of its neuron box's members too)."""
        plan = self.plan
        inputs = [(node, pos, p) for pos, p in enumerate(node.parents)]
        if node in plan.members:  # the neuron's activation: its input z is inside the box
            inputs += [(m, pos, p) for m in plan.members[node][1:] if m in plan.owner
                       for pos, p in enumerate(m.parents)]
        for consumer, pos, parent in inputs:
            if parent in plan.hidden or plan.owner.get(parent) is node or (
                    node in plan.members and parent in plan.members[node]):
                continue
            source = self.source(parent, consumer, pos)
            minlen = 2 if self.gap(parent, consumer) else None
            self.edges.append(_edge(self.graph, self.opts, consumer, pos, source, target,
                                    len(plan.uses[parent]) > 1, self.words, minlen=minlen))

    def source(self, parent: Value, consumer: Value, pos: int) -> str:
        """Where the edge of one use starts: `parent`'s box, or a copy beside the use."""
        graph = self.graph
        if (parent, consumer, pos) not in self.plan.far:
            return f"v{graph.index[self.plan.owner.get(parent, parent)]}"
        self.copies[parent] = k = self.copies.get(parent, 0) + 1
        copy_id = f"c{graph.index[parent]}_{k}"
        label = self.words("use_copy", name=graph.names[parent], k=k,
                           n=len(self.plan.uses[parent]))
        attrs = _attrs(id=copy_id, class_="copy", shape="box", style="rounded,dashed,filled",
                       fillcolor=WHITE, color=FAN_IN, fontsize=9, label=_text(label))
        self.place(consumer, f"\t{copy_id} [{attrs}]\n")
        return copy_id

    def gap(self, parent: Value, consumer: Value) -> bool:
        """Whether the edge spans two columns: between layers, or from an input."""
        if self.opts.collapse:
            return False
        role = neuron_of(parent)
        if role is not None and role.kind == "a" and parent.is_leaf:
            return True  # the inputs get their own column, left of the first weights
        return self.plan.clusters and _layer(parent) != _layer(consumer)

    def diagram(self) -> Diagram:
        """The Diagram: graph attributes, boxes, clusters, edges, then the order hints."""
        plan = self.plan
        dot = Diagram(name="autograd")
        dot.node_count = len(plan.drawn)
        dot.grad_texts = self.grad_texts
        dot.body.extend(self.header())
        dot.body.extend(self.loose)
        dot.body.extend(self.clusters())
        dot.body.extend(self.edges)
        if not plan.members:
            dot.body.extend(_neuron_order(self.graph, plan.drawn))
        else:
            dot.body.extend(_box_order(self.graph, plan.members))
        return dot

    def header(self) -> list[str]:
        """Graph, node and edge defaults; a coloured drawing states its legend below."""
        legend = None
        if self.plan.scale:
            legend = _text(";   ".join(self.words(f"legend_{k}")
                                       for k, entry in enumerate(LEGEND) if entry[3]))
        graph_attrs = _attrs(rankdir=self.opts.rankdir, newrank="true", fontname="Helvetica",
                             fontsize=10, nodesep=0.3, ranksep=0.45, label=legend, labelloc="b")
        effort = _FAST_LAYOUT if len(self.plan.drawn) > _BIG else ""
        return [f"\tgraph [{effort}{graph_attrs}]\n",
                '\tnode [fontname="Helvetica" fontsize=11 penwidth=1.2]\n',
                '\tedge [fontname="Helvetica" fontsize=9 fontcolor="#444444" '
                'color="#666666" arrowsize=0.7]\n']

    def clusters(self) -> list[str]:
        """A cluster per layer; inside it (not collapsed) a dashed cluster per neuron."""
        buckets, lines = self.buckets, []
        for layer in sorted({key[0] for key in buckets}):
            title = self.words("layer_inputs") if layer == 0 else self.words("layer", layer=layer)
            attrs = _attrs(label=title, style="rounded", color="#9e9e9e", fontsize=12)
            lines.append(f"\tsubgraph cluster_L{layer} {{\n\t\tgraph [{attrs}]\n")
            for key in sorted(k for k in buckets if k[0] == layer):
                if layer == 0 or self.opts.collapse:
                    lines.extend("\t" + line for line in buckets[key])
                    continue
                attrs = _attrs(label=_text(self.words("neuron", unit=key[1])),
                               style="rounded,dashed", color="#bdbdbd")
                lines.append(f"\t\tsubgraph cluster_L{layer}_N{key[1]} {{\n"
                             f"\t\t\tgraph [{attrs}]\n")
                lines.extend("\t\t" + line for line in buckets[key])
                lines.append("\t\t}\n")
            lines.append("\t}\n")
        return lines


def _grad_positions(graph: Graph, rows: list[list[str]],
                    shown: list[Value | None]) -> list[tuple[int, str]]:
    """(text index, node id) of each grad field in a box: the last field of each row."""
    at, found = 0, []
    for member, fields in zip(shown, rows):
        at += len(fields)
        if member is not None:
            found.append((at - 1, f"v{graph.index[member]}"))
    return found


def _box_order(graph: Graph, members: dict[Value, list[Value]]) -> list[str]:
    """Collapsed: keep each layer's neuron boxes in neuron order (0, 1, 2 down or across)."""
    layers: dict[int, list[tuple[int, str]]] = {}
    for z in members:
        role = neuron_of(z)
        if role is not None:
            layers.setdefault(role.layer, []).append((role.unit, f"v{graph.index[z]}"))
    lines = []
    for _, boxes in sorted(layers.items()):
        ids = [box for _, box in sorted(boxes)]
        if len(ids) > 1 and len(ids) == len({unit for unit, _ in boxes}):  # one sample
            lines.append("\t{rank=same; " + " -> ".join(ids) + " [style=invis]}\n")
    return lines


def _far_uses(graph: Graph, uses: dict[Value, list[tuple[Value, int]]],
              drawn: list[Value]) -> set[tuple[Value, Value, int]]:
    """The uses to draw from a copy of their input: those of a node whose edges would span
    too many layers in total (or that has too many uses). Graphviz's layout time grows
    fast with long edges; a star of 100 uses took minutes. The nearest use stays an edge.
    """
    depth: dict[Value, int] = {}
    for node in graph.order:
        depth[node] = 1 + max((depth[p] for p in node.parents if not p.is_leaf), default=0)
    shown = set(drawn)
    far: set[tuple[Value, Value, int]] = set()
    for parent, used in uses.items():
        if len(used) < 2 or parent not in shown:
            continue
        # ties broken by graph order (not by id(): the same graph draws the same every run)
        spans = sorted((depth[c] - (0 if parent.is_leaf else depth[parent]), graph.index[c],
                        pos, c) for c, pos in used)
        base = spans[0][0] - 1 if parent.is_leaf else 0  # a leaf sits next to its first use
        total = sum(span - base for span, *_ in spans)
        if len(used) > _MAX_EDGES_OUT or total > _SPAN_BUDGET:
            far.update((parent, c, pos) for _, _, pos, c in spans[1:])
    return far


_KIND_ORDER = {"w": 0, "b": 1, "z": 2, "a": 3}


def _neuron_order(graph: Graph, drawn: list[Value]) -> list[str]:
    """Keep an `nn` graph's columns in neuron order, top to bottom, weights beside their neuron.

    Within each column (the weights and biases of layer l; its z's; its a's) an invisible
    chain of edges in a `rank=same` group fixes the order; without it Graphviz may draw
    z₁₂ above z₁₀, or weights between the inputs.
    """
    columns: dict[tuple[int, str], list[tuple[int, int, int, str]]] = {}
    for node in drawn:
        role = neuron_of(node)
        if role is None:
            continue
        column = "p" if role.kind in "wb" else role.kind
        key = (role.unit, _KIND_ORDER[role.kind], role.index or 0, f"v{graph.index[node]}")
        columns.setdefault((role.layer, column), []).append(key)
    lines = []
    for _, keys in sorted(columns.items()):
        ids = [key[-1] for key in sorted(keys)]
        if len(ids) < 2:
            continue
        lines.append("\t{rank=same; " + " -> ".join(ids) + " [style=invis]}\n")
    return lines


def _layer(node: Value) -> int | None:
    info = neuron_of(node)
    return info.layer if info else None


def _edge(graph: Graph, opts: Options, node: Value, pos: int, source: str, target: str,
          fan_out: bool, words: Words, minlen: int | None = None) -> str:
    """One use of a parent: the edge into its consumer, labelled with the chain rule."""
    label = None
    if opts.show_local:
        lines = [graph.local_text(node, pos)]
        if opts.show_grads:
            g, d = graph.num(graph.grad(node)), graph.num(graph.locals[node][pos])
            lines.append(f"{words('sends')} {g} × {d} = "
                         f"{graph.num(graph.contribution(node, pos))}")
        label = "\\n".join(_text(line) for line in lines)
    attrs = _attrs(id=f"e{graph.index[node]}_{pos}", class_="chain", label=label,
                   color=FAN_IN if fan_out else None, minlen=minlen)
    return f"\t{source} -> {target} [{attrs}]\n"

