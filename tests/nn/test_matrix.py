"""The engine's gradients equal the seed's matrix formulas (nn.matrix), and PyTorch's."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from autograd import Value, activations
from nn import matrix

ACTIVATIONS = activations.names()
finite = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def all_close(engine, formula, rel=1e-9):
    flat_e = [v for row in engine for v in (row if isinstance(row, list) else [row])]
    flat_f = [v for row in formula for v in (row if isinstance(row, list) else [row])]
    assert len(flat_e) == len(flat_f)
    return all(close(e, f, rel) for e, f in zip(flat_e, flat_f))


@st.composite
def networks(draw, max_layers=3, max_width=4):
    """A random small MLP with random weights, biases and per-layer activations."""
    nin = draw(st.integers(1, max_width))
    nouts = draw(st.lists(st.integers(1, max_width), min_size=1, max_size=max_layers))
    hidden = draw(st.sampled_from(ACTIVATIONS))
    output = draw(st.sampled_from(ACTIVATIONS))
    model = nn.MLP(nin, nouts, activation=hidden, output_activation=output, seed=0)
    for p in model.parameters():
        p.data = draw(finite)
    return model


@st.composite
def samples(draw, model, n):
    xs = [draw(st.lists(finite, min_size=model.nin, max_size=model.nin)) for _ in range(n)]
    ys = [draw(st.lists(finite, min_size=model.nouts[-1], max_size=model.nouts[-1]))
          for _ in range(n)]
    return xs, ys


@given(st.data())
def test_one_sample_gradients_equal_the_formulas(data):
    model = data.draw(networks())
    (x,), (y,) = data.draw(samples(model, 1))
    z, a = model.trace(x)
    cost = nn.seed_cost(a[-1], y)
    cost.backward()

    trace = matrix.backprop(matrix.Network.from_model(model), x, y)
    grad_W, grad_b = matrix.model_gradients(model)
    for i in range(1, len(model.layers) + 1):
        assert all_close([v.data for v in z[i]], trace.z[i])
        assert all_close([v.data for v in a[i]], trace.a[i])
        assert all_close([v.grad for v in z[i]], trace.delta[i])  # δⁱ = ∂C/∂zⁱ
        assert all_close(grad_W[i], trace.grad_W[i])  # ∇Wⁱ = δⁱ aʰᵀ
        assert all_close(grad_b[i], trace.grad_b[i])  # ∇bⁱ = δⁱ
    assert close(cost.data, trace.cost)


@given(st.data())
def test_loss_gradient_is_the_sum_over_samples(data):
    model = data.draw(networks(max_layers=2, max_width=3))
    n = data.draw(st.integers(1, 4))
    xs, ys = data.draw(samples(model, n))
    loss = nn.seed_loss([model(x) for x in xs], ys)
    loss.backward()
    net = matrix.Network.from_model(model)
    grad_W, grad_b = matrix.loss_gradients(net, xs, ys)
    engine_W, engine_b = matrix.model_gradients(model)
    for i in range(1, net.depth + 1):
        assert all_close(engine_W[i], grad_W[i])
        assert all_close(engine_b[i], grad_b[i])
    assert close(loss.data, math.fsum(matrix.backprop(net, x, y).cost for x, y in zip(xs, ys)))


def test_seed_fan_out_sum():
    """∂C/∂a₁₀ = ∂C/∂z₂₀·w₂,₀,₀ + ∂C/∂z₂₁·w₂,₁,₀ (the seed's two downstream paths)."""
    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=2)
    z, a = model.trace([0.05, 0.10])
    nn.seed_cost(a[-1], [0.01, 0.99]).backward()
    second = model.layers[1].neurons
    expected = z[2][0].grad * second[0].w[0].data + z[2][1].grad * second[1].w[0].data
    assert a[1][0].grad == pytest.approx(expected, rel=1e-15)


def test_formulas_by_hand_for_one_sigmoid_neuron():
    net = matrix.Network([[], [[0.5, -1.0]]], [[], [0.25]], ["", "sigmoid"])
    trace = matrix.backprop(net, [2.0, 1.0], [1.0])
    z = 0.5 * 2.0 - 1.0 * 1.0 + 0.25
    o = 1 / (1 + math.exp(-z))
    delta = (o - 1.0) * o * (1 - o)
    assert trace.z[1] == [z]
    assert trace.a[1] == [pytest.approx(o, rel=1e-15)]
    assert trace.delta[1] == [pytest.approx(delta, rel=1e-14)]
    assert trace.grad_W[1] == [[pytest.approx(2 * delta), pytest.approx(delta)]]
    assert trace.grad_b[1] == [pytest.approx(delta)]
    assert trace.cost == pytest.approx(0.5 * (1 - o) ** 2)


