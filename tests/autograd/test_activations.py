"""`autograd.activations`: the one activation table. Each entry agrees with its op, its own
derivatives and its torch module; every consumer (nn's neurons, nn.matrix, the torch bridge,
nn.testing's strategies, check_backprop) gives the same numbers for every activation, in the
table's order; and an activation added to the table is picked up by all of them."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
import nn.testing
from autograd import Value, activations, ops
from autograd.activations import Activation
from autograd.testing import check_backprop
from nn import matrix

NAMES = activations.names()
POINTS = [-30.0, -3.0, -1.0, -0.25, 0.25, 0.5, 1.0, 2.5, 30.0]  # no 0: ReLU′(0) is a convention


def test_one_order_everywhere():
    assert NAMES == ("sigmoid", "tanh", "relu", "linear")
    assert nn.ACTIVATIONS == NAMES
    assert nn.testing.ACTIVATIONS is nn.ACTIVATIONS
    assert [a.name for a in activations.table().values()] == list(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("z", POINTS)
def test_an_entry_agrees_with_its_op_and_its_own_derivatives(name, z):
    entry = activations.get(name, "test")
    a = entry.function(z)
    x = Value(z)
    apply = entry.apply_to()
    out = x if apply is None else apply(x)
    if entry.op is not None:
        assert out.op == entry.op.name
        assert a == pytest.approx(entry.op.forward(z), rel=1e-15, abs=1e-300)
    assert out.data == pytest.approx(a, rel=1e-15, abs=1e-300)
    out.backward()
    assert entry.derivative(z) == pytest.approx(x.grad, rel=1e-12, abs=1e-300)
    if entry.derivative_of_output is not None:
        assert entry.derivative_of_output(a) == pytest.approx(entry.derivative(z), abs=1e-15)
        assert "{a}" in entry.output_text
    h = 1e-6  # and the derivative is the slope of the function
    slope = (entry.function(z + h) - entry.function(z - h)) / (2 * h)
    assert entry.derivative(z) == pytest.approx(slope, rel=1e-6, abs=1e-9)


@pytest.mark.oracle("torch")
@pytest.mark.parametrize("name", NAMES)
def test_an_entrys_torch_module_computes_its_function(name):
    import torch

    entry = activations.get(name, "test")
    z = torch.tensor(POINTS, dtype=torch.float64)
    module = torch.nn.Identity() if entry.torch is None else getattr(torch.nn, entry.torch)()
    assert module(z).tolist() == pytest.approx([entry.function(v) for v in POINTS], rel=1e-14)


def test_an_unknown_name_is_named_with_the_choices():
    with pytest.raises(ValueError, match="^MLP: unknown activation 'gelu'; choose one of "
                                         "'sigmoid', 'tanh', 'relu', 'linear'$"):
        activations.get("gelu", "MLP")
    with pytest.raises(ValueError, match="unknown output_activation None"):
        activations.get(None, "MLP", "output_activation")
    with pytest.raises(ValueError, match=r"unknown activation <int with a failing repr>; choose"):
        activations.get(10**5000, "MLP")
    with pytest.raises(ValueError, match=r"unknown activation \['x', 'x', .*\.\.\.; choose"):
        activations.get(["x"] * 10**4, "MLP")
    with pytest.raises(TypeError, match="expected an Activation, got str"):
        activations.register("sigmoid")
    with pytest.raises(ValueError, match="the activation 'tanh' exists"):
        activations.register(activations.get("tanh", "test"))


# ---- every consumer gives the same numbers, for every activation ------------------------------
def _engine_gradients(mlp, x, y):
    mlp.zero_grad()
    nn.seed_cost(mlp(x), y).backward()
    return matrix.model_gradients(mlp)


def _torch_gradients(mlp, x, y):
    import torch

    seq = mlp.to_torch()
    out = seq(torch.tensor(x, dtype=torch.float64))
    (0.5 * ((out - torch.tensor(y, dtype=torch.float64)) ** 2).sum()).backward()
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    return ([[]] + [m.weight.grad.tolist() for m in linears],
            [[]] + [m.bias.grad.tolist() for m in linears])


def _close(ours, theirs):
    flat = [(a, b) for layer_a, layer_b in zip(ours, theirs) for a, b in
            zip(_flat(layer_a), _flat(layer_b))]
    assert len(flat) == len(_flat(ours))
    for a, b in flat:
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def _flat(x):
    return [v for item in x for v in _flat(item)] if isinstance(x, list) else [x]


@pytest.mark.oracle("torch")
@settings(max_examples=60, deadline=None)
@given(hidden=st.sampled_from(NAMES), output=st.sampled_from(NAMES),
       sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       seed=st.integers(0, 2**16), data=st.data())
def test_nn_the_matrix_formulas_and_torch_agree_for_every_activation(hidden, output, sizes,
                                                                     seed, data):
    numbers = st.floats(-2, 2, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
    mlp = nn.MLP(2, sizes, activation=hidden, output_activation=output, seed=seed)
    x = data.draw(st.lists(numbers, min_size=2, max_size=2))
    y = data.draw(st.lists(numbers, min_size=sizes[-1], max_size=sizes[-1]))
    z, _ = mlp.trace(x)
    if any(abs(v.data) < 1e-6 for layer in z for v in layer):
        return  # ReLU′(0): each library may pick its own convention
    engine = _engine_gradients(mlp, x, y)
    trace = matrix.backprop(matrix.Network.from_model(mlp), x, y)
    _close(engine[0], trace.grad_W)
    _close(engine[1], trace.grad_b)
    torch_W, torch_b = _torch_gradients(mlp, x, y)
    _close(engine[0], torch_W)
    _close(engine[1], torch_b)


# ---- an activation added to the table reaches every consumer --------------------------------
def _softplus(z):
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _sigma(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


@pytest.fixture
def softplus():
    entry = activations.register(Activation(
        "softplus", ops.SOFTPLUS, _softplus, _sigma, None, None, symbol="softplus",
        says="softplus", torch="Softplus"))
    yield entry
    activations.unregister("softplus")
    assert "softplus" not in activations.names()


def test_a_new_activation_reaches_nn_and_the_matrix_formulas(softplus):
    assert activations.names()[-1] == "softplus"
    mlp = nn.MLP(2, [3, 1], activation="softplus", output_activation="softplus", seed=1)
    out = mlp([0.5, -1.0])
    assert out.op == "softplus" and mlp.layers[0].neurons[0].nonlin
    x, y = [0.5, -1.0], [0.3]
    engine = _engine_gradients(mlp, x, y)
    trace = matrix.backprop(matrix.Network.from_model(mlp), x, y)
    _close(engine[0], trace.grad_W)
    _close(engine[1], trace.grad_b)
    assert matrix.activate("softplus", [0.0]) == [math.log(2)]


@pytest.mark.oracle("torch")
def test_a_new_activation_reaches_the_torch_bridge(softplus):
    import torch

    mlp = nn.MLP(2, [3, 1], activation="softplus", output_activation="linear", seed=2)
    seq = mlp.to_torch()
    assert [type(m).__name__ for m in seq] == ["Linear", "Softplus", "Linear"]
    back = nn.MLP.from_torch(seq)
    assert (back.activation, back.output_activation) == ("softplus", "linear")
    assert back([0.1, 0.2]).data == pytest.approx(mlp([0.1, 0.2]).data, rel=1e-15)
    x, y = [0.1, 0.2], [1.0]
    _close(_engine_gradients(mlp, x, y)[0], _torch_gradients(mlp, x, y)[0])
    with pytest.raises(TypeError, match="supported are Linear, Sigmoid, Tanh, ReLU, Softplus "
                                        "and Identity"):
        nn.MLP.from_torch(torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.GELU()))


def test_a_new_activation_reaches_the_strategies_and_check_backprop(softplus):
    from hypothesis import find

    case = find(nn.testing.mlps(), lambda c: c.mlp.activation == "softplus")
    assert case.mlp.activation == "softplus"

    def learner(Ws, bs, x, y):  # the seed's formulas, from nn.matrix
        net = matrix.Network([[]] + Ws, [[]] + bs, [""] + ["softplus"] * len(Ws))
        trace = matrix.backprop(net, x, y)
        return trace.grad_W[1:], trace.grad_b[1:]

    check_backprop(learner, activation="softplus", max_examples=20, seed=0)

    def forgot_the_derivative(Ws, bs, x, y):
        net = matrix.Network([[]] + Ws, [[]] + bs, [""] + ["linear"] * len(Ws))
        z, a = matrix.forward(net, x)
        a = [[]] + [matrix.activate("softplus", zi) for zi in z[1:]]
        _, dW, db = matrix.backward(net, z, a, y)
        return dW[1:], db[1:]

    with pytest.raises(AssertionError, match="softplus′"):
        check_backprop(forgot_the_derivative, activation="softplus", max_examples=50, seed=0)


def test_an_activation_whose_op_has_no_value_method(custom_op):
    """A custom op (no `Value` method) is applied with `apply`; a model using it pickles."""
    import pickle

    cube = custom_op("cube", lambda x: x ** 3, lambda x: (3 * x * x,))
    activations.register(Activation("cube", ops.get("cube"), lambda z: z ** 3,
                                    lambda z: 3 * z * z, None, None, symbol="c", says="cube",
                                    torch=None))
    try:
        mlp = nn.MLP(1, [2, 1], activation="cube", output_activation="linear", seed=3)
        assert [v.op for v in mlp.trace([0.5])[1][1]] == ["cube", "cube"]
        x, y = [0.5], [0.2]
        engine = _engine_gradients(mlp, x, y)
        trace = matrix.backprop(matrix.Network.from_model(mlp), x, y)
        _close(engine[0], trace.grad_W)
        clone = pickle.loads(pickle.dumps(mlp))
        assert clone([0.5]).data == mlp([0.5]).data
        assert cube(Value(2.0)).data == 8.0
    finally:
        activations.unregister("cube")
