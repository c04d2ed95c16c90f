"""Unit tests of `autograd.testing`: gradcheck's verdicts, messages and argument errors, the
strategies' validation and guarantees, the lazy hypothesis import and the README guide."""

import math
import re
import subprocess
import sys

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis.errors import InvalidArgument

import autograd
import autograd.testing
from autograd import Value
from autograd.testing import (
    OPS,
    Expression,
    GradcheckError,
    expressions,
    gradcheck,
    values,
)
from nn.testing import mlps
from tests import ROOT

# A rule that is wrong by a factor: d(x³)/dx is 3x², not 2x².
cube = autograd.op("cube", lambda x: x ** 3, lambda x: (2 * x ** 2,))
# A rule right at first order but written on floats (math.tanh): under create_graph it
# turns the Value back into a float, so its second derivative silently becomes 0.
tanh_on_floats = autograd.op("tanh_on_floats", math.tanh, lambda x: (1 - math.tanh(x) ** 2,))

SEARCH = settings(database=None, derandomize=True, max_examples=500)
COVER = settings(SEARCH, phases=[Phase.generate])  # any example will do: no shrinking


# ---- gradcheck accepts correct derivatives ---------------------------------------------------
@pytest.mark.parametrize("f, inputs", [
    (lambda x: x.tanh(), [0.3]),
    (lambda x: x.tanh(), 0.3),  # a lone number
    (lambda x, y: x * y + (x / y).exp(), [1.5, -0.7]),
    (lambda x, y: [x * y, y.sigmoid(), x], [0.5, 2.0]),  # several outputs, one a leaf
    (lambda x, y: (x ** y, autograd.dot([x, y], [y, x], 1.0)), [1.3, 0.4]),
    (lambda x: autograd.sum([x, x * x, 3.0]), Value(2.0, label="x")),
    (lambda x, y: x.log() + y.sqrt() + abs(x - y) + (x - 0.5).relu(), [1.0, 4.0]),
])
@pytest.mark.parametrize("order", [1, 2])
def test_gradcheck_passes_correct_derivatives(f, inputs, order):
    assert gradcheck(f, inputs, order=order) is True


def test_gradcheck_accepts_values_and_leaves_their_grads_alone():
    x, y = Value(1.0, label="x"), Value(2.0)
    y.grad = 5.0
    assert gradcheck(lambda a, b: a * b, [x, y], order=2)
    assert (x.grad, y.grad) == (0.0, 5.0)


def test_gradcheck_runs_f_on_leaves_labelled_like_the_inputs():
    seen = []
    gradcheck(lambda a, b: seen.append((a.label, b.label)) or a * b, [Value(1.0, "w"), 2.0])
    assert set(seen) == {("w", "")}


# ---- gradcheck rejects wrong ones, naming what is wrong --------------------------------------
def test_wrong_rule_raises_naming_op_output_input_numbers_and_tolerance():
    with pytest.raises(GradcheckError) as info:
        gradcheck(cube, [Value(1.0, label="x")])
    message = str(info.value)
    assert message.startswith("gradcheck: first derivative of output 0 (op 'cube'")
    assert "with respect to input 'x' (position 0)" in message
    assert "at inputs (1.0,)" in message
    analytic, numeric, tolerance = (
        float(re.search(rf"{word} (\S+?),? ", message).group(1))
        for word in ("analytic", "numeric", "tolerance"))
    assert analytic == 2.0
    assert numeric == pytest.approx(3.0, abs=1e-6)
    assert tolerance == pytest.approx(1e-5 + 1e-3 * numeric)
    assert "atol 1e-05 + rtol 0.001·|numeric|" in message


def test_wrong_rule_deep_in_the_graph_is_named_with_the_position_of_the_input():
    f = lambda a, b: (a * 2.0).tanh() + cube(b).sigmoid()  # noqa: E731
    with pytest.raises(GradcheckError, match=r"ops in its graph: .*cube") as info:
        gradcheck(f, [0.5, 0.7])
    assert "input at position 1" in str(info.value)


def test_the_failing_output_is_named():
    with pytest.raises(GradcheckError, match=r"output 1 \(op 'cube'"):
        gradcheck(lambda x: [x.exp(), cube(x)], [0.9])


