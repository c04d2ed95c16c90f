"""The numbers and errors of issue 19: `**` at 0, sums of ±inf, on_step, custom op forwards,
display templates, strategy arguments, network sizes, complex torch models. Each error
names the op or argument and the value, and is raised when the bad thing is given."""

import math
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import autograd
import nn
from autograd import Value
from autograd.testing import expressions, values


# ---- ** at 0 ----------------------------------------------------------------------------------
@pytest.mark.parametrize("create_graph", [False, True])
def test_pow_at_zero_zero_has_pytorchs_zero_gradients(create_graph):
    x, y = Value(0.0), Value(0.0)
    out = x ** y
    assert out.data == 1.0
    gx, gy = autograd.grad(out, [x, y], create_graph=create_graph)
    assert (gx.data, gy.data) == (0.0, 0.0)


def test_zero_to_a_value_exponent_at_zero_and_friends():
    y = Value(0.0)
    (gy,) = autograd.grad(0 ** y, [y])  # the second repro
    assert gy.data == 0.0
    x = Value(0.0)
    (gx,) = autograd.grad(x ** 0, [x])
    assert gx.data == 0.0
    for b, want in ((1.0, (1.0, 0.0)), (2.0, (0.0, 0.0)), (3.0, (0.0, 0.0))):
        x, y = Value(0.0), Value(b)
        assert [g.data for g in autograd.grad(x ** y, [x, y])] == list(want)
    a, b = Value(2.0), Value(0.0)  # away from a = 0 nothing changed: b·a^(b−1) = 0, ln 2
    assert [g.data for g in autograd.grad(a ** b, [a, b])] == [0.0, math.log(2.0)]


def test_pow_at_zero_base_with_an_exponent_in_0_1_still_names_the_op():
    x, y = Value(0.0), Value(0.5)
    with pytest.raises(ZeroDivisionError, match=r"backward of '\*\*' with inputs \(0\.0, 0\.5\)"):
        autograd.grad(x ** y, [x, y])


# ---- sum of inf and -inf ------------------------------------------------------------------------
@pytest.mark.parametrize("terms", [[math.inf, -math.inf], [1.0, -math.inf, 2.0, math.inf],
                                   [-math.inf] + [0.5] * 10 + [math.inf]])
def test_sum_of_inf_and_minus_inf_names_sum_and_the_terms(terms):
    with pytest.raises(ValueError, match=r"^sum: the terms include both inf and -inf, whose "
                                         r"sum is undefined \(terms \[.*inf.*\]\)$"):
        autograd.sum([Value(t) for t in terms])


def test_sum_of_one_infinity_or_a_nan_is_unchanged():
    assert autograd.sum([Value(math.inf), Value(1.0)]).data == math.inf
    assert math.isnan(autograd.sum([Value(math.nan), Value(math.inf)]).data)


# ---- on_step ----------------------------------------------------------------------------------
@pytest.mark.parametrize("on_step", [5, "print", [print]])
def test_backprop_refuses_an_on_step_that_is_not_a_function(on_step):
    x = Value(1.0)
    loss = x + x
    with pytest.raises(TypeError, match=r"^backprop: on_step must be a function \(node, g, "
                                        r"sends\) or None, got "):
        autograd.backprop(loss, on_step=on_step)


def test_an_error_inside_on_step_is_not_blamed_on_the_op():
    x = Value(1.0)

    def step(node, g, sends):
        raise ZeroDivisionError("my own division")

    for create_graph in (False, True):
        with pytest.raises(ZeroDivisionError, match="^my own division$"):
            autograd.backprop(x * x + x, on_step=step, create_graph=create_graph)


# ---- custom op forwards ----------------------------------------------------------------------
@pytest.mark.parametrize("forward, kind, reason", [
    (lambda x: 10.0 ** x, OverflowError, "Numerical result out of range"),
    (lambda x: math.exp(2 * x), OverflowError, "math range error"),
    (lambda x: 1 / (x - 400.0), ZeroDivisionError, "float division by zero"),
    (lambda x: math.log(-x), ValueError, "math domain error"),
])
def test_a_custom_op_forward_failing_names_the_op_and_inputs(custom_op, forward, kind,
                                                             reason):
    f = custom_op("forward_fails_19", forward, lambda x: [x])
    with pytest.raises(kind, match=r"^op 'forward_fails_19' forward with inputs "
                                   rf"\(400\.0\): {reason}"):
        f(Value(400.0))


