"""The seed's 2→3→2→2 sigmoid network, one sample, gradients computed twice; its materials.

`run(seed)` builds `nn.MLP(2, [3, 2, 2], activation='sigmoid', output_activation='sigmoid')`
(with small nonzero biases), runs one sample of the seed's example through it and computes
zⁱ, aⁱ, δⁱ, ∇Wⁱ, ∇bⁱ twice: from the engine's `Value` graph and from the seed's matrix
formulas (`nn.matrix`). `report(run)` is the text the demo prints. `write_materials(out_dir)`
writes everything a class needs: the numbers, the weights, the drawings, both walkthroughs,
the exercise page and the projector picture (`demos/seed_network.py` and
`seedgrad seed --out DIR` call it).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd import Value
from autograd.files import atomic_write
from nn import matrix
from nn.data import seed_example
from nn.losses import seed_cost, seed_loss
from nn.module import MLP

__all__ = ["LANGUAGES", "PROJECTOR", "TOLERANCE", "SeedRun", "build", "report", "run",
           "write_materials"]

LANGUAGES = ("en", "zh")
"""The languages `write_materials` can write the teaching pages in (as `autograd.viz`)."""

PROJECTOR = {"collapse": True, "rankdir": "TB", "show_local": False, "clusters": False}
"""Drawing options of the projector picture: one box per neuron (each names its layer), top
to bottom, neurons in order, the chain rule left to the walkthrough, so that fitted to a
1400×900 screen its text is ≥ 10 px."""

_TITLES = {
    "en": ("Backward pass of the seed network: C = ½‖y − o‖²",
           "The seed network, neuron by neuron: δ, ∇W, ∇b",
           "Your turn: the seed network's δ, neuron by neuron"),
    "zh": ("种子网络的反向传播：C = ½‖y − o‖²",
           "种子网络，逐个神经元：δ、∇W、∇b",
           "轮到你了：逐个神经元求种子网络的 δ"),
}

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
TOLERANCE = 1e-12
"""Largest |engine − formula| accepted: both do the same float operations, in another order."""


def _sup(n: int) -> str:
    """n as superscript digits: 2 → ²."""
    return str(n).translate(_SUPERSCRIPT)


@dataclass
class SeedRun:
    """Everything the demo computed, for printing and for extra outputs (drawings).

    Attributes:
        model: the seed's network (`build(seed)`).
        x: the sample's input.
        y: the sample's target.
        z: z[l][j] is the engine's node z_{l,j} (z[0] = []).
        a: a[l][j] is a_{l,j}; a[0] the input nodes a_{0,k}.
        cost: C = ½‖y − o‖², after C.backward().
        formulas: the same quantities from the seed's matrix formulas (`nn.matrix.Trace`).
        differences: per quantity ("δ²", "∇W¹", ...), the largest |engine − formula|.
        samples: the seed's N samples, (inputs, targets).
        loss: L = Σₙ Cⁿ over the samples.
        sum_difference: max |∇L − Σₙ ∇Cⁿ| with Σₙ ∇Cⁿ from the formulas.
        engine_sum_difference: the same with Σₙ ∇Cⁿ from the engine.
    """

    model: MLP
    x: list[float]
    y: list[float]
    z: list[list[Value]]  # z[l][j] is the engine's node z_{l,j} (z[0] = [])
    a: list[list[Value]]  # a[l][j] is a_{l,j}; a[0] the input nodes a_{0,k}
    cost: Value  # C = ½‖y − o‖², after C.backward()
    formulas: matrix.Trace  # the same quantities from the seed's matrix formulas
    differences: dict[str, float] = field(default_factory=dict)  # "δ²" → max |diff|
    samples: tuple[list[list[float]], list[list[float]]] = ([], [])
    loss: float = math.nan  # L = Σₙ Cⁿ over the samples
    sum_difference: float = math.nan  # max |∇L − Σₙ ∇Cⁿ(formulas)|
    engine_sum_difference: float = math.nan  # max |∇L − Σₙ ∇Cⁿ(engine)|

    @property
    def max_difference(self) -> float:
        """The largest |engine − formula| over every z, a, δ, ∇W, ∇b entry."""
        return max(self.differences.values())


def build(seed: int) -> MLP:
    """The seed's network with reproducible weights and (nonzero) biases."""
    model = MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=seed)
    biases = random.Random(seed + 1)  # nonzero biases, so z = W a + b visibly uses b
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.b.data = round(biases.uniform(-0.5, 0.5), 4)
    return model


