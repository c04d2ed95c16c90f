"""The seed's network built from `Value`s: modules, losses, optimisers, toy data, state.

`nn.MLP(2, [3, 2, 2], activation='sigmoid', output_activation='sigmoid')` is the seed's
2→3→2→2 network; `nn.matrix` holds the seed's matrix formulas in plain Python to check it.
micrograd's `Neuron`, `Layer` and `MLP` signatures keep working.
"""

from nn import (
    _clash,  # noqa: F401 (first: `autograd` must be seedgrad's, else a clear ImportError)
    matrix,
    torch_bridge,  # noqa: F401,E402 (gives MLP to_torch/from_torch; torch loads on use)
)
from nn.data import make_circles, make_moons, make_spirals, make_xor, seed_example
from nn.losses import (
    bce_with_logits,
    hinge,
    l2_penalty,
    mse,
    seed_cost,
    seed_loss,
    softmax,
    softmax_cross_entropy,
)
from nn.module import ACTIVATIONS, INITS, MAX_PARAMETERS, MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, Optimizer

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MAX_PARAMETERS",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "seed_cost",
    "seed_loss",
    "mse",
    "hinge",
    "bce_with_logits",
    "softmax_cross_entropy",
    "softmax",
    "l2_penalty",
    "Optimizer",
    "SGD",
    "Adam",
    "make_moons",
    "make_circles",
    "make_xor",
    "make_spirals",
    "seed_example",
    "matrix",
]
