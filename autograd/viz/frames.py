"""Walkthrough frames from the engine's own backward reports (`backprop(..., on_step=...)`).

Node level: one frame per reported step. Neuron level (`collapse=True` on an `nn` graph):
the reports of a neuron's activation and pre-activation make one frame that states the
seed's formulas with their numbers (δ = ∂C/∂a · σ′(z), ∇w = δ·a, ∇b = δ, the fan-out sum
for ∂C/∂a), and a frame after each layer writes the layer in the seed's matrix form
(δᵒ = (o − y) ⊙ σ′(zᵒ), δⁱ = σ′(zⁱ) ⊙ (Wʲᵀ δʲ), ∇Wⁱ = δⁱ aʰᵀ, ∇bⁱ = δⁱ).
Nothing here runs a backward pass: every number is a report or a local derivative.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import activations
from autograd.engine import Role, Value, backprop
from autograd.ops import WeightedSum, weighted_sum
from autograd.viz.graph import Graph, _place, is_const, neuron_of
from autograd.viz.i18n import Words

Report = tuple[Value, float, list[float]]
"""One step of the backward pass as the engine reports it: (node, g, what each parent gets)."""
_NOT_A_SUM = WeightedSum((), (), None)
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def steps_of(root: Value) -> tuple[dict[Value, float], list[Report]]:
    """A fresh backward pass with seed 1, as the engine reports it: gradients and steps."""
    steps: list[Report] = []

    def report(node: Value, g: Any, sends: Any) -> None:
        steps.append((node, float(g), [float(d) for d in sends]))

    grads = backprop(root, 1.0, on_step=report)
    return {node: float(g) for node, g in grads.items()}, steps


def _sup(n: int) -> str:
    return str(n).translate(_SUPERSCRIPTS)


def _sub(n: int) -> str:
    return str(n).translate(_SUBSCRIPTS)


class Frames:
    """Builds the frames of one walkthrough (see module docstring).

    Attributes:
        words: the language of the captions (`Words`).
        exercise: whether the page asks for each δ before showing it.
        owner: per node folded into a neuron box, the neuron's z.
        members: per neuron's z, the nodes drawn as rows of its box.
        roles: per neuron's z, its `Role` (layer and unit).
        so_far: per node, the gradient summed so far (the fan-out sum as it grows).
        received: per node, how many of its uses have sent their share.
        sent: per node, what each use sent: (consumer, position, g, share).
        frames: the frames built, in order (captions, highlights, numbers).
        z_sends: per neuron's z, what the neuron's step sends: δ·a, δ·w, δ.
        holder: per node, the box it is drawn in (its neuron's z, if folded).
        partial: per box id, "so far: k of n uses" while its gradient is partial.
    """

    def __init__(self, graph: Graph, steps: list[Report], fill: Callable[[float], str],
                 owner: dict[Value, Value] | None = None,
                 members: dict[Value, list[Value]] | None = None,
                 words: Words | None = None, exercise: bool = False):
        self.graph, self.steps, self.fill = graph, steps, fill
        self.words = words or Words("en")
        self.exercise = exercise
        self.owner = owner or {}
        self.members = members or {}
        # Every neuron's z has a role (that is how it was grouped): its layer and unit.
        self.roles: dict[Value, Role] = {
            z: role for z in self.members if (role := neuron_of(z)) is not None}
        self.so_far = {node: 0.0 for node in graph.order}
        self.so_far[graph.root] = 1.0
        self.received = {node: 0 for node in graph.order}
        self.sent: dict[Value, list[tuple[Value, int, float, float]]] = {
            node: [] for node in graph.order}  # what each use sent: (consumer, pos, g, d)
        self.frames: list[dict[str, Any]] = []
        self.z_sends: dict[Value, list[float]] = {}  # each neuron's report: δ·a, δ·w, δ
        # the drawn box of every node: its own, or the neuron box it is a row of
        self.holder = {m: z for z, group in self.members.items() for m in group}
        self.partial: dict[str, str] = {}  # node id → "so far: k of n uses" ('' once complete)

    # ---- ids and small helpers ----------------------------------------------------------
    def box(self, node: Value) -> str:
        """Id of the drawn box that shows `node` (its neuron box when collapsed)."""
        return f"v{self.graph.index[self.owner.get(node, node)]}"

    def vid(self, node: Value) -> str:
        """Id of `node` itself (its row's grad text carries it as data-node)."""
        return f"v{self.graph.index[node]}"

    def num(self, x: float) -> str:
        """A number as the drawings write it."""
        return self.graph.num(x)

    def paren(self, x: float) -> str:
        """A number, in parentheses when negative (a factor of a product)."""
        text = self.num(x)
        return f"({text})" if text.startswith("−") else text

    def d(self, node: Value) -> str:
        """`∂C/∂node` with the drawings' names."""
        return f"∂{self.graph.root_name}/∂{self.graph.wrapped(node)}"

    def receive(self, consumer: Value, g: float, sends: list[float],
                changed: dict[str, str], fills: dict[str, str]) -> None:
        """Book what `consumer` sent to each parent (the fan-out sums build up here)."""
        for pos, (parent, d) in enumerate(zip(consumer.parents, sends)):
            self.received[parent] += 1
            self.so_far[parent] += d
            self.sent[parent].append((consumer, pos, g, d))
            changed[self.vid(parent)] = self.num(self.so_far[parent])
            n_uses = len(self.graph.uses[parent])
            if self.received[parent] < n_uses:  # a sum still waiting for a use
                self.partial[self.vid(parent)] = self.words(
                    "partial", k=self.received[parent], n=n_uses)
            else:
                self.partial[self.vid(parent)] = ""
            shown = self.owner.get(parent, parent)
            if not is_const(parent) and (shown is parent or neuron_of(shown) is not None):
                fills[self.box(parent)] = self.fill(self.so_far[shown])

    def question(self, value: float, name: str, hints: list[list[Any]],
                 formula: str) -> dict[str, Any] | None:
        """An exercise: the value to type, wrong answers that name what was missed.

        None when the value is not finite (there is nothing to type). A hint is kept only
        when it is finite and not itself accepted as right (0.5 % of the value, as the page).
        """
        if not math.isfinite(value):
            return None
        kept = [h for h in hints if math.isfinite(h[0]) and not _close(h[0], value)]
        return {"n": name, "v": value, "s": self.num(value), "h": kept, "f": formula,
                "hide": []}

    def use_hints(self, node: Value, value: float, factor: float = 1.0,
                  factor_text: str = "") -> tuple[list[list[Any]], str]:
        """Hints for ∂C/∂node = factor · Σ uses: a missing term, a single term, the sign."""
        uses = sorted(self.sent[node], key=lambda u: (_place(u[0]), u[1]))
        terms = [(f"{self.d(c)}·{self.graph.symbol(c, pos) or self.num(d / g if g else 0)}",
                  d) for c, pos, g, d in uses]
        words = self.words
        hints: list[list[Any]] = [[-value, words("sign")]]  # a sign error is named first
        total = sum(d for _, d in terms)
        if len(terms) > 1:
            for text, d in terms:
                hints.append([factor * (total - d),
                              words("left_out", term=text, value=self.num(d),
                                    name=self.graph.names[node], n=len(terms))])
        if factor != 1.0:
            hints.append([total, words("before_factor", d=self.d(node), factor=factor_text,
                                       value=self.num(factor))])
        formula = (f"{self.d(node)} = " + " + ".join(t for t, _ in terms)
                   + (words("formula_times", factor=factor_text) if factor_text else "")
                   + words("formula_end"))
        return hints, formula

    # ---- node level -----------------------------------------------------------------------
    def start(self) -> None:
        """Frame 0: ∂root/∂root = 1."""
        R = self.graph.root_name
        root_id = self.vid(self.graph.root)
        caption = self.words("start", R=R)
        if self.exercise:
            caption += self.words("start_exercise")
        self.frames.append({
            "a": [self.box(self.graph.root)], "e": [], "r": [], "g": {root_id: "1"}, "p": {},
            "f": {self.box(self.graph.root): self.fill(1.0)}, "q": None, "c": caption})

    def node_frame(self, step: Report) -> None:
        """One engine step: the node's gradient and what it sends to each input."""
        graph, num, words = self.graph, self.num, self.words
        node, g, sent = step
        R, i = graph.root_name, graph.index[node]
        d_name = graph.wrapped(node)
        op = node.op_info.text() if node.op_info else "?"
        question = None
        if node is not graph.root and self.sent[node]:
            hints, formula = self.use_hints(node, g)
            question = self.question(g, self.d(node), hints, formula)
            if question is not None:
                question["hide"] = [self.vid(node)]
        info = neuron_of(node)
        note = (words("delta_note", unit=info.unit, layer=info.layer)
                if info and info.kind == "z" else "")
        lines = [words("node_head", name=graph.names[node], op=op, R=R, d=d_name, g=num(g),
                       note=note)]
        changed: dict[str, str] = {}
        fills: dict[str, str] = {}
        for pos, (parent, d) in enumerate(zip(node.parents, sent)):
            p = graph.wrapped(parent)
            local = graph.locals[node][pos]
            symbol = graph.symbol(node, pos)
            why = f" (∂{d_name}/∂{p} = {symbol})" if symbol and symbol != num(local) else ""
            if _residual(node):  # the seed's o − y, with its numbers
                why = (f" (∂{d_name}/∂{p} = {symbol} = {num(parent.data)} − "
                       f"{self.paren(parent.data - local)}{words('o_minus_y')})")
            if pos < 6 or pos == len(sent) - 1:
                lines.append(f"  ∂{R}/∂{p} += ∂{R}/∂{d_name} · ∂{d_name}/∂{p} = {num(g)} × "
                             f"{self.paren(local)} = {num(d)}{why}")
            elif pos == 6:
                lines.append(words("more_inputs", n=len(sent) - 7))
        self.receive(node, g, sent, changed, fills)
        for parent in dict.fromkeys(node.parents):
            n_uses = len(graph.uses[parent])
            if n_uses > 1 and self.received[parent] == n_uses:
                symbolic, numeric = graph.sum_terms(parent)
                lines.append(words("used_times", name=graph.wrapped(parent), n=n_uses,
                                   symbolic=symbolic, numeric=numeric))
        edges = [f"e{i}_{pos}" for pos in range(len(sent))]
        if node not in self.members:
            edges.append(f"o{i}")
        self.frames.append({"a": [self.box(node)], "e": edges, "r": self.recipients(node),
                            "g": changed, "p": self.take_partial(changed), "f": fills,
                            "c": "\n".join(lines), "q": question})

    def recipients(self, *nodes: Value) -> list[str]:
        """The boxes the step sends gradient to (the view keeps them all on screen)."""
        holder = self.holder
        own = {self.vid(holder.get(n, n)) for n in nodes}
        found = [self.vid(holder.get(p, p)) for n in nodes for p in n.parents]
        return [b for b in dict.fromkeys(found) if b not in own]

    def take_partial(self, changed: dict[str, str]) -> dict[str, str]:
        """Of the gradients this step changed, the partial-sum notes ('' once complete)."""
        return {vid: self.partial.get(vid, "") for vid in changed}

    # ---- neuron level -------------------------------------------------------------------
    def neuron_frame(self, z: Value, group: list[Report]) -> None:
        """One neuron's steps (a, then z) as the seed's formulas with the numbers."""
        graph, num, words = self.graph, self.num, self.words
        R = graph.root_name
        role = self.roles[z]
        layer, unit = role.layer, role.unit
        reports = {node: (g, sent) for node, g, sent in group}
        act = next((m for m in self.members[z][1:] if m in self.owner), None)
        delta, z_sends = reports[z]
        changed: dict[str, str] = {}
        fills: dict[str, str] = {}
        lines: list[str] = []
        zn = graph.names[z]
        output = self._is_output(z, act)
        head = words("layer_head", layer=layer, output=words("output") if output else "",
                     unit=unit)
        if act is not None:
            an = graph.names[act]
            g_a, a_sends = reports[act]
            local = graph.locals[act][0]
            act_name = _act_name(act)
            symbol = graph.symbol(act, 0)
            factor_text = f"{act_name}′({zn}) = {symbol}"
            lines.append(f"{head}: {an} = {act_name}({zn}) = {num(act.data)}")
            lines += self._gradient_of_a(act, g_a)
            lines.append(f"  δ{_sub_of(z)} = ∂{R}/∂{zn} = ∂{R}/∂{an} · {act_name}′({zn}) = "
                         f"{self.paren(g_a)} × {symbol} = {self.paren(g_a)} × {num(local)} "
                         f"= {num(delta)}")
            self.receive(act, g_a, a_sends, changed, fills)
            hints, formula = self.use_hints(act, delta, local, factor_text)
        else:
            lines.append(head + words("no_activation", z=zn))
            lines += self._gradient_of_a(z, delta)
            hints, formula = self.use_hints(z, delta)
        question = self.question(delta, f"δ{_sub_of(z)} = ∂{R}/∂{zn}", hints, formula)
        if question is not None:  # no partial sums give the answer away
            question["hide"] = [self.vid(m) for m in (act, z) if m is not None]
        layout = _layout(z)
        ws = [z.parents[k] for k in layout.weights]
        xs = [z.parents[k] for k in layout.inputs]
        shared = max((len(graph.uses[w]) for w in ws), default=1) > 1
        eq = "+=" if shared else "="
        grads_w = ",  ".join(f"∂{R}/∂{graph.names[w]} {eq} {self.paren(delta)} × "
                             f"{self.paren(x.data)} = {num(d)}"
                             for w, x, d in zip(ws, xs, [z_sends[k] for k in layout.weights]))
        lines.append(words("grad_w", z=zn, terms=grads_w))
        if layout.bias is not None:
            b = layout.bias
            lines.append(words("grad_b", z=zn, term=f"∂{R}/∂{graph.names[z.parents[b]]} {eq} "
                                                     f"{num(z_sends[b])}"))
        if shared:
            lines.append(words("shared_weights", n=len(graph.uses[ws[0]])))
        targets = [(x, w, d) for w, x, d in zip(ws, xs, [z_sends[k] for k in layout.inputs])
                   if not is_const(x)]
        if targets:
            back = ",  ".join(f"{graph.names[x]} += {self.paren(delta)} × "
                              f"{self.paren(w.data)} = {num(d)}" for x, w, d in targets)
            lines.append(words("sent_back", R=R, terms=back))
        self.receive(z, delta, z_sends, changed, fills)
        self.z_sends[z] = z_sends
        fills[self.box(z)] = self.fill(delta)
        edges = [f"e{graph.index[z]}_{pos}" for pos in layout.inputs]
        top = act if act is not None else z
        edges += [f"e{graph.index[c]}_{pos}" for c, pos in graph.uses[top]]  # the fan-out
        self.frames.append({"a": [self.box(z)], "e": edges,
                            "r": self.recipients(*[m for m in (act, z) if m is not None]),
                            "g": changed, "p": self.take_partial(changed), "f": fills,
                            "c": "\n".join(lines), "q": question})

    def _is_output(self, z: Value, act: Value | None) -> bool:
        top = act if act is not None else z
        return not any(c in self.members for c, _ in self.graph.uses[top])

    def _gradient_of_a(self, a: Value, g_a: float) -> list[str]:
        """How ∂C/∂a came about: the seed's o − y, one use, or the fan-out sum."""
        graph, num, R = self.graph, self.num, self.graph.root_name
        an = graph.names[a]
        uses = sorted(self.sent[a], key=lambda u: (_place(u[0]), u[1]))
        if len(uses) == 1 and _residual(uses[0][0]):
            consumer, pos, g, d = uses[0]
            y = a.data - graph.locals[consumer][pos]
            return [f"  ∂{R}/∂{an} = {graph.symbol(consumer, pos)} = {num(a.data)} − "
                    f"{self.paren(y)} = {num(g_a)}" + self.words("seed_o_minus_y")]
        terms = [f"∂{R}/∂{graph.wrapped(c)}·{graph.symbol(c, pos) or num(d / g if g else 0)}"
                 for c, pos, g, d in uses]
        numbers = [f"{self.paren(g)} × {self.paren(graph.locals[c][pos])}"
                   for c, pos, g, d in uses]
        if len(uses) == 1:
            return [f"  ∂{R}/∂{an} = {terms[0]} = {numbers[0]} = {num(g_a)}"]
        layers = {role.layer for c, *_ in uses if (role := neuron_of(c)) is not None}
        fed = (self.words("fed_neurons", n=len(uses), layer=layers.pop()) if len(layers) == 1
               and all(c in self.members for c, *_ in uses)
               else self.words("fed_nodes", n=len(uses)))
        lines = [self.words("feeds", a=an, fed=fed),
                 f"  ∂{R}/∂{an} = " + " + ".join(terms),
                 f"  {' ' * len(f'∂{R}/∂{an}')} = " + " + ".join(numbers) + f" = {num(g_a)}"]
        seed = self._seed_names(a, uses)
        if seed:
            lines.append(self.words("seed_notation", text=seed))
        return lines

    def _seed_names(self, a: Value, uses: list[tuple[Value, int, float, float]]) -> str:
        """∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + … in the seed's notation (weights without the layer)."""
        parts = []
        for c, pos, _, _ in uses:
            role = neuron_of(c)
            layout = weighted_sum(c.op_info, len(c.parents))
            if role is None or role.kind != "z" or layout is None or pos not in layout.inputs:
                return ""
            w_role = neuron_of(c.parents[layout.weights[layout.inputs.index(pos)]])
            if w_role is None or w_role.index is None:
                return ""
            parts.append(f"∂{self.graph.root_name}/∂{self.graph.names[c]}·"
                         f"w{_sub(w_role.unit)}{_sub(w_role.index)}")
        return f"∂{self.graph.root_name}/∂{self.graph.names[a]} = " + " + ".join(parts)

    def _layer_key(self, z: Value) -> tuple[int, tuple[int, ...]]:
        """(layer, ids of its inputs): the neurons of one layer for one sample."""
        return self.roles[z].layer, tuple(id(z.parents[k]) for k in _layout(z).inputs)

    def layer_frame(self, layer: int, zs: list[Value], samples: int = 1) -> None:
        """The layer in the seed's matrix form, with the numbers of the neuron frames."""
        graph, num, R, words = self.graph, self.num, self.graph.root_name, self.words
        zs = sorted(zs, key=lambda z: self.roles[z].unit)
        found = [next((m for m in self.members[z][1:] if m in self.owner), None) for z in zs]
        acts = [a for a in found if a is not None]
        s, below = _sup(layer), _sup(layer - 1)
        deltas = [graph.grad(z) for z in zs]
        output = self._is_output(zs[0], found[0])
        has_act = len(acts) == len(found)
        name = _act_name(acts[0]) if has_act else ""
        lines = [words("layer_matrix", layer=layer, n=len(zs))]
        if samples > 1:
            lines[0] = words("layer_matrix_samples", layer=layer, samples=samples, s=s)
        if has_act:
            up = [graph.grad(a) for a in acts]
            prime = [graph.locals[a][0] for a in acts]
            if output:
                seed = all(len(graph.uses[a]) == 1 and _residual(graph.uses[a][0][0])
                           for a in acts)
                first = "(o − y)" if seed else f"∂{R}/∂o"
                lines.append(f"  δ{s} = {first} ⊙ {name}′(z{s}) = {_vec(up, num)} ⊙ "
                             f"{_vec(prime, num)} = {_vec(deltas, num)}")
            else:
                lines.append(f"  δ{s} = {name}′(z{s}) ⊙ (W{_sup(layer + 1)}ᵀ δ{_sup(layer + 1)}) "
                             f"= {_vec(prime, num)} ⊙ {_vec(up, num)} = {_vec(deltas, num)}")
                lines.append(words("fan_out_sums", t=_sup(layer + 1), R=R, s=s))
        else:
            lines.append(f"  δ{s} = ∂{R}/∂z{s} = {_vec(deltas, num)}")
        rows = []
        for z in zs:  # this sample's ∇W rows: what each z sent to its weights
            rows.append([self.z_sends[z][k] for k in _layout(z).weights])
        lines.append(f"  ∇W{s} = δ{s} a{below}ᵀ = {_matrix(rows, num)}"
                     + words("grad_W_rows", below=layer - 1))
        lines.append(f"  ∇b{s} = δ{s} = {_vec(deltas, num)}")
        inputs = [zs[0].parents[k] for k in _layout(zs[0]).inputs]
        if layer == 1 and all(x.is_leaf for x in inputs):
            lines.append(words("inputs_get", values=_vec([graph.grad(x) for x in inputs], num)))
        self.frames.append({"a": [self.box(z) for z in zs], "e": [], "r": [], "g": {}, "p": {},
                            "f": {}, "c": "\n".join(lines), "q": None})

    # ---- the whole walk -------------------------------------------------------------------
    def build(self) -> list[dict[str, Any]]:
        """All frames: the start, then one per step (or per neuron and per layer)."""
        self.start()
        pending: dict[Value, list[Report]] = {}
        left: dict[Any, list[Value]] = {}
        for neuron in self.members:  # one layer of one sample: the neurons that share inputs
            left.setdefault(self._layer_key(neuron), []).append(neuron)
        samples = {key[0]: 0 for key in left}
        for key in left:
            samples[key[0]] += 1
        done: dict[Any, list[Value]] = {}
        for step in self.steps:
            node = step[0]
            z = self.owner.get(node)
            if z is None:
                self.node_frame(step)
                continue
            pending.setdefault(z, []).append(step)
            if node is not z:
                continue
            self.neuron_frame(z, pending.pop(z))
            key = self._layer_key(z)
            done.setdefault(key, []).append(z)
            if len(done[key]) == len(left[key]):
                self.layer_frame(key[0], done[key], samples[key[0]])
        self._number_steps()
        return self.frames

    def _number_steps(self) -> None:
        """Every caption says where it is: `Step k of n: …`."""
        total = len(self.frames) - 1
        for k, frame in enumerate(self.frames[1:], 1):
            frame["c"] = self.words("step", k=k, n=total) + frame["c"]


def _act_name(act: Value) -> str:
    """The activation as the seed writes it (σ, ReLU): the activation table's symbol for the
    node's op, else the op as drawings write it."""
    fn = act.op_info
    if fn is None:
        return "f"
    found = next((a.symbol for a in activations.table().values() if a.op is fn), None)
    return found or fn.text()


def _residual(node: Value) -> bool:
    """Node of an op whose local derivatives are residuals oᵢ − yᵢ (the seed's cost)."""
    return node.op_info is not None and node.op_info.residual


def _layout(z: Value) -> WeightedSum:
    """Where a neuron's weights, inputs and bias are among z's parents (the op table says)."""
    return weighted_sum(z.op_info, len(z.parents)) or _NOT_A_SUM


def _sub_of(z: Value) -> str:
    role = neuron_of(z)
    return _sub(role.layer) + _sub(role.unit) if role else ""


def _close(x: float, value: float) -> bool:
    """The page's rule for a right answer: within 0.5 % of the value (an exact 0 needs 0)."""
    return abs(x - value) <= 0.005 * abs(value)


def _vec(values: list[float], num: Callable[[float], str]) -> str:
    return "[" + ", ".join(num(v) for v in values) + "]"


def _matrix(rows: list[list[float]], num: Callable[[float], str]) -> str:
    return "[" + ", ".join(_vec(r, num) for r in rows) + "]"
