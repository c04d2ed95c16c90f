"""`autograd.compile`: generated code agrees with eager mode (gradients, values, errors),
guards retrace or raise, and the source is the seed's backprop written out."""

import importlib
import math
import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import TraceError, Value, ops
from autograd.testing import expressions, values

RTOL = 1e-12
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def assert_close(got, want, scale=None):
    """Equal to RTOL relative to the largest gradient (sums may cancel to tiny numbers)."""
    got, want = list(got), list(want)
    assert len(got) == len(want)
    scale = max([abs(x) for x in want] + [1e-300]) if scale is None else scale
    for k, (a, b) in enumerate(zip(got, want)):
        assert math.isclose(a, b, rel_tol=RTOL, abs_tol=RTOL * scale), (k, a, b)


def eager_grads(fn, params, *args):
    for p in params:
        p.grad = 0.0
    out = fn(*args)
    out.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return out.data, grads


def seed_network():
    return nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)


# ---- the seed network ------------------------------------------------------------------------
def test_seed_network_source_shows_the_fan_out_sum():
    model = seed_network()
    step = autograd.compile(lambda x, y: nn.seed_cost(model(x), y), [0.05, 0.10], [0.01, 0.99])
    source = step.source
    assert "# forward" in source and "# backward" in source
    assert "z_1_0 = w_1_0_0 * x_0 + w_1_0_1 * x_1 + b_1_0" in source
    assert "a_1_0 = _sigmoid(z_1_0)" in source
    # the seed: ∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀, one line
    lines = [line.strip() for line in source.splitlines()]
    assert "dC_da_1_0 = dC_dz_2_0 * w_2_0_0 + dC_dz_2_1 * w_2_1_0" in lines
    assert source.index("# forward") < source.index("# backward")


def test_seed_network_gradients_are_bit_exact_with_eager():
    model = seed_network()
    params = model.parameters()
    x, y = [0.05, 0.10], [0.01, 0.99]
    want_c, want = eager_grads(lambda: nn.seed_cost(model(x), y), params)
    step = autograd.compile(lambda x, y: nn.seed_cost(model(x), y), x, y)
    assert step(x, y) == want_c
    assert [p.grad for p in params] == want


def test_call_adds_to_grad_like_backward():
    model = seed_network()
    params = model.parameters()
    step = autograd.compile(lambda x, y: nn.seed_cost(model(x), y), [0.05, 0.10], [0.01, 0.99])
    step([0.05, 0.10], [0.01, 0.99])
    once = [p.grad for p in params]
    step([0.05, 0.10], [0.01, 0.99])
    assert_close([p.grad for p in params], [2 * g for g in once])


def test_parameters_are_read_fresh_on_every_call():
    w = Value(2.0, label="w")
    step = autograd.compile(lambda x: w * x * x, 3.0)
    assert step(3.0) == 18.0 and w.grad == 9.0
    w.data = -1.0
    assert step.forward(4.0) == -16.0
    assert step.parameters == [w]


# ---- random MLPs, random expressions, every op --------------------------------------------------
@st.composite
def mlp_cases(draw):
    """An MLP with drawn sizes, activations and weights, and a few samples with targets.

    (`nn.testing.mlps` draws the same; in this snapshot it calls `values` positionally,
    which `autograd.testing.values` refuses, so the cases are drawn here.)
    """
    nin = draw(st.integers(1, 3))
    nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    activations = st.sampled_from(["relu", "sigmoid", "tanh", "linear"])
    mlp = nn.MLP(nin, nouts, activation=draw(activations),
                 output_activation=draw(activations), seed=0)
    for p in mlp.parameters():
        p.data = draw(values(min_value=-1.0, max_value=1.0))
    data = values(min_value=-2.0, max_value=2.0)
    count = draw(st.integers(1, 4))
    inputs = [draw(st.lists(data, min_size=nin, max_size=nin)) for _ in range(count)]
    targets = [draw(st.lists(data, min_size=nouts[-1], max_size=nouts[-1]))
               for _ in range(count)]
    return mlp, inputs, targets


