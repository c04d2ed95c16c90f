"""Optimisers: PyTorch's update rules step for step, losses fall, bad settings rejected."""

import math

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value

START = [0.5, -1.25, 2.0]
TARGET = [1.0, 0.5, -1.0]


def quadratic(params):
    """Σ (pᵢ − tᵢ)² · (i + 1): a bowl with different curvatures."""
    return autograd.sum([(p - t) ** 2 * (i + 1) for i, (p, t) in enumerate(zip(params, TARGET))])


def run_ours(make, steps=8):
    params = [Value(x) for x in START]
    opt = make(params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        quadratic(params).backward()
        opt.step()
        history.append([p.data for p in params])
    return history


def run_torch(make, steps=8):
    import torch
    params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    weights = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    target = torch.tensor(TARGET, dtype=torch.float64)
    opt = make(torch.optim, [params])
    history = []
    for _ in range(steps):
        opt.zero_grad()
        (((params - target) ** 2) * weights).sum().backward()
        opt.step()
        history.append(params.detach().tolist())
    return history


@pytest.mark.parametrize("ours, theirs", [
    (lambda p: nn.SGD(p, lr=0.05),
     lambda o, p: o.SGD(p, lr=0.05)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.9),
     lambda o, p: o.SGD(p, lr=0.05, momentum=0.9)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
     lambda o, p: o.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    (lambda p: nn.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
     lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    (lambda p: nn.Adam(p, lr=0.1),
     lambda o, p: o.Adam(p, lr=0.1)),
    (lambda p: nn.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01),
     lambda o, p: o.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01)),
])
@pytest.mark.oracle("torch")
def test_updates_equal_pytorch(ours, theirs):
    for mine, reference in zip(run_ours(ours), run_torch(theirs)):
        assert mine == pytest.approx(reference, rel=1e-12, abs=1e-14)


def test_plain_sgd_step_by_hand():
    p = Value(1.0)
    opt = nn.SGD([p], lr=0.1)
    p.grad = 2.0
    opt.step()
    assert p.data == 1.0 - 0.1 * 2.0
    opt.zero_grad()
    assert p.grad == 0.0


def test_step_reads_gradients_recorded_with_create_graph():
    p = Value(3.0)
    (p * p).backward(create_graph=True)
    assert isinstance(p.grad, Value)
    nn.SGD([p], lr=0.5).step()
    assert p.data == 0.0


def test_learning_rate_can_be_scheduled_and_is_checked():
    opt = nn.SGD([Value(0.0)], lr=0.1)
    opt.lr = 0.01
    assert opt.lr == 0.01
    with pytest.raises(ValueError, match="SGD: lr must be in"):
        opt.lr = 0.0


