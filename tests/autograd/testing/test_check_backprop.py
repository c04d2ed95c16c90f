"""`autograd.testing.check_backprop`: a learner's hand-written backprop on plain lists, graded
against the engine on networks hypothesis draws. Correct code passes (every activation, with
and without samples; nn.MLP, nn.matrix and PyTorch as fn too), each typical mistake is caught
on a small network with the right quantity and hint, and bad results or arguments are named."""

import math
import re
import subprocess
import sys

import pytest
from hypothesis import settings

import nn
from autograd import activations
from autograd.testing import BackpropMismatch, check_backprop
from nn import matrix
from tests import ROOT

ACTIVATIONS = activations.names()


# ---- a learner's code, on lists, with the mistakes teachers see ------------------------------
def sigma(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


F = {"sigmoid": sigma, "tanh": math.tanh, "relu": lambda z: max(z, 0.0), "linear": lambda z: z}
F_PRIME = {"sigmoid": lambda z: sigma(z) * (1 - sigma(z)),
           "tanh": lambda z: 1 - math.tanh(z) ** 2,
           "relu": lambda z: 1.0 if z > 0 else 0.0,
           "linear": lambda z: 1.0}


def learner(activation="sigmoid", samples=False, mistake=None):
    f, fp = F[activation], F_PRIME[activation]

    def one_sample(Ws, bs, x, y):
        L = len(Ws)
        if mistake == "one_hidden_layer_only":
            W1, W2 = Ws  # written for exactly one hidden layer
        a, z = [list(x)], [[]]
        for W, b in zip(Ws, bs):
            z.append([sum(w * ak for w, ak in zip(row, a[-1])) + bj for row, bj in zip(W, b)])
            a.append([f(v) for v in z[-1]])
        delta = [[] for _ in range(L + 1)]
        diff = [(yi - oi) if mistake == "sign" else (oi - yi) for oi, yi in zip(a[L], y)]
        if mistake == "no_sigma_prime":
            delta[L] = diff
        elif mistake == "sigma_prime_of_a":
            delta[L] = [d * fp(v) for d, v in zip(diff, a[L])]
        else:
            delta[L] = [d * fp(v) for d, v in zip(diff, z[L])]
        for i in range(L - 1, 0, -1):
            Wn, dn = Ws[i], delta[i + 1]  # Ws[i] is W^(i+1)
            if mistake == "W_not_transposed":
                back = [sum(Wn[j][m] * dn[m] for m in range(len(dn))) for j in range(len(z[i]))]
            elif mistake == "W_not_transposed_zip":
                back = [sum(w * d for w, d in zip(row, dn)) for row in Wn]
            else:
                back = [sum(Wn[m][j] * dn[m] for m in range(len(dn))) for j in range(len(z[i]))]
            if mistake in ("no_sigma_prime", "no_sigma_prime_hidden"):
                delta[i] = back
            else:
                delta[i] = [fp(v) * g for v, g in zip(z[i], back)]
        dWs, dbs = [], []
        for i in range(1, L + 1):
            before = a[i - 1]
            if mistake == "off_by_one_activation":
                before = a[i]
            elif mistake == "pre_activation" and i > 1:
                before = z[i - 1]
            if mistake == "square_only":
                dWs.append([[d * before[k] for k in range(len(Ws[i - 1]))] for d in delta[i]])
            else:
                dWs.append([[d * ak for ak in before] for d in delta[i]])
            if mistake == "bias_wrong_layer" and i < L:
                dbs.append(list(delta[i + 1]))
            else:
                dbs.append(list(delta[i]))
        return dWs, dbs

    if not samples:
        return one_sample

    def many(Ws, bs, X, Y):
        total_W = [[[0.0] * len(row) for row in W] for W in Ws]
        total_b = [[0.0] * len(b) for b in bs]
        for x, y in zip(X, Y):
            dWs, dbs = one_sample(Ws, bs, x, y)
            if mistake == "last_sample_only":
                total_W, total_b = dWs, dbs
                continue
            for TW, dW in zip(total_W, dWs):
                for trow, drow in zip(TW, dW):
                    for k, v in enumerate(drow):
                        trow[k] += v
            for tb, db in zip(total_b, dbs):
                for k, v in enumerate(db):
                    tb[k] += v
        if mistake == "mean":
            n = len(X)
            total_W = [[[v / n for v in row] for row in W] for W in total_W]
            total_b = [[v / n for v in b] for b in total_b]
        return total_W, total_b

    return many


# ---- correct code passes ---------------------------------------------------------------------
@pytest.mark.parametrize("samples", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_correct_backprop_passes(activation, samples):
    assert check_backprop(learner(activation, samples), activation=activation,
                          samples=samples, seed=0) is None


def test_fn_gets_plain_lists_of_floats_only():
    calls = []

    def strict(Ws, bs, x, y):
        for item in (Ws, bs, x, y):
            assert type(item) is list
        assert all(type(v) is float for W in Ws for row in W for v in row)
        assert all(type(v) is float for b in bs for v in b)
        assert all(type(v) is float for v in x + y)
        calls.append(len(Ws))
        return learner()(Ws, bs, x, y)

    check_backprop(strict, seed=1)
    assert set(calls) == {1, 2, 3, 4}  # every depth from 1 to 4 layers was tried


def test_networks_are_small_and_mostly_not_square():
    seen = []

    def spy(Ws, bs, X, Y):
        seen.append(([len(Ws[0][0])] + [len(W) for W in Ws], len(X)))
        assert all(len(W) == len(b) for W, b in zip(Ws, bs))
        assert all(-2.0 <= v <= 2.0 for W in Ws for row in W for v in row)
        return learner(samples=True)(Ws, bs, X, Y)

    check_backprop(spy, samples=True, seed=2)
    sizes = [s for s, _ in seen]
    assert all(1 <= n <= 5 for s in sizes for n in s) and {len(s) for s in sizes} == {2, 3, 4, 5}
    assert sum(len(set(s)) > 1 for s in sizes) > len(sizes) / 2
    assert {n for _, n in seen} == {1, 2, 3}


def test_changing_the_arguments_inside_fn_changes_nothing():
    def rude(Ws, bs, x, y):
        result = learner()(Ws, bs, x, y)
        Ws[0][0][0] = 99.0
        x.clear()
        return result

    check_backprop(rude, seed=0, max_examples=50)


# ---- the engine's other implementations pass: nn.MLP, nn.matrix (item 4), PyTorch ------------
def mlp_backprop(activation, samples):
    """fn from nn.MLP + backward(): the same gradients, from the nn package."""
    def fn(Ws, bs, x, y):
        X, Y = (x, y) if samples else ([x], [y])
        model = nn.MLP(len(Ws[0][0]), [len(W) for W in Ws], activation=activation,
                       output_activation=activation, seed=0)
        for layer, W, b in zip(model.layers, Ws, bs):
            for neuron, row, bias in zip(layer.neurons, W, b):
                for w, v in zip(neuron.w, row):
                    w.data = v
                neuron.b.data = bias
        nn.seed_loss([model(x) for x in X], Y).backward()
        grad_W, grad_b = matrix.model_gradients(model)
        return grad_W[1:], grad_b[1:]
    return fn


def matrix_backprop(activation, samples):
    """fn from nn.matrix: the seed's formulas, written independently of check_backprop."""
    def fn(Ws, bs, x, y):
        net = matrix.Network([[]] + Ws, [[]] + bs, [""] + [activation] * len(Ws))
        if samples:
            grad_W, grad_b = matrix.loss_gradients(net, x, y)
        else:
            trace = matrix.backprop(net, x, y)
            grad_W, grad_b = trace.grad_W, trace.grad_b
        return grad_W[1:], grad_b[1:]
    return fn


@pytest.mark.parametrize("samples", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_nn_mlp_with_backward_passes(activation, samples):
    check_backprop(mlp_backprop(activation, samples), activation=activation, samples=samples,
                   seed=3, max_examples=100)


@pytest.mark.parametrize("samples", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_nn_matrix_backprop_passes(activation, samples):
    check_backprop(matrix_backprop(activation, samples), activation=activation,
                   samples=samples, seed=4)


@pytest.mark.oracle("torch")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_pytorch_autograd_passes(activation):
    import torch

    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
           "linear": lambda t: t}[activation]

    def fn(Ws, bs, X, Y):
        Wt = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in Ws]
        bt = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in bs]
        loss = 0
        for x, y in zip(X, Y):
            a = torch.tensor(x, dtype=torch.float64)
            for W, b in zip(Wt, bt):
                a = act(W @ a + b)
            loss = loss + 0.5 * ((torch.tensor(y, dtype=torch.float64) - a) ** 2).sum()
        loss.backward()
        return [W.grad.tolist() for W in Wt], [b.grad.tolist() for b in bt]

    check_backprop(fn, activation=activation, samples=True, seed=5, max_examples=100)


# ---- each typical mistake is caught, on a small network, with its quantity and hint ----------
MISTAKES = [
    # mistake, samples, sizes of the smallest failing network, first wrong quantity, hint
    ("no_sigma_prime", False, (1, 1), "∇b¹", "your ∇b¹ equals δ¹ without σ′(z¹)"),
    ("no_sigma_prime_hidden", False, (1, 1, 1), "∇b¹", "your ∇b¹ equals δ¹ without σ′(z¹)"),
    ("sigma_prime_of_a", False, (1, 1), "∇b¹", "with σ′(a¹) in place of σ′(z¹)"),
    ("W_not_transposed", False, (1, 1, 2), "", "your δ¹ uses W² instead of W²ᵀ"),
    ("W_not_transposed_zip", False, (1, 2, 1), "∇b¹", "your δ¹ uses W² instead of W²ᵀ"),
    ("sign", False, (1, 1), "∇b¹", "you used (y − o) where the seed has (o − y)"),
    ("mean", True, (1, 1), "∇b¹", "is the mean over the 2 samples; the seed sums: "
     "L = Σₙ Cⁿ, so ∇b¹ = Σₙ (the per-sample gradients), 2 times yours"),
    ("last_sample_only", True, (1, 1), "∇b¹", "is the last sample's gradient alone"),
    ("off_by_one_activation", False, (1, 1), "∇W¹",
     "your ∇W¹ uses a¹ (this layer's own activations) instead of a⁰"),
    ("pre_activation", False, (1, 1, 1), "∇W²", "your ∇W² uses z¹ instead of a¹ = σ(z¹)"),
    ("bias_wrong_layer", False, (1, 1, 1), "∇b¹", "your ∇b¹ equals δ² (layer 2's δ)"),
    ("square_only", False, (2, 1), "∇W¹", "your code is right on square networks"),
    ("one_hidden_layer_only", False, (1, 1), "",
     "your code is right with one hidden layer (2 layers"),
]


@pytest.mark.parametrize("mistake, samples, sizes, quantity, hint", MISTAKES,
                         ids=[m[0] for m in MISTAKES])
def test_each_typical_mistake_is_caught_and_named(mistake, samples, sizes, quantity, hint):
    with pytest.raises(BackpropMismatch) as info:
        check_backprop(learner("sigmoid", samples, mistake), samples=samples, seed=0)
    error = info.value
    assert isinstance(error, AssertionError)
    assert error.sizes == sizes  # the smallest network hypothesis finds for this mistake
    assert error.quantity == quantity
    assert hint in error.hint and hint in " ".join(str(error).split())
    shape = " → ".join(map(str, sizes))
    assert f"on the smallest failing network found: {shape} " in str(error)
    if quantity:
        assert f"your {quantity}" in str(error).splitlines()[0]


def test_the_report_names_entry_numbers_and_formula():
    with pytest.raises(BackpropMismatch) as info:
        check_backprop(learner(mistake="no_sigma_prime_hidden"), seed=0)
    error = info.value
    lines = str(error).splitlines()
    assert lines[0] == "check_backprop: your ∇b¹[0] (dbs[0][0]) is wrong"
    assert error.entry == (0,) and error.given == pytest.approx(4 * error.expected)
    assert f"  expected ∇b¹[0] = {error.expected!r}  (the engine: Values, backward())" in lines
    assert f"  given    ∇b¹[0] = {error.given!r}" in lines
    assert any("the seed: ∇b¹ = δ¹, with δ¹ = σ′(z¹) ⊙ (W²ᵀ δ²)" in line for line in lines)
    assert any("δ¹[0] = σ′(z¹[0]) · Σₘ W²[m][0] δ²[m]" in line for line in lines)
    assert "checked in backward order: ∇b², ∇W², ∇b¹, ∇W¹; those before ∇b¹ are right" \
        in str(error)
    # the reproduction at the end runs as written and gives the same wrong numbers
    code = str(error).split("To run it yourself:\n", 1)[1]
    namespace = {"fn": learner(mistake="no_sigma_prime_hidden")}
    exec(code.replace("\n  ", "\n").strip(), namespace)
    assert namespace["dbs"][0][0] == error.given
    assert learner(mistake="no_sigma_prime_hidden")(*error.arguments)[1][0][0] == error.given
    assert error.arguments == ([[[0.0]], [[1.0]]], [[0.0], [0.0]], [0.0], [0.0])


def test_a_wrong_weight_gradient_names_row_and_column():
    def fn(Ws, bs, x, y):
        dWs, dbs = learner()(Ws, bs, x, y)
        if len(dWs[0][0]) > 1:
            dWs[0][0][1] += 1.0
        return dWs, dbs

    with pytest.raises(BackpropMismatch) as info:
        check_backprop(fn, seed=0)
    assert info.value.sizes == (2, 1) and info.value.entry == (0, 1)
    assert str(info.value).startswith("check_backprop: your ∇W¹[0][1] (dWs[0][0][1]) is wrong")
    assert "∇W¹[0][1] = δ¹[0] · a⁰[1]   (a⁰ = x, the input)" in str(info.value)


def test_the_same_seed_gives_the_same_report():
    reports = []
    for _ in range(2):
        with pytest.raises(BackpropMismatch) as info:
            check_backprop(learner(mistake="sign"), activation="tanh", seed=7)
        reports.append(str(info.value))
    assert reports[0] == reports[1]


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_mistakes_are_caught_with_other_activations(activation):
    with pytest.raises(BackpropMismatch, match="without"):
        check_backprop(learner(activation, mistake="no_sigma_prime_hidden"),
                       activation=activation, seed=0)


def test_a_missing_derivative_is_no_mistake_for_linear_layers():
    check_backprop(learner("linear", mistake="no_sigma_prime"), activation="linear", seed=0)


# ---- bad results from fn are reported as such --------------------------------------------------
def returning(make):
    """fn returning make(dWs, dbs) from the correct gradients."""
    def fn(Ws, bs, x, y):
        return make(*learner()(Ws, bs, x, y))
    return fn


def test_an_exception_inside_fn_is_reported_with_its_line():
    def fn(Ws, bs, x, y):
        return 1 / 0

    with pytest.raises(BackpropMismatch) as info:
        check_backprop(fn, seed=0)
    message = str(info.value)
    assert message.startswith("check_backprop: your fn raised ZeroDivisionError: division by zero")
    assert "in fn: return 1 / 0" in message and info.value.sizes == (1, 1)


@pytest.mark.parametrize("make, expected", [
    (lambda dWs, dbs: dWs, r"must return a pair \(dWs, dbs\), got list"),
    (lambda dWs, dbs: None, r"must return a pair \(dWs, dbs\), got NoneType None"),
    (lambda dWs, dbs: (dWs[:1], dbs[:1]),
     r"your dWs is 1 entries; the network has 2 layers, so dWs needs 2: dWs\[0\] = ∇W¹"),
    (lambda dWs, dbs: (dWs, dbs + [[0.0]]), r"your dbs is 2 entries; the network has 1 layer"),
    (lambda dWs, dbs: (dWs, [b + [0.0] for b in dbs]),
     r"your ∇b¹ \(dbs\[0\]\) has 2 entries; it must be 1 entry"),
    (lambda dWs, dbs: ([[list(c) for c in zip(*W)] for W in dWs], dbs),
     r"your ∇W¹ \(dWs\[0\]\) has 2 rows of 1 column; it must be 1 × 2"),
    (lambda dWs, dbs: (dWs, [["0.5" for _ in b] for b in dbs]),
     r"your ∇b¹\[0\] \(dbs\[0\]\[0\]\) must be a real number, got str '0.5'"),
    (lambda dWs, dbs: (dWs, [[math.nan for _ in b] for b in dbs]),
     r"your ∇b¹\[0\] \(dbs\[0\]\[0\]\) must be finite, got nan"),
    (lambda dWs, dbs: (dWs, [[True for _ in b] for b in dbs]),
     r"must be a real number, got bool True"),
    (lambda dWs, dbs: (dWs, [[10**400 for _ in b] for b in dbs]),
     r"your ∇b¹\[0\] \(dbs\[0\]\[0\]\) is an integer of about 401 digits, too large"),
    (lambda dWs, dbs: ([[5.0] for W in dWs], dbs), r"your ∇W¹ \(dWs\[0\]\) row 0 is float 5.0"),
    (lambda dWs, dbs: ([5.0 for W in dWs], dbs), r"your ∇W¹ \(dWs\[0\]\) is float 5.0, not a list"),
])
def test_wrong_shapes_and_non_numbers_are_named(make, expected):
    with pytest.raises(BackpropMismatch, match=expected):
        check_backprop(returning(make), seed=0)


def test_a_transposed_weight_gradient_gets_a_shape_hint():
    with pytest.raises(BackpropMismatch) as info:
        check_backprop(returning(lambda dWs, dbs: ([[list(c) for c in zip(*W)] for W in dWs],
                                                   dbs)), seed=0)
    assert "your ∇W¹ looks transposed: ∇W¹ = δ¹ a⁰ᵀ is 1 × 2" in info.value.hint


def test_numpy_arrays_and_tuples_are_read_as_lists():
    np = pytest.importorskip("numpy")
    check_backprop(returning(lambda dWs, dbs: (tuple(np.array(W) for W in dWs),
                                               [np.array(b) for b in dbs])),
                   seed=0, max_examples=50)


def test_a_fn_that_is_not_deterministic_is_named():
    calls = []

    def flaky(Ws, bs, x, y):
        calls.append(1)
        dWs, dbs = learner()(Ws, bs, x, y)
        if len(calls) == 3:
            dbs[0][0] += 1.0
        return dWs, dbs

    with pytest.raises(BackpropMismatch, match="not deterministic"):
        check_backprop(flaky, seed=0)


# ---- arguments and settings --------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, message", [
    ({"activation": "softmax"}, ValueError,
     "check_backprop: unknown activation 'softmax'; choose one of 'sigmoid', 'tanh', 'relu', "
     "'linear'"),
    ({"activation": None}, ValueError, "unknown activation None"),
    ({"samples": 1}, TypeError, "samples must be True or False, got 1"),
    ({"max_examples": 0}, ValueError, "max_examples must be ≥ 1, got 0"),
    ({"max_examples": 2.5}, TypeError, "max_examples must be an int, got float 2.5"),
    ({"max_examples": True}, TypeError, "max_examples must be an int"),
    ({"seed": "1"}, TypeError, "seed must be an int or None, got '1'"),
])
def test_bad_arguments_raise_naming_them(kwargs, error, message):
    with pytest.raises(error) as info:
        check_backprop(learner(), **kwargs)
    assert message in str(info.value)


