"""Optimisers that move parameters against their `.grad`: SGD (with momentum) and Adam.

The update rules follow PyTorch's `torch.optim.SGD` and `torch.optim.Adam` step for step,
so a model trained here and one trained there from the same start agree to rounding.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value
from nn._util import in_range

__all__ = ["Optimizer", "SGD", "Adam"]


def _gradients(params: list[Value], who: str) -> list[float]:
    """Every parameter's `.grad` as a float (a Value after create_graph), or TypeError."""
    found = []
    for i, p in enumerate(params):
        g = p.grad
        if type(g) is float:  # the usual case, checked first: this runs every step
            found.append(g)
            continue
        if isinstance(g, Value):
            g = g.data
        if isinstance(g, bool) or not isinstance(g, (float, int, numbers.Real)):
            raise TypeError(f"{who}.step: params[{i}]{_name(p)} has a .grad that is not a "
                            f"number: {type(g).__name__} {g!r}; no parameter was changed")
        found.append(float(g))
    return found


def _name(p: Value) -> str:
    return f" ({p.label})" if p.label else ""


def _check_finite(params: list[Value], grads: list[float], new: list[float],
                  who: str) -> None:
    """Raise ValueError before any parameter changes if a gradient or a new value is not finite.

    A nan or inf gradient would spread to every later step (a model of nans); here the
    step refuses instead, naming the parameter, and leaves every parameter as it was.
    """
    if all(map(math.isfinite, new)):
        return
    for i, (p, g, x) in enumerate(zip(params, grads, new)):
        if not math.isfinite(g):
            raise ValueError(f"{who}.step: the gradient of params[{i}]{_name(p)} is {g!r}; "
                             "no parameter was changed (look for a log of 0, a division by "
                             "0 or an overflow in the loss)")
        if not math.isfinite(p.data):
            raise ValueError(f"{who}.step: params[{i}]{_name(p)} holds {p.data!r}, not a "
                             "finite number; no parameter was changed")
        if not math.isfinite(x):
            raise ValueError(f"{who}.step: params[{i}]{_name(p)} would become {x!r} (data "
                             f"{p.data!r}, gradient {g!r}); no parameter was changed (is the "
                             "learning rate too large?)")


class Optimizer:
    """Base class: holds the parameters and the learning rate; subclasses define `step`."""

    def __init__(self, params: Any, lr: float):
        """Hold the parameters to update and the learning rate.

        Args:
            params: a list of `Value`s, or a `Module` (its `parameters()` are taken).
            lr: the learning rate, a finite number > 0.

        Raises:
            TypeError: `params` is not a list of Values or a Module, or holds a non-Value;
                `lr` is not a real number.
            ValueError: `params` is empty or lists a parameter twice; `lr` is not > 0 and
                finite.
        """
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
        """Update every parameter from its current `.grad`.

        Raises:
            NotImplementedError: always, on the base class; subclasses define the update.
        """
        raise NotImplementedError(f"{type(self).__name__}.step is not defined")


class SGD(Optimizer):
    """Stochastic gradient descent: p ← p − lr·g, optionally with (Nesterov) momentum."""

    def __init__(self, params: Any, lr: float = 0.01, *, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False):
        """SGD with the settings of `torch.optim.SGD`.

        Args:
            params: a list of `Value`s, or a `Module` (its `parameters()` are taken).
            lr: the learning rate, > 0.
            momentum: μ in [0, 1); 0 is plain SGD.
            dampening: in [0, 1]; scales the new gradient's share of the velocity by 1 − it.
            weight_decay: ≥ 0; adds weight_decay·p to each gradient (L2 regularisation).
            nesterov: Nesterov momentum (needs momentum > 0 and dampening 0).

        Raises:
            TypeError: a setting is not a number (`nesterov` not a bool), or `params` is not
                a list of Values or a Module.
            ValueError: a setting is out of its range, `nesterov` without momentum or with
                dampening, or `params` is empty or repeats a parameter.
        """
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
        """One update: v ← μ·v + (1 − dampening)·g (v = g at first), p ← p − lr·v.

        All or nothing: nothing changes unless every parameter can be updated.

        Raises:
            TypeError: a parameter's `.grad` is not a number.
            ValueError: a gradient, a parameter or an updated value is not finite (the
                message names the parameter).
        """
        params = self.params
        grads = raw = _gradients(params, "SGD")
        lr, mu, decay = self.lr, self.momentum, self.weight_decay
        if decay:
            grads = [g + decay * p.data for p, g in zip(params, grads)]
        if mu == 0:
            steps, velocity = grads, None
        else:
            keep = 1.0 - self.dampening
            velocity = grads if self._velocity is None else [
                mu * v + keep * g for v, g in zip(self._velocity, grads)]
            steps = ([g + mu * v for g, v in zip(grads, velocity)] if self.nesterov
                     else velocity)
        new = [p.data - lr * s for p, s in zip(params, steps)]
        _check_finite(params, raw, new, "SGD")
        if velocity is not None:
            self._velocity = velocity
        for p, x in zip(params, new):
            p.data = x


class Adam(Optimizer):
    """Adam: per-parameter steps from bias-corrected running means of g and g²."""

    def __init__(self, params: Any, lr: float = 0.001, *,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        """Adam with the settings of `torch.optim.Adam`.

        Args:
            params: a list of `Value`s, or a `Module` (its `parameters()` are taken).
            lr: the learning rate, > 0.
            betas: (β₁, β₂), each in [0, 1): decay rates of the running means of g and g².
            eps: > 0, added to √v̂ in the denominator.
            weight_decay: ≥ 0; adds weight_decay·p to each gradient (L2, not AdamW).

        Raises:
            TypeError: a setting is not a number, or `params` is not a list of Values or a
                Module.
            ValueError: `betas` is not a pair, a setting is out of its range, or `params` is
                empty or repeats a parameter.
        """
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
        """One update: m, v ← running means of g, g²; p ← p − lr·m̂ / (√v̂ + eps).

        All or nothing: nothing changes unless every parameter can be updated.

        Raises:
            TypeError: a parameter's `.grad` is not a number.
            ValueError: a gradient, a parameter or an updated value is not finite (the
                message names the parameter).
        """
        params = self.params
        grads = raw = _gradients(params, "Adam")
        t = self.t + 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1 ** t)
        root_correction = math.sqrt(1 - beta2 ** t)
        eps, decay = self.eps, self.weight_decay
        if decay:
            grads = [g + decay * p.data for p, g in zip(params, grads)]
        m = [beta1 * mi + (1 - beta1) * g for mi, g in zip(self._m, grads)]
        v = [beta2 * vi + (1 - beta2) * g * g for vi, g in zip(self._v, grads)]
        new = [p.data - step_size * mi / (math.sqrt(vi) / root_correction + eps)
               for p, mi, vi in zip(params, m, v)]
        _check_finite(params, raw, new, "Adam")
        self.t, self._m, self._v = t, m, v
        for p, x in zip(params, new):
            p.data = x
