"""Optimisers: PyTorch's update rules step for step, losses fall, bad settings rejected."""

import math

import pytest

import autograd
import nn
from autograd import Value

START = [0.5, -1.25, 2.0]
TARGET = [1.0, 0.5, -1.0]


def quadratic(params):
    """Σ (pᵢ − tᵢ)² · (i + 1): a bowl with different curvatures."""
    return autograd.sum([(p - t) ** 2 * (i + 1) for i, (p, t) in enumerate(zip(params, TARGET))])


def run_ours(make, steps=8):
    params = [Value(x) for x in START]
    opt = make(params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        quadratic(params).backward()
        opt.step()
        history.append([p.data for p in params])
    return history


def run_torch(make, steps=8):
    import torch
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    weights = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    target = torch.tensor(TARGET, dtype=torch.float64)
    opt = make(torch.optim, [params])
    history = []
    for _ in range(steps):
        opt.zero_grad()
        (((params - target) ** 2) * weights).sum().backward()
        opt.step()
        history.append(params.detach().tolist())
    return history


@pytest.mark.parametrize("ours, theirs", [
    (lambda p: nn.SGD(p, lr=0.05),
     lambda o, p: o.SGD(p, lr=0.05)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.9),
     lambda o, p: o.SGD(p, lr=0.05, momentum=0.9)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
     lambda o, p: o.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
     lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    (lambda p: nn.Adam(p, lr=0.1),
     lambda o, p: o.Adam(p, lr=0.1)),
    (lambda p: nn.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01),
     lambda o, p: o.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
])
@pytest.mark.oracle("torch")
def test_updates_equal_pytorch(ours, theirs):
    for mine, reference in zip(run_ours(ours), run_torch(theirs)):
        assert mine == pytest.approx(reference, rel=1e-12, abs=1e-14)


def test_plain_sgd_step_by_hand():
    p = Value(1.0)
    opt = nn.SGD([p], lr=0.1)
    p.grad = 2.0
    opt.step()
    assert p.data == 1.0 - 0.1 * 2.0
    opt.zero_grad()
    assert p.grad == 0.0


def test_step_reads_gradients_recorded_with_create_graph():
    p = Value(3.0)
    (p * p).backward(create_graph=True)
    assert isinstance(p.grad, Value)
    nn.SGD([p], lr=0.5).step()
    assert p.data == 0.0


def test_learning_rate_can_be_scheduled_and_is_checked():
    opt = nn.SGD([Value(0.0)], lr=0.1)
    opt.lr = 0.01
    assert opt.lr == 0.01
    with pytest.raises(ValueError, match="SGD: lr must be in"):
        opt.lr = 0.0


@pytest.mark.parametrize("make", [
    lambda m: nn.SGD(m, lr=0.5, momentum=0.9),
    lambda m: nn.Adam(m, lr=0.05),
])
def test_training_loss_falls_on_xor(make):
    X, y = nn.make_xor(4, noise=0.0, shuffle=False)
    model = nn.MLP(2, [8, 1], activation="tanh", seed=3)
    opt = make(model)
    losses = []
    for _ in range(150):
        loss = nn.bce_with_logits([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0]
    assert all(((model(x).data > 0) == bool(t)) for x, t in zip(X, y))


def test_optimizer_takes_a_module_or_values():
    model = nn.MLP(2, [2, 1], seed=0)
    assert nn.Adam(model).params == model.parameters()
    assert nn.SGD(model.parameters()).params == model.parameters()


@pytest.mark.parametrize("make, error, message", [
    (lambda p: nn.SGD(p, lr=-0.1), ValueError, "SGD: lr must be in"),
    (lambda p: nn.SGD(p, lr=math.nan), ValueError, "SGD: lr must be finite"),
    (lambda p: nn.SGD(p, lr="0.1"), TypeError, "SGD: lr must be a real number"),
    (lambda p: nn.SGD(p, momentum=1.0), ValueError, "momentum must be in"),
    (lambda p: nn.SGD(p, momentum=-0.5), ValueError, "momentum must be in"),
    (lambda p: nn.SGD(p, weight_decay=-1), ValueError, "weight_decay"),
    (lambda p: nn.SGD(p, nesterov=True), ValueError, "nesterov needs momentum"),
    (lambda p: nn.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening = 0"),
    (lambda p: nn.Adam(p, lr=0), ValueError, "Adam: lr must be in"),
    (lambda p: nn.Adam(p, betas=(0.9,)), ValueError, "betas must be a pair"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in"),
    (lambda p: nn.Adam(p, eps=0.0), ValueError, "eps must be in"),
    (lambda p: nn.Adam(p, weight_decay=math.inf), ValueError, "weight_decay must be finite"),
    (lambda p: nn.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: nn.SGD(p + p[:1], lr=0.1), ValueError, "more than once"),
    (lambda p: nn.SGD([1.0], lr=0.1), TypeError, r"params\[0\] is a float"),
    (lambda p: nn.Adam(p[0]), TypeError, "list of Values or a Module"),
])
def test_bad_hyper_parameters(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0), Value(2.0)])


def test_base_optimizer_step_is_abstract():
    with pytest.raises(NotImplementedError):
        nn.Optimizer([Value(1.0)], lr=0.1).step()
