"""Hypothesis strategies for `nn` models: `mlps()` (small MLPs with data and targets).

Needs hypothesis (`pip install 'seedgrad[testing]'`). It lives on `nn`'s side because
`autograd` never imports `nn`; the engine's own strategies are in `autograd.testing`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError("nn.testing needs hypothesis: pip install 'seedgrad[testing]'") from error

import nn
from autograd import Value
from autograd import sum as value_sum
from autograd.testing import values

__all__ = ["ACTIVATIONS", "MLPCase", "mlps"]

ACTIVATIONS = ("relu", "sigmoid", "tanh", "linear")


def _check_bounds(where: str, min_value: Any, max_value: Any) -> None:
    for name, x in (("min_value", min_value), ("max_value", max_value)):
        if not isinstance(x, numbers.Real) or isinstance(x, bool) or not math.isfinite(x):
            raise InvalidArgument(f"{where}: {name} must be a finite real number, got {x!r}")
    if min_value > max_value:
        raise InvalidArgument(f"{where}: min_value={min_value!r} > max_value={max_value!r}")


def _check_int(where: str, name: str, x: Any, least: int) -> None:
    if not isinstance(x, int) or isinstance(x, bool) or x < least:
        raise InvalidArgument(f"{where}: {name} must be an int ≥ {least}, got {x!r}")


def _check_sizes(where: str, low: str, min_size: Any, high: str, max_size: Any,
                 least: int) -> None:
    _check_int(where, low, min_size, least)
    _check_int(where, high, max_size, least)
    if min_size > max_size:
        raise InvalidArgument(f"{where}: {low}={min_size!r} > {high}={max_size!r}")


def _check_choice(where: str, name: str, chosen: Any, known: Sequence[str]) -> tuple[str, ...]:
    if isinstance(chosen, str) or not isinstance(chosen, Collection) or not chosen:
        raise InvalidArgument(f"{where}: {name} must be a non-empty collection of names "
                              f"from {known}, got {chosen!r}")
    unknown = [x for x in chosen if x not in known]
    if unknown:
        raise InvalidArgument(f"{where}: unknown {name} {unknown!r}; choose from {known}")
    return tuple(x for x in known if x in chosen)


# ---- mlps() ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MLPCase:
    """An `nn.MLP` with a small data set: `inputs[n]` is sample n, `targets[n]` its target."""

    mlp: Any
    inputs: list[list[float]]
    targets: list[list[float]]

    def outputs(self, x: Sequence[Any]) -> list[Value]:
        """The MLP's outputs for one sample, always as a list."""
        out = self.mlp(x)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def loss(self) -> Value:
        """The seed's L = Σₙ ½‖yₙ − oₙ‖² over every sample (a sum, not a mean)."""
        terms = []
        for x, y in zip(self.inputs, self.targets):
            terms += [0.5 * (o - t) ** 2 for o, t in zip(self.outputs(x), y)]
        return value_sum(terms)


@st.composite
def _mlp_case(draw: st.DrawFn, min_inputs: int, max_inputs: int, min_layers: int,
              max_layers: int, max_width: int, min_samples: int, max_samples: int,
              activations: tuple[str, ...], min_value: float, max_value: float) -> MLPCase:
    nin = draw(st.integers(min_inputs, max_inputs))
    nouts = draw(st.lists(st.integers(1, max_width), min_size=min_layers, max_size=max_layers))
    mlp = nn.MLP(nin, nouts, activation=draw(st.sampled_from(activations)),
                 output_activation=draw(st.sampled_from(activations)), seed=0)
    for p in mlp.parameters():  # hypothesis draws (and shrinks) every weight and bias
        p.data = draw(values(min_value=-1.0, max_value=1.0))
    count = draw(st.integers(min_samples, max_samples))
    data = values(min_value=min_value, max_value=max_value)
    inputs = [draw(st.lists(data, min_size=nin, max_size=nin)) for _ in range(count)]
    targets = [draw(st.lists(data, min_size=nouts[-1], max_size=nouts[-1]))
               for _ in range(count)]
    return MLPCase(mlp, inputs, targets)


def mlps(*, min_inputs: int = 1, max_inputs: int = 3, min_layers: int = 1,
         max_layers: int = 3, max_width: int = 4, min_samples: int = 1, max_samples: int = 3,
         activations: Collection[str] = ACTIVATIONS, min_value: float = -2.0,
         max_value: float = 2.0) -> st.SearchStrategy[MLPCase]:
    """Small `nn.MLP`s (weights and biases in [-1, 1]) with input samples and targets.

    Args:
        min_inputs: fewest network inputs (≥ 1).
        max_inputs: most network inputs.
        min_layers: fewest layers, counting the output layer (≥ 1).
        max_layers: most layers.
        max_width: most neurons in a layer (the output layer too).
        min_samples: fewest samples in the data set (≥ 1).
        max_samples: most samples.
        activations: the hidden and output activations to draw from (`ACTIVATIONS`).
        min_value: lowest input or target value.
        max_value: highest input or target value.

    Raises:
        InvalidArgument: a size or bound is out of range, or an activation is unknown.
    """
    _check_sizes("mlps", "min_inputs", min_inputs, "max_inputs", max_inputs, 1)
    _check_sizes("mlps", "min_layers", min_layers, "max_layers", max_layers, 1)
    _check_int("mlps", "max_width", max_width, 1)
    _check_sizes("mlps", "min_samples", min_samples, "max_samples", max_samples, 1)
    _check_bounds("mlps", min_value, max_value)
    activations = _check_choice("mlps", "activations", activations, ACTIVATIONS)
    return _mlp_case(min_inputs, max_inputs, min_layers, max_layers, max_width, min_samples,
                     max_samples, activations, float(min_value), float(max_value))
