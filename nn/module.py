"""Neurons, layers and MLPs made of `Value`s, named as in the seed derivation.

A neuron computes the seed's z = Σₖ wₖ·aₖ + b as ONE `autograd.dot` node and then its
activation a = f(z). Nodes carry the seed's names: weights `w_{l,j,k}` (layer l counted
from 1, neuron j, input k), biases `b_{l,j}`, pre-activations `z_{l,j}`, activations
`a_{l,j}` and inputs `a_{0,k}`. micrograd's `Neuron(nin, nonlin=True)`, `Layer(nin, nout)`
and `MLP(nin, nouts)` (ReLU hidden layers, linear output) keep working.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autograd import Role, Value, activations, dot
from autograd.reals import real
from nn import state as _state
from nn._util import choice, positive_int, random_source

__all__ = ["ACTIVATIONS", "INITS", "MAX_PARAMETERS", "Module", "Neuron", "Layer", "MLP"]

ACTIVATIONS = activations.names()
"""The activations a neuron can have ('linear': a = z, no extra node), in the order of
`autograd.activations`' table (whose entries an activation registered later joins)."""
# Weight initialisations, all uniform: U(-1, 1) as micrograd; LeCun (variance 1/nin) for
# sigmoid/tanh; He (variance 2/nin) for ReLU. Biases start at 0 in every case.
INITS = ("uniform", "lecun", "he")
"""The weight initialisations: U(-1, 1) as micrograd, LeCun (sigmoid/tanh), He (ReLU)."""

# Networks with more parameters are refused before anything is allocated (10⁹ scalar
# parameters would take ~2 minutes and ~200 GB before failing): pass max_parameters=None,
# or a larger number, to build one anyway.
MAX_PARAMETERS = 10**7
"""Default limit on a network's parameters, refused before allocating (None lifts it)."""


# ---- the base class -------------------------------------------------------------------------
class Module:
    """Base class: public attributes holding `Value`s, `Module`s or lists of them are walked."""

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted path, e.g. ("layers.0.neurons.1.w.0", w)."""
        return self._walk_parameters(named=True)

    def parameters(self) -> list[Value]:
        """Every parameter `Value`, in a fixed order (micrograd's: per neuron, w then b)."""
        return self._walk_parameters(named=False)

    def _walk_parameters(self, named: bool) -> list[Any]:
        """Depth-first on an explicit stack, in attribute order; paths built only if `named`."""
        found: list[Any] = []
        seen_values: set[Value] = set()
        seen_containers: set[int] = set()
        stack: list[tuple[str, Any]] = [("", self)]
        while stack:
            path, obj = stack.pop()
            if isinstance(obj, Value):
                if obj not in seen_values:  # a shared parameter is listed once
                    seen_values.add(obj)
                    found.append((path, obj) if named else obj)
                continue
            if id(obj) in seen_containers:
                continue
            seen_containers.add(id(obj))
            if isinstance(obj, Module):
                items: list[tuple[Any, Any]] = [
                    (k, v) for k, v in vars(obj).items() if not k.startswith("_")]
            elif isinstance(obj, Mapping):
                items = list(obj.items())
            else:
                items = list(enumerate(obj))
            children = [((f"{path}.{k}" if path else str(k)) if named else "", v)
                        for k, v in items if isinstance(v, (Value, Module, list, tuple, Mapping))]
            stack.extend(reversed(children))
        return found

    def zero_grad(self) -> None:
        """Reset every parameter's `.grad` to 0.0 (gradients accumulate across backward)."""
        for p in self.parameters():
            p.grad = 0.0

    # ---- state: plain {name: float} dicts and JSON files (nn.state) -------------------------
    def state_dict(self) -> dict[str, float]:
        """{parameter name: value}, in `named_parameters()` order."""
        return _state.state_dict(self)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from `state`; checks all of it first, changes nothing on error."""
        _state.load_state_dict(self, state)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to a JSON file atomically (temp file, then rename)."""
        _state.save(self, path)

    def load(self, path: str | os.PathLike[str], *,
             max_bytes: int | None = _state.MAX_LOAD_BYTES) -> None:
        """Read parameters saved by `save`; checks the whole file, changes nothing on error.

        Refuses files over `max_bytes` (64 MiB by default: over a million parameters;
        None for no limit) without reading more than max_bytes + 1 bytes, non-regular
        files (a FIFO, /dev/zero, a directory) without blocking on them, and JSON objects
        that give a key twice.
        """
        _state.load(self, path, max_bytes=max_bytes)


# ---- inputs ---------------------------------------------------------------------------------
def _inputs(x: Any, n: int, who: str, labels: Sequence[str],
            roles: Sequence[Role]) -> list[Value]:
    """`x` as a list of n Values; plain numbers become leaves labelled from `labels`."""
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{who}: expected a sequence of {n} numbers or Values, "
                        f"got {type(x).__name__} {x!r}")
    xs = list(x)
    if len(xs) != n:
        raise ValueError(f"{who}: expected {n} inputs, got {len(xs)}")
    for k, (v, label) in enumerate(zip(xs, labels)):
        # a nan or inf input would only surface as a nan loss: refused here, by name
        try:
            x = real(v.data if isinstance(v, Value) else v, who, f"input {k}")
        except TypeError as error:
            raise TypeError(f"{error}; an input is a number or a Value") from None
        if not isinstance(v, Value):
            v = xs[k] = Value(x, label=label)
            v.role = roles[k]
    return xs