def test_raise_exception_false_returns_false():
    assert gradcheck(cube, [1.0], raise_exception=False) is False
    assert gradcheck(cube, [0.0], raise_exception=False) is True  # both derivatives are 0


def test_nan_gradients_fail():
    nan_rule = autograd.op("nan_rule", lambda x: x, lambda x: (math.nan,))
    with pytest.raises(GradcheckError, match="analytic nan"):
        gradcheck(nan_rule, [1.0])


def test_a_rule_written_on_floats_is_refused_at_order_two_not_silently_zero():
    assert gradcheck(tanh_on_floats, [0.5])
    with pytest.raises(TypeError, match=r"op 'tanh_on_floats': float\(\) of a Value inside "
                                        r"its derivative .* would lose the graph"):
        gradcheck(tanh_on_floats, [Value(0.5, label="a")], order=2)


def test_an_order_one_op_raises_when_differentiated_twice():
    first_only = autograd.op("tanh_first_only", math.tanh, lambda x: (1 - math.tanh(x) ** 2,),
                             order=1)
    assert gradcheck(first_only, [0.5])
    x = Value(0.5)
    (g,) = autograd.grad(first_only(x), [x], create_graph=True)  # first order still works
    assert g.data == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-12)
    with pytest.raises(TypeError, match="'tanh_first_only' was declared with order=1"):
        autograd.grad(g, [x])


def test_order_two_catches_a_rule_that_is_right_only_at_first_order():
    detached = autograd.op("tanh_detached", math.tanh,  # .data reads a number: no graph
                           lambda x: (1 - math.tanh(getattr(x, "data", x)) ** 2,))
    assert gradcheck(detached, [0.5])
    with pytest.raises(GradcheckError) as info:
        gradcheck(detached, [Value(0.5, label="a")], order=2)
    message = str(info.value)
    assert message.startswith("gradcheck: second derivative of output 0 (op 'tanh_detached'")
    assert "input 'a' (position 0) then input 'a' (position 0)" in message
    assert "analytic (autograd.grad with create_graph=True, differentiated again) 0.0" in message


def test_mixed_second_derivatives_are_checked():
    bad_mul = autograd.op("bad_mul", lambda x, y: x * y,
                          lambda x, y: (getattr(y, "data", y), getattr(x, "data", x)))
    assert gradcheck(bad_mul, [2.0, 3.0])
    with pytest.raises(GradcheckError, match="position 0 then input at position 1"):
        gradcheck(bad_mul, [2.0, 3.0], order=2)


def test_tolerances_are_honoured():
    assert gradcheck(cube, [1.0], atol=1.0, rtol=0.0)  # |2 − 3| ≤ 1
    assert not gradcheck(cube, [1.0], atol=0.5, rtol=0.1, raise_exception=False)


def test_hypothesis_finds_and_shrinks_a_wrong_rule():
    x = find(values(), lambda x: not gradcheck(cube, [x], raise_exception=False), settings=SEARCH)
    assert abs(x) == 1.0  # 0.0 passes (both derivatives are 0): ±1 is the simplest failure
    with pytest.raises(GradcheckError, match=r"op 'cube'.*analytic 2\.0, numeric 2\.99"):
        gradcheck(cube, [x])


def test_hypothesis_shrinks_a_wrong_rule_inside_random_expressions_to_one_step():
    def passes(expr):
        return gradcheck(lambda *xs: cube(expr(*xs)), expr.inputs, raise_exception=False)

    expr = find(expressions(), lambda e: not passes(e), settings=SEARCH)
    assert len(expr.inputs) == 1 and len(expr.ops) == 1


def test_a_given_test_reports_the_shrunk_failure():
    @settings(SEARCH, max_examples=100)
    @given(values(min_value=-5, max_value=5))
    def check(x):
        assert gradcheck(cube, [x])

    with pytest.raises(GradcheckError, match=r"op 'cube'.*at inputs \((-)?1\.0,\)"):
        check()


