"""nn modules: construction, names, micrograd compatibility, one node per neuron, errors."""

import math
import pkgutil
import random
import tracemalloc

import pytest

import autograd
import nn
from autograd import Value


def seed_network(seed=0):
    return nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=seed)


def test_all_matches_exports():
    public = {name for name in vars(nn) if not name.startswith("_")}
    modules = {info.name for info in pkgutil.iter_modules(nn.__path__)}  # once imported
    assert set(nn.__all__) == public - (modules - {"matrix"})
    for name in nn.__all__:
        assert hasattr(nn, name)


def test_seed_network_shape_and_activations():
    model = seed_network()
    assert [len(layer.neurons) for layer in model.layers] == [3, 2, 2]
    assert [len(layer.neurons[0].w) for layer in model.layers] == [2, 3, 2]
    assert all(n.activation == "sigmoid" for layer in model.layers for n in layer.neurons)
    assert len(model.parameters()) == 3 * 3 + 2 * 4 + 2 * 3
    out = model([0.05, 0.10])
    assert isinstance(out, list) and len(out) == 2
    assert all(0 < o.data < 1 for o in out)
    assert out[0]._op == "sigmoid"


def test_named_parameters_paths_and_order():
    model = seed_network()
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b"]
    assert "layers.0.neurons.1.w.0" in names and "layers.0.neurons.1.b" in names
    assert names[-1] == "layers.2.neurons.1.b"
    assert len(names) == len(set(names)) == 23
    # parameters() follows micrograd's order: per layer, per neuron, w then b
    expected = [p for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    assert model.parameters() == expected
    assert [p for _, p in model.named_parameters()] == expected


def test_nodes_carry_the_seed_names():
    model = seed_network()
    z, a = model.trace([0.05, 0.10])
    assert [v.label for v in a[0]] == ["a_{0,0}", "a_{0,1}"]
    assert [v.label for v in z[1]] == ["z_{1,0}", "z_{1,1}", "z_{1,2}"]
    assert [v.label for v in a[3]] == ["a_{3,0}", "a_{3,1}"]
    neuron = model.layers[1].neurons[1]
    assert [w.label for w in neuron.w] == ["w_{2,1,0}", "w_{2,1,1}", "w_{2,1,2}"]
    assert neuron.b.label == "b_{2,1}"
    assert z[0] == []


def test_pre_activation_is_one_dot_node():
    model = seed_network()
    z, a = model.trace([0.05, 0.10])
    z10 = z[1][0]
    assert z10._op == "Σ"
    neuron = model.layers[0].neurons[0]
    assert list(z10._prev) == neuron.w + a[0] + [neuron.b]
    assert a[1][0]._prev == (z10,)
    # whole graph: 2 inputs + 23 parameters + one z and one a per neuron
    out = model([0.05, 0.10])
    nodes = autograd.topological_order(autograd.sum(out))
    assert len(nodes) == 2 + 23 + 2 * 7 + 1


def test_inputs_are_wrapped_once_and_shared():
    model = nn.MLP(3, [4, 1])
    z, _ = model.trace([1.0, 2.0, 3.0])
    first = z[1][0]._prev[3:6]
    for zj in z[1][1:]:
        assert zj._prev[3:6] == first  # the same a_{0,k} nodes, not per-neuron constants
    assert all(v._op == "" for v in first)


def test_trace_matches_call():
    model = seed_network(3)
    z, a = model.trace([0.3, -0.7])
    assert [v.data for v in a[-1]] == [v.data for v in model([0.3, -0.7])]


def test_values_as_inputs_receive_gradients():
    model = nn.MLP(2, [3, 1], seed=1)
    x = [Value(0.5), Value(-1.5)]
    out = model(x)
    assert isinstance(out, Value)
    out.backward()
    assert any(v.grad != 0 for v in x)
    assert x[0].label == ""  # a user's Values are not relabelled


def test_accepts_tuples_generators_and_numpy():
    np = pytest.importorskip("numpy")
    model = nn.MLP(2, [2, 1], seed=0)
    expected = model([0.25, 0.5]).data
    assert model((0.25, 0.5)).data == expected
    assert model(v for v in [0.25, 0.5]).data == expected
    assert model(np.array([0.25, 0.5])).data == expected


def test_micrograd_signatures_and_defaults():
    neuron = nn.Neuron(3)
    assert neuron.nonlin and neuron.activation == "relu" and neuron.b.data == 0.0
    assert all(-1 <= w.data <= 1 for w in neuron.w)
    assert nn.Neuron(3, nonlin=False).activation == "linear"
    assert nn.Neuron(3, False).activation == "linear"
    layer = nn.Layer(2, 3, nonlin=False)
    assert all(n.activation == "linear" for n in layer.neurons)
    model = nn.MLP(2, [16, 16, 1])
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert isinstance(model([1.0, 2.0]), Value)
    assert isinstance(nn.Layer(2, 1)([1.0, 2.0]), Value)
    assert isinstance(nn.Layer(2, 2)([1.0, 2.0]), list)
    assert isinstance(neuron([1, 2, 3]), Value)


@pytest.mark.oracle("micrograd")
def test_same_weights_as_micrograd_under_the_global_seed():
    import micrograd.nn as micrograd_nn
    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    x = [0.7, -0.4]
    assert ours(x).data == pytest.approx(theirs(x).data, rel=1e-12)


def test_single_hidden_neuron_layers_chain():
    model = nn.MLP(2, [1, 3, 1], seed=0)  # micrograd would pass a bare Value to layer 2
    assert isinstance(model([1.0, -1.0]), Value)
    assert isinstance(nn.MLP(1, [1, 2], seed=0)([0.5]), list)


def test_seed_and_rng_reproducible():
    first = [p.data for p in seed_network(7).parameters()]
    assert first == [p.data for p in seed_network(7).parameters()]
    assert first != [p.data for p in seed_network(8).parameters()]
    rng = random.Random(7)
    via_rng = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", rng=rng)
    assert [p.data for p in via_rng.parameters()] == first
    # one source for the whole layer: neurons differ
    layer = nn.Layer(2, 3, seed=0)
    assert len({tuple(w.data for w in n.w) for n in layer.neurons}) == 3
    # the global generator (micrograd's way) is used when neither is given
    random.seed(5)
    a = [p.data for p in nn.MLP(2, [2]).parameters()]
    random.seed(5)
    assert a == [p.data for p in nn.MLP(2, [2]).parameters()]


@pytest.mark.parametrize("init, bound", [("uniform", 1.0), ("lecun", (3 / 50) ** 0.5),
                                         ("he", (6 / 50) ** 0.5)])
def test_inits_bound_the_weights(init, bound):
    neuron = nn.Neuron(50, init=init, seed=0)
    weights = [w.data for w in neuron.w]
    assert max(abs(w) for w in weights) <= bound
    assert max(abs(w) for w in weights) > bound / 2
    assert neuron.b.data == 0.0


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", lambda z: z.sigmoid()), ("tanh", lambda z: z.tanh()),
    ("relu", lambda z: z.relu()), ("linear", lambda z: z),
])
def test_activations(name, expected):
    neuron = nn.Neuron(2, activation=name, seed=4)
    neuron.b.data = -0.1
    x = [0.3, -0.8]
    z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
    assert neuron(x).data == pytest.approx(expected(Value(z)).data, rel=1e-15, abs=1e-300)
    assert neuron.nonlin == (name != "linear")