@PROPERTY
@given(mlp_cases())
def test_mlp_call_and_batch_agree_with_eager(case):
    mlp, inputs, targets = case
    params = mlp.parameters()

    def cost(x, y):
        out = mlp(x)
        return nn.seed_cost(out, y)

    step = autograd.compile(cost, inputs[0], targets[0])
    eager = []
    for x, y in zip(inputs, targets):
        c, grads = eager_grads(cost, params, x, y)
        eager.append((c, grads))
    # one call at a time
    for (x, y), (c, grads) in zip(zip(inputs, targets), eager):
        for p in params:
            p.grad = 0.0
        assert step(x, y) == pytest.approx(c, rel=RTOL, abs=1e-300)
        assert_close([p.grad for p in params], grads)
    # one batch: L = Σₙ Cⁿ, and its mean
    total = [sum(g[k] for _, g in eager) for k in range(len(params))]
    scale = max([abs(g) for _, gs in eager for g in gs] + [1e-300])
    for reduction, factor in (("sum", 1.0), ("mean", 1.0 / len(eager))):
        for p in params:
            p.grad = 0.0
        loss = step.batch(inputs, targets, reduction=reduction)
        want = math.fsum(c for c, _ in eager) * factor
        assert loss == pytest.approx(want, rel=RTOL, abs=1e-300)
        assert_close([p.grad for p in params], [g * factor for g in total], scale * factor)


@PROPERTY
@given(expressions(max_size=10))
def test_expressions_agree_with_eager(expr):
    point = [x.data for x in expr.inputs]
    expr.output.backward()
    want = [x.grad for x in expr.inputs]
    step = autograd.compile(expr, *point)
    xs = [Value(x) for x in point]
    assert step(*xs) == pytest.approx(expr.output.data, rel=RTOL, abs=1e-300)
    assert_close([x.grad for x in xs], want)
    assert step.forward(*point) == pytest.approx(expr.output.data, rel=RTOL, abs=1e-300)


@PROPERTY
@given(expressions(min_inputs=2, max_size=10), st.data())
def test_expressions_batch_agrees_with_eager(expr, data):
    """`batch` (whose backward skips a node with g = 0, as eager does) on random graphs:
    the first k inputs are parameters, the rest arguments, the same row three times."""
    point = [x.data for x in expr.inputs]
    k = data.draw(st.integers(1, len(point) - 1), label="parameters")
    expr.output.backward()
    want = [x.grad for x in expr.inputs[:k]]
    params = [Value(x) for x in point[:k]]
    step = autograd.compile(lambda *args: expr(*params, *args), *point[k:])
    rows = [[x] * 3 for x in point[k:]]
    for reduction, factor in (("sum", 3.0), ("mean", 1.0)):
        for p in params:
            p.grad = 0.0
        total = step.batch(*rows, reduction=reduction)
        assert total == pytest.approx(expr.output.data * factor, rel=RTOL, abs=1e-300)
        # batch adds every row's sends into one sum per parameter, not row totals: where
        # the sends cancel to 0 the result is 0 only to rounding of terms of size ~1
        assert_close([p.grad for p in params], [g * factor for g in want],
                     scale=max([1.0] + [abs(g) * factor for g in want]))


def _op_cases():
    for op in ops.public():
        if op.arity is None:
            continue
        params = op.param_examples[:3] or (None,)
        for n in params:
            yield pytest.param(op, n, id=f"{op.name}{'' if n is None else f'({n})'}")


@pytest.mark.parametrize("op,n", list(_op_cases()))
def test_every_op_agrees_with_eager(op, n):
    point = [0.7, 1.3][:op.arity]

    def f(*xs):
        if op.name == "**n":
            return xs[0] ** n
        if op.name == "**":
            return xs[0] ** xs[1]
        if op.operator:
            return getattr(xs[0], f"__{op.operator}__")(*xs[1:])
        return getattr(xs[0], op.method)(*xs[1:])

    leaves = [Value(x) for x in point]
    out = f(*leaves)
    out.backward()
    step = autograd.compile(f, *point)
    assert op.name in {n.op for n in autograd.topological_order(out)}
    xs = [Value(x) for x in point]
    assert step(*xs) == out.data
    assert_close([x.grad for x in xs], [leaf.grad for leaf in leaves])
    # batch, two rows: the op's first input is a parameter times an argument that is 1.0
    param = Value(point[0])
    batched = autograd.compile(lambda one, *rest: f(param * one, *rest), 1.0, *point[1:])
    rows = [[x, x] for x in [1.0, *point[1:]]]
    assert batched.batch(*rows) == pytest.approx(2 * out.data, rel=RTOL, abs=1e-300)
    assert_close([param.grad], [2 * leaves[0].grad])


