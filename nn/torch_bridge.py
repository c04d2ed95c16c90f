"""Carry an `nn.MLP` to PyTorch and back: `to_torch(mlp)` and `from_torch(seq)`.

`to_torch` builds a `torch.nn.Sequential` of `Linear` layers, each followed by the layer's
activation module (`Sigmoid`, `Tanh`, `ReLU`; none for 'linear'), holding the same weights:
row j of layer l's `weight` is neuron j's `w`, `bias[j]` its `b`. In float64 the outputs
agree with the engine's to about 1e-15. `from_torch` reads such a `Sequential` back.

torch is imported only inside these functions (`pip install 'seedgrad[torch]'`), so
`import nn` never loads it.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from autograd import activations
from autograd.extras import extra_needed
from nn.module import MAX_PARAMETERS, MLP

if TYPE_CHECKING:
    import torch

__all__ = ["to_torch", "from_torch"]


def _torch(who: str) -> Any:
    with extra_needed("torch", "torch", who):
        import torch
    return torch


def _layer_activation(mlp: MLP, i: int, who: str) -> str:
    """The one activation of layer i's neurons; ValueError if they differ."""
    names = [neuron.activation for neuron in mlp.layers[i].neurons]
    if len(set(names)) != 1:
        listing = ", ".join(f"neuron {j}: {name}" for j, name in enumerate(names))
        raise ValueError(f"{who}: layer {i} mixes activations ({listing}); a torch Linear "
                         "layer is followed by one activation, so every neuron of a layer "
                         "must use the same")
    return names[0]


def to_torch(mlp: MLP, *, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
    """An equivalent `torch.nn.Sequential`: Linear + activation per layer, same weights.

    Draws nothing from torch's random generator (the layers are built uninitialised, then
    filled), and shares no storage with the model: training one does not change the other.

    Args:
        mlp: an `nn.MLP` (its layers as built or changed, as long as sizes still chain).
        dtype: a floating-point torch dtype for the parameters; default `torch.float64`, in
            which the outputs equal the engine's to rounding.

    Returns:
        `torch.nn.Sequential(Linear(nin, n1), Act1, Linear(n1, n2), Act2, ...)`, with no
        module after a 'linear' layer.

    Raises:
        ImportError: naming the `torch` extra, when torch is not installed.
        TypeError: if `mlp` is not an `nn.MLP` or `dtype` is not a floating-point dtype.
        ValueError: if a layer's neurons have different activations, or a neuron's number
            of weights does not match its layer's inputs.
    """
    who = "to_torch"
    torch = _torch(f"nn.{who}")
    if not isinstance(mlp, MLP):
        raise TypeError(f"{who}: expected an nn.MLP, got {type(mlp).__name__} {mlp!r}")
    if dtype is None:
        dtype = torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"{who}: dtype must be a floating-point torch dtype, got {dtype!r}")
    modules: list[Any] = []
    nin = mlp.nin
    for i, layer in enumerate(mlp.layers):
        activation = _layer_activation(mlp, i, who)
        for j, neuron in enumerate(layer.neurons):
            if len(neuron.w) != nin:
                raise ValueError(f"{who}: layer {i} neuron {j} has {len(neuron.w)} weights, "
                                 f"but the layer receives {nin} inputs")
        nout = len(layer.neurons)
        linear = torch.nn.utils.skip_init(torch.nn.Linear, nin, nout, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons],
                                           dtype=torch.float64))
        modules.append(linear)
        module = activations.get(activation, who).torch  # None: no module after the Linear
        if module is not None:
            modules.append(getattr(torch.nn, module)())
        nin = nout
    return torch.nn.Sequential(*modules)


def from_torch(seq: Any, *, max_parameters: int | None = MAX_PARAMETERS) -> MLP:
    """An `nn.MLP` with the weights and activations of a `torch.nn.Sequential`.

    The `Sequential` must be `Linear` layers, each optionally followed by one `Sigmoid`,
    `Tanh` or `ReLU` (the `torch` modules of `autograd.activations`; no module: 'linear');
    `Identity` modules are skipped. Hidden layers
    must share one activation (an `nn.MLP` has one `activation` for all of them); the last
    layer's becomes `output_activation`. A `Linear` without bias gets biases of 0. Weights
    are read as Python floats (a float32 model's values exactly).

    Args:
        seq: a `torch.nn.Sequential` such as `to_torch` returns.
        max_parameters: refuse larger networks, as `nn.MLP` (None: no limit).

    Returns:
        A new `nn.MLP`; nothing is shared with `seq`, and no random numbers are drawn from
        Python's global generator.

    Raises:
        ImportError: naming the `torch` extra, when torch is not installed.
        TypeError: if `seq` is not a `torch.nn.Sequential`, holds a module other than
            those above, or a `Linear` with complex (or other non-real) parameters (the
            message names its position and type).
        ValueError: if `seq` has no `Linear`, starts with an activation, has two activations
            in a row, has layers whose sizes do not chain, hidden layers with different
            activations, or non-finite weights.
    """
    who = "from_torch"
    torch = _torch(f"nn.MLP.{who}")
    if not isinstance(seq, torch.nn.Sequential):
        raise TypeError(f"{who}: expected a torch.nn.Sequential, got {type(seq).__name__}")
    layers = _layers(seq, torch, who)
    hidden = sorted({name for _, name in layers[:-1]})
    if len(hidden) > 1:
        raise ValueError(f"{who}: the hidden layers use different activations "
                         f"({', '.join(hidden)}); an nn.MLP has one for all hidden layers")
    output = layers[-1][1]
    mlp = MLP(layers[0][0].in_features, [linear.out_features for linear, _ in layers],
              activation=hidden[0] if hidden else output, output_activation=output,
              rng=random.Random(0),  # weights are overwritten below
              max_parameters=max_parameters)
    for i, ((linear, _), layer) in enumerate(zip(layers, mlp.layers)):
        _copy_weights(linear, layer, torch, f"{who}: Linear layer {i}")
    return mlp