def _max_diff(engine: list, formula: list) -> float:
    flat_e, flat_f = _flatten(engine), _flatten(formula)
    if len(flat_e) != len(flat_f):
        raise ValueError(f"shapes differ: {len(flat_e)} and {len(flat_f)} numbers")
    return max((abs(e - f) for e, f in zip(flat_e, flat_f)), default=0.0)


def _flatten(nested: list) -> list[float]:
    out: list[float] = []
    stack: list[Any] = [nested]
    while stack:  # iterative: nested lists of any depth
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            out.append(float(item))
    return out


def run(seed: int = 0) -> SeedRun:
    """Build, run one sample both ways, compare; then check the N-sample sum property."""
    model = build(seed)
    X, Y = seed_example()
    x, y = X[0], Y[0]

    # The engine: one Value graph, one backward pass.
    z, a = model.trace(x)
    cost = seed_cost(a[-1], y)
    cost.backward()

    # The seed's formulas on plain floats.
    net = matrix.Network.from_model(model)
    formulas = matrix.backprop(net, x, y)

    result = SeedRun(model, x, y, z, a, cost, formulas, samples=(X, Y))
    grad_W, grad_b = matrix.model_gradients(model)
    for i in range(1, net.depth + 1):
        s = _sup(i)
        result.differences[f"z{s}"] = _max_diff([v.data for v in z[i]], formulas.z[i])
        result.differences[f"a{s}"] = _max_diff([v.data for v in a[i]], formulas.a[i])
        result.differences[f"δ{s}"] = _max_diff([v.grad for v in z[i]], formulas.delta[i])
        result.differences[f"∇W{s}"] = _max_diff(grad_W[i], formulas.grad_W[i])
        result.differences[f"∇b{s}"] = _max_diff(grad_b[i], formulas.grad_b[i])
    result.differences["C"] = abs(cost.data - formulas.cost)
    _check_sum(result, net)
    return result


def _check_sum(result: SeedRun, net: matrix.Network) -> None:
    """∇L of L = Σₙ Cⁿ (one backward) against Σₙ ∇Cⁿ, from the formulas and the engine."""
    X, Y = result.samples
    twin = build(0)  # a copy (weights loaded below): the one-sample graph keeps its grads
    twin.load_state_dict(result.model.state_dict())

    per_sample = []
    for x, y in zip(X, Y):
        twin.zero_grad()
        seed_cost(twin(x), y).backward()
        per_sample.append(_flatten(list(matrix.model_gradients(twin))))
    engine_sum = [math.fsum(column) for column in zip(*per_sample)]

    twin.zero_grad()
    loss = seed_loss([twin(x) for x in X], Y)
    loss.backward()
    whole = _flatten(list(matrix.model_gradients(twin)))
    formula_sum = _flatten(list(matrix.loss_gradients(net, X, Y)))

    result.loss = loss.data
    result.sum_difference = _max_diff(whole, formula_sum)
    result.engine_sum_difference = _max_diff(whole, engine_sum)


# ---- printing -------------------------------------------------------------------------------
def _vector(values: list[float], fmt: str) -> str:
    return "[" + ", ".join(format(v, fmt) for v in values) + "]"


def _rows(name: str, engine: list, formula: list, fmt: str) -> list[str]:
    """One line per vector (or per matrix row): name, engine numbers, formula numbers."""
    if engine and isinstance(engine[0], list):
        lines = []
        for j, (e_row, f_row) in enumerate(zip(engine, formula)):
            label = name if j == 0 else ""
            lines.append(f"  {label:<24}{_vector(e_row, fmt):<38}{_vector(f_row, fmt)}")
        return lines
    return [f"  {name:<24}{_vector(engine, fmt):<38}{_vector(formula, fmt)}"]


