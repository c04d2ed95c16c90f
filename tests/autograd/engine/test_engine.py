"""Unit tests of the engine: each op's value and gradient at chosen points, fan-out,
deep and wide graphs, reference-cycle freedom, error cases, higher orders, no_grad."""

import asyncio
import gc
import math
import subprocess
import sys
import threading
import weakref
from fractions import Fraction

import pytest

import autograd
from autograd import Value


def grads_of(f, *xs):
    """Build f at fresh leaves xs, run backward, return (output data, [leaf grads])."""
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


# ---- construction -------------------------------------------------------------------------
def test_value_holds_float_data_and_zero_grad():
    v = Value(3)
    assert type(v.data) is float and v.data == 3.0
    assert v.grad == 0.0 and v._prev == () and v.label == ""
    assert Value(2.5, label="x").label == "x"


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], True, False, 1 + 2j, {"a": 1}])
def test_non_numeric_data_raises_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_value_of_value_is_refused():
    with pytest.raises(TypeError, match="Value"):
        Value(Value(1.0))


def test_numpy_scalars_and_fractions_are_accepted():
    np = pytest.importorskip("numpy")
    for x in (np.float64(1.5), np.float32(1.5), np.int64(3), np.array(2.0), Fraction(3, 2)):
        v = Value(x)
        assert type(v.data) is float
    with pytest.raises(TypeError):
        Value(np.bool_(True))
    with pytest.raises(TypeError):
        Value(np.array([1.0, 2.0]))


def test_numpy_scalar_on_the_left_gives_a_value():
    np = pytest.importorskip("numpy")
    x = Value(3.0)
    for left in (np.float32(2.0), np.float64(2.0), np.int64(2)):
        out = left * x
        assert isinstance(out, Value) and out.data == 6.0
        out.backward()
    assert x.grad == 6.0


def test_huge_int_is_an_overflow_error_naming_the_op():
    with pytest.raises(OverflowError, match="Value"):
        Value(10**400)


def test_parents_are_a_tuple_with_one_entry_per_edge():
    a, b = Value(2.0), Value(3.0)
    assert (a * b)._prev == (a, b)
    assert (a * a)._prev == (a, a)
    assert (b - a)._prev == (b, a)


def test_repr_and_float():
    v = Value(1.5, label="x")
    assert repr(v) == "Value(label='x', data=1.5, grad=0.0)"
    assert float(v) == 1.5
    assert repr(Value(2)) == "Value(data=2.0, grad=0.0)"


