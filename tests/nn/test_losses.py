"""Losses: values and gradients at chosen points, against PyTorch, higher orders, errors."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

logits = st.floats(min_value=-30.0, max_value=30.0, allow_nan=False)


def values(*xs):
    return [Value(x) for x in xs]


def test_seed_cost_value_and_gradient():
    o = values(0.75, 0.25)
    cost = nn.seed_cost(o, [1.0, 0.0])
    assert cost.data == 0.5 * (0.25 ** 2 + 0.25 ** 2)
    assert cost.label == "C"
    assert len(cost._prev) == 2  # one node over the outputs
    cost.backward()
    assert [v.grad for v in o] == [-0.25, 0.25]  # ∂C/∂oᵢ = oᵢ − yᵢ


def test_seed_cost_of_a_single_output():
    o = Value(3.0)
    cost = nn.seed_cost(o, 1.0)
    cost.backward()
    assert cost.data == 2.0 and o.grad == 2.0


def test_seed_loss_is_a_sum_of_per_sample_costs():
    outs = [values(0.5, 0.5), values(1.0, 0.0), values(0.0, 2.0)]
    targets = [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
    loss = nn.seed_loss(outs, targets)
    assert loss.data == 0.25 + 0.0 + 2.0  # Σₙ Cⁿ, not a mean
    assert loss.label == "L"
    assert [c.label for c in loss._prev] == ["C^1", "C^2", "C^3"]
    loss.backward()
    assert [v.grad for v in outs[2]] == [0.0, 2.0]


def test_mse_mean_and_sum():
    o = values(1.0, 2.0, 3.0)
    loss = nn.mse(o, [0.0, 2.0, 5.0])
    assert loss.data == pytest.approx((1 + 0 + 4) / 3)
    loss.backward()
    assert [v.grad for v in o] == pytest.approx([2 / 3, 0.0, -4 / 3])
    nested = nn.mse([values(1.0, 2.0), values(3.0, 4.0)], [[0.0, 0.0], [0.0, 0.0]],
                    reduction="sum")
    assert nested.data == 30.0


def test_hinge_matches_micrograds_formula():
    scores = values(2.0, 0.5, -0.25, -3.0)
    labels = [1, 1, 1, -1]
    loss = nn.hinge(scores, labels)
    expected = sum(max(0.0, 1 - y * s.data) for s, y in zip(scores, labels)) / 4
    assert loss.data == expected
    loss.backward()
    assert [s.grad for s in scores] == [0.0, -0.25, -0.25, 0.0]


def test_l2_penalty():
    model = nn.MLP(2, [2, 1], seed=0)
    penalty = nn.l2_penalty(model, alpha=0.01)
    ps = model.parameters()
    assert penalty.data == pytest.approx(0.01 * sum(p.data ** 2 for p in ps), rel=1e-14)
    penalty.backward()
    assert [p.grad for p in ps] == pytest.approx([0.02 * p.data for p in ps], rel=1e-14)
    assert nn.l2_penalty(ps, 0.0).data == 0.0


def test_losses_are_single_nodes():
    o = values(0.1, 0.2, 0.3)
    for loss in (nn.mse(o, [0, 0, 0]), nn.hinge(o, [1, -1, 1]),
                 nn.bce_with_logits(o, [0, 1, 1]), nn.softmax_cross_entropy([o], [2]),
                 nn.l2_penalty(o)):
        assert list(loss._prev) == o


def test_bce_with_logits_is_stable_far_out():
    x = values(800.0, -800.0, 0.0)
    loss = nn.bce_with_logits(x, [0.0, 1.0, 1.0], reduction="sum")
    assert loss.data == pytest.approx(800.0 + 800.0 + math.log(2))
    loss.backward()
    assert [v.grad for v in x] == pytest.approx([1.0, -1.0, -0.5])


def test_softmax_cross_entropy_single_sample_and_far_out():
    row = values(1000.0, 0.0, -1000.0)
    loss = nn.softmax_cross_entropy(row, 1)
    assert loss.data == pytest.approx(1000.0)
    loss.backward()
    assert [v.grad for v in row] == pytest.approx([1.0, -1.0, 0.0])


@pytest.mark.oracle("torch")
@given(st.lists(st.tuples(logits, st.floats(0.0, 1.0)), min_size=1, max_size=6),
       st.sampled_from(["mean", "sum"]))
def test_bce_with_logits_equals_pytorch(pairs, reduction):
    import torch
    xs = [Value(x) for x, _ in pairs]
    ts = [t for _, t in pairs]
    loss = nn.bce_with_logits(xs, ts, reduction=reduction)
    loss.backward()
    tx = torch.tensor([x for x, _ in pairs], dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        tx, torch.tensor(ts, dtype=torch.float64), reduction=reduction)
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    assert [v.grad for v in xs] == pytest.approx(tx.grad.tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.oracle("torch")
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.lists(logits, min_size=n, max_size=n), min_size=1, max_size=4),
    st.just(n))), st.data())
def test_softmax_cross_entropy_equals_pytorch(rows_and_k, data):
    import torch
    rows, k = rows_and_k
    labels = [data.draw(st.integers(0, k - 1)) for _ in rows]
    xs = [[Value(v) for v in row] for row in rows]
    loss = nn.softmax_cross_entropy(xs, labels)
    loss.backward()
    tx = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(labels))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    grads = [v.grad for row in xs for v in row]
    assert grads == pytest.approx([g for row in tx.grad.tolist() for g in row],
                                  rel=1e-10, abs=1e-15)


@pytest.mark.oracle("torch")
@given(st.lists(st.tuples(st.floats(-5, 5), st.sampled_from([-1, 1])), min_size=1,
                max_size=6))
def test_hinge_equals_pytorch(pairs):
    import torch
    xs = [Value(s) for s, _ in pairs]
    loss = nn.hinge(xs, [y for _, y in pairs])
    loss.backward()
    ts = torch.tensor([s for s, _ in pairs], dtype=torch.float64, requires_grad=True)
    ys = torch.tensor([float(y) for _, y in pairs], dtype=torch.float64)
    expected = torch.relu(1 - ys * ts).mean()
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-15)
    assert [v.grad for v in xs] == pytest.approx(ts.grad.tolist(), rel=1e-12, abs=1e-15)


def test_second_derivatives_of_losses():
    x = Value(0.3)
    (g,) = autograd.grad(nn.bce_with_logits([x], [1.0]), [x], create_graph=True)
    (h,) = autograd.grad(g, [x])
    s = 1 / (1 + math.exp(-0.3))
    assert g.data == pytest.approx(s - 1.0) and h.data == pytest.approx(s * (1 - s))

    row = [Value(0.5), Value(-0.5)]
    (g0, g1) = autograd.grad(nn.softmax_cross_entropy(row, 0), row, create_graph=True)
    (h00, h01) = autograd.grad(g0, row)
    p = 1 / (1 + math.exp(-1.0))  # softmax of (0.5, -0.5), class 0
    assert g0.data == pytest.approx(p - 1) and g1.data == pytest.approx(1 - p)
    assert h00.data == pytest.approx(p * (1 - p)) and h01.data == pytest.approx(-p * (1 - p))

    o = Value(2.0)
    (g,) = autograd.grad(nn.seed_cost([o], [0.5]), [o], create_graph=True)
    (h,) = autograd.grad(g, [o])
    assert (g.data, h.data) == (1.5, 1.0)

    w = Value(3.0)
    (g,) = autograd.grad(nn.l2_penalty([w], 0.5), [w], create_graph=True)
    (h,) = autograd.grad(g, [w])
    assert (g.data, h.data) == (3.0, 1.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.seed_cost(values(1.0, 2.0), [1.0]), ValueError, "2 outputs but 1 targets"),
    (lambda: nn.seed_cost([], []), ValueError, "at least one output"),
    (lambda: nn.seed_cost(values(1.0), [Value(1.0)]), TypeError, "targets are constants"),
    (lambda: nn.seed_cost([1.0], [1.0]), TypeError, "must be a Value"),
    (lambda: nn.seed_loss([values(1.0)], []), ValueError, "1 samples of outputs but 0"),
    (lambda: nn.mse(values(1.0), [math.nan]), ValueError, "must be finite"),
    (lambda: nn.mse(values(1.0), [1.0], reduction="none"), ValueError, "unknown reduction"),
    (lambda: nn.mse([values(1.0, 2.0)], [[1.0]]), ValueError, "sample 0 has 2 outputs"),
    (lambda: nn.mse(Value(1.0), [1.0]), TypeError, "outputs must be a sequence"),
    (lambda: nn.hinge(values(1.0, 2.0), [1, 0]), ValueError, "labels must be -1 or \\+1"),
    (lambda: nn.hinge(values(1.0), [1], margin=-1), ValueError, "margin"),
    (lambda: nn.bce_with_logits(values(1.0), [2.0]), ValueError, "targets must be in"),
    (lambda: nn.softmax_cross_entropy([values(1.0, 2.0)], [2]), ValueError,
     "label 2 at 0 is not a class index"),
    (lambda: nn.softmax_cross_entropy([values(1.0, 2.0)], [1.0]), TypeError,
     "class indices"),
    (lambda: nn.softmax_cross_entropy([[]], [0]), ValueError, "has no logits"),
    (lambda: nn.l2_penalty([], 1e-4), ValueError, "at least one parameter"),
    (lambda: nn.l2_penalty(values(1.0), -1.0), ValueError, "alpha"),
])
def test_loss_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_softmax_sums_to_one_and_is_stable_at_plus_minus_1000():
    for logits in ([1000.0, -1000.0, 999.0], [-1000.0, -1000.0, -1000.0], [0.0], [3.0, 1.0]):
        probabilities = nn.softmax([Value(z) for z in logits])
        assert math.fsum(p.data for p in probabilities) == pytest.approx(1.0, abs=1e-15)
        assert all(0.0 <= p.data <= 1.0 for p in probabilities)
    assert [p.data for p in nn.softmax([Value(-1000.0)] * 4)] == [0.25] * 4


def test_softmax_gradient_of_one_probability():
    z = [Value(0.5), Value(-0.25), Value(2.0)]
    p = nn.softmax(z)
    p[0].backward()  # ∂p₀/∂zⱼ = p₀([j = 0] − pⱼ)
    for j, zj in enumerate(z):
        assert zj.grad == pytest.approx(p[0].data * ((j == 0) - p[j].data), rel=1e-12)


def test_softmax_refuses_bad_logits_naming_softmax():
    with pytest.raises(ValueError, match="softmax: needs at least one logit"):
        nn.softmax([])
    with pytest.raises(TypeError, match=r"softmax: logits\[1\] must be a Value"):
        nn.softmax([Value(1.0), 2.0])
    with pytest.raises(TypeError, match="softmax: logits must be a sequence"):
        nn.softmax("abc")


@pytest.mark.parametrize("target", [10**5000, -(10**400), [1.0, 10**309]],
                         ids=["10**5000", "-10**400", "list"])
def test_mse_names_itself_for_a_target_too_large_for_a_float(target):
    outputs = [Value(1.0), Value(2.0)] if isinstance(target, list) else Value(1.0)
    with pytest.raises(OverflowError, match=r"mse: targets\[0\] is an integer of about \d+ "
                                            r"digits, too large for a float"):
        nn.mse([outputs], [target])


@pytest.mark.parametrize("loss, args", [
    ("seed_cost", lambda big: ([Value(0.5)], [big])),
    ("bce_with_logits", lambda big: ([Value(0.5)], [big])),
    ("hinge", lambda big: ([Value(0.5)], [big])),
], ids=["seed_cost", "bce_with_logits", "hinge"])
def test_every_loss_names_itself_for_a_number_too_large_for_a_float(loss, args):
    with pytest.raises(OverflowError, match=rf"^{loss}: targets\[\w\] is an integer of about "
                                            r"5001 digits, too large for a float"):
        getattr(nn, loss)(*args(10**5000))


# ---- bad arguments: the loss names itself -------------------------------------------------------
NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("call, error, match", [
    (lambda o: nn.seed_cost(None, 1.0), TypeError, "seed_cost: outputs must be a sequence, "
                                                   "got NoneType"),
    (lambda o: nn.seed_cost(o, None), TypeError, "seed_cost: targets must be a sequence"),
    (lambda o: nn.mse([o], [None]), TypeError, r"mse: targets\[0\] must be a sequence"),
    (lambda o: nn.mse([o], [NAN]), ValueError, r"mse: targets\[0\] must be finite, got nan"),
    (lambda o: nn.softmax_cross_entropy([None], [0]), TypeError,
     r"softmax_cross_entropy: logits\[0\] must be a sequence"),
])
def test_losses_name_themselves_on_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call(Value(0.5))


# ---- an overflow names the loss ----------------------------------------------------------
@pytest.mark.parametrize("who, make", [
    ("mse", lambda: nn.mse([Value(1e200)], [0.0])),                     # float ** raises
    ("mse", lambda: nn.mse([Value(1e154)] * 2, [0.0, 0.0])),            # fsum raises
    ("mse", lambda: nn.mse([Value(1.7e308)], [-1.7e308])),              # o − y is inf
    ("seed_cost", lambda: nn.seed_cost([Value(1e200)], [0.0])),
    ("hinge", lambda: nn.hinge([Value(1.7e308)], [-1.0], margin=1.7e308)),
    ("bce_with_logits", lambda: nn.bce_with_logits([Value(1.7e308)] * 2, [0.0, 0.0],
                                                   reduction="sum")),
    ("softmax_cross_entropy", lambda: nn.softmax_cross_entropy([Value(1.7e308),
                                                                Value(-1.7e308)], 1)),
    ("l2_penalty", lambda: nn.l2_penalty([Value(1e200)])),
])
def test_a_loss_that_overflows_names_itself(who, make):
    with pytest.raises(OverflowError, match=f"^{who}: overflow: the loss is too large"):
        make()


def test_a_loss_derivative_that_overflows_names_the_loss():
    loss = nn.l2_penalty([Value(0.9)], alpha=1.7e308)  # α·p² is finite, 2·α·p is not
    with pytest.raises(OverflowError, match="l2_penalty: overflow: the gradient sent to "
                                            "input 0"):
        loss.backward()

