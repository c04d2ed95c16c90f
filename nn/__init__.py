"""The seed's network built from `Value`s: modules, losses, optimisers, toy data, state.

`nn.MLP(2, [3, 2, 2], activation='sigmoid', output_activation='sigmoid')` is the seed's
2→3→2→2 network; `nn.matrix` holds the seed's matrix formulas in plain Python to check it.
micrograd's `Neuron`, `Layer` and `MLP` signatures keep working.
"""

from nn import (
    _clash,  # noqa: F401 (first: `autograd` must be seedgrad's, else a clear ImportError)
    losses,
    matrix,
    torch_bridge,  # noqa: F401,E402 (gives MLP to_torch/from_torch; torch loads on use)
)
from nn.data import make_circles, make_moons, make_spirals, make_xor, seed_example
from nn.losses import *  # noqa: F403 (the losses, listed once: in nn.losses.__all__)
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
__all__ += losses.__all__  # seed_cost, seed_loss, mse, ... (listed once, in nn.losses)
