"""PyTorch as an oracle: random expressions and random MLPs replayed in float64 torch must
give the same values, gradients and second derivatives as the engine."""

import math

import pytest
from hypothesis import given, settings

import autograd
from autograd.testing import expressions
from nn.testing import mlps

try:
    import torch
except ImportError:  # tests/conftest.py skips every test here and says why
    torch = None

pytestmark = pytest.mark.oracle("torch")


def assert_close(ours, theirs, what):
    assert math.isclose(ours, theirs, rel_tol=1e-8, abs_tol=1e-10), (what, ours, theirs)


def leaves_like(xs):
    return [torch.tensor(x.data, dtype=torch.float64, requires_grad=True) for x in xs]


def torch_grads(out, xs, create_graph=False):
    """∂out/∂x for each x, zeros where out does not depend on x (or on anything)."""
    if not out.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    found = torch.autograd.grad(out, xs, create_graph=create_graph, retain_graph=True,
                                allow_unused=True)
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in found]


def ours_grads(out, xs, create_graph=False):
    """autograd.grad with zeros for the inputs `out` does not use, as torch_grads."""
    found = autograd.grad(out, xs, create_graph=create_graph, allow_unused=True)
    return [autograd.Value(0.0) if g is None else g for g in found]


@given(expressions(max_inputs=4, max_size=12))
def test_expressions_agree_with_torch_values_and_gradients(expr):
    xs = leaves_like(expr.inputs)
    out = expr(*xs)
    assert_close(expr.output.data, out.item(), "value")
    ours = ours_grads(expr.output, expr.inputs)
    for i, (g, t) in enumerate(zip(ours, torch_grads(out, xs))):
        assert_close(g.data, t.item(), f"∂out/∂x{i}")


@settings(max_examples=60)
@given(expressions())
def test_expressions_agree_with_torch_second_derivatives(expr):
    xs = leaves_like(expr.inputs)
    theirs = torch_grads(expr(*xs), xs, create_graph=True)
    ours = ours_grads(expr.output, expr.inputs, create_graph=True)
    for i, (g, t) in enumerate(zip(ours, theirs)):
        assert_close(g.data, t.item(), f"∂out/∂x{i}")
        row_ours = ours_grads(g, expr.inputs)
        row_theirs = torch_grads(t, xs)
        for k, (h, ht) in enumerate(zip(row_ours, row_theirs)):
            assert_close(h.data, ht.item(), f"∂²out/∂x{i}∂x{k}")


def torch_loss(case, params):
    """The seed's L = Σₙ ½‖yₙ − oₙ‖² in torch, parameters in nn's order (per neuron w, b)."""
    act = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": None}
    mlp, it = case.mlp, iter(params)
    sizes = [mlp.nin, *mlp.nouts]
    layers = []
    for nin, nout in zip(sizes, sizes[1:]):
        layers.append([([next(it) for _ in range(nin)], next(it)) for _ in range(nout)])
    total = torch.zeros((), dtype=torch.float64)
    for x, y in zip(case.inputs, case.targets):
        a = [torch.tensor(v, dtype=torch.float64) for v in x]
        for depth, layer in enumerate(layers):
            name = mlp.output_activation if depth == len(layers) - 1 else mlp.activation
            zs = [sum((w * ak for w, ak in zip(ws, a)), b) for ws, b in layer]
            a = zs if act[name] is None else [act[name](z) for z in zs]
        total = total + sum(0.5 * (o - t) ** 2 for o, t in zip(a, y))
    return total


@settings(max_examples=50)
@given(mlps())
def test_mlp_loss_and_parameter_gradients_agree_with_torch(case):
    params = case.mlp.parameters()
    theirs = leaves_like(params)
    loss = case.loss()
    expected = torch_loss(case, theirs)
    assert_close(loss.data, expected.item(), "loss")
    loss.backward()
    for p, g in zip(params, torch_grads(expected, theirs)):
        assert_close(p.grad, g.item(), f"∂L/∂{p.label or 'parameter'}")


# ---- every op of the table, orders 1 to 3 -------------------------------------------------------
def _torch_function(op):
    module, _, attr = op.torch.rpartition(".")
    import importlib

    return getattr(importlib.import_module(module), attr)


POINTS = {1: [(-1.3,), (-0.4,), (0.35,), (0.8,), (2.1,)],
          2: [(0.7, -1.2), (1.6, 0.45), (-0.9, 0.3), (2.2, 1.9)]}


def _cases():
    for op in autograd.ops.public():
        if op.arity not in (1, 2):
            continue
        # an op with a bound parameter (x ** n) is tried with each example the table gives
        variants = [op.bind(n) for n in op.param_examples] if op.param_examples else [op]
        for variant in variants:
            for point in POINTS[op.arity]:
                if variant.safe is None or variant.safe(0.1, *point, *variant.params):
                    yield pytest.param(variant, point, id=f"{variant.text()}{point}")


@pytest.mark.parametrize("op, point", list(_cases()))
def test_every_op_agrees_with_torch_to_third_order(op, point):
    xs = [autograd.Value(x) for x in point]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    f = _torch_function(op)
    theirs = f(ts[0], op.params[0]) if op.params else f(*ts)
    ours = autograd.apply(op, *xs)
    assert_close(ours.data, theirs.item(), f"{op.name} value")
    frontier = [(ours, theirs, "")]
    for order in (1, 2, 3):  # every mixed partial of this order
        following = []
        for value, tvalue, path in frontier:
            grads = ours_grads(value, xs, create_graph=True)
            tgrads = torch_grads(tvalue, ts, create_graph=True)
            for i, (g, t) in enumerate(zip(grads, tgrads)):
                assert_close(g.data, t.item(), f"{op.name} ∂^{order}/{path}∂x{i}")
                following.append((g, t, f"{path}∂x{i}"))
        frontier = following