def report(result: SeedRun) -> str:
    """The demo's text: layer by layer, engine beside formula, then the N-sample check."""
    f = result.formulas
    grad_W, grad_b = matrix.model_gradients(result.model)
    depth = len(f.z) - 1
    lines = [
        "The seed's network: 2 → 3 → 2 → 2, sigmoid σ on every layer "
        f"({len(result.model.parameters())} parameters)",
        f"One sample: x = a⁰ = {result.x},  target y = {result.y}",
        "Cost C = ½‖y − o‖²; the engine runs C.backward(), the formulas run in plain Python.",
        "",
        f"  {'':<24}{'engine (Value .data / .grad)':<38}seed's matrix formula",
    ]
    for i in range(1, depth + 1):
        s, h = _sup(i), _sup(i - 1)
        n = len(f.z[i])
        nxt = ("(o − y) ⊙ σ′(z" + s + ")" if i == depth
               else f"σ′(z{s}) ⊙ (W{_sup(i + 1)}ᵀ δ{_sup(i + 1)})")
        lines.append(f"Layer {i}: {n} sigmoid neurons, W{s} is {n}×{len(f.a[i - 1])}"
                     + ("  (output layer: o = a" + s + ")" if i == depth else ""))
        lines += _rows(f"z{s} = W{s}a{h} + b{s}", [v.data for v in result.z[i]], f.z[i], " .6f")
        lines += _rows(f"a{s} = σ(z{s})", [v.data for v in result.a[i]], f.a[i], " .6f")
        lines += _rows(f"δ{s} = {nxt}", [v.grad for v in result.z[i]], f.delta[i], " .3e")
        lines += _rows(f"∇W{s} = δ{s} a{h}ᵀ", grad_W[i], f.grad_W[i], " .3e")
        lines += _rows(f"∇b{s} = δ{s}", grad_b[i], f.grad_b[i], " .3e")
        worst = max(result.differences[f"{q}{s}"] for q in ("z", "a", "δ", "∇W", "∇b"))
        lines.append(f"  max |engine − formula| in layer {i}: {worst:.1e}")
        lines.append("")
    lines += _fan_out(result)
    o = [v.data for v in result.a[depth]]
    lines += [
        f"Output o = {_vector(o, '.6f')},  C = {result.cost.data:.9f} "
        f"(formula {f.cost:.9f})",
        f"Largest difference, engine vs seed's formulas, over all {_count(result)} numbers: "
        f"{result.max_difference:.1e}",
        "",
        f"Over the seed's N = {len(result.samples[0])} samples, L = Σₙ Cⁿ = {result.loss:.9f}"
        " (a sum, not a mean):",
        f"  ∇L from one L.backward()  vs  Σₙ ∇Cⁿ from the formulas:          "
        f"max |diff| = {result.sum_difference:.1e}",
        f"  ∇L from one L.backward()  vs  Σₙ ∇Cⁿ from N separate backward(): "
        f"max |diff| = {result.engine_sum_difference:.1e}",
    ]
    return "\n".join(lines)


def _count(result: SeedRun) -> int:
    f = result.formulas
    return 1 + sum(len(_flatten(q[1:])) for q in (f.z, f.a, f.delta, f.grad_W, f.grad_b))


def _fan_out(result: SeedRun) -> list[str]:
    """The seed's fan-out sum at a_{1,0}: ∂C/∂a₁₀ = ∂C/∂z₂₀·w₂,₀,₀ + ∂C/∂z₂₁·w₂,₁,₀."""
    neurons = result.model.layers[1].neurons
    deltas = [v.grad for v in result.z[2]]
    terms = [d * n.w[0].data for d, n in zip(deltas, neurons)]
    parts = " + ".join(f"({d:.4e})·({n.w[0].data:.4f})" for d, n in zip(deltas, neurons))
    return [
        "Fan-out: a_{1,0} feeds both z_{2,0} and z_{2,1}, so its gradient is a sum of two",
        "  ∂C/∂a_{1,0} = ∂C/∂z_{2,0}·w_{2,0,0} + ∂C/∂z_{2,1}·w_{2,1,0}",
        f"             = {parts} = {math.fsum(terms):.6e}",
        "  (the seed writes ∂C/∂z_{2,0}·w_{00} + ∂C/∂z_{2,1}·w_{10}: its weights carry no layer",
        "   index; here w_{l,j,k} is row j, column k of W^l, so w_{2,0,0} is the seed's w_{00})",
        f"  engine a_{{1,0}}.grad = {result.a[1][0].grad:.6e}",
        "",
    ]