# ---- each op: value and gradient at chosen points -------------------------------------------
OPS = [
    # (name, f, inputs, expected value, expected grads)
    ("add", lambda a, b: a + b, (2.0, -3.0), -1.0, [1.0, 1.0]),
    ("radd", lambda a: 5 + a, (2.0,), 7.0, [1.0]),
    ("sub", lambda a, b: a - b, (2.0, -3.0), 5.0, [1.0, -1.0]),
    ("rsub", lambda a: 5 - a, (2.0,), 3.0, [-1.0]),
    ("mul", lambda a, b: a * b, (2.0, -3.0), -6.0, [-3.0, 2.0]),
    ("rmul", lambda a: 4 * a, (2.0,), 8.0, [4.0]),
    ("div", lambda a, b: a / b, (3.0, 2.0), 1.5, [0.5, -0.75]),
    ("rdiv", lambda a: 3 / a, (2.0,), 1.5, [-0.75]),
    ("pow_number", lambda a: a**3, (2.0,), 8.0, [12.0]),
    ("pow_negative_int", lambda a: a**-2, (-2.0,), 0.25, [0.25]),
    ("pow_half", lambda a: a**0.5, (4.0,), 2.0, [0.25]),
    ("pow_zero", lambda a: a**0, (0.0,), 1.0, [0.0]),
    ("pow_value", lambda a, b: a**b, (2.0, 3.0), 8.0, [12.0, 8.0 * math.log(2.0)]),
    ("rpow", lambda b: 2**b, (3.0,), 8.0, [8.0 * math.log(2.0)]),
    ("neg", lambda a: -a, (2.0,), -2.0, [-1.0]),
    ("exp", lambda a: a.exp(), (1.0,), math.e, [math.e]),
    ("log", lambda a: a.log(), (2.0,), math.log(2.0), [0.5]),
    ("tanh", lambda a: a.tanh(), (0.5,), math.tanh(0.5), [1 - math.tanh(0.5) ** 2]),
    ("sigmoid", lambda a: a.sigmoid(), (0.0,), 0.5, [0.25]),
    ("relu_pos", lambda a: a.relu(), (2.0,), 2.0, [1.0]),
    ("relu_neg", lambda a: a.relu(), (-2.0,), 0.0, [0.0]),
    ("relu_zero", lambda a: a.relu(), (0.0,), 0.0, [0.0]),
    ("sqrt", lambda a: a.sqrt(), (4.0,), 2.0, [0.25]),
    ("abs_neg", lambda a: abs(a), (-2.0,), 2.0, [-1.0]),
    ("abs_pos", lambda a: a.abs(), (2.0,), 2.0, [1.0]),
    ("abs_zero", lambda a: a.abs(), (0.0,), 0.0, [0.0]),
    ("dot", lambda w0, w1, x0, x1, b: autograd.dot([w0, w1], [x0, x1], b),
     (2.0, -1.0, 3.0, 4.0, 0.5), 2.5, [3.0, 4.0, 2.0, -1.0, 1.0]),
    ("dot_no_bias", lambda w, x: autograd.dot([w], [x]), (2.0, 3.0), 6.0, [3.0, 2.0]),
    ("sum", lambda a, b, c: autograd.sum([a, b, c, 1.0]), (1.0, 2.0, 3.0), 7.0, [1, 1, 1]),
]


@pytest.mark.parametrize("name, f, xs, value, expected", OPS, ids=[op[0] for op in OPS])
def test_op_value_and_gradient(name, f, xs, value, expected):
    data, got = grads_of(f, *xs)
    assert data == pytest.approx(value, rel=1e-12)
    assert got == pytest.approx(expected, rel=1e-12)


def test_sub_and_div_are_one_node_each():
    a, b = Value(1.0), Value(2.0)
    assert (a - b)._op == "-" and (a / b)._op == "/"
    assert (a - b)._prev == (a, b) and (a / b)._prev == (a, b)


def test_constants_are_marked():
    x = Value(1.0)
    y = x * 2
    assert y._prev[1]._op == "const" and y._prev[1].data == 2.0
    assert x._op == ""


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
def test_sigmoid_and_tanh_are_exact_far_out(x):
    s, t = Value(x).sigmoid(), Value(x).tanh()
    assert s.data == (1.0 if x > 0 else 0.0)
    assert t.data == math.copysign(1.0, x)
    s.backward()
    t.backward()


def test_exp_at_the_edge_of_the_float_range():
    assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))
    assert Value(-1000.0).exp().data == 0.0


# ---- the seed's fan-out example ---------------------------------------------------------
def test_seed_fan_out_sums_both_downstream_paths():
    """∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀ (a₁₀ feeds both z₂₀ and z₂₁)."""
    a10, a11 = Value(0.3, label="a_{1,0}"), Value(-0.2, label="a_{1,1}")
    w00, w01, w10, w11 = Value(0.5), Value(-1.5), Value(2.0), Value(0.7)
    b20, b21 = Value(0.1), Value(-0.4)
    z20 = autograd.dot([w00, w01], [a10, a11], b20)
    z21 = autograd.dot([w10, w11], [a10, a11], b21)
    o0, o1 = z20.sigmoid(), z21.sigmoid()
    y0, y1 = 1.0, 0.0
    C = 0.5 * ((y0 - o0) ** 2 + (y1 - o1) ** 2)
    C.backward()
    # by hand: ∂C/∂z = (o − y)·σ'(z)
    dz20 = (o0.data - y0) * o0.data * (1 - o0.data)
    dz21 = (o1.data - y1) * o1.data * (1 - o1.data)
    assert z20.grad == pytest.approx(dz20, rel=1e-12)
    assert z21.grad == pytest.approx(dz21, rel=1e-12)
    assert a10.grad == pytest.approx(dz20 * w00.data + dz21 * w10.data, rel=1e-12)
    assert a11.grad == pytest.approx(dz20 * w01.data + dz21 * w11.data, rel=1e-12)
    assert w00.grad == pytest.approx(dz20 * a10.data, rel=1e-12)  # ∇W = δ aᵀ
    assert b21.grad == pytest.approx(dz21, rel=1e-12)  # ∇b = δ