def test_linear_activation_adds_no_node():
    neuron = nn.Neuron(2, activation="linear", seed=0)
    out = neuron([1.0, 2.0])
    assert out._op == "Σ" and out.label == "z_{1,0}"


def test_zero_grad():
    model = seed_network()
    autograd.sum(model([0.1, 0.2])).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_custom_module_is_walked_without_duplicates():
    class Net(nn.Module):
        def __init__(self):
            self.encoder = nn.Layer(2, 2, seed=0)
            self.scale = Value(2.0)
            self.table = {"tied": self.scale, "extra": [Value(1.0)]}
            self._cache = Value(9.0)  # private: not a parameter
            self.me = self  # a cycle must not loop forever

    names = [name for name, _ in Net().named_parameters()]
    assert names == ["encoder.neurons.0.w.0", "encoder.neurons.0.w.1", "encoder.neurons.0.b",
                     "encoder.neurons.1.w.0", "encoder.neurons.1.w.1", "encoder.neurons.1.b",
                     "scale", "table.extra.0"]


def test_deep_model_has_no_recursion_limit():
    model = nn.MLP(1, [1] * 1500, activation="linear", seed=0)
    assert len(model.named_parameters()) == 3000
    for layer in model.layers:
        layer.neurons[0].w[0].data = 1.0
    out = model([2.0])
    out.backward()
    assert out.data == 2.0
    assert model.layers[0].neurons[0].w[0].grad == 2.0  # ∂out/∂w₁ = a₀ = 2
    assert all(layer.neurons[0].b.grad == 1.0 for layer in model.layers)


def test_reprs():
    assert repr(seed_network()) == ("MLP(2, [3, 2, 2], activation='sigmoid', "
                                    "output_activation='sigmoid')")
    assert repr(nn.Layer(2, 3)) == "Layer(2, 3, activation='relu')"
    assert repr(nn.Neuron(4, nonlin=False)) == "Neuron(4, activation='linear')"