def test_linear_algebra_helpers():
    W = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert matrix.transpose(W) == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert matrix.matvec(W, [1.0, 0.0, -1.0]) == [-2.0, -2.0]
    assert matrix.outer([1.0, 2.0], [3.0, 4.0]) == [[3.0, 4.0], [6.0, 8.0]]
    assert matrix.hadamard([1.0, 2.0], [3.0, 4.0]) == [3.0, 8.0]
    assert matrix.sigma(0.0) == 0.5 and matrix.sigma_prime(0.0) == 0.25
    assert matrix.sigma(-1000.0) == 0.0 and matrix.sigma(1000.0) == 1.0
    assert matrix.derivative("relu", [-1.0, 0.0, 2.0]) == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="matvec"):
        matrix.matvec(W, [1.0])
    with pytest.raises(ValueError, match="hadamard"):
        matrix.hadamard([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        matrix.activate("gelu", [0.0])


def test_network_rejects_bad_shapes():
    with pytest.raises(ValueError, match="W\\[2\\] has 3 columns but layer 1 has 2"):
        matrix.Network([[], [[1.0], [1.0]], [[1.0, 1.0, 1.0]]], [[], [0.0, 0.0], [0.0]],
                       ["", "tanh", "tanh"])
    with pytest.raises(ValueError, match="b\\[1\\] has 1 entries for 2 neurons"):
        matrix.Network([[], [[1.0], [1.0]]], [[], [0.0]], ["", "tanh"])
    with pytest.raises(ValueError, match="index 0"):
        matrix.Network([[[1.0]]], [[0.0]], ["tanh"])
    net = matrix.Network([[], [[1.0, 2.0]]], [[], [0.0]], ["", "linear"])
    with pytest.raises(ValueError, match="takes 2 inputs, got 1"):
        matrix.forward(net, [1.0])
    with pytest.raises(ValueError, match="1 outputs, got 2 targets"):
        matrix.backprop(net, [1.0, 1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="expected an nn.MLP or nn.Layer"):
        matrix.Network.from_model(nn.Neuron(2))


def test_network_from_a_layer():
    layer = nn.Layer(2, 3, activation="tanh", seed=1)
    net = matrix.Network.from_model(layer)
    assert net.depth == 1 and net.activation == ["", "tanh"]
    assert net.W[1] == [[w.data for w in n.w] for n in layer.neurons]


@pytest.mark.oracle("torch")
@given(st.data())
def test_engine_gradients_equal_pytorch(data):
    import torch
    model = data.draw(networks(max_layers=3, max_width=3))
    (x,), (y,) = data.draw(samples(model, 1))
    out = model(x)
    out = out if isinstance(out, list) else [out]
    nn.seed_cost(out, y).backward()

    functions = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                 "linear": lambda t: t}
    a = torch.tensor(x, dtype=torch.float64)
    tensors = []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons],
                         dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        tensors.append((W, b))
        a = functions[layer.activation](W @ a + b)
    (0.5 * ((torch.tensor(y, dtype=torch.float64) - a) ** 2).sum()).backward()
    for layer, (W, b) in zip(model.layers, tensors):
        for j, n in enumerate(layer.neurons):
            assert all(close(w.grad, float(g)) for w, g in zip(n.w, W.grad[j]))
            assert close(n.b.grad, float(b.grad[j]))


# ---- bad input: each function names itself and the entry ----------------------------------------
NAN, INF = math.nan, math.inf


def _net():
    return matrix.Network.from_model(nn.MLP(2, [2, 1], activation="sigmoid", seed=0))


@pytest.mark.parametrize("call, error, match", [
    (lambda: matrix.sigma("a"), TypeError, "sigma: z must be a real number, got str 'a'"),
    (lambda: matrix.sigma(NAN), ValueError, "sigma: z must be finite, got nan"),
    (lambda: matrix.activate("relu", None), TypeError, "activate: z must be a list of numbers"),
    (lambda: matrix.activate("relu", [Value(1.0)]), TypeError,
     r"activate: z\[0\] must be a real number, got Value"),
    (lambda: matrix.derivative("tanh", [INF]), ValueError,
     r"derivative: z\[0\] must be finite, got inf"),
    (lambda: matrix.matvec(None, [1.0]), TypeError, "matvec: W must be a list of rows"),
    (lambda: matrix.matvec([["a"]], [1.0]), TypeError,
     r"matvec: W\[0\]\[0\] must be a real number"),
    (lambda: matrix.matvec([[1.0]], "a"), TypeError, "matvec: v must be a list of numbers"),
    (lambda: matrix.transpose([[1, 2], [3]]), ValueError,
     r"transpose: the rows of W have different lengths \[1, 2\]"),
    (lambda: matrix.outer([1.0], None), TypeError, "outer: v must be a list of numbers"),
    (lambda: matrix.hadamard(None, [1.0]), TypeError, "hadamard: u must be a list of numbers"),
    (lambda: matrix.cost([], []), ValueError, r"cost: 0 outputs but 0 targets \(need ≥ 1\)"),
    (lambda: matrix.cost([NAN], [1.0]), ValueError, r"cost: o\[0\] must be finite, got nan"),
    (lambda: matrix.Network(None, None, None), TypeError, "Network: W must be a list"),
    (lambda: matrix.Network([[], [[NAN]]], [[], [0.0]], ["", "relu"]), ValueError,
     r"Network: W\[1\]\[0\]\[0\] must be finite, got nan"),
    (lambda: matrix.Network([[], [[1.0]]], [[], [None]], ["", "relu"]), TypeError,
     r"Network: b\[1\]\[0\] must be a real number, got NoneType"),
    (lambda: matrix.forward(None, [1.0, 2.0]), TypeError,
     "forward: net must be a matrix.Network"),
    (lambda: matrix.forward(_net(), [NAN, 1.0]), ValueError,
     r"forward: x\[0\] must be finite, got nan"),
    (lambda: matrix.forward(_net(), "12"), TypeError, "forward: x must be a list of numbers"),
    (lambda: matrix.backprop(_net(), [1.0, 2.0], None), TypeError,
     "backward: y must be a list of numbers"),
    (lambda: matrix.backward(_net(), [[]], [[1.0, 2.0]], [1.0]), ValueError,
     "backward: z and a need one entry per layer"),
    (lambda: matrix.loss_gradients(_net(), None, None), TypeError,
     "loss_gradients: X must be a list of samples, got NoneType"),
    (lambda: matrix.loss_gradients(_net(), [[1.0, NAN]], [[0.5]]), ValueError,
     r"loss_gradients: X\[0\]\[1\] must be finite"),
])
def test_matrix_functions_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()