@pytest.mark.parametrize("shape", ["dot", "sum"])
def test_n_ary_ops_agree_with_eager(shape):
    ws = [Value(w) for w in (0.5, -1.5, 2.0)]

    def f(x, y):
        if shape == "dot":
            return autograd.dot(ws, [x, y, x * y], 0.25)
        return autograd.sum([x, y, x * y, ws[0]])

    _, want = eager_grads(lambda: f(Value(1.5), Value(-0.5)), ws)
    step = autograd.compile(f, 1.5, -0.5)
    step(1.5, -0.5)
    assert_close([w.grad for w in ws], want)


def test_custom_ops_compile_through_their_registration():
    cube = autograd.op("cube_compile_test", lambda x: x ** 3, lambda x: [3 * x ** 2])
    try:
        w = Value(0.5)
        step = autograd.compile(lambda x: cube(w * x), 2.0)
        assert "_op_cube_compile_test_forward(" in step.source
        assert "_op_cube_compile_test_rule(" in step.source
        assert step(2.0) == 1.0 and w.grad == pytest.approx(3 * 1.0 * 2.0)
    finally:
        ops.unregister("cube_compile_test")


def test_list_outputs_return_lists_and_add_every_gradient():
    w = Value(3.0)
    step = autograd.compile(lambda x: [w * x, w + x], 2.0)
    assert step(2.0) == [6.0, 5.0]
    assert w.grad == 3.0  # ∂(w·x)/∂w + ∂(w+x)/∂w
    assert step.batch([1.0, 2.0], reduction="sum") == [9.0, 9.0]


# ---- guards --------------------------------------------------------------------------------------
def branchy(x):
    if x > 0:
        return x * x
    return -x


def test_a_comparison_becomes_a_guard_and_retraces():
    step = autograd.compile(branchy, 2.0)
    assert "traced: x > 0 was True" in step.source
    x = Value(-3.0)
    assert step(x) == 3.0 and x.grad == -1.0  # not the traced x*x
    assert step.traces == 2
    y = Value(4.0)
    assert step(y) == 16.0 and y.grad == 8.0  # both traces are kept
    assert step.traces == 2


def test_retrace_false_raises_trace_error_naming_the_guard():
    step = autograd.compile(branchy, 2.0, retrace=False)
    assert step(1.0) == 1.0
    with pytest.raises(TraceError, match=r"x > 0 was True"):
        step(-1.0)


def test_a_failed_guard_changes_no_grad():
    w = Value(1.0)

    def f(x):
        return w * x if x > 0 else w - x

    step = autograd.compile(f, 2.0, retrace=False)
    with pytest.raises(TraceError):
        step(-2.0)
    assert w.grad == 0.0


def test_builtin_max_float_int_round_are_guards():
    def f(x, y):
        m = max(x, y)  # a comparison of Values
        k = int(x) + round(y) + float(x) * 0
        return m * k

    step = autograd.compile(f, 2.5, 1.0)
    assert step.traces == 1
    for x, y in [(2.5, 1.0), (0.5, 3.0), (7.2, -1.4), (2.5, 1.0)]:
        xs, ys = Value(x), Value(y)
        out = f(xs, ys)
        out.backward()
        a, b = Value(x), Value(y)
        assert step(a, b) == out.data
        assert (a.grad, b.grad) == (xs.grad, ys.grad)


def test_guards_in_batch_send_rows_to_their_own_trace():
    w = Value(2.0)
    step = autograd.compile(lambda x: w * x if x > 0 else (w * x).exp(), 1.0)
    loss = step.batch([1.0, -1.0, 3.0, -2.0])
    want = 2.0 + math.exp(-2.0) + 6.0 + math.exp(-4.0)
    assert loss == pytest.approx(want, rel=1e-15)
    assert w.grad == pytest.approx(1.0 - math.exp(-2.0) + 3.0 - 2.0 * math.exp(-4.0), rel=1e-15)


def test_relu_abs_max_need_no_guard():
    step = autograd.compile(lambda x, y: x.relu() + x.abs() + x.max(y), 1.0, 2.0)
    assert "traced:" not in step.source
    for x, y in [(1.0, 2.0), (-1.0, -3.0)]:
        a, b = Value(x), Value(y)
        assert step(a, b) == max(x, 0) + abs(x) + max(x, y)
    assert step.traces == 1


def test_arguments_fn_refuses_as_values_are_static():
    model = nn.MLP(2, [3], seed=1, output_activation="linear")
    step = autograd.compile(lambda x, label: nn.softmax_cross_entropy(model(x), label),
                            [0.5, -0.5], 1)
    for label in (0, 1, 2, 1):
        _, want = eager_grads(nn.softmax_cross_entropy, model.parameters(),
                              model([0.3, 0.2]), label)
        step([0.3, 0.2], label)
        assert_close([p.grad for p in model.parameters()], want)
        model.zero_grad()
    assert step.traces == 3


