"""`autograd.compile` keeps eager semantics or refuses clearly: the repros of the compile
review as regression tests (signed zero, name clashes, captured Values, subnormal
gradients, output shapes, mixed batches, bounded traces, impure functions), each with
variants."""

import math
import random
import warnings

import pytest

import autograd
import nn
from autograd import TraceError, Value
from autograd.compile import MAX_TRACES


def eager(fn, params, *args):
    """(outputs, gradients) of fn in eager mode; every .grad left at 0."""
    for p in params:
        p.grad = 0.0
    out = fn(*args)
    outs = out if isinstance(out, list) else [out]
    for o in outs:
        o.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return [o.data for o in outs], grads


def compiled(step, params, *args):
    for p in params:
        p.grad = 0.0
    out = step(*args)
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return (out if isinstance(out, list) else [out]), grads


def same(a, b):
    return a == b or (a != a and b != b)


@pytest.fixture(autouse=True)
def warnings_are_errors():
    """No call in these tests may fall back to eager mode silently or with a warning,
    unless a test says so."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---- guards see what eager sees ------------------------------------------------------------
@pytest.mark.parametrize("first, second", [(0.0, -0.0), (-0.0, 0.0), (math.nan, 1.0),
                                           (1.0, math.nan), (2.5, 2.5000000000000004)])
def test_float_guards_see_the_sign_of_zero_and_nan(first, second):
    w = Value(3.0)

    def fn(x):
        y = w * x
        return w * 2.0 if math.copysign(1.0, float(x)) > 0 else w * -5.0 + y

    step = autograd.compile(fn, first)
    for x in (first, second, first):
        got, got_grads = compiled(step, [w], x)
        want, want_grads = eager(fn, [w], x)
        assert all(map(same, got, want)) and all(map(same, got_grads, want_grads)), x


def test_round_and_int_guards_with_a_signed_zero_result():
    w = Value(1.0)

    def fn(x):
        r = round(x, 1)
        return w * (1.0 if math.copysign(1.0, r) > 0 else -1.0) + w * int(x)

    step = autograd.compile(fn, 0.01)
    for x in (0.01, -0.01, 0.02, 3.7, -3.7):
        assert compiled(step, [w], x) == eager(fn, [w], x), x


# ---- names ---------------------------------------------------------------------------------
def test_an_argument_named_like_a_list_item_gets_its_own_variable():
    """The repro: def f(x, x_1) with x a list of 2 named two variables x_1."""
    w = Value(2.0)

    def f(x, x_1):
        return w * x[0] * x[1] + w * x_1 * x_1

    step = autograd.compile(f, [1.0, 2.0], 3.0)
    assert compiled(step, [w], [1.5, 0.5], 2.0) == eager(f, [w], [1.5, 0.5], 2.0)
    rows = ([[1.0, 2.0], [0.5, 1.0]], [3.0, 1.0])
    want = sum(eager(f, [w], x, y)[0][0] for x, y in zip(*rows))
    want_grad = sum(eager(f, [w], x, y)[1][0] for x, y in zip(*rows))
    assert step.batch(*rows) == want and w.grad == want_grad


def test_labels_that_sanitise_alike_stay_distinct():
    a, b, c = Value(1.0, label="w 1"), Value(2.0, label="w_1"), Value(3.0, label="w-1")

    def fn(x):
        return a * x + b * x * x + c * x * x * x

    step = autograd.compile(fn, 2.0)
    assert compiled(step, [a, b, c], 1.5) == eager(fn, [a, b, c], 1.5)


# ---- values captured from outside ----------------------------------------------------------
def test_a_value_computed_outside_fn_is_refused_at_trace_time():
    """The repro: h = w*w outside fn was recomputed by compiled code (75.0 vs 3.0)."""
    w = Value(1.5)
    h = w * w
    with pytest.raises(TraceError, match="computed outside"):
        autograd.compile(lambda x: h * x, 2.0)
    leaf = Value(h.data)  # what the message advises: a leaf holding the number
    step = autograd.compile(lambda x: leaf * x, 2.0)
    assert step(2.0) == 4.5 and leaf.grad == 2.0


def test_values_made_inside_fn_and_detached_ones_compile():
    w = Value(0.5)

    def fn(x):
        y = w * x
        with autograd.no_grad():
            z = y * y
        return y * z + y.detach()

    step = autograd.compile(fn, 2.0)
    for x in (2.0, -1.0, 3.0):
        assert compiled(step, [w], x) == eager(fn, [w], x)


# ---- gradients are finite wherever eager's are ---------------------------------------------
TINY = [5e-324, -5e-324, 1e-310, 2.2250738585072014e-308, 1e-160]


@pytest.mark.parametrize("w0", TINY + [1e154, 1e308, -1e308])
@pytest.mark.parametrize("body", [
    lambda w, x: (w * x) / (w * w + 1e-300),
    lambda w, x: (w * w).sqrt() + x,
    lambda w, x: (w * x) ** 2.0 + w ** 3.0,
    lambda w, x: (w / x).tanh() * w,
    lambda w, x: (w * w * w).log1p() * x,
    lambda w, x: w.sigmoid() * (w * x).exp(),
    lambda w, x: autograd.dot([w, w], [x, w], w) * w,
    lambda w, x: (x - w).abs() / (w * x + 1.0),
])
def test_gradients_match_eager_at_subnormal_and_huge_parameters(w0, body):
    """The repro: a subnormal parameter gave w.grad = nan from step() where eager and batch
    gave 0.0 (only forward values were checked for inf/nan)."""
    w = Value(w0)

    def fn(x):
        return body(w, x)

    try:
        want = eager(fn, [w], 0.5)
    except (ArithmeticError, ValueError) as error:
        with pytest.raises(type(error)):
            autograd.compile(fn, 0.5)(0.5)
        return
    step = autograd.compile(fn, 0.5)
    got = compiled(step, [w], 0.5)
    assert all(map(same, got[0], want[0])) and all(map(same, got[1], want[1])), (got, want)
    w.grad = 0.0
    total = step.batch([0.5, 0.5])  # sums each send over the rows: the last bit may differ
    assert same(total, want[0][0] * 2)
    assert same(w.grad, want[1][0] * 2) or math.isclose(w.grad, want[1][0] * 2, rel_tol=1e-12)


# ---- output shapes ---------------------------------------------------------------------------
def test_each_call_returns_the_shape_of_the_trace_that_ran():
    """The repro: float or list followed the latest trace, not the one that ran."""
    w = Value(2.0)

    def fn(x):
        y = w * x
        return y if y > 0 else [y, y * y]

    step = autograd.compile(fn, 1.0)
    assert step(1.0) == 2.0
    assert step(-1.0) == [-2.0, 4.0]
    assert step(1.0) == 2.0 and step.forward(3.0) == 6.0
    assert step.forward(-3.0) == [-6.0, 36.0]


def test_batch_over_rows_of_different_traces():
    """The repro: batch over mixed rows dropped an output."""
    w = Value(0.5)

    def fn(x):
        y = w * x
        return y * y if y > 0 else -y

    step = autograd.compile(fn, 1.0)
    rows = [1.0, -2.0, 3.0, -4.0, 0.5]
    want = [eager(fn, [w], x) for x in rows]
    assert step.batch(rows) == math.fsum(o[0][0] for o in want)
    assert w.grad == pytest.approx(sum(g[1][0] for g in want), rel=1e-15)
    w.grad = 0.0
    lengths = autograd.compile(lambda xs: w * autograd.sum(xs), [1.0])
    assert lengths.batch([[1.0], [1.0, 2.0], [3.0]]) == 0.5 * 7.0 and w.grad == 7.0


def test_batch_refuses_rows_whose_outputs_differ_in_shape():
    w = Value(2.0)

    def fn(x):
        y = w * x
        return y if y > 0 else [y, y]

    step = autograd.compile(fn, 1.0)
    with pytest.raises(ValueError, match="different shapes"):
        step.batch([1.0, -1.0])
    assert w.grad == 0.0


def test_a_list_of_numpy_rows_works_in_batch_as_a_2d_array():
    np = pytest.importorskip("numpy")
    w = Value(0.5)
    step = autograd.compile(lambda x: w * x[0] * x[1], np.array([1.0, 2.0]))
    rows = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]
    assert step.batch(rows) == step.batch(np.array(rows)) == 7.0
    assert w.grad == 28.0


# ---- arguments: bounded specialisation -------------------------------------------------------
def test_static_arguments_keep_a_bounded_number_of_traces():
    """The repro: one trace per distinct static value, no limit (2.8 GB for string ids)."""
    w = Value(1.0)
    step = autograd.compile(lambda x, name: w * x * len(name), 1.0, "a")
    for k in range(MAX_TRACES - 1):
        step(2.0, str(k))
    with pytest.warns(RuntimeWarning, match="more than 64 traces.*new static arguments"):
        for k in range(3 * MAX_TRACES):
            assert step(2.0, "n" * (k % 5 + 1) + str(k)) == 2.0 * (k % 5 + 1 + len(str(k)))
    assert step.traces == MAX_TRACES


def test_class_labels_are_static_and_least_recently_used_traces_go_first():
    model = nn.MLP(2, [3], seed=1, output_activation="linear")
    step = autograd.compile(lambda x, label: nn.softmax_cross_entropy(model(x), label),
                            [0.5, -0.5], 0)
    for label in (0, 1, 2, 0, 1, 2):
        want = eager(nn.softmax_cross_entropy, model.parameters(), model([0.3, 0.2]), label)
        assert compiled(step, model.parameters(), [0.3, 0.2], label)[0] == want[0]
    assert step.traces == 3


def test_numpy_integer_labels_share_the_python_int_trace():
    np = pytest.importorskip("numpy")
    model = nn.MLP(2, [3], seed=1, output_activation="linear")
    step = autograd.compile(lambda x, label: nn.softmax_cross_entropy(model(x), label),
                            [0.5, -0.5], 1)
    step([0.5, -0.5], np.int64(1))
    assert step.traces == 1


# ---- verify ----------------------------------------------------------------------------------
def test_verify_catches_an_impure_function_and_changes_no_grad():
    w = Value(0.5)
    w.grad = 7.0
    rng = random.Random(0)

    def noisy(x):
        return w * x + rng.random()

    step = autograd.compile(noisy, 1.0)
    with pytest.raises(TraceError, match="output 0 is .* compiled but .* in eager mode"):
        step.verify(1.0)
    assert w.grad == 7.0


def test_verify_names_the_first_gradient_that_differs():
    w = Value(0.5, label="w")
    state = {"share": 1.0}

    def fn(x):  # the same output for any share, but the gradient follows a global
        s = state["share"]
        return w * (x * s) + w.detach() * (x - x * s)

    step = autograd.compile(fn, 2.0)
    assert step.verify(2.0) is None
    state["share"] = 0.5
    with pytest.raises(TraceError, match="gradient of parameter 0 \\(label 'w'"):
        step.verify(2.0)


def test_verify_passes_on_a_pure_network_and_leaves_grads():
    model = nn.MLP(2, [4, 1], seed=0)
    params = model.parameters()
    step = autograd.compile(lambda x, y: (1.0 - y * model(x)).relu(), [0.1, 0.2], 1.0)
    before = [p.grad for p in params]
    assert step.verify([0.3, -0.4], -1.0) is None
    assert [p.grad for p in params] == before


# ---- failures are never silent -----------------------------------------------------------------
def test_a_fallback_that_is_not_eager_business_warns_once_naming_the_reason():
    """Generated code failing where eager mode does not is a bug of compile: the call is
    redone in eager mode (right numbers) and a warning says so, once."""
    w = Value(2.0)
    state = {"n": 0}

    def odd(x):  # a custom op's forward that fails once, in the generated code's call
        state["n"] += 1
        if state["n"] == 2:
            raise KeyError("generated code only")
        return x

    flaky = autograd.op("flaky", odd, lambda x: (1.0,))
    try:
        step = autograd.compile(lambda x: flaky(w * x), 1.0)
        with pytest.warns(RuntimeWarning, match="KeyError.*eager mode"):
            assert step(3.0) == 6.0
        assert step(3.0) == 6.0 and w.grad == 6.0  # said once; the error is not eager's
    finally:
        autograd.ops.unregister("flaky")


def test_a_guard_that_fails_on_its_own_trace_warns_and_runs_eagerly():
    """Eager `dot` adds from 0.0, so Σ of -0.0 products is 0.0 there and -0.0 in the
    generated sum; a sign check on it fails on its own trace: eager mode, said once."""
    w = Value(-1.0)

    def fn(x):
        z = autograd.dot([w], [x])
        return z * 2.0 if math.copysign(1.0, float(z)) > 0 else z * 3.0

    step = autograd.compile(fn, 1.0)
    with pytest.warns(RuntimeWarning, match="guard of a trace made on these very arguments"):
        assert step(0.0) == 0.0
    assert w.grad == 0.0  # 2·x: eager's branch
    assert step(0.0) == 0.0 and step.traces == 1  # the useless trace is not kept


@pytest.mark.parametrize("a0, b0", [(0.0, 0.0), (0.0, 2.0), (-2.0, 3.0), (2.0, 0.0),
                                    (-2.0, -2.0), (0.0, 1.0), (3.0, 0.5)])
def test_power_at_zero_and_negative_bases_is_eager_without_a_fallback(a0, b0):
    """The op table's `**` templates follow the rule at 0 ** 0 and negative bases, so the
    generated code neither fails nor warns where eager mode returns numbers (or nan)."""
    a, b = Value(a0), Value(b0)

    def fn(x):
        return (a * x) ** (b * x) + (a * x) ** 0.0 + (a * x) ** 2.0

    step = autograd.compile(fn, 1.0)
    got, want = compiled(step, [a, b], 1.0), eager(fn, [a, b], 1.0)
    assert all(map(same, got[0], want[0])) and all(map(same, got[1], want[1])), (got, want)


# ---- float arguments are runtime inputs ------------------------------------------------------
def test_float_targets_a_loss_refuses_as_values_are_inputs_not_specialised():
    """The repro: 7,000 continuous targets left 7,001 traces (+430 MB)."""
    rng = random.Random(2)
    model = nn.MLP(2, [3, 2], seed=0)
    params = model.parameters()

    def cost(x, y):
        return nn.seed_cost(model(x), y)

    step = autograd.compile(cost, [0.1, 0.2], [0.0, 1.0])
    for _ in range(300):
        x, y = [rng.random(), rng.random()], [rng.random(), rng.random()]
        got, want = compiled(step, params, x, y), eager(cost, params, x, y)
        assert got[0] == want[0]
        assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
                   for a, b in zip(got[1], want[1]))
    assert step.traces == 1
    ys = [[rng.random(), rng.random()] for _ in range(50)]
    xs = [[rng.random(), rng.random()] for _ in range(50)]
    assert step.batch(xs, ys) == pytest.approx(sum(eager(cost, params, x, y)[0][0]
                                                   for x, y in zip(xs, ys)), rel=1e-12)
    assert step.traces == 1


@pytest.mark.parametrize("loss, targets", [
    (nn.mse, [[0.25, -3.0], [1e3, 0.5]]),
    (nn.bce_with_logits, [[0.0, 1.0], [1.0, 0.0]]),
    (nn.hinge, [[1.0, -1.0], [-1.0, 1.0]]),
])
def test_each_losss_float_targets_are_inputs(loss, targets):
    np = pytest.importorskip("numpy")
    model = nn.MLP(2, [3, 2], seed=4)
    step = autograd.compile(lambda x, y: loss(model(x), y), [0.1, 0.2], np.array(targets[0]))
    for y in [*targets, *targets]:
        assert step.verify([0.3, -0.2], y) is None
    assert step.traces == 1


@pytest.mark.parametrize("use", [
    lambda t: t * 2.0,  # arithmetic in Python
    lambda t: math.exp(t),  # a C function reading the number
    lambda t: [0.5, 2.0][int(t)],  # an index
])
def test_a_float_fn_computes_with_stays_static_and_says_so(use):
    model = nn.MLP(2, [2], seed=0)

    def cost(x, t):
        if isinstance(t, Value):  # a plain number only (math.exp(Value) would be a guard)
            raise TypeError("t must be a number")
        return nn.mse([model(x)[0]], [use(t)])

    with pytest.warns(RuntimeWarning, match="argument t is a float fn refuses as a Value"):
        step = autograd.compile(cost, [0.1, 0.2], 0.0)
    for t in (0.0, 1.0, 0.0, 1.0):
        got, want = compiled(step, model.parameters(), [0.3, 0.1], t), \
            eager(cost, model.parameters(), [0.3, 0.1], t)
        assert got == want
    assert step.traces == 2


def test_finite_values_whose_sum_overflows_stay_in_generated_code():
    """The inf/nan check adds the values up; a sum beyond the float range of finite values
    is looked at value by value, not sent to eager mode."""
    w = Value(1e308)
    calls = []

    def fn(x):
        calls.append(1)
        return w * x + w * x * 0.5

    step = autograd.compile(fn, 1.0)
    traced = len(calls)
    assert step(1.0) == 1.5e308 and w.grad == 1.5
    assert len(calls) == traced  # fn did not run again (eager mode was not needed)
    assert step.batch([1.0, 0.5]) == 1.5e308 + 0.75e308
    assert len(calls) == traced
