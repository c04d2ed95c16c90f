"""Hypothesis strategies for `nn` models: `mlps()` (small MLPs with data and targets).

Needs hypothesis (`pip install 'seedgrad[testing]'`). It lives on `nn`'s side because
`autograd` never imports `nn`; the engine's own strategies are in `autograd.testing`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError("nn.testing needs hypothesis: pip install 'seedgrad[testing]'") from error

import nn
from autograd import Value
from autograd import activations as table
from autograd import sum as value_sum
from autograd.testing import values
from autograd.testing.checks import check_bounds, check_choice, check_int, check_sizes

__all__ = ["ACTIVATIONS", "MLPCase", "mlps"]

ACTIVATIONS = nn.ACTIVATIONS
"""`nn.ACTIVATIONS`, in the order of `autograd.activations`' table (hypothesis shrinks
towards the first)."""


# ---- mlps() ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MLPCase:
    """An `nn.MLP` with a small data set: `inputs[n]` is sample n, `targets[n]` its target.

    Attributes:
        mlp: the network (`nn.MLP`).
        inputs: the samples, one list of `mlp.nin` floats each.
        targets: one target list per sample, as long as the last layer.
    """

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
         activations: Collection[str] | None = None, min_value: float = -2.0,
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
        activations: the hidden and output activations to draw from; None: every one in
            `autograd.activations`' table (one registered later too).
        min_value: lowest input or target value.
        max_value: highest input or target value.

    Raises:
        InvalidArgument: a size or bound is out of range, or an activation is unknown.
    """
    check_sizes("mlps", "min_inputs", min_inputs, "max_inputs", max_inputs, 1)
    check_sizes("mlps", "min_layers", min_layers, "max_layers", max_layers, 1)
    check_int("mlps", "max_width", max_width, 1)
    check_sizes("mlps", "min_samples", min_samples, "max_samples", max_samples, 1)
    check_bounds("mlps", min_value, max_value)
    known = table.names()
    activations = check_choice("mlps", "activations", known if activations is None
                               else activations, known)
    return _mlp_case(min_inputs, max_inputs, min_layers, max_layers, max_width, min_samples,
                     max_samples, activations, float(min_value), float(max_value))