# ---- eager semantics: no_grad, non-finite values, errors -----------------------------------------
def test_no_grad_inside_fn_stops_the_gradient_but_follows_the_input():
    def f(x):
        with autograd.no_grad():
            m = x * 3.0
        return x * m

    step = autograd.compile(f, 2.0)
    assert "no_grad" in step.source
    x = Value(5.0)
    assert step(x) == 75.0
    assert x.grad == 15.0  # m is a constant 15 for the gradient, but recomputed from x


def test_calls_under_no_grad_change_no_grad():
    w = Value(2.0)
    step = autograd.compile(lambda x: w * x, 3.0)
    with autograd.no_grad():
        assert step(3.0) == 6.0
    assert w.grad == 0.0


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_domain_errors_are_eager_errors(x):
    step = autograd.compile(lambda x: x.log(), 2.0)
    with pytest.raises(ValueError) as compiled_error:
        step(x)
    with pytest.raises(ValueError) as eager_error:
        Value(x).log()
    assert str(compiled_error.value) == str(eager_error.value)
    assert "log" in str(compiled_error.value)


def test_overflow_and_division_errors_name_the_op():
    step = autograd.compile(lambda x: (x * 800.0).exp(), 0.1)
    with pytest.raises(OverflowError, match="exp"):
        step(1.0)
    div = autograd.compile(lambda x, y: x / y, 1.0, 2.0)
    with pytest.raises(ZeroDivisionError, match="/"):
        div(1.0, 0.0)


def test_non_finite_values_give_eager_results():
    w = Value(1.0)

    def f(x):
        return (w * x * 1e300 * 1e300).relu() + w * x

    step = autograd.compile(f, 1.0)
    for x in (1.0, math.inf, math.nan, -1.0):
        w.grad = 0.0
        a = Value(x)
        out = f(a)
        out.backward()
        want, want_grad = out.data, w.grad
        w.grad = 0.0
        got = step(x)
        assert (got == want) or (math.isnan(got) and math.isnan(want))
        assert repr(w.grad) == repr(want_grad)


def test_negative_base_with_fractional_exponent_is_not_a_complex_number():
    step = autograd.compile(lambda x: x ** 0.5, 4.0)
    assert step(4.0) == 2.0
    with pytest.raises(ValueError, match=r"\*\*"):
        step(-4.0)


def test_hand_built_micrograd_nodes_are_refused():
    a = Value(2.0)

    def f(x):
        out = Value(x.data * a.data, (x, a), "*")
        out._backward = lambda: None
        return out

    with pytest.raises(TraceError, match="micrograd"):
        autograd.compile(f, 1.0)


def test_fn_must_return_values():
    with pytest.raises(TraceError, match="must return a Value"):
        autograd.compile(lambda x: "nope", 1.0)
    with pytest.raises(TypeError, match="callable"):
        autograd.compile(3.0)


def test_huge_graphs_are_refused_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(importlib.import_module("autograd._compile.emit"), "MAX_TRACE_NODES", 50)
    with pytest.raises(TraceError, match="more than 50"):
        autograd.compile(lambda x: autograd.sum([x * k for k in range(60)]), 1.0)


def test_batch_checks_its_arguments():
    step = autograd.compile(lambda x, y: x * y, 1.0, 2.0)
    with pytest.raises(ValueError, match="reduction"):
        step.batch([1.0], [2.0], reduction="max")
    with pytest.raises(ValueError, match="rows"):
        step.batch([1.0, 2.0], [2.0])
    with pytest.raises(TypeError, match="argument lists"):
        step.batch([1.0])
    with pytest.raises(TypeError, match="takes 2 arguments"):
        step(1.0)


def test_batch_failure_changes_no_grad():
    w = Value(1.0)
    step = autograd.compile(lambda x: (w * x).log(), 1.0)
    with pytest.raises(ValueError, match="log"):
        step.batch([1.0, 2.0, -1.0])
    assert w.grad == 0.0