def _layers(seq: Any, torch: Any, who: str) -> list[tuple[Any, str]]:
    """(Linear, activation name) per layer of `seq`, its sizes checked to chain."""
    entries = list(activations.table().values())
    by_module = {getattr(torch.nn, e.torch): e.name for e in entries if e.torch is not None}
    bare = next(e.name for e in entries if e.torch is None)  # a Linear with no module after
    layers: list[tuple[Any, str]] = []
    for position, module in enumerate(seq):
        kind = type(module)
        if isinstance(module, torch.nn.Identity):
            continue
        if kind is torch.nn.Linear:
            _check_real(module, f"{who}: module {position} (Linear)")
            layers.append((module, bare))
        elif kind in by_module:
            if not layers:
                raise ValueError(f"{who}: module {position} ({kind.__name__}) comes before any "
                                 "Linear layer")
            if layers[-1][1] != bare:
                raise ValueError(f"{who}: module {position} ({kind.__name__}) follows another "
                                 f"activation ({layers[-1][1]}); one per Linear layer")
            layers[-1] = (layers[-1][0], by_module[kind])
        else:
            supported = ", ".join(["Linear", *(cls.__name__ for cls in by_module)])
            raise TypeError(f"{who}: module {position} is a {kind.__name__}; supported are "
                            f"{supported} and Identity")
    if not layers:
        raise ValueError(f"{who}: the Sequential has no Linear layer")
    for i, ((before, _), (after, _)) in enumerate(zip(layers, layers[1:])):
        if after.in_features != before.out_features:
            raise ValueError(f"{who}: Linear layer {i + 1} takes {after.in_features} inputs "
                             f"but layer {i} gives {before.out_features}")
    return layers


def _check_real(linear: Any, where: str) -> None:
    """Refuse a Linear with complex (or other non-real) parameters."""
    for what, tensor in (("weight", linear.weight), ("bias", linear.bias)):
        if tensor is not None and not tensor.dtype.is_floating_point:
            raise TypeError(f"{where} has a {tensor.dtype} {what}; an nn.MLP holds real "
                            "numbers, so the imaginary parts would be lost (convert the model "
                            "to a real floating-point dtype first)")


def _copy_weights(linear: Any, layer: Any, torch: Any, where: str) -> None:
    """Set the neurons of `layer` from a Linear's rows (biases 0 when it has none)."""
    weight = linear.weight.detach().to("cpu", torch.float64)
    bias = None if linear.bias is None else linear.bias.detach().to("cpu", torch.float64)
    if not bool(torch.isfinite(weight).all()) or (
            bias is not None and not bool(torch.isfinite(bias).all())):
        raise ValueError(f"{where} has non-finite weights or biases")
    rows = weight.tolist()
    biases = [0.0] * len(rows) if bias is None else bias.tolist()
    for neuron, row, b in zip(layer.neurons, rows, biases):
        for w, x in zip(neuron.w, row):
            w.data = x
        neuron.b.data = b


# ---- the methods nn.MLP offers (installed here so that nn.module never imports this module)
def _to_torch_method(self: MLP, *, dtype: Any = None) -> Any:
    """An equivalent `torch.nn.Sequential` (same weights); see `nn.torch_bridge.to_torch`.

    Args:
        dtype: a floating-point torch dtype for the parameters (default torch.float64).

    Raises:
        ImportError: naming the `torch` extra, when torch is not installed.
        TypeError: `dtype` is not a floating-point torch dtype.
        ValueError: a layer's neurons have different activations or sizes.
    """
    return to_torch(self, dtype=dtype)


def _from_torch_method(cls: type[MLP], seq: Any, *,
                       max_parameters: int | None = MAX_PARAMETERS) -> MLP:
    """An `nn.MLP` from a `torch.nn.Sequential`; see `nn.torch_bridge.from_torch`.

    Args:
        seq: `Linear` layers, each optionally followed by `Sigmoid`, `Tanh` or `ReLU`.
        max_parameters: refuse larger networks, as `nn.MLP` (None: no limit).

    Raises:
        ImportError: naming the `torch` extra, when torch is not installed.
        TypeError: `seq` is not a `Sequential`, holds an unsupported module, or a
            `Linear` with complex parameters.
        ValueError: the layers' sizes do not chain, hidden activations differ, or a
            weight is not finite.
    """
    return from_torch(seq, max_parameters=max_parameters)


_to_torch_method.__name__ = _to_torch_method.__qualname__ = "to_torch"
_from_torch_method.__name__ = _from_torch_method.__qualname__ = "from_torch"
MLP.to_torch = _to_torch_method  # type: ignore[method-assign]
MLP.from_torch = classmethod(_from_torch_method)  # type: ignore[method-assign,assignment]