# ---- display templates -------------------------------------------------------------------------
@pytest.mark.parametrize("display, arity, match", [
    (("{y}",), None, r"names \{y\}; it may name \{a\}, \{b\}, \{out\}, \{x\}, \{x0\}"),
    (("{",), 1, r"'\{' is not a valid template .*write \{\{ and \}\} for braces"),
    (("}",), 1, "is not a valid template"),
    (("{0}",), 1, r"names \{0\}; it may name \{out\}, \{x\}, \{x0\}"),
    (("{}",), 2, r"names \{\}"),
    (("{x:>20000000}",), 1, r"formats \{x\} with :>20000000; only plain names"),
    (("{out!r}",), 1, r"formats \{out\} with !r"),
    (("{x.real}",), 1, r"names \{x\.real\}"),
    (("{x[0]}",), 1, r"names \{x\[0\]\}"),
    (("{x}",), 2, r"names \{x\}; it may name \{a\}, \{b\}, \{out\}, \{x0\}, \{x1\}"),
    (("{a}", "{b}", "{c}"), 2, "display has 3 templates for 2 inputs"),
    (("{x3}",), 3, r"names \{x3\}"),
])
def test_bad_display_templates_are_refused_when_the_op_is_declared(display, arity, match):
    with pytest.raises(ValueError, match=r"^op 'display_19': (display template .*)?" + match):
        autograd.op("display_19", float, lambda x: [1.0], display=display, arity=arity)
    assert "display_19" not in autograd.ops.names()  # nothing registered


@pytest.mark.parametrize("display, arity, n, shown", [
    (("cos {x}", ), 1, 1, ["cos v0"]), (("{b}", "{a}·{out}"), 2, 2, ["v1", "v0·o"]),
    (("{x0}+{x2}",), 3, 3, ["v0+v2", None, None]), (("{{x}} {x}",), 1, 1, ["{x} v0"]),
    (("2·{x}²",), None, 1, ["2·v0²"]),
    (("2·{x}²",), None, 2, [None, None]),  # {x} names the input of a one-input node only
    (("{x0}·{x1}",), None, 2, ["v0·v1", None]), (("{x1}",), None, 1, [None]),
    ((), None, 2, [None, None])])
def test_good_display_templates_draw(custom_op, display, arity, n, shown):
    f = custom_op("display_ok_19", lambda *xs: 1.0, lambda *xs: [1.0] * len(xs),
                  display=display, arity=arity)
    out = f(*[Value(float(i), label=f"v{i}") for i in range(n)])
    names = [f"v{i}" for i in range(n)]
    assert [out.op_info.describe(pos, "o", names) for pos in range(n)] == shown
    latex = [out.op_info.describe(pos, "o", names, latex=True) for pos in range(n)]
    assert [text is None for text in latex] == [text is None for text in shown]


@given(st.text())
def test_any_text_as_display_is_refused_or_renders(text):
    try:
        autograd.op("display_any_19", float, lambda x: [1.0], display=(text,), arity=1)
    except ValueError:
        assert "display_any_19" not in autograd.ops.names()
        return
    try:
        found = autograd.ops.get("display_any_19").describe(0, "o", ["x"])
        assert isinstance(found, str)
    finally:
        autograd.ops.unregister("display_any_19")


# ---- strategies ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"min_value": 5e-324, "max_value": 5e-324}, r"\[5e-324, 5e-324\] holds only subnormal"),
    ({"min_value": -1e-310, "max_value": -5e-324}, r"\[-1e-310, -5e-324\] holds only "),
    ({"max_value": 10**400}, r"max_value must be a finite real number within the float "
                             r"range \(±1\.8e308\), got an int of about 400 digits"),
    ({"min_value": -(10**5000)}, "min_value must .* got an int of about 5000 digits"),
    ({"min_value": math.nan}, "min_value must be a finite real number, got nan"),
    ({"max_value": "1"}, "max_value must be a finite real number, got '1'"),
])
def test_values_refuses_bad_bounds_with_invalid_argument(kwargs, match):
    with pytest.raises(InvalidArgument, match=r"^values: " + match):
        values(**kwargs)
    with pytest.raises(InvalidArgument, match=r"^expressions: " + match):
        expressions(**kwargs)


@given(values(min_value=-5e-324, max_value=5e-324))
def test_an_interval_with_zero_and_subnormals_draws_zero(x):
    assert x == 0.0


def test_expressions_names_a_custom_op_without_arity(custom_op):
    custom_op("my_op", float, lambda x: [1.0])
    with pytest.raises(InvalidArgument, match=r"^expressions: op 'my_op' takes any number of "
                                              r"inputs \(declared without arity\).*arity=1"):
        expressions(ops=["my_op"])
    with pytest.raises(InvalidArgument, match=r"unknown ops \['no_such_op'\]"):
        expressions(ops=["no_such_op"])


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
