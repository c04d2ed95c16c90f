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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd import activations
from autograd.reals import real
from nn._util import shared_doc

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


# ---- argument checks: plain finite numbers only (a nan would only surface far away) ---------
def _numbers(v: Any, who: str, what: str) -> Vector:
    """`v` as a list of finite floats, or TypeError/ValueError naming `who` and `what`."""
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        raise TypeError(f"{who}: {what} must be a list of numbers, got {type(v).__name__} {v!r}")
    return [real(x, who, f"{what}[{i}]") for i, x in enumerate(v)]


def _rows(W: Any, who: str, what: str) -> Matrix:
    """`W` as a rectangular list of rows of finite floats."""
    if isinstance(W, (str, bytes)) or not isinstance(W, Iterable):
        raise TypeError(f"{who}: {what} must be a list of rows, got {type(W).__name__} {W!r}")
    rows = [_numbers(row, who, f"{what}[{j}]") for j, row in enumerate(W)]
    if any(len(row) != len(rows[0]) for row in rows):
        raise ValueError(f"{who}: the rows of {what} have different lengths "
                         f"{sorted({len(row) for row in rows})}")
    return rows


_REAL_Z = shared_doc(real_z="""Args:
    z: a finite real number.

Raises:
    TypeError: `z` is not a real number.
    ValueError: `z` is not finite.""")
"""sigma's and sigma_prime's argument and errors."""


# ---- activations and their derivatives ------------------------------------------------------
@_REAL_Z
def sigma(z: float) -> float:
    """σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow (as the engine does).

    {real_z}
    """
    return _SIGMOID.function(real(z, "sigma", "z"))


@_REAL_Z
def sigma_prime(z: float) -> float:
    """σ′(z) = σ(z)(1 − σ(z)).

    {real_z}
    """
    return _SIGMOID.derivative(real(z, "sigma_prime", "z"))


_SIGMOID = activations.get("sigmoid", "nn.matrix")  # the seed's σ


def activate(name: str, z: Vector) -> Vector:
    """f(z) elementwise for the activation `name`.

    Args:
        name: an activation of `autograd.activations`: 'sigmoid', 'tanh', 'relu', 'linear'.
        z: a list of finite numbers.

    Raises:
        TypeError: `z` is not a list of real numbers.
        ValueError: `name` is unknown, or `z` holds a non-finite number.
    """
    f = activations.get(name, "activate").function
    return [f(x) for x in _numbers(z, "activate", "z")]


def derivative(name: str, z: Vector) -> Vector:
    """f′(z) elementwise for the activation `name`, taken at the pre-activations z (ReLU′(0)
    = 0, as the engine).

    Args:
        name: the activation, as for `activate`.
        z: the pre-activations, finite numbers.

    Raises:
        TypeError: `z` holds something other than real numbers.
        ValueError: the activation is not in the table, or a z is inf or nan.
    """
    f = activations.get(name, "derivative").derivative
    return [f(x) for x in _numbers(z, "derivative", "z")]


# ---- linear algebra on lists ----------------------------------------------------------------
def matvec(W: Matrix, v: Vector) -> Vector:
    """W v.

    Args:
        W: a matrix as a list of rows of finite numbers.
        v: a list of finite numbers, one per column of W.

    Raises:
        TypeError: `W` or `v` is not a list of (lists of) real numbers.
        ValueError: a number is not finite, or the sizes do not match.
    """
    W, v = _rows(W, "matvec", "W"), _numbers(v, "matvec", "v")
    if any(len(row) != len(v) for row in W):
        raise ValueError(f"matvec: rows of W do not all have {len(v)} columns")
    return [sum(w * x for w, x in zip(row, v)) for row in W]


def transpose(W: Matrix) -> Matrix:
    """Wᵀ (for an empty W, an empty matrix).

    Args:
        W: a matrix as a list of rows of finite numbers.

    Raises:
        TypeError: `W` is not a list of lists of real numbers.
        ValueError: a number is not finite, or the rows differ in length.
    """
    W = _rows(W, "transpose", "W")
    return [list(column) for column in zip(*W)]


def outer(u: Vector, v: Vector) -> Matrix:
    """u vᵀ: the seed's ∇Wⁱ = δⁱ aʰᵀ.

    Args:
        u: a list of finite numbers (the rows).
        v: a list of finite numbers (the columns).

    Raises:
        TypeError: `u` or `v` is not a list of real numbers.
        ValueError: a number is not finite.
    """
    u, v = _numbers(u, "outer", "u"), _numbers(v, "outer", "v")
    return [[ui * vk for vk in v] for ui in u]


