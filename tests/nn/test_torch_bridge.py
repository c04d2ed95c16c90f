"""nn.MLP ⇄ torch.nn.Sequential: same outputs and gradients in float64, exact round trips."""

import math
import random

import pytest
from hypothesis import given, settings

import nn
from nn.testing import mlps
from nn.torch_bridge import from_torch, to_torch

try:
    import torch
except ImportError:  # tests/conftest.py skips every test here and says why
    torch = None

pytestmark = pytest.mark.oracle("torch")


def seed_network():
    return nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)


def outputs(mlp, x):
    out = mlp(x)
    return [v.data for v in out] if isinstance(out, list) else [out.data]


def torch_outputs(seq, x):
    return seq(torch.tensor(x, dtype=torch.float64)).tolist()


def assert_equal_to_1e12(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (ours, theirs)


def test_seed_network_becomes_linear_and_sigmoid_modules():
    seq = seed_network().to_torch()
    kinds = [type(m).__name__ for m in seq]
    assert kinds == ["Linear", "Sigmoid", "Linear", "Sigmoid", "Linear", "Sigmoid"]
    assert [(m.in_features, m.out_features) for m in seq[::2]] == [(2, 3), (3, 2), (2, 2)]
    assert all(p.dtype == torch.float64 for p in seq.parameters())


def test_seed_network_outputs_agree():
    model, seq = seed_network(), seed_network().to_torch()
    X, _ = nn.seed_example()
    for x in [*X, [0.0, 0.0], [3.5, -7.25]]:
        assert_equal_to_1e12(outputs(model, x), torch_outputs(seq, x))


def test_weights_are_copied_row_per_neuron():
    model = seed_network()
    seq = to_torch(model)
    for layer, linear in zip(model.layers, seq[::2]):
        assert linear.weight.tolist() == [[w.data for w in n.w] for n in layer.neurons]
        assert linear.bias.tolist() == [n.b.data for n in layer.neurons]


def test_micrograd_style_mlp_has_relu_hidden_layers_and_a_linear_output():
    seq = nn.MLP(2, [16, 16, 1], seed=3).to_torch()
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


@settings(max_examples=60)
@given(mlps(max_inputs=4, max_layers=4, max_width=5))
def test_random_mlps_give_the_same_outputs(case):
    seq = case.mlp.to_torch()
    for x in case.inputs:
        assert_equal_to_1e12(outputs(case.mlp, x), torch_outputs(seq, x))


@settings(max_examples=60)
@given(mlps(max_inputs=4, max_layers=4, max_width=5))
def test_round_trip_is_exact(case):
    seq = case.mlp.to_torch()
    back = nn.MLP.from_torch(seq)
    assert back.state_dict() == case.mlp.state_dict()
    assert ([[n.activation for n in layer.neurons] for layer in back.layers]
            == [[n.activation for n in layer.neurons] for layer in case.mlp.layers])
    again = back.to_torch()
    assert len(again) == len(seq)
    for a, b in zip(again.parameters(), seq.parameters()):
        assert torch.equal(a, b)


def test_trained_model_gradients_and_updates_agree():
    """Train in seedgrad, carry the model over, then step both with SGD side by side."""
    model = seed_network()
    X, Y = nn.seed_example()
    opt = nn.SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        nn.seed_loss([model(x) for x in X], Y).backward()
        opt.step()

    seq = model.to_torch()
    torch_opt = torch.optim.SGD(seq.parameters(), lr=0.5)
    tx = torch.tensor(X, dtype=torch.float64)
    ty = torch.tensor(Y, dtype=torch.float64)
    for _ in range(5):
        opt.zero_grad()
        loss = nn.seed_loss([model(x) for x in X], Y)
        loss.backward()
        torch_opt.zero_grad()
        torch_loss = (0.5 * (ty - seq(tx)) ** 2).sum()
        torch_loss.backward()
        assert math.isclose(loss.data, torch_loss.item(), rel_tol=1e-12)
        for layer, linear in zip(model.layers, seq[::2]):
            assert_equal_to_1e12([w.grad for n in layer.neurons for w in n.w],
                                 linear.weight.grad.flatten().tolist())
            assert_equal_to_1e12([n.b.grad for n in layer.neurons], linear.bias.grad.tolist())
        opt.step()
        torch_opt.step()
    back = nn.MLP.from_torch(seq)
    assert_equal_to_1e12([p.data for p in back.parameters()],
                         [p.data for p in model.parameters()])


def test_conversions_share_nothing_and_draw_no_random_numbers():
    model = seed_network()
    torch_state, python_state = torch.get_rng_state(), random.getstate()
    seq = model.to_torch()
    back = nn.MLP.from_torch(seq)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == python_state
    with torch.no_grad():
        seq[0].weight.add_(1.0)
    back.layers[0].neurons[0].w[0].data = 99.0
    assert model.state_dict() == seed_network().state_dict()


def test_float32_on_request():
    model = seed_network()
    seq = model.to_torch(dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in seq.parameters())
    out = seq(torch.tensor([0.5, -1.0])).tolist()
    assert out == pytest.approx(outputs(model, [0.5, -1.0]), abs=1e-6)
    back = nn.MLP.from_torch(seq)  # float32 values, read exactly
    assert back.layers[0].neurons[0].w[0].data == seq[0].weight.detach()[0, 0].item()


def test_from_torch_reads_plain_torch_models():
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64), torch.nn.Tanh(),
                              torch.nn.Identity(), torch.nn.Linear(4, 2, bias=False,
                                                                   dtype=torch.float64))
    model = nn.MLP.from_torch(seq)
    assert (model.nin, model.nouts) == (3, [4, 2])
    assert (model.activation, model.output_activation) == ("tanh", "linear")
    assert [n.b.data for n in model.layers[1].neurons] == [0.0, 0.0]
    x = [0.3, -1.2, 2.0]
    assert_equal_to_1e12(outputs(model, x), torch_outputs(seq, x))