# ---- gradcheck's argument errors -------------------------------------------------------------
@pytest.mark.parametrize("inputs, match", [
    ("ab", r"inputs must be a number, a Value or a sequence of them, got str 'ab'"),
    ({1.0, 2.0}, "got set"),
    (None, "got NoneType None"),
    ([1.0, "2"], r"inputs\[1\] must be a number or a Value, got str '2'"),
    ([True], r"inputs\[0\] must be a number or a Value, got bool True"),
    ([1.0, 2j], r"inputs\[1\] .* got complex"),
])
def test_bad_inputs_raise_type_error_naming_them(inputs, match):
    with pytest.raises(TypeError, match=match):
        gradcheck(lambda *xs: xs[0], inputs)


@pytest.mark.parametrize("result", [1.0, None, [], (Value(1.0), 2.0), "x"])
def test_f_returning_something_else_raises_type_error(result):
    with pytest.raises(TypeError, match="f must return a Value or a non-empty list/tuple"):
        gradcheck(lambda x: result, [1.0])


def test_f_not_callable_raises_type_error():
    with pytest.raises(TypeError, match="gradcheck: f must be callable, got int 3"):
        gradcheck(3, [1.0])


@pytest.mark.parametrize("kwargs, match", [
    ({"eps": 0.0}, "eps must be a finite number > 0, got 0.0"),
    ({"eps": math.nan}, "eps must be a finite number > 0, got nan"),
    ({"atol": -1.0}, "atol must be a finite number ≥ 0, got -1.0"),
    ({"rtol": "0.1"}, "rtol must be a finite number ≥ 0, got '0.1'"),
    ({"order": 3}, "order must be 1 or 2, got 3"),
    ({"order": True}, "order must be 1 or 2, got True"),
])
def test_bad_settings_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(lambda x: x, [1.0], **kwargs)


@pytest.mark.parametrize("inputs, match", [
    ([], "inputs is empty"),
    ([1.0, math.inf], r"inputs\[1\] must be finite, got inf"),
])
def test_empty_or_infinite_inputs_raise_value_error(inputs, match):
    with pytest.raises(ValueError, match=match):
        gradcheck(lambda *xs: xs[0], inputs)


def test_gradcheck_error_is_an_assertion_error():
    assert issubclass(GradcheckError, AssertionError)  # pytest shows it as a test failure


# ---- the strategies --------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: values(min_value=math.nan), "values: min_value must be a finite real"),
    (lambda: values(max_value=math.inf), "values: max_value must be a finite real"),
    (lambda: values(min_value=True), "min_value must be a finite real number, got True"),
    (lambda: values(min_value=2, max_value=1), r"values: min_value=2 > max_value=1"),
    (lambda: expressions(min_size=0), "expressions: min_size must be an int ≥ 1, got 0"),
    (lambda: expressions(max_size=2.5), "max_size must be an int ≥ 1, got 2.5"),
    (lambda: expressions(min_inputs=3, max_inputs=2), "min_inputs=3 > max_inputs=2"),
    (lambda: expressions(ops=[]), "ops must be a non-empty collection"),
    (lambda: expressions(ops="tanh"), "ops must be a non-empty collection"),
    (lambda: expressions(ops=["tanh", "tan"]), r"unknown ops \['tan'\]"),
    (lambda: expressions(min_value="0"), "expressions: min_value must be a finite real"),
    (lambda: mlps(max_width=0), "mlps: max_width must be an int ≥ 1, got 0"),
    (lambda: mlps(min_layers=2, max_layers=1), "min_layers=2 > max_layers=1"),
    (lambda: mlps(min_samples=0), "min_samples must be an int ≥ 1"),
    (lambda: mlps(activations=["softmax"]), r"unknown activations \['softmax'\]"),
    (lambda: mlps(max_value=math.inf), "mlps: max_value must be a finite real"),
])
def test_strategy_arguments_are_validated(make, match):
    with pytest.raises(InvalidArgument, match=match):
        make()


@given(values(min_value=-1.5, max_value=2))
def test_values_are_bounded_finite_normal_floats(x):
    assert type(x) is float and -1.5 <= x <= 2.0
    assert x == 0.0 or abs(x) >= sys.float_info.min