def hadamard(u: Vector, v: Vector) -> Vector:
    """u ⊙ v (elementwise product).

    Args:
        u: a list of finite numbers.
        v: a list of finite numbers of the same length.

    Raises:
        TypeError: `u` or `v` is not a list of real numbers.
        ValueError: a number is not finite, or the lengths differ.
    """
    u, v = _numbers(u, "hadamard", "u"), _numbers(v, "hadamard", "v")
    if len(u) != len(v):
        raise ValueError(f"hadamard: lengths {len(u)} and {len(v)} differ")
    return [a * b for a, b in zip(u, v)]


def cost(o: Vector, y: Vector) -> float:
    """The seed's C = ½‖y − o‖².

    Args:
        o: the outputs, a non-empty list of finite numbers.
        y: the targets, as many as outputs.

    Raises:
        TypeError: `o` or `y` is not a list of real numbers.
        ValueError: a number is not finite, the lengths differ, or there are none.
    """
    o, y = _numbers(o, "cost", "o"), _numbers(y, "cost", "y")
    if len(o) != len(y) or not o:
        raise ValueError(f"cost: {len(o)} outputs but {len(y)} targets (need ≥ 1)")
    return 0.5 * math.fsum((yi - oi) ** 2 for oi, yi in zip(o, y))


# ---- a network as matrices ------------------------------------------------------------------
@dataclass
class Network:
    """Weights `W[l]` (one row per neuron of layer l), biases `b[l]`, activation names.

    Index 0 is the input layer: `W[0]` and `b[0]` are empty, `activation[0]` is unused.

    Args:
        W: per layer, its weight matrix (one row per neuron, one column per input).
        b: per layer, its biases (one per neuron).
        activation: per layer, 'sigmoid', 'tanh', 'relu' or 'linear'.

    Raises:
        TypeError: `W`, `b` or `activation` is not a list, or holds a non-number.
        ValueError: the lists differ in length or have no layer, `W[0]`/`b[0]` are not
            empty, a matrix is not rectangular, sizes do not chain, a number is not finite,
            or an activation is unknown.
    """

    W: list[Matrix]
    b: list[Vector]
    activation: list[str]

    def __post_init__(self) -> None:
        for name in ("W", "b", "activation"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                raise TypeError(f"Network: {name} must be a list with one entry per layer, "
                                f"got {type(value).__name__} {value!r}")
        if not (len(self.W) == len(self.b) == len(self.activation)) or len(self.W) < 2:
            raise ValueError("Network: W, b and activation need one entry per layer, "
                             "index 0 (the input layer) empty, and at least one layer")
        if self.W[0] or self.b[0]:
            raise ValueError("Network: W[0] and b[0] belong to the input layer: keep them []")
        self.W = [[]] + [_rows(W, "Network", f"W[{i}]") for i, W in enumerate(self.W) if i]
        self.b = [[]] + [_numbers(b, "Network", f"b[{i}]") for i, b in enumerate(self.b) if i]
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
            activations.get(self.activation[layer], "Network", f"activation[{layer}]")

    @classmethod
    def from_model(cls, model: Any) -> Network:
        """The matrices of an `nn.MLP` or `nn.Layer` (numbers copied out of its Values).

        Args:
            model: an `nn.MLP` (anything with `.layers`) or an `nn.Layer` (`.neurons`).

        Raises:
            TypeError: `model` has neither layers nor neurons.
            ValueError: the neurons of a layer use different activations, or a weight is
                not finite.
        """
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
    """The engine's `.grad`s of an MLP's weights and biases, in the shapes of ∇W and ∇b.

    Args:
        model: an `nn.MLP` or `nn.Layer` after `backward()`.

    Raises:
        TypeError: `model` is neither, or a `.grad` is not a number.
    """
    grad_W: list[Matrix] = [[]]
    grad_b: list[Vector] = [[]]
    for layer in _layers(model):
        grad_W.append([[float(w.grad) for w in n.w] for n in layer.neurons])
        grad_b.append([float(n.b.grad) for n in layer.neurons])
    return grad_W, grad_b


# ---- the seed's forward and backward passes -------------------------------------------------
@dataclass
class Trace:
    """Everything one sample produces, indexed by layer: z, a, δ, ∇W, ∇b and the cost C.

    Args:
        z: pre-activations zⁱ (z[0] empty).
        a: activations aⁱ (a[0] the input).
        delta: δⁱ (delta[0] empty).
        grad_W: ∇Wⁱ = δⁱ aʰᵀ (grad_W[0] empty).
        grad_b: ∇bⁱ = δⁱ (grad_b[0] empty).
        cost: C = ½‖y − o‖².
    """

    z: list[Vector]
    a: list[Vector]
    delta: list[Vector]
    grad_W: list[Matrix]
    grad_b: list[Vector]
    cost: float


def forward(net: Network, x: Sequence[float]) -> tuple[list[Vector], list[Vector]]:
    """zⁱ = Wⁱ aʰ + bⁱ and aⁱ = f(zⁱ) for every layer; a[0] is the input.

    Args:
        net: the network's matrices (`Network.from_model(model)`).
        x: one input sample, a list of finite numbers.

    Returns:
        (z, a), each with one list per layer (z[0] empty, a[0] = x).

    Raises:
        TypeError: `net` is not a `Network`, or `x` not a list of real numbers.
        ValueError: `x` has the wrong length or a non-finite number.
    """
    _network(net, "forward")
    a: list[Vector] = [_numbers(x, "forward", "x")]
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
    """δ, ∇W, ∇b of C = ½‖y − o‖² from a forward pass's z and a (the seed's recursion).

    Args:
        net: the network's matrices.
        z: the pre-activations from `forward`.
        a: the activations from `forward`.
        y: the targets, one per output.

    Returns:
        (delta, grad_W, grad_b), each with one entry per layer (index 0 empty).

    Raises:
        TypeError: `net` is not a `Network`, or `y` not a list of real numbers.
        ValueError: `z`/`a` do not have one entry per layer, or `y` has the wrong length
            or a non-finite number.
    """
    depth = _network(net, "backward").depth
    if len(z) != depth + 1 or len(a) != depth + 1:
        raise ValueError(f"backward: z and a need one entry per layer ({depth + 1}, from "
                         f"forward), got {len(z)} and {len(a)}")
    o = a[depth]
    y = _numbers(y, "backward", "y")
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


def _network(net: Any, who: str) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"{who}: net must be a matrix.Network (Network.from_model(model)), "
                        f"got {type(net).__name__}")
    return net


