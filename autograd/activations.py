"""The activation table: each activation a neuron can have, known in one place.

An entry says which op of `autograd.ops` the activation applies (None for 'linear': a = z),
its formula and derivative on plain floats (written here, apart from the engine's rules, so
the seed's matrix formulas in `nn.matrix` check the engine independently), how the seed
writes it (σ), and its `torch.nn` module. `nn`'s neurons and hypothesis strategies, the torch
bridge, `nn.matrix` and `autograd.testing.check_backprop` all read this table, in its order;
an activation added with `register` is offered by every one of them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd import ops
from autograd.engine import Value, apply
from autograd.ops import Op
from autograd.reals import _repr as shown  # bounded, never failing: one for every message

__all__ = ["Activation", "register", "unregister", "get", "names", "table"]


@dataclass(frozen=True)
class Activation:
    """One activation f, with everything its consumers need to know about it.

    Attributes:
        name: how users ask for it (`nn.MLP(..., activation=name)`).
        op: the op a neuron applies to z (its node is a = f(z)); None: a = z, no node.
        function: f on a float, written independently of the op (for `nn.matrix`).
        derivative: f′ at the pre-activation z, on floats (ReLU′(0) = 0, as the engine).
        derivative_of_output: f′ written from the output a = f(z) (σ′ = a(1 − a)), or None
            when it is not written that way; `check_backprop` recognises it applied to z.
        output_text: that formula as text, '{a}' standing for the output ('{a}(1 − {a})').
        symbol: the seed's letter for it, as in f′(z): 'σ', 'tanh', 'ReLU'.
        says: the name in a sentence ('sigmoid σ', 'linear f(z) = z').
        torch: the `torch.nn` module class name ('Sigmoid'); None when no module follows
            the `Linear` layer.
        kink: f′ jumps at z = 0 (f′(0) is a convention), so gradient checks keep away from it.
    """

    name: str
    op: Op | None
    function: Callable[[float], float]
    derivative: Callable[[float], float]
    derivative_of_output: Callable[[float], float] | None
    output_text: str | None
    symbol: str
    says: str
    torch: str | None
    kink: bool = False

    def apply_to(self) -> Callable[[Any], Any] | None:
        """The function a neuron calls on its z `Value` (`Value.sigmoid`), None for a = z."""
        if self.op is None:
            return None
        method = getattr(Value, self.op.method, None) if self.op.method else None
        return method if method is not None else _Apply(self.op)


class _Apply:
    """`apply(op, z)` for an op without a `Value` method (picklable: an Op pickles by name)."""

    __slots__ = ("op",)

    def __init__(self, op: Op):
        self.op = op

    def __call__(self, z: Any) -> Any:
        return apply(self.op, z)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Apply, (self.op,))


def _sigma(z: float) -> float:
    """σ(z) = 1 / (1 + e⁻ᶻ), without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _sigma_prime(z: float) -> float:
    s = _sigma(z)
    return s * (1 - s)


def _relu(z: float) -> float:
    return z if z > 0 else 0.0


def _step(z: float) -> float:
    return 1.0 if z > 0 else 0.0


def _identity(z: float) -> float:
    return z


def _one(z: float) -> float:
    return 1.0


_TABLE: dict[str, Activation] = {}
_LOCK = threading.Lock()


def register(activation: Activation) -> Activation:
    """Add `activation` to the table (after the others); returns it.

    Args:
        activation: the new entry; its name must be new.

    Raises:
        TypeError: `activation` is not an `Activation`.
        ValueError: its name is taken.
    """
    if not isinstance(activation, Activation):
        raise TypeError(f"register: expected an Activation, got {type(activation).__name__}")
    with _LOCK:
        if activation.name in _TABLE:
            raise ValueError(f"register: the activation {activation.name!r} exists")
        _TABLE[activation.name] = activation
    return activation


def unregister(name: str) -> Activation:
    """Remove the activation `name`; returns its entry.

    Args:
        name: the activation's name.

    Raises:
        ValueError: no activation of that name.
    """
    entry = get(name, "unregister")
    with _LOCK:
        del _TABLE[entry.name]
    return entry


def get(name: Any, who: str, what: str = "activation") -> Activation:
    """The entry for `name`, or ValueError naming `who` and listing the choices.

    Args:
        name: the activation's name, as the user gave it (anything: it is checked).
        who: the operation asking, first in the message ('MLP').
        what: the argument's name in the message ('activation', 'output_activation').

    Raises:
        ValueError: `name` is not in the table.
    """
    entry = _TABLE.get(name) if isinstance(name, str) else None
    if entry is None:
        listed = ", ".join(repr(n) for n in _TABLE)
        raise ValueError(f"{who}: unknown {what} {shown(name)}; choose one of {listed}")
    return entry


def names() -> tuple[str, ...]:
    """The activations' names, in the table's order."""
    return tuple(_TABLE)


def table() -> dict[str, Activation]:
    """A snapshot of the table: {name: Activation}, in order."""
    return dict(_TABLE)


register(Activation("sigmoid", ops.SIGMOID, _sigma, _sigma_prime, lambda a: a * (1 - a),
                    "{a}(1 − {a})", symbol="σ", says="sigmoid σ", torch="Sigmoid"))
register(Activation("tanh", ops.TANH, math.tanh, lambda z: 1 - math.tanh(z) ** 2,
                    lambda a: 1 - a * a, "1 − ({a})²", symbol="tanh", says="tanh",
                    torch="Tanh"))
register(Activation("relu", ops.RELU, _relu, _step, None, None, symbol="ReLU", says="ReLU",
                    torch="ReLU", kink=True))
register(Activation("linear", None, _identity, _one, None, None, symbol="f",
                    says="linear f(z) = z", torch=None))