@pytest.mark.parametrize("make, message", [
    (lambda: nn.MLP(2, [3], activation="softplus"), "unknown activation 'softplus'"),
    (lambda: nn.MLP(2, [3], output_activation="Sigmoid"), "output_activation 'Sigmoid'"),
    (lambda: nn.Neuron(2, activation="gelu"), "Neuron: unknown activation"),
    (lambda: nn.Neuron(0), "nin must be ≥ 1"),
    (lambda: nn.Layer(2, 0), "nout must be ≥ 1"),
    (lambda: nn.MLP(2, []), "at least one layer"),
    (lambda: nn.MLP(2, [3, -1]), r"nouts\[1\] must be ≥ 1"),
    (lambda: nn.MLP(2, [3], seed=1, rng=random.Random(1)), "seed or rng, not both"),
    (lambda: nn.Neuron(2, init="xavier"), "unknown init 'xavier'"),
    (lambda: nn.MLP(2, [3], init="he_normal"), "MLP: unknown init 'he_normal'"),
    (lambda: nn.Neuron(2, index=(1,)), "index must be a"),
])
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make", [
    lambda: nn.Neuron(2.0), lambda: nn.Neuron(True), lambda: nn.MLP(2, 3),
    lambda: nn.MLP(2, [3], rng=object()), lambda: nn.MLP(2, [3], seed=1.5),
])
def test_bad_argument_types_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_wrong_input_length_is_a_value_error():
    model = seed_network()
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Layer: expected 3 inputs, got 2"):
        model.layers[1]([1.0, 2.0])
    with pytest.raises(ValueError, match="Neuron: expected 2 inputs, got 1"):
        model.layers[0].neurons[0]([1.0])
    with pytest.raises(ValueError, match="MLP.trace: expected 2 inputs"):
        model.trace([])


@pytest.mark.parametrize("x", [1.0, "ab", Value(1.0), None])
def test_non_sequence_input_is_a_type_error(x):
    with pytest.raises(TypeError, match="MLP: expected a sequence of 2"):
        seed_network()(x)


def test_non_number_input_is_a_type_error():
    with pytest.raises(TypeError, match="Value"):
        seed_network()([1.0, "x"])


# ---- bad inputs and arguments: errors name the module and the value -----------------------------
NAN, INF = math.nan, math.inf


def _model():
    return nn.MLP(2, [3, 1], seed=0)


@pytest.mark.parametrize("x, error, match", [
    ([NAN, 1.0], ValueError, "MLP: input 0 must be finite, got nan"),
    ([1.0, -INF], ValueError, "MLP: input 1 must be finite, got -inf"),
    ([Value(NAN), 1.0], ValueError, "MLP: input 0 must be finite, got nan"),
    (["a", 1.0], TypeError,
     "MLP: input 0 must be a real number, got str 'a'; an input is a number or a Value"),
    ([1.0, None], TypeError, "MLP: input 1 must be a real number, got NoneType None"),
    ([10**400, 1.0], OverflowError,
     "MLP: input 0 is an integer of about 401 digits, too large for a float"),
    (Value(1.0), TypeError, "MLP: expected a sequence of 2 numbers or Values, got Value"),
    ([1.0], ValueError, "MLP: expected 2 inputs, got 1"),
])
def test_mlp_rejects_bad_inputs(x, error, match):
    with pytest.raises(error, match=match):
        _model()(x)


@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.Neuron(2, nonlin="yes"), TypeError, "Neuron: nonlin must be True or False, "
                                                    "got 'yes'"),
    (lambda: nn.Layer(2, 2, foo=1), TypeError, "Layer: unknown keyword argument 'foo'"),
    (lambda: nn.MLP(2, [3, 0]), ValueError, r"MLP: nouts\[1\] must be ≥ 1, got 0"),
    (lambda: nn.MLP(2, None), TypeError, "MLP: nouts must be a list of layer sizes, got None"),
])
def test_module_constructors_reject_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


# ---- network size --------------------------------------------------------------------------
@pytest.mark.parametrize("make, who, count", [
    (lambda: nn.MLP(10**9, [1]), "MLP", "1,000,000,001"),
    (lambda: nn.MLP(2, [5000, 5000]), "MLP", "25,020,000"),
    (lambda: nn.Layer(10**4, 10**4), "Layer", "100,010,000"),
    (lambda: nn.Neuron(10**8), "Neuron", "100,000,001"),
])
def test_networks_over_the_limit_are_refused_before_allocating(make, who, count):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=rf"^{who}: {count} parameters is over "
                                             r"max_parameters=10,000,000 .*pass "
                                             r"max_parameters=None"):
            make()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # bytes: nothing was built


def test_the_size_limit_can_be_lifted_or_lowered():
    assert nn.MAX_PARAMETERS == 10**7
    assert len(nn.MLP(2, [3], max_parameters=9).parameters()) == 9
    with pytest.raises(ValueError, match=r"MLP: 9 parameters is over max_parameters=8"):
        nn.MLP(2, [3], max_parameters=8)
    assert len(nn.MLP(2, [3], max_parameters=None).parameters()) == 9
    assert len(nn.Layer(3, 2, max_parameters=None).parameters()) == 8
    with pytest.raises(ValueError, match="max_parameters must be ≥ 1, got 0"):
        nn.Neuron(2, max_parameters=0)
    with pytest.raises(TypeError, match="max_parameters must be an int"):
        nn.MLP(2, [3], max_parameters=1e9)