# ---- files ----------------------------------------------------------------------------------
def _write_numbers(result: SeedRun, out_dir: Path) -> list[Path]:
    """Write the numbers (both computations) and the weights; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    f = result.formulas
    grad_W, grad_b = matrix.model_gradients(result.model)
    layers = []
    for i in range(1, len(f.z)):
        layers.append({
            "layer": i,
            "engine": {"z": [v.data for v in result.z[i]], "a": [v.data for v in result.a[i]],
                       "delta": [v.grad for v in result.z[i]], "grad_W": grad_W[i],
                       "grad_b": grad_b[i]},
            "formula": {"z": f.z[i], "a": f.a[i], "delta": f.delta[i],
                        "grad_W": f.grad_W[i], "grad_b": f.grad_b[i]},
        })
    numbers = {"model": repr(result.model), "x": result.x, "y": result.y,
               "cost": result.cost.data, "layers": layers,
               "max_difference": result.max_difference,
               "samples": {"inputs": result.samples[0], "targets": result.samples[1],
                           "loss": result.loss, "sum_difference": result.sum_difference}}
    numbers_path = out_dir / "seed_network.json"
    atomic_write(numbers_path, json.dumps(numbers, indent=1, ensure_ascii=False) + "\n",
                 "seed_network")
    weights_path = out_dir / "seed_network_weights.json"
    result.model.save(weights_path)
    return [numbers_path, weights_path]


# ---- drawings (autograd.viz) -----------------------------------------------------------------
def _write_drawings(result: SeedRun, out_dir: Path, lang: str) -> list[Path]:
    """The graph of C as SVG (every node; one box per neuron; the projector picture) and the
    walkthroughs, with their words in `lang`."""
    from autograd import viz  # graphviz is imported only for the drawings

    out_dir.mkdir(parents=True, exist_ok=True)
    full, neurons, exercise = _TITLES[lang]
    C = result.cost
    return [viz.save_svg(C, out_dir / "seed_network.svg", lang=lang),
            viz.save_svg(C, out_dir / "seed_network_neurons.svg", collapse=True, lang=lang),
            viz.save_svg(C, out_dir / "seed_network_projector.svg", **PROJECTOR, lang=lang),
            viz.walkthrough(C, out_dir / "seed_network_walkthrough.html", title=full, lang=lang),
            viz.walkthrough(C, out_dir / "seed_network_neurons_walkthrough.html", collapse=True,
                            title=neurons, lang=lang),
            viz.walkthrough(C, out_dir / "seed_network_exercise.html", collapse=True,
                            exercise=True, title=exercise, lang=lang)]


def write_materials(out_dir: Path, *, lang: str = "en", seed: int = 0) -> list[Path]:
    """Write the seed network's teaching materials into `out_dir`; return the paths written.

    The numbers of both computations (`seed_network.json`), the weights, the drawings (every
    node; one box per neuron; `seed_network_projector.svg`, laid out to be read on a
    projector), the node-by-node and neuron-by-neuron walkthroughs and the exercise page, for the
    network `build(seed)`, with the pages' text in `lang` (one of `LANGUAGES`).

    Raises:
        ValueError: `lang` is not one of `LANGUAGES`.
        TypeError: `seed` is not an int.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"write_materials: unknown language {lang!r}; "
                         f"choose one of {', '.join(LANGUAGES)}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"write_materials: seed must be an int, got {seed!r}")
    result = run(seed)
    out_dir = Path(out_dir)
    return _write_numbers(result, out_dir) + _write_drawings(result, out_dir, lang)