def test_threads_share_one_compiled_function():
    w = Value(0.5)
    step = autograd.compile(lambda x: w * x, 1.0)

    def work():
        for _ in range(200):
            step(1.0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert w.grad == 800.0


# ---- nn integration ------------------------------------------------------------------------------
def test_training_with_batch_and_an_optimiser_matches_eager_training():
    xs, ys = nn.make_moons(30, seed=0)
    ys = [float(y) for y in ys]
    models = [nn.MLP(2, [8, 1], seed=3) for _ in range(2)]
    opts = [nn.SGD(m.parameters(), lr=0.1) for m in models]
    step = autograd.compile(lambda x, y: (1.0 - y * models[0](x)).relu(), xs[0], ys[0])
    for _ in range(5):
        opts[0].zero_grad()
        step.batch(xs, ys, reduction="mean")
        opts[0].step()
        opts[1].zero_grad()
        losses = [(1.0 - y * models[1](x)).relu() for x, y in zip(xs, ys)]
        (autograd.sum(losses) * (1.0 / len(losses))).backward()
        opts[1].step()
    a = [p.data for p in models[0].parameters()]
    b = [p.data for p in models[1].parameters()]
    assert_close(a, b)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=2))
def test_inside_another_trace_a_compiled_function_is_fn_itself(point):
    w = Value(1.5)
    inner = autograd.compile(lambda x: w * x.tanh(), 0.5)
    outer = autograd.compile(lambda x, y: inner(x) * y, 0.5, 2.0)
    want_out = (w.data * math.tanh(point[0])) * point[1]
    assert outer(*point) == pytest.approx(want_out, rel=1e-15, abs=1e-300)


def test_outputs_that_are_leaves_and_unused_arguments():
    w = Value(2.0)
    step = autograd.compile(lambda x, unused: [x, w, x * w], 3.0, 5.0)
    x = Value(3.0)
    assert step(x, 5.0) == [3.0, 2.0, 6.0]
    assert (x.grad, w.grad) == (1.0 + 2.0, 1.0 + 3.0)


def test_numpy_arrays_are_arguments_and_rows():
    np = pytest.importorskip("numpy")
    w = Value(0.5)
    step = autograd.compile(lambda x: w * x[0] * x[1], np.array([1.0, 2.0]))
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert step.batch(X) == 0.5 * 2.0 + 0.5 * 12.0
    assert w.grad == 14.0
    assert step(np.array([2.0, 2.0])) == 2.0


def test_forward_retraces_on_a_failed_guard_and_prepare_checks_its_argument():
    step = autograd.compile(branchy, 2.0)
    assert step.forward(-5.0) == 5.0 and step.forward(3.0) == 9.0
    step.prepare()
    with pytest.raises(ValueError, match="kind"):
        step.prepare("everything")


def test_a_new_static_value_needs_a_trace_so_retrace_false_refuses_it():
    model = nn.MLP(2, [3], seed=1, output_activation="linear")
    step = autograd.compile(lambda x, label: nn.softmax_cross_entropy(model(x), label),
                            [0.5, -0.5], 1, retrace=False)
    assert step([0.1, 0.2], 1) > 0
    before = [p.grad for p in model.parameters()]
    assert any(before)
    with pytest.raises(TraceError, match="new trace"):
        step([0.1, 0.2], 2)
    assert [p.grad for p in model.parameters()] == before  # the refused call added nothing


def test_batch_skips_off_relus_and_matches_eager_bit_for_bit():
    """batch adds a Σ's product with a ReLU's output only when the ReLU is on; sums start
    at 0.0 and end with the bias as eager `dot` does, so outputs and gradients are equal
    to the last bit. A non-finite weight sends the call to eager mode (0·inf is nan)."""
    rng = random.Random(5)
    model = nn.MLP(2, [8, 8, 1], activation="relu", output_activation="linear", seed=3)
    params = model.parameters()
    xs = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(25)]
    ys = [rng.choice([-1.0, 1.0]) for _ in xs]

    def hinge(x, y):
        return (1.0 - y * model(x)).relu()

    step = autograd.compile(hinge, xs[0], ys[0])
    assert "if a_1_0:" in step.batch_source and "z_2_0 += b_2_0" in step.batch_source

    def eager_total():  # batch's reduction: fsum of the outputs, gradients row by row
        outs, grads = [], [0.0] * len(params)
        for x, y in zip(xs, ys):
            c, g = eager_grads(hinge, params, x, y)
            outs.append(c)
            grads = [a + b for a, b in zip(grads, g)]
        return math.fsum(outs), grads

    def same(a, b):
        return a == b or (math.isnan(a) and math.isnan(b))

    for poison in (None, math.inf):
        if poison is not None:
            params[20].data = poison  # a weight of layer 2
        want, want_grads = eager_total()
        for p in params:
            p.grad = 0.0
        got = step.batch(xs, ys)
        assert same(got, want)
        assert all(same(p.grad, g) for p, g in zip(params, want_grads))