def test_fan_out_with_binary_ops_and_self_edges():
    a = Value(3.0)
    assert grads_of(lambda a: a * a, 3.0)[1] == [6.0]
    assert grads_of(lambda a: a + a + a, 3.0)[1] == [3.0]
    b = a * a
    c = b + b * a  # b used twice, a used three times
    c.backward()
    assert a.grad == pytest.approx(2 * 3.0 + 3 * 9.0)


# ---- accumulation and zeroing ---------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls():
    x = Value(2.0)
    y = x * x + x.tanh()
    y.backward()
    once = {id(n): n.grad for n in autograd.topological_order(y)}
    y.backward()
    for node in autograd.topological_order(y):
        assert node.grad == pytest.approx(2 * once[id(node)], rel=1e-12)


def test_backward_with_an_upstream_gradient_scales_linearly():
    x = Value(0.7)
    y = (x * 3).tanh()
    y.backward(2.5)
    g = x.grad
    x.grad = 0.0
    y.zero_grad()
    y.backward()
    assert g == pytest.approx(2.5 * x.grad, rel=1e-12)


def test_zero_grad_on_a_graph_and_on_a_list():
    a, b = Value(1.0), Value(2.0)
    y = a * b
    y.backward()
    autograd.zero_grad([a])
    assert a.grad == 0.0 and b.grad == 1.0
    autograd.zero_grad(y)
    assert all(n.grad == 0.0 for n in (a, b, y))
    with pytest.raises(TypeError, match="zero_grad"):
        autograd.zero_grad([a, 3.0])
    assert b.grad == 0.0


# ---- deep and wide graphs at the default recursion limit --------------------------------------
def test_chain_of_a_million_ops():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(500_000):
        y = y * 1.000001
        y = y - 0.000001
    y.backward()
    assert x.grad == pytest.approx(1.000001**500_000, rel=1e-9)
    del y
    gc.collect()


def test_builtin_sum_of_100k_terms():
    xs = [Value(float(i % 7)) for i in range(100_000)]
    total = sum(x * x for x in xs)
    total.backward()
    assert xs[5].grad == 10.0 and xs[6].grad == 12.0
    assert total.data == sum((i % 7) ** 2 for i in range(100_000))


def test_nary_sum_of_100k_terms_is_one_node():
    xs = [Value(1.0) for _ in range(100_000)]
    total = autograd.sum(xs)
    assert len(total._prev) == 100_000 and total.data == 100_000
    total.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_deep_higher_order_graph():
    x = Value(0.1)
    y = x
    for _ in range(20_000):
        y = y.tanh()
    (g,) = autograd.grad(y, [x], create_graph=True)
    (h,) = autograd.grad(g, [x])
    assert math.isfinite(h.data)


# ---- memory: no reference cycles ---------------------------------------------------------------
def test_graph_is_freed_by_reference_counting_alone():
    gc.collect()
    gc.disable()
    try:
        x = Value(1.5)
        y = x
        for _ in range(1000):
            y = (y * 1.01).tanh() + x.sigmoid() / 2 - y.relu() ** 2 + autograd.dot([y], [x], 1)
        y.backward()
        probe = weakref.ref(y._prev[0])
        del y
        assert probe() is None  # dead before any collection
    finally:
        gc.enable()
    assert gc.collect() == 0


def test_backward_leaves_no_garbage_for_the_collector():
    gc.collect()
    x = Value(0.5)
    y = (x * x).exp() / (x + 1) - x.log() ** 2
    y.backward()
    del y
    gc.disable()
    try:
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0