@pytest.mark.parametrize("make", [
    lambda m: nn.SGD(m, lr=0.5, momentum=0.9),
    lambda m: nn.Adam(m, lr=0.05),
])
def test_training_loss_falls_on_xor(make):
    X, y = nn.make_xor(4, noise=0.0, shuffle=False)
    model = nn.MLP(2, [8, 1], activation="tanh", seed=3)
    opt = make(model)
    losses = []
    for _ in range(150):
        loss = nn.bce_with_logits([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert losses[-1] < 0.1 * losses[0]
    assert all(((model(x).data > 0) == bool(t)) for x, t in zip(X, y))


def test_optimizer_takes_a_module_or_values():
    model = nn.MLP(2, [2, 1], seed=0)
    assert nn.Adam(model).params == model.parameters()
    assert nn.SGD(model.parameters()).params == model.parameters()


@pytest.mark.parametrize("make, error, message", [
    (lambda p: nn.SGD(p, lr=-0.1), ValueError, "SGD: lr must be in"),
    (lambda p: nn.SGD(p, lr=math.nan), ValueError, "SGD: lr must be finite"),
    (lambda p: nn.SGD(p, lr="0.1"), TypeError, "SGD: lr must be a real number"),
    (lambda p: nn.SGD(p, momentum=1.0), ValueError, "momentum must be in"),
    (lambda p: nn.SGD(p, momentum=-0.5), ValueError, "momentum must be in"),
    (lambda p: nn.SGD(p, weight_decay=-1), ValueError, "weight_decay"),
    (lambda p: nn.SGD(p, nesterov=True), ValueError, "nesterov needs momentum"),
    (lambda p: nn.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening = 0"),
    (lambda p: nn.Adam(p, lr=0), ValueError, "Adam: lr must be in"),
    (lambda p: nn.Adam(p, betas=(0.9,)), ValueError, "betas must be a pair"),
    (lambda p: nn.Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in"),
    (lambda p: nn.Adam(p, eps=0.0), ValueError, "eps must be in"),
    (lambda p: nn.Adam(p, weight_decay=math.inf), ValueError, "weight_decay must be finite"),
    (lambda p: nn.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: nn.SGD(p + p[:1], lr=0.1), ValueError, "more than once"),
    (lambda p: nn.SGD([1.0], lr=0.1), TypeError, r"params\[0\] is a float"),
    (lambda p: nn.Adam(p[0]), TypeError, "list of Values or a Module"),
])
def test_bad_hyper_parameters(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0), Value(2.0)])


def test_base_optimizer_step_is_abstract():
    with pytest.raises(NotImplementedError):
        nn.Optimizer([Value(1.0)], lr=0.1).step()


# ---- a refused step changes nothing; bad parameter lists ----------------------------------------
NAN, INF = math.nan, math.inf


def _params():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    a.grad, b.grad = 0.5, -0.25
    return [a, b]


OPTIMISERS = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.1),
    "SGD momentum": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
    "SGD nesterov": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "SGD decay": lambda ps: nn.SGD(ps, lr=0.1, weight_decay=0.1),
    "Adam": lambda ps: nn.Adam(ps, lr=0.1),
}


@pytest.mark.parametrize("make", OPTIMISERS)
@pytest.mark.parametrize("grad, data, error, match", [
    (NAN, 2.0, ValueError, r"the gradient of params\[1\] \(b\) is nan; no parameter was changed"),
    (INF, 2.0, ValueError, r"the gradient of params\[1\] \(b\) is inf; no parameter was changed"),
    (Value(NAN), 2.0, ValueError, r"the gradient of params\[1\] \(b\) is nan"),
    ("x", 2.0, TypeError,
     r"the .grad of params\[1\] \(b\) must be a real number, got str 'x'; no parameter"),
    (None, 2.0, TypeError, r"the .grad of params\[1\] \(b\) must be a real number, got NoneType"),
    (1.0, NAN, ValueError, r"params\[1\] \(b\) holds nan, not a finite number"),
    (1e308, -1e308, ValueError, r"params\[1\] \(b\) would become -?(inf|nan) .*learning rate"),
])
def test_a_failed_step_changes_nothing(make, grad, data, error, match):
    ps = _params()
    opt = OPTIMISERS[make](ps)
    opt.step()  # a good first step: momentum buffers and Adam's moments are in use
    ps[1].data = data
    if grad == 1e308:
        opt.lr = 1.2e308  # Adam's step is about lr whatever the gradient: it needs a huge lr
    ps[1].grad = grad
    before = repr(vars(opt))  # the parameters (data and grad), lr, momentum buffers, t, m, v
    with pytest.raises(error, match=f"{make.split()[0]}.step: {match}"):
        opt.step()
    assert repr(vars(opt)) == before


@pytest.mark.parametrize("make", OPTIMISERS)
def test_after_a_refused_step_the_next_step_is_the_one_a_fresh_run_takes(make):
    ps, twin = _params(), _params()
    opt, twin_opt = OPTIMISERS[make](ps), OPTIMISERS[make](twin)
    opt.step()
    twin_opt.step()
    good = ps[1].grad
    ps[1].grad = NAN
    with pytest.raises(ValueError):
        opt.step()
    ps[1].grad = good
    opt.step()
    twin_opt.step()
    assert [p.data for p in ps] == [p.data for p in twin]


@pytest.mark.parametrize("params, error, match", [
    ([], ValueError, "got an empty parameter list"),
    (None, TypeError, "params must be a list of Values or a Module, got NoneType"),
    (Value(1.0), TypeError, "params must be a list of Values or a Module, got Value"),
    ([Value(1.0), 1.0], TypeError, r"params\[1\] is a float, not a Value"),
    ("ab", TypeError, r"params\[0\] is a str, not a Value"),
])
@pytest.mark.parametrize("optimiser", [nn.SGD, nn.Adam])
def test_optimisers_reject_bad_parameter_lists(optimiser, params, error, match):
    with pytest.raises(error, match=f"{optimiser.__name__}: {match}"):
        optimiser(params)