def _check_size(count: int, max_parameters: Any, who: str) -> None:
    """Refuse a network of more than `max_parameters` parameters (None: no limit)."""
    if max_parameters is None:
        return
    limit = positive_int(max_parameters, who, "max_parameters")
    if count > limit:
        raise ValueError(f"{who}: {count:,} parameters is over max_parameters={limit:,} (each "
                         f"is a Python object of ~180 bytes); pass max_parameters=None or a "
                         f"larger number to build it anyway")


def _index(value: Any, who: str) -> tuple[int, int]:
    if (not isinstance(value, tuple) or len(value) != 2
            or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                       for i in value)):
        raise ValueError(f"{who}: index must be a (layer, neuron) pair of ints ≥ 0, "
                         f"got {value!r}")
    return value


# ---- neurons, layers, MLPs ------------------------------------------------------------------
class Neuron(Module):
    """One neuron: z = Σₖ wₖ·aₖ + b as one node, then a = f(z).

    Attributes:
        w: its weights, one `Value` per input (labels w_{l,j,k}).
        b: its bias `Value` (label b_{l,j}), 0 at the start.
        nin: the number of inputs.
        activation: f, one of `ACTIVATIONS`.
    """

    w: list[Value]
    b: Value
    nin: int
    activation: str

    def __init__(self, nin: int, nonlin: bool = True, *, activation: str | None = None,
                 seed: Any = None, rng: Any = None, init: str = "uniform",
                 index: tuple[int, int] = (1, 0), max_parameters: int | None = MAX_PARAMETERS):
        """`nin` weights; activation 'relu' if nonlin else 'linear' unless `activation` says.

        `index=(l, j)` names the nodes w_{l,j,k}, b_{l,j}, z_{l,j}, a_{l,j}; `seed` or `rng`
        makes the weights reproducible (neither: the global `random`, as micrograd). More
        than `max_parameters` parameters are refused (None: no limit).
        """
        self.nin = positive_int(nin, "Neuron", "nin")
        _check_size(self.nin + 1, max_parameters, "Neuron")
        if not isinstance(nonlin, (bool, int)):  # micrograd passes a bool; 0/1 work too
            raise TypeError(f"Neuron: nonlin must be True or False, got {nonlin!r}")
        if activation is None:
            activation = "relu" if nonlin else "linear"
        entry = activations.get(activation, "Neuron")
        self.activation = entry.name
        init = choice(init, INITS, "Neuron", "init")
        source = random_source(seed, rng, "Neuron")
        layer, j = _index(index, "Neuron")
        bound = {"uniform": 1.0, "lecun": math.sqrt(3 / nin), "he": math.sqrt(6 / nin)}[init]
        self.w = [Value(source.uniform(-bound, bound), label=f"w_{{{layer},{j},{k}}}")
                  for k in range(nin)]
        self.b = Value(0.0, label=f"b_{{{layer},{j}}}")
        # Structure travels as data: each node gets its Role (what drawings group by).
        for k, w in enumerate(self.w):
            w.role = Role("w", layer, j, k)
        self.b.role = Role("b", layer, j)
        self._z_label = f"z_{{{layer},{j}}}"
        self._a_label = f"a_{{{layer},{j}}}"
        self._z_role = Role("z", layer, j)
        self._a_role = Role("a", layer, j)
        self._input_labels = [f"a_{{{layer - 1},{k}}}" for k in range(nin)]
        self._input_roles = [Role("a", layer - 1, k) for k in range(nin)]
        self._apply = entry.apply_to()

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the activation is linear."""
        return activations.get(self.activation, "Neuron.nonlin").op is not None

    def __call__(self, x: Iterable[Any]) -> Value:
        """The neuron's activation a = f(Σₖ wₖ·xₖ + b) for `nin` numbers or Values."""
        return self._forward(_inputs(x, self.nin, "Neuron", self._input_labels,
                                     self._input_roles))

    def _pre(self, xs: list[Value]) -> Value:
        z = dot(self.w, xs, self.b, label=self._z_label)  # one Σ node
        z.role = self._z_role
        return z

    def _act(self, z: Value) -> Value:
        apply = self._apply
        if apply is None:
            return z
        a = apply(z)
        a.label = self._a_label
        a.role = self._a_role
        return a

    def _forward(self, xs: list[Value]) -> Value:
        return self._act(self._pre(xs))

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs.

    Attributes:
        neurons: its `Neuron`s, in order (neuron j of layer l is numbered j).
        nin: the number of inputs each neuron reads.
        nout: the number of neurons (outputs).
    """

    neurons: list[Neuron]
    nin: int
    nout: int

    def __init__(self, nin: int, nout: int, *, index: int = 1, seed: Any = None,
                 rng: Any = None, max_parameters: int | None = MAX_PARAMETERS, **kwargs: Any):
        """Neurons `Neuron(nin, **kwargs)`; `index` is the seed's layer number l (from 1).

        More than `max_parameters` parameters are refused (None: no limit).
        """
        self.nin = positive_int(nin, "Layer", "nin")
        self.nout = positive_int(nout, "Layer", "nout")
        _check_size((self.nin + 1) * self.nout, max_parameters, "Layer")
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"Layer: index must be an int ≥ 0, got {index!r}")
        if "index" in kwargs:
            raise TypeError("Layer: index is the layer number, neurons are numbered for you")
        unknown = sorted(set(kwargs) - {"nonlin", "activation", "init"})
        if unknown:
            raise TypeError(f"Layer: unknown keyword argument {unknown[0]!r} (the neurons take "
                            "nonlin, activation, init)")
        source = random_source(seed, rng, "Layer")  # one source for all: distinct neurons
        self.neurons = [Neuron(nin, index=(index, j), rng=source, max_parameters=None,
                               **kwargs) for j in range(nout)]
        self._input_labels = self.neurons[0]._input_labels
        self._input_roles = self.neurons[0]._input_roles

    @property
    def activation(self) -> str:
        """The activation of the layer's neurons (as built; neurons may be changed)."""
        return self.neurons[0].activation

    def __call__(self, x: Iterable[Any]) -> Value | list[Value]:
        """Every neuron on `x`: a list of Values, or one Value if the layer has one neuron."""
        out = self._forward(_inputs(x, self.nin, "Layer", self._input_labels,
                                    self._input_roles))
        return out[0] if len(out) == 1 else out

    def _forward(self, xs: list[Value]) -> list[Value]:
        return [n._forward(xs) for n in self.neurons]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: `MLP(2, [3, 2, 2])` is layers 2→3, 3→2, 2→2.

    Attributes:
        layers: its `Layer`s, first to last (the seed's layers 1, 2, ...).
        nin: the number of inputs.
        nouts: the size of each layer, as given.
        activation: the hidden layers' activation, one of `ACTIVATIONS`.
        output_activation: the last layer's activation.
    """

    layers: list[Layer]
    nin: int
    nouts: list[int]
    activation: str
    output_activation: str

    def __init__(self, nin: int, nouts: Sequence[int], *, activation: str = "relu",
                 output_activation: str = "linear", seed: Any = None, rng: Any = None,
                 init: str = "uniform", max_parameters: int | None = MAX_PARAMETERS):
        """Hidden layers use `activation`, the last layer `output_activation`.

        `MLP(2, [3, 2, 2], activation='sigmoid', output_activation='sigmoid')` is the
        seed's network; `seed` or `rng` makes the initial weights reproducible. Networks of
        more than `max_parameters` parameters (10⁷ by default) are refused before anything
        is allocated; pass None (or a larger number) to lift the limit.
        """
        self.nin = positive_int(nin, "MLP", "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Iterable):
            raise TypeError(f"MLP: nouts must be a list of layer sizes, got {nouts!r}")
        self.nouts = [positive_int(n, "MLP", f"nouts[{i}]") for i, n in enumerate(nouts)]
        if not self.nouts:
            raise ValueError("MLP: nouts must name at least one layer, got []")
        self.activation = activations.get(activation, "MLP").name
        self.output_activation = activations.get(output_activation, "MLP",
                                                 "output_activation").name
        choice(init, INITS, "MLP", "init")
        sizes = [self.nin, *self.nouts]
        _check_size(sum((a + 1) * b for a, b in zip(sizes, sizes[1:])), max_parameters, "MLP")
        source = random_source(seed, rng, "MLP")
        last = len(self.nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], index=i + 1, rng=source, init=init,
                  activation=output_activation if i == last else activation,
                  max_parameters=None)
            for i in range(len(self.nouts))
        ]
        self._input_labels = self.layers[0]._input_labels
        self._input_roles = self.layers[0]._input_roles

    def __call__(self, x: Iterable[Any]) -> Value | list[Value]:
        """The outputs for one input: a list of Values, or one Value for a single output."""
        xs = _inputs(x, self.nin, "MLP", self._input_labels, self._input_roles)  # shared
        for layer in self.layers:
            xs = layer._forward(xs)
        return xs[0] if len(xs) == 1 else xs

    def trace(self, x: Iterable[Any]) -> tuple[list[list[Value]], list[list[Value]]]:
        """(z, a) per layer for one input: z[l][j] is z_{l,j}, a[0] the inputs (z[0] = [])."""
        xs = _inputs(x, self.nin, "MLP.trace", self._input_labels, self._input_roles)
        zs: list[list[Value]] = [[]]
        outputs = [xs]
        for layer in self.layers:
            z = [n._pre(xs) for n in layer.neurons]
            xs = [n._act(zj) for n, zj in zip(layer.neurons, z)]
            zs.append(z)
            outputs.append(xs)
        return zs, outputs

    def __repr__(self) -> str:
        return (f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r})")

    if TYPE_CHECKING:  # installed by nn.torch_bridge (imported with nn; torch only on use)
        def to_torch(self, *, dtype: Any = None) -> Any: ...

        @classmethod
        def from_torch(cls, seq: Any, *, max_parameters: int | None = ...) -> MLP: ...
