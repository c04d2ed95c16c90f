"""Optimisers that move parameters against their `.grad`: SGD (with momentum) and Adam.

The update rules follow PyTorch's `torch.optim.SGD` and `torch.optim.Adam` step for step,
so a model trained here and one trained there from the same start agree to rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from autograd import Value
from autograd.reals import real
from nn._util import in_range, shared_doc

__all__ = ["Optimizer", "SGD", "Adam"]


def _checked_params(params: Any, who: str) -> list[Value]:
    """`params` must be a non-empty list of distinct Values (also re-checked at every step)."""
    if not isinstance(params, list):
        raise TypeError(f"{who}: params must be a list of Values, got {type(params).__name__}")
    if not params:
        raise ValueError(f"{who}: got an empty parameter list")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{who}: params[{i}] is a {type(p).__name__}, not a Value")
    if len(set(params)) != len(params):
        raise ValueError(f"{who}: a parameter appears more than once in params")
    return params


def _floats(params: list[Value], who: str, field: str) -> list[float]:
    """Every parameter's `.grad` or `.data` as a float (a Value .grad after create_graph).

    TypeError for something that is not a number, OverflowError (naming the parameter)
    for an integer too large for a float.
    """
    get = attrgetter(field)
    found = list(map(get, params))
    if all(type(x) is float for x in found):  # the usual case, checked first: every step
        return found
    found = []
    for i, p in enumerate(params):
        x = get(p)
        if type(x) is float:
            found.append(x)
            continue
        if field == "grad" and isinstance(x, Value):
            x = x.data
        try:
            found.append(real(x, f"{who}.step", f"the .{field} of params[{i}]{_name(p)}",
                              finite=False))
        except (TypeError, OverflowError) as error:
            raise type(error)(f"{error}; no parameter was changed") from None
    return found


def _name(p: Value) -> str:
    return f" ({p.label})" if p.label else ""


def _all_finite(*lists: list[float]) -> bool:
    return all(all(map(math.isfinite, xs)) for xs in lists)


def _refuse_non_finite(params: list[Value], data: list[float], grads: list[float],
                       stages: list[tuple[str, list[float]]], new: list[float],
                       who: str) -> None:
    """Raise ValueError naming the first parameter whose gradient, data, intermediate (a
    momentum buffer, Adam's moments) or new value is not finite; called before any change.

    A nan or inf gradient would spread to every later step (a model of nans), and an inf
    second moment would silently freeze a parameter; here the step refuses instead.
    """
    for i, p in enumerate(params):
        g, x = grads[i], data[i]
        if not math.isfinite(g):
            raise ValueError(f"{who}.step: the gradient of params[{i}]{_name(p)} is {g!r}; "
                             "no parameter was changed (look for a log of 0, a division by "
                             "0 or an overflow in the loss)")
        if not math.isfinite(x):
            raise ValueError(f"{who}.step: params[{i}]{_name(p)} holds {x!r}, not a "
                             "finite number; no parameter was changed")
        for what, values in stages:
            if not math.isfinite(values[i]):
                raise ValueError(f"{who}.step: {what} of params[{i}]{_name(p)} overflows to "
                                 f"{values[i]!r} (data {x!r}, gradient {g!r}); no parameter "
                                 "was changed (are the gradients or weight_decay too large?)")
        if not math.isfinite(new[i]):
            raise ValueError(f"{who}.step: params[{i}]{_name(p)} would become {new[i]!r} (data "
                             f"{x!r}, gradient {g!r}); no parameter was changed (is the "
                             "learning rate too large?)")


_STEP = shared_doc(all_or_nothing="""All or nothing: nothing changes unless every parameter can be
updated.

Raises:
    TypeError: a parameter's `.grad` is not a number.
    ValueError: a gradient, a buffer, a parameter or an updated value is not finite
        (the message names the parameter).
    OverflowError: an integer `.grad`, `.data` or setting is too large for a float.""")
"""What every optimiser's step says: all or nothing, and what it raises."""


class Optimizer:
    """Base class: holds the parameters and the learning rate; subclasses define `step`.

    `params` is a plain list: parameters appended to it (or removed) between steps are
    taken as they are at the next step, a new one with fresh state (no momentum yet), as
    PyTorch's per-parameter state does. Every step checks the list again.

    Attributes:
        params: the parameters (`Value`s) each `step` updates from their `.grad`.
    """

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
        self.params: list[Value] = _checked_params(list(params), who)
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

    def _commit(self, params: list[Value], data: list[float], new: list[float],
                state: dict[str, Any]) -> None:
        """Write a checked step: the state (per-parameter buffers merged into new dicts,
        then swapped in) and every parameter. An interrupt part-way (KeyboardInterrupt)
        puts every parameter and buffer back, so a step never half happens."""
        old = {name: getattr(self, name) for name in state}
        try:
            for name, values in state.items():
                if isinstance(values, list):
                    values = {**old[name], **dict(zip(params, values))}
                setattr(self, name, values)
            for p, x in zip(params, new):
                p.data = x
        except BaseException:
            for name, value in old.items():
                setattr(self, name, value)
            for p, x in zip(params, data):
                p.data = x
            raise

    def _inputs(self) -> tuple[list[Value], list[float], list[float]]:
        """(params, data, grads) for a step, every one checked; nothing is changed."""
        who = type(self).__name__
        params = self.params
        # The list is checked again only when it changed since the last check.
        if type(params) is not list or tuple(params) != getattr(self, "_checked", None):
            self._checked = tuple(_checked_params(params, f"{who}.step"))
        return params, _floats(params, who, "data"), _floats(params, who, "grad")


class SGD(Optimizer):
    """Stochastic gradient descent: p ← p − lr·g, optionally with (Nesterov) momentum.

    Attributes:
        momentum: the momentum factor (0: plain SGD).
        dampening: the dampening of the momentum.
        weight_decay: the L2 coefficient added to each gradient as weight_decay·p.
        nesterov: whether the momentum is Nesterov's.
    """

    momentum: float
    dampening: float
    weight_decay: float
    nesterov: bool

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
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self._hyper_parameters("SGD")
        self._velocity: dict[Value, float] = {}

    def _hyper_parameters(self, who: str) -> tuple[float, float, float, bool]:
        """The settings, checked again at every step (they are plain, settable attributes)."""
        momentum = in_range(self.momentum, who, "momentum", 0.0, 1.0, high_open=True)
        dampening = in_range(self.dampening, who, "dampening", 0.0, 1.0)
        decay = in_range(self.weight_decay, who, "weight_decay", 0.0, math.inf,
                         high_open=True)
        if not isinstance(self.nesterov, bool):
            raise TypeError(f"{who}: nesterov must be a bool, got {self.nesterov!r}")
        if self.nesterov and (momentum == 0 or dampening != 0):
            raise ValueError(f"{who}: nesterov needs momentum > 0 and dampening = 0, got "
                             f"momentum={momentum!r}, dampening={dampening!r}")
        return momentum, dampening, decay, self.nesterov

    @_STEP
    def step(self) -> None:
        """One update: v ← μ·v + (1 − dampening)·g (v = g at first), p ← p − lr·v.

        {all_or_nothing}
        """
        mu, dampening, decay, nesterov = self._hyper_parameters("SGD.step")
        params, data, raw = self._inputs()
        lr, stages = self.lr, []
        grads = raw
        if decay:
            grads = [g + decay * x for x, g in zip(data, raw)]
            stages.append(("the gradient plus weight decay", grads))
        velocity = None
        if mu == 0:
            steps = grads
        else:
            keep, old = 1.0 - dampening, self._velocity
            velocity = [g if p not in old else mu * old[p] + keep * g
                        for p, g in zip(params, grads)]
            stages.append(("the momentum buffer", velocity))
            steps = [g + mu * v for g, v in zip(grads, velocity)] if nesterov else velocity
        new = [x - lr * s for x, s in zip(data, steps)]
        if not _all_finite(new, *(values for _, values in stages)):
            _refuse_non_finite(params, data, raw, stages, new, "SGD")
        buffers = {} if velocity is None else {"_velocity": velocity}
        self._commit(params, data, new, buffers)


class Adam(Optimizer):
    """Adam: per-parameter steps from bias-corrected running means of g and g².

    The second moment is kept as its square root r = √v, updated with `math.hypot`
    (r ← √(β₂·r² + (1 − β₂)·g²) without forming g²), so a gradient of 1e200 gives a step
    of about lr instead of v = inf silently freezing the parameter.

    Attributes:
        betas: (β₁, β₂), the decay rates of the running means of g and g².
        eps: added to √v̂ in the denominator (> 0).
        weight_decay: adds weight_decay·p to each gradient (L2, not AdamW; ≥ 0).
        t: the number of steps taken (for the bias correction).
    """

    betas: tuple[float, float]
    eps: float
    weight_decay: float
    t: int

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
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.betas = self._hyper_parameters("Adam")[0]
        self.t = 0  # steps taken; a parameter appended later counts its own
        self._m: dict[Value, float] = {}
        self._r: dict[Value, float] = {}  # √v
        self._t: dict[Value, int] = {}

    def _hyper_parameters(self, who: str) -> tuple[tuple[float, float], float, float]:
        """The settings, checked again at every step (they are plain, settable attributes)."""
        betas = self.betas
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{who}: betas must be a pair (beta1, beta2), got {betas!r}")
        betas = (in_range(betas[0], who, "betas[0]", 0.0, 1.0, high_open=True),
                 in_range(betas[1], who, "betas[1]", 0.0, 1.0, high_open=True))
        eps = in_range(self.eps, who, "eps", 0.0, math.inf, low_open=True, high_open=True)
        decay = in_range(self.weight_decay, who, "weight_decay", 0.0, math.inf,
                         high_open=True)
        return betas, eps, decay

    @_STEP
    def step(self) -> None:
        """One update: m, v ← running means of g, g²; p ← p − lr·m̂ / (√v̂ + eps).

        {all_or_nothing}
        """
        (beta1, beta2), eps, decay = self._hyper_parameters("Adam.step")
        params, data, raw = self._inputs()
        grads, stages = raw, []
        if decay:
            grads = [g + decay * x for x, g in zip(data, raw)]
            stages.append(("the gradient plus weight decay", grads))
        old_m, old_r, old_t = self._m, self._r, self._t
        ts = [old_t.get(p, 0) + 1 for p in params]
        m = [beta1 * old_m.get(p, 0.0) + (1 - beta1) * g for p, g in zip(params, grads)]
        keep, add = math.sqrt(beta2), math.sqrt(1 - beta2)
        r = [math.hypot(keep * old_r.get(p, 0.0), add * g) for p, g in zip(params, grads)]
        stages += [("the first moment m", m), ("the root second moment √v", r)]
        # m̂ / (√v̂ + eps) = m̂·c / (r + eps·c) with m̂ = m / (1 − β₁ᵗ), c = √(1 − β₂ᵗ) ≤ 1:
        # every intermediate stays within the gradients' range, and lr multiplies last.
        lr, corrections = self.lr, {t: (1 - beta1 ** t, math.sqrt(1 - beta2 ** t))
                                    for t in set(ts)}
        new = []
        for x, mi, ri, t in zip(data, m, r, ts):
            b, c = corrections[t]
            new.append(x - lr * (mi / b * c / (ri + eps * c)))
        if not _all_finite(new, *(values for _, values in stages)):
            _refuse_non_finite(params, data, raw, stages, new, "Adam")
        self._commit(params, data, new, {"_m": m, "_r": r, "_t": ts, "t": self.t + 1})