@pytest.mark.parametrize("optimiser", [nn.SGD, nn.Adam])
def test_optimisers_reject_duplicate_parameters(optimiser):
    a = Value(1.0)
    with pytest.raises(ValueError, match=f"{optimiser.__name__}: a parameter appears more "
                                         "than once"):
        optimiser([a, Value(2.0), a])


# ---- every overflow is all or nothing, an interrupt too -----------------------------------------
OPTIMISER_VARIANTS = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.1),
    "SGD momentum": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1),
    "SGD nesterov decay": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True,
                                            weight_decay=0.5),
    "Adam": lambda ps: nn.Adam(ps, lr=0.1),
    "Adam decay": lambda ps: nn.Adam(ps, lr=0.1, weight_decay=0.5),
}


def _snapshot(opt):
    """Settings, per-parameter state and every parameter's data and grad (not repr: a Value
    holding a 5000-digit int cannot be printed)."""
    fields = {name: ({id(k): v for k, v in x.items()} if isinstance(x, dict) else
                     list(x) if isinstance(x, list) else x) for name, x in vars(opt).items()}
    return fields, [(p.data, p.grad) for p in opt.params if isinstance(p, Value)]


@pytest.mark.parametrize("scale", [1e150, 1e200, 1e300, 8.5e307])  # |g| up to 1.7e308
def test_adam_with_a_huge_finite_gradient_steps_as_it_would_at_scale_1(scale):
    """Adam is scale-invariant: g·1e300 must give the steps g gives (v used to become inf,
    and the parameter silently froze)."""
    grads = [0.5, -2.0, 1.25, 0.75, -0.1]
    runs = []
    for k in (1.0, scale):
        p = Value(1.0, label="p")
        opt = nn.Adam([p], lr=0.1, eps=1e-300)
        path = []
        for g in grads:
            p.grad = g * k
            opt.step()
            path.append(p.data)
        runs.append(path)
    assert runs[1] == pytest.approx(runs[0], rel=1e-12)
    assert len(set(runs[1])) == len(grads)  # it moved at every step


_HUGE = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from([1.7e308, -1.7e308, 1e200, -1e200, 1e-320, 0.0]),
                  st.integers(min_value=-10**6, max_value=10**6),
                  st.sampled_from([10**400, -(10**5000)]))


@settings(max_examples=300, deadline=None)
@given(make=st.sampled_from(sorted(OPTIMISER_VARIANTS)),
       first=st.lists(st.floats(-10, 10), min_size=3, max_size=3),
       grads=st.lists(_HUGE, min_size=3, max_size=3),
       data=st.lists(st.one_of(st.floats(-1e308, 1e308), st.sampled_from([1.7e308])),
                     min_size=3, max_size=3),
       lr=st.one_of(st.floats(1e-6, 1.0), st.sampled_from([1e300, 1.7e308])))
def test_every_step_either_succeeds_with_finite_state_or_changes_nothing(make, first, grads,
                                                                        data, lr):
    ps = [Value(1.0, label=f"p{i}") for i in range(3)]
    opt = OPTIMISER_VARIANTS[make](ps)
    for p, g in zip(ps, first):
        p.grad = g
    opt.step()  # momentum buffers and moments in use
    opt.lr = lr
    for p, g, x in zip(ps, grads, data):
        p.grad, p.data = g, x
    before = _snapshot(opt)
    try:
        opt.step()
    except (ValueError, OverflowError) as error:
        assert str(error).startswith(make.split()[0] + ".step: ")
        assert "no parameter was changed" in str(error) and "params[" in str(error)
        assert _snapshot(opt) == before
        kinds = ["too large for a float", "the gradient of", "holds", "overflows", "would become"]
        event("refused: " + next(kind for kind in kinds if kind in str(error)))
        return
    event("stepped")
    state = [x for name, buf in vars(opt).items() if isinstance(buf, dict)
             for x in buf.values()]
    assert all(math.isfinite(p.data) for p in ps) and all(map(math.isfinite, state))


