"""`check_backprop`'s reference: a network and its data, the engine's numbers on it (the
truth the learner's gradients are compared with), and arithmetic on plain lists of floats."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autograd._modes import enable_grad
from autograd._nary import dot
from autograd._nary import sum as value_sum
from autograd.activations import Activation
from autograd.engine import Value

MAX_LAYERS = 4  # layers with weights (the output layer included)
MAX_WIDTH = 5  # neurons per layer, inputs too
MAX_SAMPLES = 3  # samples per data set with samples=True
BOUND = 2.0  # weights, biases, inputs and targets are drawn from [-BOUND, BOUND]
_ATOL, _RTOL = 1e-9, 1e-6  # given vs expected: plain floats in another order differ ~1e-16
_KINK = 1e-9  # with ReLU, networks with a |z| this small are not drawn (ReLU′(0) is a convention)

Vector = list[float]
Matrix = list[list[float]]


@dataclass(frozen=True)
class _Case:
    """A network and its data. Per-layer lists use the seed's numbering: index 0 is the input
    layer, so W[0] and b[0] are empty and W[i] is Wⁱ."""

    sizes: tuple[int, ...]
    W: tuple[Matrix, ...]
    b: tuple[Vector, ...]
    X: tuple[Vector, ...]  # one input per sample
    Y: tuple[Vector, ...]

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def arguments(self, samples: bool) -> tuple[Any, Any, Any, Any]:
        """Fresh plain lists for fn (it may change them): Ws, bs, x, y (or X, Y)."""
        Ws = [[list(row) for row in W] for W in self.W[1:]]
        bs = [list(b) for b in self.b[1:]]
        if samples:
            return Ws, bs, [list(x) for x in self.X], [list(y) for y in self.Y]
        return Ws, bs, list(self.X[0]), list(self.Y[0])


@dataclass
class _Truth:
    """The engine's numbers: z[n][i], a[n][i], δ[n][i] per sample n and layer i (seed
    numbering, a[n][0] the input) and the gradients of the loss, grad_W[i], grad_b[i]."""

    z: list[list[Vector]]
    a: list[list[Vector]]
    delta: list[list[Vector]]
    grad_W: list[Matrix]
    grad_b: list[Vector]


def _truth(case: _Case, activation: Activation) -> _Truth:
    """Forward and backward through a `Value` graph: `dot` per neuron, the activation op,
    C = ½‖y − o‖² per sample and L = Σₙ Cⁿ, then `backward()`."""
    apply = activation.apply_to()
    with enable_grad():
        W = [[[Value(w) for w in row] for row in Wi] for Wi in case.W]
        b = [[Value(x) for x in bi] for bi in case.b]
        zs: list[list[list[Value]]] = []
        acts: list[list[list[Value]]] = []
        terms = []
        for x, y in zip(case.X, case.Y):
            a = [Value(v) for v in x]
            z_layers: list[list[Value]] = [[]]
            a_layers = [a]
            for i in range(1, len(W)):
                z = [dot(row, a, bias) for row, bias in zip(W[i], b[i])]
                a = z if apply is None else [apply(v) for v in z]
                z_layers.append(z)
                a_layers.append(a)
            zs.append(z_layers)
            acts.append(a_layers)
            terms += [(o - t) ** 2 * 0.5 for o, t in zip(a, y)]
        loss = value_sum(terms)
        loss.backward()
    return _Truth(z=[[[v.data for v in layer] for layer in n] for n in zs],
                  a=[[[v.data for v in layer] for layer in n] for n in acts],
                  delta=[[[float(v.grad) for v in layer] for layer in n] for n in zs],
                  grad_W=[[[float(w.grad) for w in row] for row in Wi] for Wi in W],
                  grad_b=[[float(x.grad) for x in bi] for bi in b])


def _random_case(sizes: tuple[int, ...], N: int, activation: Activation,
                 rng: random.Random) -> _Case:
    """A network of these sizes with numbers rounded to 2 decimals (ReLU kinks avoided)."""
    def numbers_(count: int) -> Vector:
        return [round(rng.uniform(-BOUND, BOUND), 2) for _ in range(count)]

    for _ in range(100):
        W: list[Matrix] = [[]] + [[numbers_(sizes[i - 1]) for _ in range(sizes[i])]
                                  for i in range(1, len(sizes))]
        b: list[Vector] = [[]] + [numbers_(n) for n in sizes[1:]]
        case = _Case(sizes, tuple(W), tuple(b), tuple(numbers_(sizes[0]) for _ in range(N)),
                     tuple(numbers_(sizes[-1]) for _ in range(N)))
        if not activation.kink or not _near_kink(_truth(case, activation)):
            break
    return case


def _near_kink(truth: _Truth) -> bool:
    return any(abs(v) <= _KINK for n in truth.z for layer in n for v in layer)


def _close(given: float, expected: float) -> bool:
    return abs(given - expected) <= _ATOL + _RTOL * abs(expected)


def _all_close(given: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return (isinstance(given, list) and len(given) == len(expected)
                and all(_all_close(g, e) for g, e in zip(given, expected)))
    return _close(given, expected)


# ---- arithmetic on lists of floats -----------------------------------------------------------
def _matvec(W: Sequence[Sequence[float]], v: Sequence[float]) -> Vector:
    return [math.fsum(w * x for w, x in zip(row, v)) for row in W]


def _transpose(W: Sequence[Sequence[float]]) -> Matrix:
    return [list(column) for column in zip(*W)]


def _outer(u: Sequence[float], v: Sequence[float]) -> Matrix:
    return [[a * b for b in v] for a in u]


def _sum_over(items: list[Any]) -> Any:
    if isinstance(items[0], list):
        return [_sum_over([item[k] for item in items]) for k in range(len(items[0]))]
    return math.fsum(items)


def _scale(x: Any, factor: float) -> Any:
    if isinstance(x, list):
        return [_scale(v, factor) for v in x]
    return x * factor