def test_fn_must_be_callable():
    with pytest.raises(TypeError, match="fn must be callable as fn\\(Ws, bs, x, y\\), got int 3"):
        check_backprop(3)


def test_the_users_hypothesis_profile_does_not_matter():
    settings.register_profile("check_backprop_tiny", max_examples=2, deadline=1,
                              derandomize=True)
    before = settings._current_profile
    calls = []

    def counting(Ws, bs, x, y):
        calls.append(1)
        return learner()(Ws, bs, x, y)

    try:
        settings.load_profile("check_backprop_tiny")
        check_backprop(counting, max_examples=120)
    finally:
        settings.load_profile(before)
    assert len(calls) == 120


def test_without_hypothesis_it_names_the_testing_extra():
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "from autograd.testing import check_backprop\n"
            "check_backprop(lambda Ws, bs, x, y: None)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert ("autograd.testing.check_backprop needs hypothesis, which is not installed: "
            "pip install 'seedgrad[testing]'") in done.stderr


# ---- the exercise end to end: the notebook and the seed demo's pointer to it -----------------
DEMOS = ROOT / "demos"


def test_the_notebook_shows_the_report_on_a_wrong_first_attempt_then_the_fix(tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat (the `test` extra)")
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient (the `test` extra)")
    notebook = nbformat.read(DEMOS / "e_write_your_own_backprop.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = [" ".join(o.get("text", "").split()) for c in notebook.cells
               if c.cell_type == "code" for o in c.outputs]
    skeleton, attempt, drawing, fixed, mean, summed = [p for p in printed if p][:6]
    assert skeleton.startswith("check_backprop: your fn raised NotImplementedError: TODO 1")
    assert attempt.startswith("check_backprop: your ∇b¹[0] (dbs[0][0]) is wrong")
    assert "hint: your ∇b¹ equals δ¹ without σ′(z¹)" in attempt
    assert "smallest failing network found: 1 → 1 → 1 " in attempt
    assert drawing.startswith("your ∇b:")
    assert fixed == summed == ("check_backprop: your gradients are the engine's on every "
                               "network tried.")
    assert "hint: your ∇b¹ is the mean over the 2 samples; the seed sums" in mean


def test_the_seed_demo_names_the_exercise(tmp_path):
    done = subprocess.run([sys.executable, str(DEMOS / "seed_network.py"), "--out",
                           str(tmp_path)], capture_output=True, text=True, check=True,
                          timeout=300)
    line = next(line for line in done.stdout.splitlines() if line.startswith("Exercise:"))
    notebook = re.search(r"demos/(\S+\.ipynb)", line).group(1)
    assert (DEMOS / notebook).is_file() and "check_backprop" in line


def test_the_seedgrad_command_names_check_backprop(tmp_path, capsys):
    from nn.cli import main

    assert main(["seed", "--out", str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out
    assert "autograd.testing.check_backprop (demos/e_write_your_own_backprop.ipynb)" in said