def test_single_layer_keeps_its_output_activation():
    model = nn.MLP(3, [2], output_activation="relu", seed=1)
    back = nn.MLP.from_torch(model.to_torch())
    assert back.output_activation == "relu" and back.nouts == [2]


def test_to_torch_refuses_mixed_activations_and_bad_arguments():
    model = seed_network()
    model.layers[1].neurons[1] = nn.Neuron(3, activation="tanh", seed=0)
    with pytest.raises(ValueError, match=r"to_torch: layer 1 mixes activations "
                                         r"\(neuron 0: sigmoid, neuron 1: tanh\)"):
        model.to_torch()
    with pytest.raises(TypeError, match="to_torch: dtype must be a floating-point torch dtype"):
        seed_network().to_torch(dtype=torch.int64)
    with pytest.raises(TypeError, match="to_torch: expected an nn.MLP, got Layer"):
        to_torch(nn.Layer(2, 2))
    model = seed_network()
    model.layers[2].neurons[0] = nn.Neuron(3, activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match="to_torch: layer 2 neuron 0 has 3 weights, but the "
                                         "layer receives 2 inputs"):
        model.to_torch()


def linear(nin, nout):
    return torch.nn.Linear(nin, nout, dtype=torch.float64)


@pytest.mark.parametrize("modules, error, message", [
    (lambda: [], ValueError, "from_torch: the Sequential has no Linear layer"),
    (lambda: [torch.nn.ReLU(), linear(2, 2)], ValueError,
     r"from_torch: module 0 \(ReLU\) comes before any Linear layer"),
    (lambda: [linear(2, 2), torch.nn.ReLU(), torch.nn.Tanh()], ValueError,
     r"from_torch: module 2 \(Tanh\) follows another activation \(relu\)"),
    (lambda: [linear(2, 3), linear(2, 1)], ValueError,
     "from_torch: Linear layer 1 takes 2 inputs but layer 0 gives 3"),
    (lambda: [linear(2, 3), torch.nn.Tanh(), linear(3, 3), torch.nn.ReLU(), linear(3, 1)],
     ValueError, r"from_torch: the hidden layers use different activations \(relu, tanh\)"),
    (lambda: [linear(2, 3), torch.nn.Dropout(0.5), linear(3, 1)], TypeError,
     "from_torch: module 1 is a Dropout; supported are Linear, Sigmoid, Tanh, ReLU"),
    (lambda: [linear(2, 3), torch.nn.LeakyReLU()], TypeError,
     "from_torch: module 1 is a LeakyReLU"),
])
def test_from_torch_refuses_what_an_mlp_cannot_hold(modules, error, message):
    with pytest.raises(error, match=message):
        nn.MLP.from_torch(torch.nn.Sequential(*modules()))


def test_from_torch_refuses_non_sequentials_and_non_finite_weights():
    with pytest.raises(TypeError, match="from_torch: expected a torch.nn.Sequential, got Linear"):
        from_torch(linear(2, 2))
    seq = torch.nn.Sequential(linear(2, 2))
    with torch.no_grad():
        seq[0].weight[0, 1] = float("nan")
    with pytest.raises(ValueError, match="from_torch: Linear layer 0 has non-finite weights"):
        from_torch(seq)


@pytest.mark.parametrize("dtype", ["complex128", "complex64"])
@pytest.mark.parametrize("position", [0, 2])
def test_from_torch_refuses_complex_layers_naming_the_module(dtype, position):
    dtype = getattr(torch, dtype)
    linears = [torch.nn.Linear(2, 3, dtype=dtype if position == 0 else torch.float64),
               torch.nn.Linear(3, 1, dtype=dtype if position == 2 else torch.float64)]
    seq = torch.nn.Sequential(linears[0], torch.nn.Tanh(), linears[1])
    with pytest.raises(TypeError, match=rf"^from_torch: module {position} \(Linear\) has a "
                                        rf"{dtype} weight; an nn.MLP holds real numbers"):
        from_torch(seq)
    with pytest.raises(TypeError, match=rf"module {position} \(Linear\)"):
        nn.MLP.from_torch(seq)


def test_from_torch_keeps_the_size_limit_and_can_lift_it():
    seq = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    with pytest.raises(ValueError, match=r"MLP: 19 parameters is over max_parameters=10"):
        from_torch(seq, max_parameters=10)
    assert len(nn.MLP.from_torch(seq, max_parameters=None).parameters()) == 19