# ---- jacobian, hessian, softmax, detach against torch.autograd.functional -----------------------
def _torch_scalars(point):
    return tuple(torch.tensor(x, dtype=torch.float64) for x in point)


def _same_jacobian_and_hessian(ours, theirs, point, f, x):
    """autograd.jacobian/hessian of `ours` equal torch.autograd.functional's of `theirs`;
    a mismatch names the entry, as ∂²f/∂x0∂x1."""
    j_theirs = torch.autograd.functional.jacobian(theirs, _torch_scalars(point))
    h_theirs = torch.autograd.functional.hessian(theirs, _torch_scalars(point))
    for i, g in enumerate(autograd.jacobian(ours, point)):
        assert_close(g, j_theirs[i].item(), f"∂{f}/∂{x}{i}")
    for i, row in enumerate(autograd.hessian(ours, point)):
        for k, h in enumerate(row):
            assert_close(h, h_theirs[i][k].item(), f"∂²{f}/∂{x}{i}∂{x}{k}")


@settings(max_examples=40, deadline=None)
@given(expressions(max_inputs=3, max_size=8))
def test_jacobian_and_hessian_of_expressions_agree_with_torch_functional(expr):
    point = [x.data for x in expr.inputs]
    _same_jacobian_and_hessian(expr, expr, point, "f", "x")


def _seed_network():
    import nn

    return nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=19)


def _torch_network(net):
    """The same network in torch (float64), as a function of the two inputs."""
    layers = [[(torch.tensor([w.data for w in n.w], dtype=torch.float64),
                torch.tensor(n.b.data, dtype=torch.float64)) for n in layer.neurons]
              for layer in net.layers]

    def forward(*x):
        a = torch.stack(x)
        for layer in layers:
            a = torch.sigmoid(torch.stack([w @ a + b for w, b in layer]))
        return a

    return forward


@pytest.mark.parametrize("sample", [0, 1, 2])
def test_seed_network_cost_jacobian_and_hessian_wrt_inputs_agree_with_torch(sample):
    import nn

    net = _seed_network()
    inputs, targets = nn.seed_example()
    x, y = inputs[sample], targets[sample]
    forward = _torch_network(net)
    t = torch.tensor(y, dtype=torch.float64)

    def cost_torch(*xs):
        return 0.5 * ((t - forward(*xs)) ** 2).sum()

    def cost(*xs):
        return nn.seed_cost(net(list(xs)), y)

    _same_jacobian_and_hessian(cost, cost_torch, x, "C", "a⁰")
    # the network's outputs: a 2×2 Jacobian
    o_theirs = torch.autograd.functional.jacobian(forward, _torch_scalars(x))
    for i, row in enumerate(autograd.jacobian(lambda *xs: net(list(xs)), x)):
        for k, d in enumerate(row):
            assert_close(d, o_theirs[k][i].item(), f"∂o{i}/∂a⁰{k}")
    assert all(p.grad == 0.0 for p in net.parameters())  # jacobian touches no .grad


@pytest.mark.parametrize("logits", [[0.3, -1.2, 2.0], [1000.0, -1000.0, 999.0],
                                    [-1000.0, -1000.0], [5.0], [1e-3, 0.0, -1e-3, 40.0]])
def test_softmax_values_jacobian_and_second_derivatives_agree_with_torch(logits):
    import nn

    probabilities = nn.softmax([autograd.Value(z) for z in logits])
    theirs = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0)
    for p, t in zip(probabilities, theirs):
        assert_close(p.data, t.item(), "softmax")
    j_theirs = torch.autograd.functional.jacobian(
        lambda *z: torch.softmax(torch.stack(z), 0), _torch_scalars(logits))
    for i, row in enumerate(autograd.jacobian(lambda *z: nn.softmax(list(z)), logits)):
        for k, d in enumerate(row):
            assert_close(d, j_theirs[k][i].item(), f"∂p{i}/∂z{k}")
    weights = [0.5 + i for i in range(len(logits))]  # a scalar of the probabilities
    h_theirs = torch.autograd.functional.hessian(
        lambda *z: (torch.softmax(torch.stack(z), 0)
                    * torch.tensor(weights, dtype=torch.float64)).sum(),
        _torch_scalars(logits))
    h_ours = autograd.hessian(
        lambda *z: autograd.sum([w * p for w, p in zip(weights, nn.softmax(list(z)))]), logits)
    for i, row in enumerate(h_ours):
        for k, h in enumerate(row):
            assert_close(h, h_theirs[i][k].item(), f"∂²/∂z{i}∂z{k}")


def test_detach_agrees_with_torch_detach_to_second_order():
    def ours(x, y):
        return x * (x * y).detach() + (y * y).detach() * y.sin()

    def theirs(x, y):
        return x * (x * y).detach() + (y * y).detach() * y.sin()

    point = [0.7, -1.3]
    _same_jacobian_and_hessian(ours, theirs, point, "f", "x")


@pytest.mark.parametrize("a, b", [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, 3.0), (2.0, 0.0),
                                  (-2.0, 0.0), (-2.0, 2.0), (1.5, 0.0)])
def test_pow_gradients_at_zero_agree_with_torch(a, b):
    x, y = autograd.Value(a), autograd.Value(b)
    ours = [g.data for g in autograd.grad(x ** y, [x, y])]
    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b))
    theirs = [g.item() for g in torch.autograd.grad(tx ** ty, [tx, ty])]
    for o, t in zip(ours, theirs):
        assert o == t or (math.isnan(o) and math.isnan(t)), (ours, theirs)