def _sequence(x: Any, what: str) -> list[Any]:
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"loss_gradients: {what} must be a list of samples, "
                        f"got {type(x).__name__} {x!r}")
    return list(x)


def backprop(net: Network, x: Sequence[float], y: Sequence[float]) -> Trace:
    """Forward and backward for one sample (x, y): the seed's whole derivation.

    Args:
        net: the network's matrices.
        x: one input sample.
        y: its targets.

    Raises:
        TypeError: as `forward` and `backward`.
        ValueError: as `forward` and `backward`.
    """
    z, a = forward(net, x)
    delta, grad_W, grad_b = backward(net, z, a, y)
    return Trace(z, a, delta, grad_W, grad_b, cost(a[-1], list(y)))


def loss_gradients(net: Network, X: Sequence[Sequence[float]],
                   Y: Sequence[Sequence[float]]) -> tuple[list[Matrix], list[Vector]]:
    """∇W and ∇b of L = Σₙ Cⁿ: the sum of the per-sample gradients.

    Args:
        net: the network's matrices.
        X: the input samples.
        Y: the targets, one list per sample.

    Raises:
        TypeError: `X` or `Y` is not a list of samples, or as `backprop`.
        ValueError: the numbers of inputs and targets differ or are 0, or as `backprop`.
    """
    X = [_numbers(x, "loss_gradients", f"X[{n}]") for n, x in enumerate(_sequence(X, "X"))]
    Y = [_numbers(y, "loss_gradients", f"Y[{n}]") for n, y in enumerate(_sequence(Y, "Y"))]
    if len(X) != len(Y) or not X:
        raise ValueError(f"loss_gradients: need as many targets as inputs (≥ 1), "
                         f"got {len(X)} and {len(Y)}")
    traces = [backprop(net, x, y) for x, y in zip(X, Y)]
    grad_W = [[[math.fsum(t.grad_W[i][j][k] for t in traces) for k in range(len(row))]
               for j, row in enumerate(net.W[i])] for i in range(len(net.W))]
    grad_b = [[math.fsum(t.grad_b[i][j] for t in traces) for j in range(len(net.b[i]))]
              for i in range(len(net.b))]
    return grad_W, grad_b