def test_custom_op_nodes_are_freed_too():
    square = autograd.op("square", lambda x: x * x, lambda x: [2 * x])
    x = Value(3.0)
    y = square(x)
    probe = weakref.ref(y)
    del y
    assert probe() is None


# ---- errors: clear, typed, and nothing half-changed ---------------------------------------------
ERRORS = [
    (lambda: Value(0.0).log(), ValueError, "log.*0.0"),
    (lambda: Value(-1.0).log(), ValueError, "log.*-1.0"),
    (lambda: Value(1.0) / 0, ZeroDivisionError, "/.*0"),
    (lambda: 1 / Value(0.0), ZeroDivisionError, "/.*0"),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, r"\*\*.*-8.0"),
    (lambda: Value(-8.0) ** Value(0.5), ValueError, r"\*\*.*-8.0"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, r"\*\*.*0.0"),
    (lambda: Value(10.0) ** 400, OverflowError, r"\*\*.*10.0"),
    (lambda: Value(1000.0).exp(), OverflowError, "exp.*1000.0"),
    (lambda: Value(-1.0).sqrt(), ValueError, "sqrt.*-1.0"),
    (lambda: Value(1.0) + "a", TypeError, "str"),
    (lambda: Value(1.0) * None, TypeError, "NoneType"),
    (lambda: autograd.dot([1.0, 2.0], [1.0]), ValueError, "dot"),
    (lambda: autograd.sum([]), ValueError, "sum"),
    (lambda: autograd.sum([Value(1.0), "x"]), TypeError, "sum.*str"),
    (lambda: autograd.sum("abc"), TypeError, "sum.*str"),
    (lambda: autograd.dot(Value(1.0), [1.0]), TypeError, "dot.*Value"),
    (lambda: autograd.zero_grad(5), TypeError, "zero_grad.*int"),
    (lambda: Value(1.0, label=3), TypeError, "label.*int"),
    (lambda: Value(1.0).backward("x"), TypeError, "backward.*str"),
]


@pytest.mark.parametrize("make, kind, message", ERRORS)
def test_domain_and_type_errors_name_the_op_and_value(make, kind, message):
    with pytest.raises(kind, match=message):
        make()


def test_nan_flows_through_like_pytorch():
    nan = float("nan")
    for make in (lambda x: x.relu(), lambda x: x.tanh(), lambda x: x.sigmoid(),
                 lambda x: x.exp(), lambda x: x.log(), lambda x: x.sqrt(), lambda x: abs(x)):
        assert math.isnan(make(Value(nan)).data)


def test_negative_base_with_integer_exponent_is_real():
    assert (Value(-2.0) ** 3).data == -8.0
    assert (Value(-2.0) ** Value(2.0)).data == 4.0


def test_failed_op_leaves_graph_and_grads_unchanged():
    x = Value(-1.0)
    y = x * 2
    y.backward()
    before = [(n, n.grad, n._prev) for n in autograd.topological_order(y)]
    with pytest.raises(ValueError):
        y.log()
    assert [(n, n.grad, n._prev) for n in autograd.topological_order(y)] == before


def test_failed_backward_restores_every_grad():
    x = Value(0.0)
    y = x.sqrt() + x  # d sqrt / dx at 0 divides by zero
    z = y * 2
    x.grad, y.grad, z.grad = 5.0, 6.0, 7.0
    with pytest.raises(ZeroDivisionError, match="backward of 'sqrt'"):
        z.backward()
    assert (x.grad, y.grad, z.grad) == (5.0, 6.0, 7.0)
    with pytest.raises(ZeroDivisionError, match="backward of 'sqrt'"):
        autograd.grad(z, [x])
    assert (x.grad, y.grad, z.grad) == (5.0, 6.0, 7.0)


