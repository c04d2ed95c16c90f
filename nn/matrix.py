"""The seed's matrix formulas in plain Python lists: an independent check of the engine.

Nothing here builds a `Value` graph. Take the weights out of a model, then

    forward     zⁱ = Wⁱ aʰ + bⁱ,  aⁱ = f(zⁱ)              (aʰ: the layer before i)
    backward    δᵒ = (o − y) ⊙ f′(zᵒ)                      output layer, for C = ½‖y − o‖²
                δⁱ = f′(zⁱ) ⊙ (Wʲᵀ δʲ)                     hidden layer i, next layer j
                ∇Wⁱ = δⁱ aʰᵀ,  ∇bⁱ = δⁱ

with f the seed's σ (or tanh, ReLU, identity). `Wⁱ` has one **row per neuron of layer i**
and one column per neuron of the layer before. Every per-layer list is indexed by the
seed's layer number: index 0 is the input layer, so `a[0]` is the input and `W[0]`, `b[0]`,
`z[0]`, `delta[0]`, ... are empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Network",
    "Trace",
    "sigma",
    "sigma_prime",
    "activate",
    "derivative",
    "matvec",
    "transpose",
    "outer",
    "hadamard",
    "cost",
    "forward",
    "backward",
    "backprop",
    "loss_gradients",
    "model_gradients",
]

Vector = list[float]
Matrix = list[list[float]]


# ---- activations and their derivatives ------------------------------------------------------
def sigma(z: float) -> float:
    """σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow (as the engine does)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def sigma_prime(z: float) -> float:
    """σ′(z) = σ(z)(1 − σ(z))."""
    s = sigma(z)
    return s * (1 - s)


_F = {
    "sigmoid": sigma,
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0 else 0.0,
    "linear": lambda z: z,
}
_F_PRIME = {
    "sigmoid": sigma_prime,
    "tanh": lambda z: 1 - math.tanh(z) ** 2,
    "relu": lambda z: 1.0 if z > 0 else 0.0,  # 0 at z = 0, as the engine and PyTorch
    "linear": lambda z: 1.0,
}


def activate(name: str, z: Vector) -> Vector:
    """f(z) elementwise for the activation `name`."""
    return [_function(_F, name)(x) for x in z]


def derivative(name: str, z: Vector) -> Vector:
    """f′(z) elementwise for the activation `name`."""
    return [_function(_F_PRIME, name)(x) for x in z]


def _function(table: dict[str, Any], name: str) -> Any:
    if name not in table:
        raise ValueError(f"matrix: unknown activation {name!r}; choose one of "
                         + ", ".join(repr(k) for k in table))
    return table[name]


# ---- linear algebra on lists ----------------------------------------------------------------
def matvec(W: Matrix, v: Vector) -> Vector:
    """W v."""
    if any(len(row) != len(v) for row in W):
        raise ValueError(f"matvec: rows of W do not all have {len(v)} columns")
    return [sum(w * x for w, x in zip(row, v)) for row in W]


def transpose(W: Matrix) -> Matrix:
    """Wᵀ (for an empty W, an empty matrix)."""
    return [list(column) for column in zip(*W)]


def outer(u: Vector, v: Vector) -> Matrix:
    """u vᵀ: the seed's ∇Wⁱ = δⁱ aʰᵀ."""
    return [[ui * vk for vk in v] for ui in u]


def hadamard(u: Vector, v: Vector) -> Vector:
    """u ⊙ v (elementwise product)."""
    if len(u) != len(v):
        raise ValueError(f"hadamard: lengths {len(u)} and {len(v)} differ")
    return [a * b for a, b in zip(u, v)]


def cost(o: Vector, y: Vector) -> float:
    """The seed's C = ½‖y − o‖²."""
    if len(o) != len(y):
        raise ValueError(f"cost: {len(o)} outputs but {len(y)} targets")
    return 0.5 * math.fsum((yi - oi) ** 2 for oi, yi in zip(o, y))


# ---- a network as matrices ------------------------------------------------------------------
@dataclass
class Network:
    """Weights `W[l]` (one row per neuron of layer l), biases `b[l]`, activation names."""

    W: list[Matrix]
    b: list[Vector]
    activation: list[str]

    def __post_init__(self) -> None:
        if not (len(self.W) == len(self.b) == len(self.activation)) or len(self.W) < 2:
            raise ValueError("Network: W, b and activation need one entry per layer, "
                             "index 0 (the input layer) empty, and at least one layer")
        if self.W[0] or self.b[0]:
            raise ValueError("Network: W[0] and b[0] belong to the input layer: keep them []")
        for layer in range(1, len(self.W)):
            rows, width = self.W[layer], len(self.W[layer][0]) if self.W[layer] else 0
            if not rows or width == 0 or any(len(row) != width for row in rows):
                raise ValueError(f"Network: W[{layer}] must be a non-empty rectangular matrix")
            if layer > 1 and width != len(self.W[layer - 1]):
                raise ValueError(f"Network: W[{layer}] has {width} columns but layer "
                                 f"{layer - 1} has {len(self.W[layer - 1])} neurons")
            if len(self.b[layer]) != len(rows):
                raise ValueError(f"Network: b[{layer}] has {len(self.b[layer])} entries for "
                                 f"{len(rows)} neurons")
            _function(_F, self.activation[layer])

    @classmethod
    def from_model(cls, model: Any) -> Network:
        """The matrices of an `nn.MLP` or `nn.Layer` (numbers copied out of its Values)."""
        layers = _layers(model)
        W: list[Matrix] = [[]]
        b: list[Vector] = [[]]
        names = [""]
        for layer in layers:
            W.append([[w.data for w in n.w] for n in layer.neurons])
            b.append([n.b.data for n in layer.neurons])
            names.append(layer.neurons[0].activation)
            if any(n.activation != names[-1] for n in layer.neurons):
                raise ValueError("Network.from_model: neurons of one layer must share "
                                 "one activation")
        return cls(W, b, names)

    @property
    def depth(self) -> int:
        """The number of layers with weights (the output layer's number)."""
        return len(self.W) - 1


