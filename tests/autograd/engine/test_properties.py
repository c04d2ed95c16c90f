"""Property tests of the engine on random expression graphs (`autograd.testing.expressions`):
finite differences at first and second order, and laws every backward pass must obey."""

import math

from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.testing import expressions, gradcheck, values


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@given(expressions(max_inputs=4, max_size=16))
def test_first_derivatives_match_finite_differences(expr):
    assert gradcheck(expr, expr.inputs)


@given(expressions())
def test_second_derivatives_match_finite_differences(expr):
    assert gradcheck(expr, expr.inputs, order=2)


@given(expressions(), values(min_value=-5, max_value=5), values(min_value=-5, max_value=5))
def test_gradients_are_linear_in_the_upstream_gradient(expr, a, b):
    def grads(upstream):
        found = autograd.grad(expr.output, expr.inputs, upstream, allow_unused=True)
        return [0.0 if g is None else g.data for g in found]

    one, ga, gb, gab = grads(1.0), grads(a), grads(b), grads(a + b)
    for g1, g_a, g_b, g_ab in zip(one, ga, gb, gab):
        assert close(g_a, a * g1)
        assert close(g_ab, g_a + g_b)
    # Under create_graph the result is a function of the upstream gradient c, with slope
    # ∂out/∂x: the backward pass is linear in c.
    c = Value(a)
    found = autograd.grad(expr.output, expr.inputs, c, create_graph=True, allow_unused=True)
    for g, g1 in zip(found, one):
        if g is None:  # an input the expression does not use
            assert g1 == 0.0
            continue
        (slope,) = autograd.grad(g, [c])
        assert close(g.data, a * g1) and close(slope.data, g1)


@given(expressions())
def test_backward_twice_gives_twice_backward_once(expr):
    # Equal up to rounding: a leaf adds each contribution to its .grad as it arrives, so
    # the second pass sums (g + c₁) + c₂ + ... where the first summed c₁ + c₂ + ...
    nodes = autograd.topological_order(expr.output)
    expr.output.backward()
    once = [node.grad for node in nodes]
    expr.output.backward()
    for node, g in zip(nodes, once):
        assert close(node.grad, 2 * g)


@given(expressions())
def test_create_graph_backward_twice_gives_twice_backward_once(expr):
    once = autograd.grad(expr.output, expr.inputs, allow_unused=True)
    expr.output.backward(create_graph=True)
    expr.output.backward(create_graph=True)
    for x, g in zip(expr.inputs, once):
        assert close(float(x.grad), 0.0 if g is None else 2 * g.data)


@given(expressions(), st.data())
def test_results_do_not_depend_on_the_order_inputs_were_created_in(expr, data):
    expr.output.backward()
    reference = [x.grad for x in expr.inputs]
    n = len(expr.inputs)
    order = data.draw(st.permutations(range(n)), label="creation order")
    leaves, unrelated = [None] * n, []
    for i in order:  # other nodes made in between shift ids and hashes too
        unrelated.append(Value(1.0) * Value(2.0))
        leaves[i] = Value(expr.inputs[i].data)
    out = expr(*leaves)
    out.backward()
    assert out.data == expr.output.data
    assert [x.grad for x in leaves] == reference
