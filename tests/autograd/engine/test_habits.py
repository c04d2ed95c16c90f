"""PyTorch's habits, the scalar way: detach, jacobian, hessian, allow_unused, bool(v)."""

import math

import pytest
from hypothesis import given, settings

import autograd
from autograd import TraceError, Value
from autograd.testing import expressions


# ---- detach -------------------------------------------------------------------------------
def test_detach_is_a_leaf_with_the_same_number_and_blocks_the_gradient():
    x = Value(3.0, label="x")
    y = x * x
    d = y.detach()
    assert d.is_leaf and d.data == 9.0 and d.label == "" and d is not y
    out = y * d  # x² · (x² held constant): ∂/∂x = 2x · 9
    out.backward()
    assert x.grad == 2 * 3.0 * 9.0 and d.grad == 9.0


def test_detach_keeps_the_label_and_every_float():
    for number in (0.0, -0.0, math.inf, -math.inf, 5e-324, -1.5):
        d = Value(number, label="w").detach()
        assert d.label == "w" and math.copysign(1, d.data) == math.copysign(1, number)
        assert d.data == number
    assert math.isnan(Value(math.nan).detach().data)


def test_detach_under_compile_is_recomputed_from_the_new_input():
    def f(x):
        return x * x.detach()  # ∂/∂x = x (the detached factor is a constant)

    step = autograd.compile(f, 2.0)
    for number in (2.0, 5.0, -1.5):
        x = Value(number)
        assert step(x) == number * number
        assert x.grad == number


# ---- allow_unused ----------------------------------------------------------------------------
def test_grad_names_the_unused_input_and_allow_unused_gives_none():
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(3.0, label="c")
    y = a * c
    with pytest.raises(RuntimeError, match=r"inputs\[1\] \(Value\(label='b'"):
        autograd.grad(y, [a, b, c])
    ga, gb, gc = autograd.grad(y, [a, b, c], allow_unused=True)
    assert (ga.data, gb, gc.data) == (3.0, None, 1.0)
    # in the graph but receiving 0 (an off ReLU) is used, as in PyTorch
    z = Value(-1.0)
    (gz,) = autograd.grad(z.relu(), [z])
    assert gz.data == 0.0


def test_the_output_itself_and_a_leaf_output_count_as_used():
    x = Value(2.0)
    assert autograd.grad(x, [x])[0].data == 1.0
    y = x * 3
    assert [g.data for g in autograd.grad(y, [y, x])] == [1.0, 3.0]


# ---- bool -----------------------------------------------------------------------------------
def test_bool_is_the_truth_of_the_number():
    assert not Value(0.0) and not Value(-0.0)
    assert Value(1e-300) and Value(-2.0) and Value(math.inf) and Value(math.nan)
    loss = Value(1.0) - Value(1.0)
    taken = "yes" if loss else "no"
    assert taken == "no"


def test_bool_is_a_guard_under_compile():
    def f(x, y):
        return x * y if x - y else x + y  # x - y == 0: the other branch

    step = autograd.compile(f, 2.0, 1.0)
    for a, b in [(2.0, 1.0), (3.0, 3.0), (-1.0, 4.0), (0.5, 0.5), (7.0, 1.0)]:
        xs, ys = Value(a), Value(b)
        want = f(xs, ys)
        want.backward()
        x, y = Value(a), Value(b)
        assert step(x, y) == want.data
        assert (x.grad, y.grad) == (xs.grad, ys.grad)
    strict = autograd.compile(f, 2.0, 1.0, retrace=False)
    assert strict(5.0, 1.0) == 5.0
    with pytest.raises(TraceError):
        strict(1.0, 1.0)


def test_bool_of_a_nan_is_guarded_as_nan():
    def f(x):
        return x * 2 if x * 0 else x * 3  # x·0 is nan only for inf/nan x

    strict = autograd.compile(f, math.inf, retrace=False)
    assert math.isnan(strict.forward(math.nan))
    with pytest.raises(TraceError):
        strict.forward(1.0)


# ---- jacobian and hessian --------------------------------------------------------------------
def test_jacobian_of_a_scalar_is_the_gradient_and_of_a_list_is_the_matrix():
    def f(x, y):
        return x * y + x.sin()

    assert autograd.jacobian(f, [2.0, 3.0]) == [3.0 + math.cos(2.0), 2.0]
    rows = autograd.jacobian(lambda x, y: [x * y, x.exp(), y * 2.0, 4.0], [1.0, 3.0])
    assert rows == [[3.0, 1.0], [math.e, 0.0], [0.0, 2.0], [0.0, 0.0]]
    assert all(type(v) is float for row in rows for v in row)


def test_hessian_is_symmetric_and_counts_unused_arguments_as_zero():
    def f(x, y, unused):
        return x * x * y + y.exp()

    h = autograd.hessian(f, [1.5, 0.5, 9.0])
    assert h == [[2 * 0.5, 2 * 1.5, 0.0], [2 * 1.5, math.exp(0.5), 0.0], [0.0, 0.0, 0.0]]
    assert autograd.hessian(lambda x: x * 3.0, [1.0]) == [[0.0]]  # f' is a constant


def test_jacobian_and_hessian_work_inside_no_grad_and_leave_inputs_alone():
    x = Value(2.0)
    with autograd.no_grad():
        assert autograd.jacobian(lambda v: v * v, [x]) == [4.0]
        assert autograd.hessian(lambda v: v * v * v, [x]) == [[12.0]]
    assert x.grad == 0.0


def test_jacobian_and_hessian_refuse_bad_arguments():
    with pytest.raises(TypeError, match="jacobian: f must be a function"):
        autograd.jacobian(3, [1.0])
    with pytest.raises(TypeError, match="jacobian: xs must be a sequence.*wrap a single"):
        autograd.jacobian(lambda x: x, 1.0)
    with pytest.raises(TypeError, match=r"hessian \(xs\[1\]\): expected a real number"):
        autograd.hessian(lambda x, y: x, [1.0, "2"])
    with pytest.raises(TypeError, match="hessian: f must return one Value"):
        autograd.hessian(lambda x: [x, x], [1.0])
    with pytest.raises(TypeError, match=r"jacobian \(an output of f\)"):
        autograd.jacobian(lambda x: "x", [1.0])


@settings(max_examples=40, deadline=None)
@given(expressions(max_inputs=3, max_size=6))
def test_hessian_is_grad_of_grad_and_symmetric(expr):
    point = [x.data for x in expr.inputs]
    h = autograd.hessian(expr, point)
    gradient = autograd.jacobian(expr, point)
    for i, row in enumerate(h):
        for j, value in enumerate(row):
            assert value == pytest.approx(h[j][i], rel=1e-9, abs=1e-9)
    first = autograd.grad(expr.output, expr.inputs, allow_unused=True)
    assert gradient == [0.0 if g is None else g.data for g in first]