# Every op, and the graph shapes the issue asks for, turn up in some expression.
FEATURES = {f"op {op}": (lambda name: lambda e: name in e.ops)(op) for op in OPS}
FEATURES.update({
    "a Value exponent": lambda e: any(n._op == "**" for n in _nodes(e)),
    "a number exponent": lambda e: any(n._op.startswith("**") and n._op != "**"
                                       for n in _nodes(e)),
    "a constant": lambda e: any(n._op == "const" for n in _nodes(e)),
    "fan-out": lambda e: any(n._prev.count(p) > 1 or sum(p in m._prev for m in _nodes(e)) > 1
                             for n in _nodes(e) for p in n._prev),
    "three inputs": lambda e: len(e.inputs) == 3,
    "a deep graph": lambda e: len(e.ops) >= 8,
})


def _nodes(expr):
    return autograd.topological_order(expr.output)


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_expressions_cover_every_op_and_shape(feature):
    find(expressions(), FEATURES[feature], settings=COVER)


@given(expressions())
def test_expressions_stay_inside_domains_and_away_from_kinks(expr):
    for node in _nodes(expr):
        assert abs(node.data) <= 100.0
        args = [p.data for p in node._prev]
        if node._op in ("log", "sqrt"):
            assert args[0] >= 0.1
        elif node._op in ("relu", "abs"):
            assert abs(args[0]) >= 0.1
        elif node._op == "/":
            assert abs(args[1]) >= 0.1
        elif node._op == "**":
            assert args[0] >= 0.1


@given(expressions(min_inputs=2, max_inputs=2, min_size=3, max_size=5, ops=["*", "tanh"],
                   min_value=-1, max_value=1))
def test_expressions_respect_their_arguments(expr):
    assert len(expr.inputs) == 2
    assert 3 <= len(expr.ops) <= 6 and set(expr.ops) <= {"*", "tanh", "sum"}
    assert all(-1.0 <= x.data <= 1.0 for x in expr.inputs)


@given(expressions())
def test_an_expression_rebuilds_from_new_inputs(expr):
    assert isinstance(expr, Expression)
    assert [x.label for x in expr.inputs] == [f"x{i}" for i in range(len(expr.inputs))]
    again = expr(*[Value(x.data) for x in expr.inputs])
    assert again is not expr.output and again.data == expr.output.data
    lines = repr(expr).splitlines()
    assert lines[0].startswith("Expression(x0=") and len(lines) == len(expr.ops) + 2


def test_an_expression_called_with_the_wrong_number_of_inputs_raises():
    expr = find(expressions(min_inputs=2, max_inputs=2), lambda e: True, settings=COVER)
    with pytest.raises(TypeError, match="Expression: takes 2 inputs, got 1"):
        expr(Value(1.0))


@settings(max_examples=30)
@given(mlps(max_layers=2, activations=["tanh"]))
def test_mlps_bring_inputs_and_targets_that_fit(case):
    nn = pytest.importorskip("nn")
    assert isinstance(case.mlp, nn.MLP)
    assert all(-1.0 <= p.data <= 1.0 for p in case.mlp.parameters())
    for x, y in zip(case.inputs, case.targets, strict=True):
        assert len(case.outputs(x)) == len(y)
    assert isinstance(case.loss(), Value) and case.loss().data >= 0.0


