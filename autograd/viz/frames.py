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

from autograd.engine import Role, Value, backprop
from autograd.viz.graph import Graph, _place, is_const, neuron_of

Step = tuple[Value, float, list[float]]
SEED_COST = "seed_cost"  # the op nn.seed_cost registers: ∂C/∂oᵢ = oᵢ − yᵢ
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def steps_of(root: Value) -> tuple[dict[Value, float], list[Step]]:
    """A fresh backward pass with seed 1, as the engine reports it: gradients and steps."""
    steps: list[Step] = []

    def report(node: Value, g: Any, sends: Any) -> None:
        steps.append((node, float(g), [float(d) for d in sends]))

    grads = backprop(root, 1.0, on_step=report)
    return {node: float(g) for node, g in grads.items()}, steps


def _sup(n: int) -> str:
    return str(n).translate(_SUPERSCRIPTS)


def _sub(n: int) -> str:
    return str(n).translate(_SUBSCRIPTS)


class Frames:
    """Builds the frames of one walkthrough (see module docstring)."""

    def __init__(self, graph: Graph, steps: list[Step], fill: Callable[[float], str],
                 owner: dict[Value, Value] | None = None,
                 members: dict[Value, list[Value]] | None = None):
        self.graph, self.steps, self.fill = graph, steps, fill
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
            shown = self.owner.get(parent, parent)
            if not is_const(parent) and (shown is parent or neuron_of(shown) is not None):
                fills[self.box(parent)] = self.fill(self.so_far[shown])

    def question(self, value: float, name: str, hints: list[list[Any]],
                 formula: str) -> dict[str, Any]:
        """An exercise: the value to type, wrong answers that name what was missed."""
        tol = max(5e-4, 0.005 * abs(value))
        kept = [h for h in hints if abs(h[0] - value) > tol and math.isfinite(h[0])]
        return {"n": name, "v": value, "h": kept, "f": formula, "hide": []}

    def use_hints(self, node: Value, value: float, factor: float = 1.0,
                  factor_text: str = "") -> tuple[list[list[Any]], str]:
        """Hints for ∂C/∂node = factor · Σ uses: a missing term, a single term, the sign."""
        uses = sorted(self.sent[node], key=lambda u: (_place(u[0]), u[1]))
        terms = [(f"{self.d(c)}·{self.graph.symbol(c, pos) or self.num(d / g if g else 0)}",
                  d) for c, pos, g, d in uses]
        hints: list[list[Any]] = []
        total = sum(d for _, d in terms)
        if len(terms) > 1:
            for text, d in terms:
                hints.append([factor * (total - d),
                              f"You left out the term {text} = {self.num(d)}: "
                              f"{self.graph.names[node]} is used {len(terms)} times, and its "
                              f"gradient is the sum of what every use sends."])
        if factor != 1.0:
            hints.append([total, f"That is {self.d(node)} before the factor {factor_text} "
                                 f"= {self.num(factor)}: multiply by it (chain rule through "
                                 "the activation)."])
        hints.append([-value, "Check the sign: one factor of the chain rule is negative."])
        formula = (f"{self.d(node)} = " + " + ".join(t for t, _ in terms)
                   + (f", times {factor_text}" if factor_text else "")
                   + ". The numbers are on the drawing and in the earlier steps.")
        return hints, formula

    # ---- node level -----------------------------------------------------------------------
    def start(self) -> None:
        """Frame 0: ∂root/∂root = 1."""
        R = self.graph.root_name
        root_id = self.vid(self.graph.root)
        self.frames.append({
            "a": [self.box(self.graph.root)], "e": [], "g": {root_id: "1"},
            "f": {self.box(self.graph.root): self.fill(1.0)}, "q": None,
            "c": f"Start: ∂{R}/∂{R} = 1. The backward pass now visits the nodes from the "
                 f"output back to the inputs; each node is processed once every node that "
                 f"uses it has sent its share."})

    def node_frame(self, step: Step) -> None:
        """One engine step: the node's gradient and what it sends to each input."""
        graph, num = self.graph, self.num
        node, g, sent = step
        R, i = graph.root_name, graph.index[node]
        d_name = graph.wrapped(node)
        op = node.op_info.text() if node.op_info else "?"
        question = None
        if node is not graph.root and self.sent[node]:
            hints, formula = self.use_hints(node, g)
            question = self.question(g, self.d(node), hints, formula)
            question["hide"] = [self.vid(node)]
        lines = [f"{graph.names[node]} (op {op}) has "
                 f"∂{R}/∂{d_name} = {num(g)}" + _delta_note(node) + "; it sends to each input:"]
        changed: dict[str, str] = {}
        fills: dict[str, str] = {}
        for pos, (parent, d) in enumerate(zip(node.parents, sent)):
            p = graph.wrapped(parent)
            local = graph.locals[node][pos]
            symbol = graph.symbol(node, pos)
            why = f" (∂{d_name}/∂{p} = {symbol})" if symbol and symbol != num(local) else ""
            if node.op == SEED_COST:  # the seed's o − y, with its numbers
                why = (f" (∂{d_name}/∂{p} = {symbol} = {num(parent.data)} − "
                       f"{self.paren(parent.data - local)}: the seed's o − y)")
            if pos < 6 or pos == len(sent) - 1:
                lines.append(f"  ∂{R}/∂{p} += ∂{R}/∂{d_name} · ∂{d_name}/∂{p} = {num(g)} × "
                             f"{self.paren(local)} = {num(d)}{why}")
            elif pos == 6:
                lines.append(f"  … ({len(sent) - 7} more inputs)")
        self.receive(node, g, sent, changed, fills)
        for parent in dict.fromkeys(node.parents):
            n_uses = len(graph.uses[parent])
            if n_uses > 1 and self.received[parent] == n_uses:
                symbolic, numeric = graph.sum_terms(parent)
                lines.append(f"  {graph.wrapped(parent)} is used {n_uses} times, so its "
                             f"gradient is the sum of what each use sent: {symbolic} {numeric}")
        edges = [f"e{i}_{pos}" for pos in range(len(sent))]
        if node not in self.members:
            edges.append(f"o{i}")
        self.frames.append({"a": [self.box(node)], "e": edges, "g": changed, "f": fills,
                            "c": "\n".join(lines), "q": question})

    # ---- neuron level -------------------------------------------------------------------
    def neuron_frame(self, z: Value, group: list[Step]) -> None:
        """One neuron's steps (a, then z) as the seed's formulas with the numbers."""
        graph, num = self.graph, self.num
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
        head = f"Layer {layer}{' (output)' if output else ''}, neuron {unit}"
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
            lines.append(f"{head} (no activation: the output is {zn} itself)")
            lines += self._gradient_of_a(z, delta)
            hints, formula = self.use_hints(z, delta)
        question = self.question(delta, f"δ{_sub_of(z)} = ∂{R}/∂{zn}", hints, formula)
        question["hide"] = [self.vid(m) for m in (act, z) if m is not None]  # no partial sums
        n = (len(z.parents)) // 2
        ws, xs = z.parents[:n], z.parents[n:2 * n]
        shared = max((len(graph.uses[w]) for w in ws), default=1) > 1
        eq = "+=" if shared else "="
        grads_w = ",  ".join(f"∂{R}/∂{graph.names[w]} {eq} {self.paren(delta)} × "
                             f"{self.paren(x.data)} = {num(d)}"
                             for w, x, d in zip(ws, xs, z_sends[:n]))
        lines.append(f"  ∇w = δ·a (∂{zn}/∂w = the input a it multiplies):  {grads_w}")
        if len(z.parents) % 2:
            lines.append(f"  ∇b = δ (∂{zn}/∂b = 1):  ∂{R}/∂{graph.names[z.parents[-1]]} {eq} "
                         f"{num(z_sends[-1])}")
        if shared:
            lines.append(f"  (+=: the weights are used {len(graph.uses[ws[0]])} times, once per "
                         "sample; their gradient is the sum of every sample's share)")
        targets = [(x, w, d) for w, x, d in zip(ws, xs, z_sends[n:2 * n]) if not is_const(x)]
        if targets:
            back = ",  ".join(f"{graph.names[x]} += {self.paren(delta)} × "
                              f"{self.paren(w.data)} = {num(d)}" for x, w, d in targets)
            lines.append(f"  Sent back along the weights, ∂{R}/∂a += δ·w:  {back}")
        self.receive(z, delta, z_sends, changed, fills)
        self.z_sends[z] = z_sends
        fills[self.box(z)] = self.fill(delta)
        edges = [f"e{graph.index[z]}_{pos}" for pos in range(n, 2 * n)]
        top = act if act is not None else z
        edges += [f"e{graph.index[c]}_{pos}" for c, pos in graph.uses[top]]  # the fan-out
        self.frames.append({"a": [self.box(z)], "e": edges, "g": changed, "f": fills,
                            "c": "\n".join(lines), "q": question})

    def _is_output(self, z: Value, act: Value | None) -> bool:
        top = act if act is not None else z
        return not any(c in self.members for c, _ in self.graph.uses[top])

    def _gradient_of_a(self, a: Value, g_a: float) -> list[str]:
        """How ∂C/∂a came about: the seed's o − y, one use, or the fan-out sum."""
        graph, num, R = self.graph, self.num, self.graph.root_name
        an = graph.names[a]
        uses = sorted(self.sent[a], key=lambda u: (_place(u[0]), u[1]))
        if len(uses) == 1 and uses[0][0].op == SEED_COST:
            consumer, pos, g, d = uses[0]
            y = a.data - graph.locals[consumer][pos]
            return [f"  ∂{R}/∂{an} = {graph.symbol(consumer, pos)} = {num(a.data)} − "
                    f"{self.paren(y)} = {num(g_a)}   (the seed's o − y)"]
        terms = [f"∂{R}/∂{graph.wrapped(c)}·{graph.symbol(c, pos) or num(d / g if g else 0)}"
                 for c, pos, g, d in uses]
        numbers = [f"{self.paren(g)} × {self.paren(graph.locals[c][pos])}"
                   for c, pos, g, d in uses]
        if len(uses) == 1:
            return [f"  ∂{R}/∂{an} = {terms[0]} = {numbers[0]} = {num(g_a)}"]
        layers = {role.layer for c, *_ in uses if (role := neuron_of(c)) is not None}
        fed = (f"{len(uses)} neurons of layer {layers.pop()}" if len(layers) == 1
               and all(c in self.members for c, *_ in uses) else f"{len(uses)} nodes")
        lines = [f"  {an} feeds {fed}, so its gradient is the sum over every path (fan-out):",
                 f"  ∂{R}/∂{an} = " + " + ".join(terms),
                 f"  {' ' * len(f'∂{R}/∂{an}')} = " + " + ".join(numbers) + f" = {num(g_a)}"]
        seed = self._seed_names(a, uses)
        if seed:
            lines.append(f"  In the seed's notation: {seed}")
        return lines

    def _seed_names(self, a: Value, uses: list[tuple[Value, int, float, float]]) -> str:
        """∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + … in the seed's notation (weights without the layer)."""
        parts = []
        for c, pos, _, _ in uses:
            role = neuron_of(c)
            n = len(c.parents) // 2
            if role is None or role.kind != "z" or c.op != "dot" or not n <= pos < 2 * n:
                return ""
            w_role = neuron_of(c.parents[pos - n])
            if w_role is None or w_role.index is None:
                return ""
            parts.append(f"∂{self.graph.root_name}/∂{self.graph.names[c]}·"
                         f"w{_sub(w_role.unit)}{_sub(w_role.index)}")
        return f"∂{self.graph.root_name}/∂{self.graph.names[a]} = " + " + ".join(parts)

    def _layer_key(self, z: Value) -> tuple[int, tuple[int, ...]]:
        """(layer, ids of its inputs): the neurons of one layer for one sample."""
        n = len(z.parents) // 2
        return self.roles[z].layer, tuple(id(x) for x in z.parents[n:2 * n])

    def layer_frame(self, layer: int, zs: list[Value], samples: int = 1) -> None:
        """The layer in the seed's matrix form, with the numbers of the neuron frames."""
        graph, num, R = self.graph, self.num, self.graph.root_name
        zs = sorted(zs, key=lambda z: self.roles[z].unit)
        found = [next((m for m in self.members[z][1:] if m in self.owner), None) for z in zs]
        acts = [a for a in found if a is not None]
        s, below = _sup(layer), _sup(layer - 1)
        deltas = [graph.grad(z) for z in zs]
        output = self._is_output(zs[0], found[0])
        has_act = len(acts) == len(found)
        name = _act_name(acts[0]) if has_act else ""
        lines = [f"Layer {layer} as the seed writes it (one entry per neuron, "
                 f"{len(zs)} neurons):"]
        if samples > 1:
            lines[0] = (f"Layer {layer} as the seed writes it, for one of {samples} samples "
                        f"(∇W{s} and ∇b{s} of the whole loss add up every sample's):")
        if has_act:
            up = [graph.grad(a) for a in acts]
            prime = [graph.locals[a][0] for a in acts]
            if output:
                seed = all(len(graph.uses[a]) == 1 and graph.uses[a][0][0].op == SEED_COST
                           for a in acts)
                first = "(o − y)" if seed else f"∂{R}/∂o"
                lines.append(f"  δ{s} = {first} ⊙ {name}′(z{s}) = {_vec(up, num)} ⊙ "
                             f"{_vec(prime, num)} = {_vec(deltas, num)}")
            else:
                lines.append(f"  δ{s} = {name}′(z{s}) ⊙ (W{_sup(layer + 1)}ᵀ δ{_sup(layer + 1)}) "
                             f"= {_vec(prime, num)} ⊙ {_vec(up, num)} = {_vec(deltas, num)}")
                lines.append(f"       (W{_sup(layer + 1)}ᵀ δ{_sup(layer + 1)} = ∂{R}/∂a{s}: "
                             "the fan-out sums of the neuron steps)")
        else:
            lines.append(f"  δ{s} = ∂{R}/∂z{s} = {_vec(deltas, num)}")
        rows = []
        for z in zs:  # this sample's ∇W rows: what each z sent to its weights
            n = len(z.parents) // 2
            rows.append(self.z_sends[z][:n])
        lines.append(f"  ∇W{s} = δ{s} a{below}ᵀ = {_matrix(rows, num)}   (row j: δ of neuron j "
                     f"times every activation of layer {layer - 1})")
        lines.append(f"  ∇b{s} = δ{s} = {_vec(deltas, num)}")
        inputs = zs[0].parents[len(zs[0].parents) // 2: 2 * (len(zs[0].parents) // 2)]
        if layer == 1 and all(x.is_leaf for x in inputs):
            lines.append(f"  The inputs get W¹ᵀ δ¹ = {_vec([graph.grad(x) for x in inputs], num)}"
                         " (fan-out sums too; training does not use them).")
        self.frames.append({"a": [self.box(z) for z in zs], "e": [], "g": {}, "f": {},
                            "c": "\n".join(lines), "q": None})

    # ---- the whole walk -------------------------------------------------------------------
    def build(self) -> list[dict[str, Any]]:
        """All frames: the start, then one per step (or per neuron and per layer)."""
        self.start()
        pending: dict[Value, list[Step]] = {}
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
            frame["c"] = f"Step {k} of {total}: " + frame["c"]


def _act_name(act: Value) -> str:
    return "σ" if act.op == "sigmoid" else (act.op_info.text() if act.op_info else "f")


def _sub_of(z: Value) -> str:
    role = neuron_of(z)
    return _sub(role.layer) + _sub(role.unit) if role else ""


def _delta_note(node: Value) -> str:
    info = neuron_of(node)
    if info and info.kind == "z":
        return f", the δ of neuron {info.unit} in layer {info.layer}"
    return ""


def _vec(values: list[float], num: Callable[[float], str]) -> str:
    return "[" + ", ".join(num(v) for v in values) + "]"


def _matrix(rows: list[list[float]], num: Callable[[float], str]) -> str:
    return "[" + ", ".join(_vec(r, num) for r in rows) + "]"
