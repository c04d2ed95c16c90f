"""Optimisers that move parameters against their `.grad`: SGD (with momentum) and Adam.

The update rules follow PyTorch's `torch.optim.SGD` and `torch.optim.Adam` step for step,
so a model trained here and one trained there from the same start agree to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd import Value
from nn._util import in_range

__all__ = ["Optimizer", "SGD", "Adam"]


def _gradient(p: Value) -> float:
    g = p.grad
    return g.data if isinstance(g, Value) else float(g)  # a Value after create_graph


class Optimizer:
    """Base class: holds the parameters and the learning rate; subclasses define `step`."""

    def __init__(self, params: Any, lr: float):
        """`params`: a list of Values or a Module (its `parameters()` are taken)."""
        who = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        if isinstance(params, Value) or not isinstance(params, Iterable):
            raise TypeError(f"{who}: params must be a list of Values or a Module, "
                            f"got {type(params).__name__}")
        params = list(params)
        if not params:
            raise ValueError(f"{who}: got an empty parameter list")
        for i, p in enumerate(params):
            if not isinstance(p, Value):
                raise TypeError(f"{who}: params[{i}] is a {type(p).__name__}, not a Value")
        if len(set(params)) != len(params):
            raise ValueError(f"{who}: a parameter appears more than once in params")
        self.params: list[Value] = params
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate (may be changed between steps, e.g. for a schedule)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = in_range(value, type(self).__name__, "lr", 0.0, math.inf,
                            low_open=True, high_open=True)

    def zero_grad(self) -> None:
        """Reset every parameter's `.grad` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its current `.grad`."""
        raise NotImplementedError(f"{type(self).__name__}.step is not defined")


class SGD(Optimizer):
    """Stochastic gradient descent: p ← p − lr·g, optionally with (Nesterov) momentum."""

    def __init__(self, params: Any, lr: float = 0.01, *, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        """Momentum in [0, 1); weight decay adds weight_decay·p to each gradient."""
        super().__init__(params, lr)
        self.momentum = in_range(momentum, "SGD", "momentum", 0.0, 1.0, high_open=True)
        self.dampening = in_range(dampening, "SGD", "dampening", 0.0, 1.0)
        self.weight_decay = in_range(weight_decay, "SGD", "weight_decay", 0.0, math.inf,
                                     high_open=True)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be a bool, got {nesterov!r}")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov needs momentum > 0 and dampening = 0, got "
                             f"momentum={self.momentum!r}, dampening={self.dampening!r}")
        self.nesterov = nesterov
        self._velocity: list[float] | None = None

    def step(self) -> None:
        """One update: v ← μ·v + (1 − dampening)·g (v = g at first), p ← p − lr·v."""
        lr, mu, decay = self.lr, self.momentum, self.weight_decay
        if mu == 0:
            for p in self.params:
                g = _gradient(p)
                if decay:
                    g += decay * p.data
                p.data -= lr * g
            return
        first = self._velocity is None
        if first:
            self._velocity = [0.0] * len(self.params)
        velocity, keep = self._velocity, 1.0 - self.dampening
        for i, p in enumerate(self.params):
            g = _gradient(p)
            if decay:
                g += decay * p.data
            v = g if first else mu * velocity[i] + keep * g
            velocity[i] = v
            p.data -= lr * (g + mu * v if self.nesterov else v)


class Adam(Optimizer):
    """Adam: per-parameter steps from bias-corrected running means of g and g²."""

    def __init__(self, params: Any, lr: float = 0.001, *,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        """betas in [0, 1), eps > 0; weight decay adds weight_decay·p to each gradient."""
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (in_range(betas[0], "Adam", "betas[0]", 0.0, 1.0, high_open=True),
                      in_range(betas[1], "Adam", "betas[1]", 0.0, 1.0, high_open=True))
        self.eps = in_range(eps, "Adam", "eps", 0.0, math.inf, low_open=True, high_open=True)
        self.weight_decay = in_range(weight_decay, "Adam", "weight_decay", 0.0, math.inf,
                                     high_open=True)
        self.t = 0
        self._m = [0.0] * len(self.params)
        self._v = [0.0] * len(self.params)

    def step(self) -> None:
        """One update: m, v ← running means of g, g²; p ← p − lr·m̂ / (√v̂ + eps)."""
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1 ** self.t)
        root_correction = math.sqrt(1 - beta2 ** self.t)
        m, v, eps, decay = self._m, self._v, self.eps, self.weight_decay
        for i, p in enumerate(self.params):
            g = _gradient(p)
            if decay:
                g += decay * p.data
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            p.data -= step_size * m[i] / (math.sqrt(v[i]) / root_correction + eps)