def test_grad_argument_checks():
    x = Value(1.0)
    with pytest.raises(TypeError, match="grad"):
        autograd.grad(1.0, [x])
    with pytest.raises(TypeError, match="list"):
        autograd.grad(x * 2, x)
    with pytest.raises(TypeError, match=r"inputs\[1\]"):
        autograd.grad(x * 2, [x, 2.0])
    with pytest.raises(TypeError, match="topological_order"):
        autograd.topological_order("x")


# ---- higher-order gradients ------------------------------------------------------------------
def test_second_derivative_of_cube_is_6x():
    for x0 in (-1.5, 0.0, 2.0):
        x = Value(x0)
        (d1,) = autograd.grad(x**3, [x], create_graph=True)
        (d2,) = autograd.grad(d1, [x])
        assert d1.data == pytest.approx(3 * x0**2)
        assert d2.data == pytest.approx(6 * x0)


def test_backward_create_graph_makes_grad_differentiable():
    x = Value(2.0)
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 12.0
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == 12.0  # d/dx 3x² = 6x


def test_third_derivative_of_tanh():
    x0 = 0.3
    x = Value(x0)
    (d1,) = autograd.grad(x.tanh(), [x], create_graph=True)
    (d2,) = autograd.grad(d1, [x], create_graph=True)
    (d3,) = autograd.grad(d2, [x])
    t = math.tanh(x0)
    assert d1.data == pytest.approx(1 - t**2)
    assert d2.data == pytest.approx(-2 * t * (1 - t**2))
    assert d3.data == pytest.approx((1 - t**2) * (6 * t**2 - 2))


@pytest.mark.parametrize("name, f, xs, value, expected", OPS, ids=[op[0] for op in OPS])
def test_create_graph_first_derivatives_equal_the_float_pass(name, f, xs, value, expected):
    leaves = [Value(x) for x in xs]
    derivatives = autograd.grad(f(*leaves), leaves, create_graph=True)
    assert [d.data for d in derivatives] == pytest.approx(expected, rel=1e-12)


@pytest.mark.oracle("torch")
def test_hessian_against_pytorch():
    import torch

    def f(x, y):
        return (x * y).tanh() + x**2 * y.exp() - (x / (y + 3)).sigmoid() + (x * x + 1).log()

    x0, y0 = 0.7, -0.4
    x, y = Value(x0), Value(y0)
    gx, gy = autograd.grad(f(x, y), [x, y], create_graph=True)
    ours = [[h.data for h in autograd.grad(g, [x, y])] for g in (gx, gy)]

    def torch_f(v):
        a, b = v[0], v[1]
        return (a * b).tanh() + a**2 * b.exp() - (a / (b + 3)).sigmoid() + (a * a + 1).log()

    point = torch.tensor([x0, y0], dtype=torch.float64)
    theirs = torch.autograd.functional.hessian(torch_f, point).tolist()
    for our_row, their_row in zip(ours, theirs):
        assert our_row == pytest.approx(their_row, rel=1e-10, abs=1e-12)
    assert ours[0][1] == ours[1][0]


def test_grad_leaves_dot_grad_untouched_and_refuses_unused_inputs_as_pytorch():
    x, unused = Value(1.0), Value(5.0, label="u")
    x.grad = 7.0
    y = x * 3
    for create_graph in (False, True):
        with pytest.raises(RuntimeError, match=r"grad: inputs\[1\] \(Value\(label='u', "
                                               r"data=5.0.*allow_unused=True"):
            autograd.grad(y, [x, unused], create_graph=create_graph)
        gx, gu = autograd.grad(y, [x, unused], create_graph=create_graph, allow_unused=True)
        assert gx.data == 3.0 and gu is None
        assert x.grad == 7.0 and y.grad == 0.0


def test_second_order_through_value_exponent():
    a, b = Value(2.0), Value(3.0)
    ga, gb = autograd.grad(a**b, [a, b], create_graph=True)
    (gab,) = autograd.grad(ga, [b])  # ∂²/∂b∂a a^b = a^(b-1) (1 + b ln a)
    assert gab.data == pytest.approx(2.0**2 * (1 + 3 * math.log(2.0)))
    (gbb,) = autograd.grad(gb, [b])  # a^b ln²a
    assert gbb.data == pytest.approx(8.0 * math.log(2.0) ** 2)


