"""The benchmark's problem, and the seed's matrix formulas written out by hand.

Every peer of the train-step benchmark starts from the same data (`two_moons`) and the
same weights (`initial_parameters`), and reports gradients in one order (`flat`): layer by
layer, neuron by neuron, the neuron's weights then its bias (micrograd's order).

`ListBackprop` is the network's backpropagation on Python lists with no graph at all: the
floor for any scalar engine written in Python. `NumpyBackprop` is the same formulas on
matrices, for scale. Both use the seed's recursion (docs/backprop.md), with ReLU:

    δ^i = relu'(z^i) ⊙ ((W^j)ᵀ δ^j),   ∇W^i = δ^i (a^h)ᵀ,   ∇b^i = δ^i   (summed over samples)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from operator import mul
from typing import Any

Matrix = list[list[float]]


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[Matrix, list[float]]:
    """n points of two interleaved half circles with Gaussian noise; labels -1 and +1."""
    rng = random.Random(seed)
    n_outer = n // 2
    xs: Matrix = []
    ys: list[float] = []
    for i in range(n):
        inner = i >= n_outer
        count = n - n_outer if inner else n_outer
        t = math.pi * (i - n_outer if inner else i) / max(count - 1, 1)
        if inner:
            x0, x1 = 1.0 - math.cos(t), 0.5 - math.sin(t)
        else:
            x0, x1 = math.cos(t), math.sin(t)
        xs.append([x0 + rng.gauss(0.0, noise), x1 + rng.gauss(0.0, noise)])
        ys.append(1.0 if inner else -1.0)
    return xs, ys


def initial_parameters(sizes: list[int], seed: int = 7) -> tuple[list[Matrix], Matrix]:
    """Weights W[l][j][k] ~ U(-1, 1) (micrograd's init) and small random biases B[l][j]."""
    rng = random.Random(seed)
    weights = [[[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)]
               for nin, nout in zip(sizes, sizes[1:])]
    biases = [[rng.uniform(-0.1, 0.1) for _ in range(nout)] for nout in sizes[1:]]
    return weights, biases


def flat(weights: list[Any], biases: list[Any]) -> list[float]:
    """Parameters (or their gradients) in micrograd's order: per neuron, weights then bias."""
    out: list[float] = []
    for w_layer, b_layer in zip(weights, biases):
        for row, b in zip(w_layer, b_layer):
            out.extend(float(w) for w in row)
            out.append(float(b))
    return out


@dataclass
class Problem:
    """One train-step configuration: the network, the data, the loss and the update."""

    sizes: list[int] = field(default_factory=lambda: [2, 16, 16, 1])
    points: int = 100
    alpha: float = 1e-4  # L2 weight of the loss: hinge + alpha·Σp²
    lr: float = 0.05
    data_seed: int = 1337
    weight_seed: int = 7

    def data(self) -> tuple[Matrix, list[float]]:
        """The inputs and ±1 labels every peer trains on."""
        return two_moons(self.points, seed=self.data_seed)

    def parameters(self) -> tuple[list[Matrix], Matrix]:
        """The initial weights and biases every peer starts from."""
        return initial_parameters(self.sizes, seed=self.weight_seed)


class ListBackprop:
    """Forward, backward and SGD for the whole batch on lists: no graph, no objects.

    Activations are stored one row per unit, each row running over the batch, so every
    inner loop is a C-level `sum(map(mul, ...))` or a comprehension.
    """

    name = "hand-written backprop"

    def __init__(self, problem: Problem):
        """Copy the problem's data and initial parameters."""
        xs, self.ys = problem.data()
        self.inputs = [list(column) for column in zip(*xs)]  # a⁰: one row per input unit
        weights, biases = problem.parameters()
        self.weights = [[list(row) for row in layer] for layer in weights]
        self.biases = [list(layer) for layer in biases]
        self.alpha, self.lr = problem.alpha, problem.lr
        self.grad_w: list[Matrix] = []
        self.grad_b: Matrix = []

    def step(self) -> float:
        """One full-batch step; returns the loss before the update."""
        weights, biases, ys = self.weights, self.biases, self.ys
        n, last = len(ys), len(weights) - 1
        acts = [self.inputs]  # acts[i]: the input of layer i, one row per unit
        zs: list[Matrix] = []
        for i, (w, b) in enumerate(zip(weights, biases)):
            samples = list(zip(*acts[-1]))
            z = [[sum(map(mul, row, s)) + bj for s in samples] for row, bj in zip(w, b)]
            zs.append(z)
            if i < last:
                acts.append([[v if v > 0 else 0.0 for v in zrow] for zrow in z])
        # Hinge loss mean(relu(1 - y·s)) + alpha·Σp²; δ of the output: -y/n where active.
        margins = [1.0 - y * s for y, s in zip(ys, zs[-1][0])]
        alpha = self.alpha
        squares = sum(sum(map(mul, row, row)) for layer in weights for row in layer)
        squares += sum(sum(map(mul, b, b)) for b in biases)
        loss = sum(m for m in margins if m > 0) / n + alpha * squares
        delta = [[-y / n if m > 0 else 0.0 for y, m in zip(ys, margins)]]
        grad_w: list[Matrix] = [[] for _ in weights]
        grad_b: Matrix = [[] for _ in weights]
        decay = 2.0 * alpha
        for i in range(last, -1, -1):
            w, a = weights[i], acts[i]
            # ∇W = δ aᵀ and ∇b = δ, each summed over the batch, plus the L2 term 2αp.
            grad_w[i] = [[sum(map(mul, d, arow)) + decay * wk for arow, wk in zip(a, wrow)]
                         for d, wrow in zip(delta, w)]
            grad_b[i] = [sum(d) + decay * bj for d, bj in zip(delta, biases[i])]
            if i:  # δ^h = relu'(z^h) ⊙ (Wᵀ δ), sample by sample
                per_sample = list(zip(*delta))
                delta = [[sum(map(mul, column, ds)) if z > 0 else 0.0
                          for ds, z in zip(per_sample, zrow)]
                         for column, zrow in zip(zip(*w), zs[i - 1])]
        lr = self.lr
        for w, gw, b, gb in zip(weights, grad_w, biases, grad_b):
            for row, grow in zip(w, gw):
                row[:] = [p - lr * g for p, g in zip(row, grow)]
            b[:] = [p - lr * g for p, g in zip(b, gb)]
        self.grad_w, self.grad_b = grad_w, grad_b
        return loss

    def gradients(self) -> list[float]:
        """∂loss/∂parameters of the last step, in `flat` order."""
        return flat(self.grad_w, self.grad_b)

    def settle(self) -> None:
        """Nothing to clean up between steps."""


class NumpyBackprop:
    """The same formulas on float64 matrices (columns are samples)."""

    name = "numpy (vectorised)"

    def __init__(self, problem: Problem):
        """Copy the problem's data and initial parameters into arrays."""
        import numpy as np  # optional: imported only by the peer that needs it

        self.np = np
        xs, ys = problem.data()
        self.inputs = np.array(xs, dtype=np.float64).T
        self.ys = np.array(ys, dtype=np.float64)
        weights, biases = problem.parameters()
        self.weights = [np.array(w, dtype=np.float64) for w in weights]
        self.biases = [np.array(b, dtype=np.float64) for b in biases]
        self.alpha, self.lr = problem.alpha, problem.lr
        self.grad_w: list[Any] = []
        self.grad_b: list[Any] = []

    def step(self) -> float:
        """One full-batch step; returns the loss before the update."""
        np, ys = self.np, self.ys
        n, last = ys.shape[0], len(self.weights) - 1
        acts, zs = [self.inputs], []
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = w @ acts[-1] + b[:, None]
            zs.append(z)
            if i < last:
                acts.append(np.maximum(z, 0.0))
        margins = 1.0 - ys * zs[-1][0]
        active = margins > 0
        squares = sum(float((w * w).sum()) for w in self.weights)
        squares += sum(float((b * b).sum()) for b in self.biases)
        loss = float(margins[active].sum()) / n + self.alpha * squares
        delta = np.where(active, -ys / n, 0.0)[None, :]
        decay = 2.0 * self.alpha
        grad_w, grad_b = [None] * len(self.weights), [None] * len(self.weights)
        for i in range(last, -1, -1):
            w = self.weights[i]
            grad_w[i] = delta @ acts[i].T + decay * w
            grad_b[i] = delta.sum(axis=1) + decay * self.biases[i]
            if i:
                delta = (w.T @ delta) * (zs[i - 1] > 0)
        for w, gw, b, gb in zip(self.weights, grad_w, self.biases, grad_b):
            w -= self.lr * gw
            b -= self.lr * gb
        self.grad_w, self.grad_b = grad_w, grad_b
        return loss

    def gradients(self) -> list[float]:
        """∂loss/∂parameters of the last step, in `flat` order."""
        return flat([g.tolist() for g in self.grad_w], [g.tolist() for g in self.grad_b])

    def settle(self) -> None:
        """Nothing to clean up between steps."""
