"""numpy arrays meet Values as in micrograd: object arrays of Values, gradients through them."""

import math
import operator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value

np = pytest.importorskip("numpy")

OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv]
floats = st.floats(min_value=-100, max_value=100, allow_nan=False).filter(lambda x: abs(x) > 1e-3)


@settings(max_examples=40, deadline=None)
@given(items=st.lists(floats, min_size=1, max_size=6), v=floats,
       op=st.sampled_from(OPERATORS), array_left=st.booleans())
def test_array_and_value_give_an_object_array_of_values(items, v, op, array_left):
    array, x = np.array(items), Value(v, label="x")
    out = op(array, x) if array_left else op(x, array)
    assert isinstance(out, np.ndarray) and out.dtype == object and out.shape == array.shape
    for got, item in zip(out, items):
        expected = op(item, v) if array_left else op(v, item)
        assert isinstance(got, Value) and got.data == expected
    total = autograd.sum(list(out))
    total.backward()
    by_hand = Value(v)  # the same sum written as a loop over the floats
    autograd.sum([op(item, by_hand) if array_left else op(by_hand, item) for item in items]) \
        .backward()
    assert math.isclose(x.grad, by_hand.grad, rel_tol=1e-12, abs_tol=1e-12)


def test_shapes_broadcast_and_numpy_sums_build_the_graph():
    w = Value(2.0, label="w")
    grid = w * np.arange(6.0).reshape(2, 3)  # a 2-d array, each entry a Value
    assert grid.shape == (2, 3) and grid[1, 2].data == 10.0
    total = grid.sum()  # numpy adds the Values with +
    assert isinstance(total, Value) and total.data == 30.0
    total.backward()
    assert w.grad == 15.0
    column = np.array([[1.0], [2.0]]) + Value(0.5)
    assert column.shape == (2, 1) and column[1, 0].data == 2.5


def test_numpy_scalars_stay_values_and_ufuncs_call_the_value_methods():
    x = Value(0.5)
    for left in (np.float32(2.0), np.float64(2.0), np.int64(2), np.array(2.0)):
        assert isinstance(left * x, Value) and isinstance(x - left, Value)
    assert np.tanh(x).data == math.tanh(0.5) and np.tanh(x).op == "tanh"
    assert np.exp(x).op == "exp" and np.sqrt(x).op == "sqrt"
    assert bool(np.float64(0.25) < x) and not bool(np.float64(0.75) < x)
    assert [v.op for v in np.tanh(np.array([x, x * 2]))] == ["tanh", "tanh"]


def test_what_numpy_cannot_do_with_a_value_is_a_type_error():
    x = Value(1.0)
    with pytest.raises(TypeError, match="maximum"):
        np.maximum(x, 2.0)
    with pytest.raises(TypeError):
        np.array(["a"]) * x
    with pytest.raises(TypeError, match="bool"):
        np.array([True]) * x


@pytest.mark.oracle("micrograd")
def test_like_micrograd_object_arrays():
    from micrograd.engine import Value as MicroValue

    items = np.array([1.0, -2.0, 3.5])
    for op in OPERATORS:  # ndarray on the left (micrograd wraps an array on the right whole)
        ours, theirs = op(items, Value(2.0)), op(items, MicroValue(2.0))
        assert ours.dtype == theirs.dtype == object
        assert [v.data for v in ours] == pytest.approx([v.data for v in theirs])