# ---- no_grad -------------------------------------------------------------------------------------
def test_no_grad_builds_no_graph():
    x = Value(2.0)
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        y = x * 3 + 1
        with autograd.enable_grad():
            z = x * 3
    assert autograd.is_grad_enabled()
    assert y._prev == () and y._rule is None and y.data == 7.0
    assert z._prev[0] is x


def test_no_grad_is_per_thread():
    seen = {}
    inside, release = threading.Event(), threading.Event()

    def worker():
        with autograd.no_grad():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    seen["main"] = (Value(1.0) * 2)._prev != ()
    release.set()
    t.join()
    assert seen["main"]


def test_no_grad_is_per_asyncio_task():
    async def without():
        with autograd.no_grad():
            await asyncio.sleep(0.01)
            return Value(1.0) * 2

    async def with_graph():
        await asyncio.sleep(0.005)
        return Value(1.0) * 2

    async def main():
        return await asyncio.gather(without(), with_graph())

    a, b = asyncio.run(main())
    assert a._prev == () and len(b._prev) == 2


# ---- micrograd compatibility --------------------------------------------------------------------
def test_micrograd_sanity_check_runs_unchanged():
    """micrograd's own test_sanity_check, with `from autograd import Value`."""
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0 and x.grad == 46.0


def test_micrograd_more_ops_runs_unchanged():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, abs=1e-6)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-6)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-6)


def test_custom_op_checks_its_arguments():
    with pytest.raises(TypeError, match="op"):
        autograd.op("", lambda x: x, lambda x: [1])
    bad = autograd.op("bad", lambda x: x, lambda x: [1, 2])
    y = bad(Value(1.0))
    with pytest.raises(ValueError, match="bad"):
        y.backward()
    with pytest.raises(TypeError, match="bad"):
        autograd.op("bad2", lambda x: "s", lambda x: [1])(Value(1.0))


# ---- the package surface ------------------------------------------------------------------------
def test_all_matches_the_public_names():
    public = {n for n in vars(autograd) if not n.startswith("_")} - {"engine"}
    assert set(autograd.__all__) == {n for n in public if not isinstance(
        getattr(autograd, n), type(autograd))}
    for name in autograd.__all__:
        obj = getattr(autograd, name)
        assert obj.__doc__, name