@pytest.mark.parametrize("make", OPTIMISER_VARIANTS)
def test_parameters_appended_after_a_step_are_updated_with_fresh_state(make):
    a, b = Value(1.0, label="a"), Value(-2.0, label="b")
    opt = OPTIMISER_VARIANTS[make]([a])
    for _ in range(3):
        a.grad = 0.5
        opt.step()
    opt.params.append(b)
    alone_b = Value(-2.0)
    alone = OPTIMISER_VARIANTS[make]([alone_b])
    for _ in range(3):
        b.grad = alone_b.grad = -1.5
        a.grad = 0.5
        opt.step()
        alone.step()
        assert b.data == alone_b.data  # b behaves as a fresh optimiser on b alone
    assert b.data != -2.0


@pytest.mark.parametrize("make", OPTIMISER_VARIANTS)
@pytest.mark.parametrize("bad, error, match", [
    (1.5, TypeError, r"params\[1\] is a float, not a Value"),
    ("a", ValueError, "a parameter appears more than once"),
])
def test_a_bad_appended_parameter_is_refused_at_step_and_nothing_changes(make, bad, error,
                                                                         match):
    a = Value(1.0, label="a")
    opt = OPTIMISER_VARIANTS[make]([a])
    a.grad = 0.5
    opt.step()
    opt.params.append(a if bad == "a" else bad)
    before = _snapshot(opt)
    with pytest.raises(error, match=f"{make.split()[0]}.step: {match}"):
        opt.step()
    assert _snapshot(opt) == before


@pytest.mark.parametrize("make", OPTIMISER_VARIANTS)
@pytest.mark.parametrize("field, digits", [("grad", 400), ("grad", -5000), ("data", 400)])
def test_an_integer_too_large_for_a_float_names_the_optimiser_and_parameter(make, field, digits):
    value = 10 ** abs(digits) * (1 if digits > 0 else -1)  # over 4300 digits repr() raises
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    opt = OPTIMISER_VARIANTS[make]([a, b])
    a.grad = b.grad = 0.5
    opt.step()
    setattr(b, field, value)
    before = _snapshot(opt)
    with pytest.raises(OverflowError, match=rf"{make.split()[0]}.step: the \.{field} of "
                                            rf"params\[1\] \(b\) is an integer of about \d+ digits,"
                                            " too large for a float; no parameter was changed"):
        opt.step()
    assert _snapshot(opt) == before


@pytest.mark.parametrize("make, setting", [
    ("SGD", "lr"), ("Adam", "lr"), ("SGD momentum", "momentum"),
    ("SGD nesterov decay", "weight_decay"), ("Adam", "eps"), ("Adam decay", "weight_decay"),
])
def test_settings_too_large_for_a_float_are_refused_by_name(make, setting):
    a = Value(1.0, label="a")
    opt = OPTIMISER_VARIANTS[make]([a])
    a.grad = 0.5
    opt.step()
    before = _snapshot(opt)
    with pytest.raises(OverflowError, match=f"{setting} is an integer of about 401 digits"):
        setattr(opt, setting, 10**400)
        opt.step()
    if setting != "lr":  # a plain attribute: refused at the step, which changed nothing
        assert _snapshot(opt)[1] == before[1]


_DATA = Value.data  # the slot descriptor


class _Trap(Value):
    """A Value whose next `.data` assignment raises KeyboardInterrupt (once)."""

    __slots__ = ()
    armed = False

    @property
    def data(self):
        return _DATA.__get__(self)

    @data.setter
    def data(self, x):
        if _Trap.armed:
            _Trap.armed = False
            raise KeyboardInterrupt
        _DATA.__set__(self, x)


@pytest.mark.parametrize("make", OPTIMISER_VARIANTS)
def test_an_interrupt_while_a_step_is_written_leaves_the_step_undone(make):
    ps = [Value(float(i), label=f"p{i}") for i in range(4)]
    opt = OPTIMISER_VARIANTS[make](ps)
    for p in ps:
        p.grad = 0.5
    opt.step()
    ps[2].__class__ = _Trap  # the third assignment of the next step is interrupted
    before = _snapshot(opt)
    _Trap.armed = True
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert _snapshot(opt) == before
    opt.step()  # and the step can be taken again
    assert _snapshot(opt) != before