# ---- the module's surface ------------------------------------------------------------------
def test_all_lists_exactly_the_public_names():
    namespace = {}
    exec("from autograd.testing import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(autograd.testing.__all__)
    assert len(set(autograd.testing.__all__)) == len(autograd.testing.__all__)
    for name in autograd.testing.__all__:
        assert getattr(autograd.testing, name).__doc__, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autograd.testing.nope  # noqa: B018


def test_hypothesis_is_imported_only_when_a_strategy_is_used():
    code = """if True:
        import sys
        import autograd, autograd.testing
        from autograd.testing import gradcheck
        assert gradcheck(lambda x: x.exp(), [1.0])
        assert "hypothesis" not in sys.modules, "imported too early"
        autograd.testing.values
        assert "hypothesis" in sys.modules
    """
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- the README guide runs as written --------------------------------------------------------
def test_readme_testing_guide_runs_as_written():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("\n## Testing your own gradient code\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", guide, flags=re.DOTALL)
    assert blocks, "no python example in the README's testing guide"
    namespace = {"__name__": "readme_guide"}
    exec(compile("\n".join(blocks), "README.md (testing guide)", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_") and callable(f)]
    assert len(tests) >= 2
    for test in tests:
        test()


# ---- gradcheck at bad inputs: its own error or f's, named ---------------------------------------
NAN, INF = math.nan, math.inf


def _boom(x):
    raise RuntimeError("boom inside f")


@pytest.mark.parametrize("f, inputs, kwargs, error, match", [
    (_boom, [1.0], {}, RuntimeError, "boom inside f"),  # at the inputs: f's own error
    (lambda x: x.log(), [1e-7], {}, ValueError,
     r"gradcheck: f raised ValueError at the finite-difference point \(-9e-07,\) .*"
     "log: domain error.*use a smaller eps"),
    (lambda x: x * NAN, [1.0], {}, ValueError,
     r"gradcheck: output 0 of f is nan at inputs \(1\.0,\)"),
    (lambda x: x * NAN, [1.0], {"raise_exception": False}, ValueError,
     "gradcheck: output 0 of f is nan"),
    (lambda x: x if x.data == 1.0 else x * NAN, [1.0], {}, ValueError,
     "gradcheck: the finite-difference estimate of the first derivative of output 0 .* is nan"),
    (lambda x: x * x, [1e300], {"eps": 1e300}, ValueError, "gradcheck: output 0 of f is inf"),
    (lambda x: x * x, [1.0], {"eps": 1e300}, ValueError,
     "gradcheck: the finite-difference estimate .* is nan .*eps=1e\\+300"),
    (lambda x: x * x, [1.0], {"eps": 1e-300}, ValueError,
     "gradcheck: eps=1e-300 is too small to move input 0"),
    (lambda x: x, [NAN], {}, ValueError, r"gradcheck: inputs\[0\] must be finite, got nan"),
    (lambda x: x, [10**400], {}, ValueError,
     r"gradcheck: inputs\[0\] is an integer of about 401 digits, too large for a float"),
    (lambda x: x, [1.0], {"eps": 0}, ValueError, "gradcheck: eps must be a finite number > 0"),
    (lambda x: x, [1.0], {"eps": -1e-6}, ValueError, "gradcheck: eps must be a finite number"),
    (lambda x: x, [1.0], {"order": 1.0}, ValueError, "gradcheck: order must be 1 or 2, got 1.0"),
    (lambda x: x, [1.0], {"raise_exception": "no"}, TypeError,
     "gradcheck: raise_exception must be True or False, got 'no'"),
    (lambda x: [x] if x.data == 1.0 else [x, x], [1.0], {}, ValueError,
     "gradcheck: f returned 1 outputs at the inputs but 2 at a nearby point"),
])
def test_gradcheck_bad_input(f, inputs, kwargs, error, match):
    with pytest.raises(error, match=match):
        gradcheck(f, inputs, **kwargs)


# ---- the strategies' bounds and ops: InvalidArgument naming them -------------------------------
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



# ---- expressions() reads how to draw an op's inputs from its table entry ---------------------
@pytest.mark.parametrize("entry, needle", [
    (autograd.ops.DOT, "layout21(["),  # n-ary with a neuron's layout (Op.terms): ws, xs, bias
    (autograd.ops.SUM, "layout21(["),  # n-ary, terms only
    (autograd.ops.POW_N, " ** "),      # a bound parameter drawn from param_examples
    (autograd.ops.POW, " ** "),        # binary, written with its symbol (Op.precedence)
])
def test_a_copy_of_a_builtin_under_a_new_name_is_generated_with_no_other_change(entry, needle):
    copy = autograd.ops.register(entry.replace(name="layout21", builtin=False))
    try:
        seen = []

        @settings(max_examples=25, derandomize=True, database=None)
        @given(expressions(ops=["layout21"], max_size=3))
        def check(expr):
            assert set(expr.ops) == {"layout21"}
            gradcheck(expr, expr.inputs)
            replayed = expr(*[Value(x.data) for x in expr.inputs])
            assert replayed.data == expr.output.data
            seen.append(repr(expr))

        check()
        assert any(needle in text for text in seen), seen[:3]
        assert copy.name in autograd.ops.names(builtin=False)
    finally:
        autograd.ops.unregister("layout21")