def test_import_autograd_is_light():
    code = ("import sys, autograd; heavy = {'graphviz', 'hypothesis', 'torch', 'numpy', "
            "'matplotlib'} & set(sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_micrograd_manual_backward_steps_work():
    """The micrograd lecture steps backprop by hand: set L.grad, call each node's _backward."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.grad = 1.0
    for node in (L, d, e, a):
        node._backward()
    assert (a.grad, b.grad, c.grad, d.grad, e.grad, f.grad) == (6.0, -4.0, -2.0, -2.0, -2.0, 4.0)


def test_micrograd_style_custom_op_closure_is_honoured():
    """A micrograd-style op (a closure that adds to its parents' .grad) joins the pass."""

    class MyValue(Value):
        def cube(self):
            out = MyValue(self.data**3, (self,), "cube")

            def _backward():
                self.grad += 3 * self.data**2 * out.grad

            out._backward = _backward
            return out

    x = MyValue(2.0)
    y = x.cube() * 2 + x
    y.backward()
    assert x.grad == 2 * 3 * 2.0**2 + 1
    y.backward()
    assert x.grad == 2 * (2 * 3 * 2.0**2 + 1)
    with pytest.raises(TypeError, match="_backward"):
        x._backward = 3


def test_backward_in_threads_gives_the_serial_gradients():
    """Each backward walks its own graph: threads on separate graphs do not disturb each other."""

    def run(seed):
        xs = [Value(0.1 * (seed + k)) for k in range(50)]
        y = xs[0]
        for k in range(1, 2000):
            y = (y * xs[k % 50]).tanh() + xs[(k * 7) % 50].sigmoid()
        y.backward()
        return [x.grad for x in xs]

    serial = [run(seed) for seed in range(4)]
    results = [None] * 4

    def worker(i):
        results[i] = run(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so that the walks interleave
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert results == serial


# ---- no_grad blocks that are left out of order or paused in a generator ----------------------
def test_a_generator_paused_inside_no_grad_does_not_disable_its_caller():
    def numbers():
        with autograd.no_grad():
            yield Value(1.0) * 2  # built inside the block: a leaf
            yield Value(1.0) * 2

    it = numbers()
    inside = next(it)
    assert inside.parents == ()
    assert autograd.is_grad_enabled()  # the caller records again while the generator waits
    assert (Value(1.0) * 2).parents != ()
    assert next(it).parents == ()  # resumed: the block applies again
    it.close()
    assert autograd.is_grad_enabled()


def test_blocks_left_out_of_order_end_in_the_right_state():
    outer, inner = autograd.no_grad(), autograd.enable_grad()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)
    assert autograd.is_grad_enabled()
    inner.__exit__(None, None, None)
    assert autograd.is_grad_enabled()


def test_no_grad_as_a_decorator_and_in_threads():
    @autograd.no_grad()
    def evaluate():
        return Value(1.0) * 2

    results = []
    threads = [threading.Thread(target=lambda: results.append(evaluate().parents))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [()] * 8 and autograd.is_grad_enabled()


# ---- Python number conventions: all read data, none build a graph -----------------------------
def test_number_conventions_read_data():
    v = Value(2.71828, label="e")
    assert v.item() == 2.71828 and type(v.item()) is float
    assert f"{v:.2f}" == "2.72" and f"{v:>8.1f}" == "     2.7"
    assert f"{v}" == repr(v)
    assert round(v, 2) == 2.72 and round(v) == 3 and type(round(v)) is int
    assert int(v) == 2 and int(Value(-2.5)) == -2
    assert math.trunc(Value(-2.7)) == -2
    assert math.isclose(v, 2.71828) and math.floor(v) == 2
    y = v * 2
    before = (len(y.parents), y.grad)
    _ = (y.item(), f"{y:.3g}", round(y, 1), int(y))
    assert (len(y.parents), y.grad) == before


def test_number_conventions_are_refused_inside_a_rule_under_create_graph():
    for convert in (int, round, math.trunc, lambda x: x.item()):
        f = autograd.op(f"conv_{id(convert)}", lambda x: x,
                        lambda x, convert=convert: (convert(x) * 0 + 1.0,))
        x = Value(0.5)
        with pytest.raises(TypeError, match="would lose the graph"):
            autograd.grad(f(x), [x], create_graph=True)


def test_dot_of_empty_sequences_is_the_bias():
    b = Value(1.5)
    z = autograd.dot([], [], b)
    assert z.data == 1.5 and type(z.data) is float
    z.backward()
    assert b.grad == 1.0
    assert autograd.dot([], []).data == 0.0
    with pytest.raises(TypeError, match="dot: expected a sequence"):
        autograd.dot([Value(1.0)], Value(2.0))
    with pytest.raises(ValueError, match="dot: 1 weights but 2 inputs"):
        autograd.dot([Value(1.0)], [Value(2.0), 3.0])


def test_dot_with_numbers_of_other_types_in_data():
    """`.data` set by hand to a numpy number is read as a float; junk is refused by name
    (the fast path's internal signal never escapes)."""
    np = pytest.importorskip("numpy")
    w, x, b = Value(1.0), Value(2.0), Value(0.0)
    w.data, b.data = np.float64(3.0), np.float32(0.5)
    z = autograd.dot([w], [x], b)
    assert z.data == 6.5 and type(z.data) is float
    z.backward()
    assert (w.grad, x.grad, b.grad) == (2.0, 3.0, 1.0)
    for holder in (w, b):
        holder.data = "junk"
        with pytest.raises(TypeError, match="dot: expected a real number, got str 'junk'"):
            autograd.dot([w], [x], b)
        holder.data = 1.0


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