def _layers(model: Any) -> list[Any]:
    if hasattr(model, "layers"):
        return list(model.layers)
    if hasattr(model, "neurons"):
        return [model]
    raise TypeError(f"matrix: expected an nn.MLP or nn.Layer, got {type(model).__name__}")


def model_gradients(model: Any) -> tuple[list[Matrix], list[Vector]]:
    """The engine's `.grad`s of an MLP's weights and biases, in the shapes of ∇W and ∇b."""
    grad_W: list[Matrix] = [[]]
    grad_b: list[Vector] = [[]]
    for layer in _layers(model):
        grad_W.append([[float(w.grad) for w in n.w] for n in layer.neurons])
        grad_b.append([float(n.b.grad) for n in layer.neurons])
    return grad_W, grad_b


# ---- the seed's forward and backward passes -------------------------------------------------
@dataclass
class Trace:
    """Everything one sample produces, indexed by layer: z, a, δ, ∇W, ∇b and the cost C."""

    z: list[Vector]
    a: list[Vector]
    delta: list[Vector]
    grad_W: list[Matrix]
    grad_b: list[Vector]
    cost: float


def forward(net: Network, x: Sequence[float]) -> tuple[list[Vector], list[Vector]]:
    """zⁱ = Wⁱ aʰ + bⁱ and aⁱ = f(zⁱ) for every layer; a[0] is the input."""
    a: list[Vector] = [[float(v) for v in x]]
    if len(a[0]) != len(net.W[1][0]):
        raise ValueError(f"forward: the network takes {len(net.W[1][0])} inputs, "
                         f"got {len(a[0])}")
    z: list[Vector] = [[]]
    for layer in range(1, len(net.W)):
        zi = [s + bias for s, bias in zip(matvec(net.W[layer], a[-1]), net.b[layer])]
        z.append(zi)
        a.append(activate(net.activation[layer], zi))
    return z, a


def backward(net: Network, z: list[Vector], a: list[Vector],
             y: Sequence[float]) -> tuple[list[Vector], list[Matrix], list[Vector]]:
    """δ, ∇W, ∇b of C = ½‖y − o‖² from a forward pass's z and a (the seed's recursion)."""
    depth = net.depth
    o = a[depth]
    y = [float(v) for v in y]
    if len(y) != len(o):
        raise ValueError(f"backward: the network has {len(o)} outputs, got {len(y)} targets")
    delta: list[Vector] = [[] for _ in range(depth + 1)]
    # δᵒ = (o − y) ⊙ f′(zᵒ)
    delta[depth] = hadamard([oi - yi for oi, yi in zip(o, y)],
                            derivative(net.activation[depth], z[depth]))
    # δⁱ = f′(zⁱ) ⊙ (Wʲᵀ δʲ), from the last hidden layer back to the first
    for i in range(depth - 1, 0, -1):
        j = i + 1
        delta[i] = hadamard(derivative(net.activation[i], z[i]),
                            matvec(transpose(net.W[j]), delta[j]))
    grad_W: list[Matrix] = [[]] + [outer(delta[i], a[i - 1]) for i in range(1, depth + 1)]
    grad_b: list[Vector] = [[]] + [list(delta[i]) for i in range(1, depth + 1)]
    return delta, grad_W, grad_b


def backprop(net: Network, x: Sequence[float], y: Sequence[float]) -> Trace:
    """Forward and backward for one sample (x, y): the seed's whole derivation."""
    z, a = forward(net, x)
    delta, grad_W, grad_b = backward(net, z, a, y)
    return Trace(z, a, delta, grad_W, grad_b, cost(a[-1], list(y)))


def loss_gradients(net: Network, X: Sequence[Sequence[float]],
                   Y: Sequence[Sequence[float]]) -> tuple[list[Matrix], list[Vector]]:
    """∇W and ∇b of L = Σₙ Cⁿ: the sum of the per-sample gradients."""
    if len(X) != len(Y) or not X:
        raise ValueError(f"loss_gradients: need as many targets as inputs (≥ 1), "
                         f"got {len(X)} and {len(Y)}")
    traces = [backprop(net, x, y) for x, y in zip(X, Y)]
    grad_W = [[[math.fsum(t.grad_W[i][j][k] for t in traces) for k in range(len(row))]
               for j, row in enumerate(net.W[i])] for i in range(len(net.W))]
    grad_b = [[math.fsum(t.grad_b[i][j] for t in traces) for j in range(len(net.b[i]))]
              for i in range(len(net.b))]
    return grad_W, grad_b
