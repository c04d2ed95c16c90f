"""Bad input to the public API of nn, autograd.viz, autograd.draw and autograd.testing.

Every bad input gets a clear exception naming the function and the offending value, and
leaves nothing half-changed: no parameter moved, no existing file touched, no temp file left.
"""

import json
import math
import os
import sys
import time

import pytest

import nn
from autograd import Value, draw, viz
from autograd.files import atomic_write
from autograd.testing import gradcheck
from nn import matrix

NAN, INF = math.nan, math.inf


def _model():
    return nn.MLP(2, [3, 1], seed=0)


# ---- nn: modules and their inputs -------------------------------------------------------------
@pytest.mark.parametrize("x, error, match", [
    ([NAN, 1.0], ValueError, "MLP: input 0 is nan, not a finite number"),
    ([1.0, -INF], ValueError, "MLP: input 1 is -inf, not a finite number"),
    ([Value(NAN), 1.0], ValueError, "MLP: input 0 is nan"),
    (["a", 1.0], TypeError, "MLP: input 0 must be a number or a Value, got str 'a'"),
    ([1.0, None], TypeError, "MLP: input 1 must be a number or a Value, got NoneType None"),
    ([10**400, 1.0], ValueError, "MLP: input 0 is an integer too large for a float"),
    (Value(1.0), TypeError, "MLP: expected a sequence of 2 numbers or Values, got Value"),
    ([1.0], ValueError, "MLP: expected 2 inputs, got 1"),
])
def test_mlp_rejects_bad_inputs(x, error, match):
    with pytest.raises(error, match=match):
        _model()(x)


@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.Neuron(2, nonlin="yes"), TypeError, "Neuron: nonlin must be True or False, "
                                                    "got 'yes'"),
    (lambda: nn.Layer(2, 2, foo=1), TypeError, "Layer: unknown keyword argument 'foo'"),
    (lambda: nn.MLP(2, [3, 0]), ValueError, r"MLP: nouts\[1\] must be ≥ 1, got 0"),
    (lambda: nn.MLP(2, None), TypeError, "MLP: nouts must be a list of layer sizes, got None"),
])
def test_module_constructors_reject_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("call, error, match", [
    (lambda o: nn.seed_cost(None, 1.0), TypeError, "seed_cost: outputs must be a sequence, "
                                                   "got NoneType"),
    (lambda o: nn.seed_cost(o, None), TypeError, "seed_cost: targets must be a sequence"),
    (lambda o: nn.mse([o], [None]), TypeError, r"mse: targets\[0\] must be a sequence"),
    (lambda o: nn.mse([o], [NAN]), ValueError, r"mse: targets\[0\] must be finite, got nan"),
    (lambda o: nn.softmax_cross_entropy([None], [0]), TypeError,
     r"softmax_cross_entropy: logits\[0\] must be a sequence"),
])
def test_losses_name_themselves_on_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call(Value(0.5))


# ---- nn: state files --------------------------------------------------------------------------
def _corrupt_files(tmp_path, state):
    files = {
        "binary": b"\xff\xfe\x00 not text",
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "version_true": json.dumps({"format": "seedgrad.nn.state", "version": True,
                                    "parameters": state}).encode(),
        "huge_int": json.dumps({"format": "seedgrad.nn.state", "version": 1,
                                "parameters": {**state, next(iter(state)): 10**400}}).encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize("name, error, match", [
    ("binary", ValueError, "load: .*binary is not a text file"),
    ("deep", ValueError, "load: .*deep is not valid JSON .*nested too deeply"),
    ("version_true", ValueError, "load: .*version_true has version True"),
    ("huge_int", ValueError,
     "load .*parameter layers.0.neurons.0.w.0 is an integer of about .* digits, too large"),
    ("missing", FileNotFoundError, "load: cannot read '.*missing'"),
    (".", IsADirectoryError, "load: cannot read"),
])
def test_load_of_a_bad_file_changes_no_parameter(tmp_path, name, error, match):
    model = _model()
    before = model.state_dict()
    _corrupt_files(tmp_path, before)
    with pytest.raises(error, match=match):
        model.load(tmp_path / name)
    assert model.state_dict() == before


@pytest.mark.parametrize("path, error, match", [
    (None, TypeError, "load: path must be a str or os.PathLike, got NoneType None"),
    (3, TypeError, "load: path must be a str or os.PathLike, got int 3"),
])
def test_load_rejects_non_paths(path, error, match):
    with pytest.raises(error, match=match):
        _model().load(path)


def test_load_state_dict_with_a_huge_int_changes_nothing():
    model = _model()
    before = model.state_dict()
    with pytest.raises(ValueError,
                       match="load_state_dict: parameter .* integer of about .* digits, too large"):
        model.load_state_dict({**before, "layers.1.neurons.0.b": 10**400})
    assert model.state_dict() == before


# ---- atomic writes: nn.Module.save, viz.save_svg, viz.walkthrough, autograd.draw ---------------
def _small_graph():
    x = Value(0.5, label="x")
    y = (x * 2).tanh()
    y.label = "y"
    y.backward()
    return y


_WRITERS = {
    "save": (lambda path: _model().save(path), "save"),
    "save_svg": (lambda path: viz.save_svg(_small_graph(), path), "save_svg"),
    "walkthrough": (lambda path: viz.walkthrough(_small_graph(), path), "walkthrough"),
    "draw .dot": (lambda path: draw.main(["x*x", "x=1", "-o", str(path)]), "autograd.draw"),
}


@pytest.mark.parametrize("writer", ["save", "save_svg", "walkthrough"])
@pytest.mark.parametrize("path, error, match", [
    (None, TypeError, "path must be a str or os.PathLike, got NoneType None"),
    (1.5, TypeError, "path must be a str or os.PathLike, got float 1.5"),
])
def test_writers_reject_non_paths(writer, path, error, match):
    write, who = _WRITERS[writer]
    with pytest.raises(error, match=f"{who}: {match}"):
        write(path)


@pytest.mark.parametrize("writer", ["save", "save_svg", "walkthrough"])
def test_writing_to_a_directory_or_a_missing_directory_fails_clearly(tmp_path, writer):
    write, who = _WRITERS[writer]
    with pytest.raises(IsADirectoryError, match=f"{who}: .* is a directory, give a file name"):
        write(tmp_path)
    with pytest.raises(FileNotFoundError, match=f"{who}: cannot write '.*nowhere.*'"):
        write(tmp_path / "nowhere" / "out.file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", _WRITERS)
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, writer):
    write, who = _WRITERS[writer]
    suffix = {"save": ".json", "save_svg": ".svg", "walkthrough": ".html"}.get(writer, ".dot")
    target = tmp_path / f"out{suffix}"
    target.write_text("the old contents\n", encoding="utf-8")

    def failing_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    if writer == "draw .dot":
        assert write(target) == 1  # the command line reports it and exits with 1
    else:
        with pytest.raises(PermissionError, match=f"{who}: cannot write '.*out.*'"):
            write(target)
    assert target.read_text(encoding="utf-8") == "the old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left


def test_a_refused_render_keeps_the_old_file(tmp_path):
    target = tmp_path / "g.svg"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(viz.RenderError, match="save_svg: the graph has 3 nodes, over "
                                              "max_nodes=1"):
        viz.save_svg(_small_graph(), target, max_nodes=1, show_constants=False)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]


def test_atomic_write_accepts_bytes_and_str(tmp_path):
    atomic_write(tmp_path / "a", b"\x00\x01", "test")
    atomic_write(tmp_path / "b", "é", "test")
    assert (tmp_path / "a").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b").read_text(encoding="utf-8") == "é"
    with pytest.raises(ValueError, match="test: path must be a non-empty file name"):
        atomic_write("", "x", "test")


# ---- optimisers: all or nothing -------------------------------------------------------------
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


# ---- nn.matrix --------------------------------------------------------------------------------
def _net():
    return matrix.Network.from_model(nn.MLP(2, [2, 1], activation="sigmoid", seed=0))


@pytest.mark.parametrize("call, error, match", [
    (lambda: matrix.sigma("a"), TypeError, "sigma: z must be a real number, got str 'a'"),
    (lambda: matrix.sigma(NAN), ValueError, "sigma: z must be finite, got nan"),
    (lambda: matrix.activate("relu", None), TypeError, "activate: z must be a list of numbers"),
    (lambda: matrix.activate("relu", [Value(1.0)]), TypeError,
     r"activate: z\[0\] must be a real number, got Value"),
    (lambda: matrix.derivative("tanh", [INF]), ValueError,
     r"derivative: z\[0\] must be finite, got inf"),
    (lambda: matrix.matvec(None, [1.0]), TypeError, "matvec: W must be a list of rows"),
    (lambda: matrix.matvec([["a"]], [1.0]), TypeError,
     r"matvec: W\[0\]\[0\] must be a real number"),
    (lambda: matrix.matvec([[1.0]], "a"), TypeError, "matvec: v must be a list of numbers"),
    (lambda: matrix.transpose([[1, 2], [3]]), ValueError,
     r"transpose: the rows of W have different lengths \[1, 2\]"),
    (lambda: matrix.outer([1.0], None), TypeError, "outer: v must be a list of numbers"),
    (lambda: matrix.hadamard(None, [1.0]), TypeError, "hadamard: u must be a list of numbers"),
    (lambda: matrix.cost([], []), ValueError, r"cost: 0 outputs but 0 targets \(need ≥ 1\)"),
    (lambda: matrix.cost([NAN], [1.0]), ValueError, r"cost: o\[0\] must be finite, got nan"),
    (lambda: matrix.Network(None, None, None), TypeError, "Network: W must be a list"),
    (lambda: matrix.Network([[], [[NAN]]], [[], [0.0]], ["", "relu"]), ValueError,
     r"Network: W\[1\]\[0\]\[0\] must be finite, got nan"),
    (lambda: matrix.Network([[], [[1.0]]], [[], [None]], ["", "relu"]), TypeError,
     r"Network: b\[1\]\[0\] must be a real number, got NoneType"),
    (lambda: matrix.forward(None, [1.0, 2.0]), TypeError,
     "forward: net must be a matrix.Network"),
    (lambda: matrix.forward(_net(), [NAN, 1.0]), ValueError,
     r"forward: x\[0\] must be finite, got nan"),
    (lambda: matrix.forward(_net(), "12"), TypeError, "forward: x must be a list of numbers"),
    (lambda: matrix.backprop(_net(), [1.0, 2.0], None), TypeError,
     "backward: y must be a list of numbers"),
    (lambda: matrix.backward(_net(), [[]], [[1.0, 2.0]], [1.0]), ValueError,
     "backward: z and a need one entry per layer"),
    (lambda: matrix.loss_gradients(_net(), None, None), TypeError,
     "loss_gradients: X must be a list of samples, got NoneType"),
    (lambda: matrix.loss_gradients(_net(), [[1.0, NAN]], [[0.5]]), ValueError,
     r"loss_gradients: X\[0\]\[1\] must be finite"),
])
def test_matrix_functions_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---- viz: huge graphs fail fast, before any per-node work ---------------------------------
@pytest.fixture(scope="module")
def huge():
    x = Value(0.5, label="x")
    y = x
    for i in range(200_000):
        y = y * 1.0001 if i % 2 else y + x
    return y


@pytest.mark.parametrize("call, who", [
    (lambda y, tmp: viz.to_svg(y), "to_svg"),
    (lambda y, tmp: viz.to_svg(y, show_constants=False), "to_svg"),
    (lambda y, tmp: viz.to_svg(y, collapse=True), "to_svg"),
    (lambda y, tmp: viz.save_svg(y, tmp / "g.svg"), "save_svg"),
    (lambda y, tmp: viz.walkthrough(y, tmp / "w.html"), "walkthrough"),
    (lambda y, tmp: viz.to_dot(y, max_nodes=10), "to_dot"),
])
def test_a_huge_graph_is_refused_fast_before_any_per_node_work(huge, tmp_path, monkeypatch,
                                                               call, who):
    def no_analysis(*args, **kwargs):
        raise AssertionError("the graph was analysed before the node limit was checked")

    monkeypatch.setattr(viz.graph.Graph, "__init__", no_analysis)
    start = time.perf_counter()
    with pytest.raises(viz.RenderError, match=f"{who}: the graph has over [0-9]+ nodes, "
                                              "over max_nodes="):
        call(huge, tmp_path)
    assert time.perf_counter() - start < 1.0
    assert list(tmp_path.iterdir()) == []


def test_jupyter_display_of_a_huge_value_falls_back_to_text_fast(huge):
    start = time.perf_counter()
    assert list(huge._repr_mimebundle_()) == ["text/plain"]
    assert time.perf_counter() - start < 1.0


def test_a_diagram_over_the_limit_is_shown_as_text_not_rendered(monkeypatch):
    y = Value(0.1, label="x")
    for _ in range(60):
        y = y.tanh()
    d = viz.to_dot(y)  # no limit: 61 boxes
    assert d.node_count == 61
    monkeypatch.setattr(viz, "MAX_NODES", 50)
    monkeypatch.setattr(viz, "render", lambda *a, **k: pytest.fail("rendered anyway"))
    bundle = d._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "not drawn: the graph has 61 nodes, over MAX_NODES=50" in bundle["text/plain"]


def test_a_diagram_graphviz_cannot_render_is_text_and_mime_filters_are_kept():
    bad = viz.Diagram()
    bad.body.append("\tthis is { not DOT\n")
    assert "not drawn: render: Graphviz" in bad._repr_mimebundle_()["text/plain"]
    good = viz.to_dot(_small_graph())
    assert good._repr_mimebundle_(include=["text/plain"]) == {}
    assert good._repr_mimebundle_(exclude=["image/svg+xml", "text/html"]) == {}
    assert list(good._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]


def test_a_failed_wasm_render_does_not_spoil_the_next_one(capfd):
    source = 'digraph { a -> b }'
    with pytest.raises(viz.RenderError, match="render: Graphviz"):
        viz.render(source, format="png", backend="wasm")  # png is not in the wasm build
    svg = viz.render(source, backend="wasm")
    assert b"<svg" in svg
    assert capfd.readouterr().out == ""  # no stale output of the failed render on stdout


@pytest.mark.parametrize("call, error, match", [
    (lambda y: viz.to_svg(y, clusters=1), TypeError,
     "to_svg: clusters must be None, True or False, got 1"),
    (lambda y: viz.render("digraph {}", format=None), ValueError,
     "render: format must be a Graphviz format such as 'svg', got None"),
    (lambda y: viz.render("digraph {}", format="nope"), ValueError,
     "render: format must be a Graphviz format such as 'svg', got 'nope'"),
    (lambda y: viz.pretty(None), TypeError, "pretty: label must be a str, got NoneType"),
    (lambda y: viz.to_svg(None), TypeError, "to_svg: root must be a Value, got NoneType"),
    (lambda y: viz.walkthrough(y, 7), TypeError, "walkthrough: path must be a str"),
])
def test_viz_rejects_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call(_small_graph())


@pytest.mark.parametrize("corrupt, error, match", [
    (lambda y: setattr(y, "label", 5), TypeError,
     r"to_dot: node #\d+ has label 5 \(int\); labels are str"),
    (lambda y: setattr(y, "grad", "x"), TypeError,
     "to_dot: node 'y' has a .grad that is not a number: str 'x'"),
])
def test_viz_names_a_corrupted_node(corrupt, error, match):
    y = _small_graph()
    corrupt(y)
    with pytest.raises(error, match=match):
        viz.to_dot(y)


# ---- autograd.draw ------------------------------------------------------------------------------
@pytest.mark.parametrize("variables, error, match", [
    (None, TypeError, "build: variables must be a dict of name → number, got NoneType"),
    (["x"], TypeError, "build: variables must be a dict"),
    ({"x": NAN}, ValueError, "build: x must be finite, got nan"),
    ({"x": "1"}, TypeError, "build: x must be a number, got str '1'"),
    ({"x": True}, TypeError, "build: x must be a number, got bool True"),
    ({"if": 1.0}, ValueError, "build: variable name 'if' is not a Python name"),
    ({"tanh": 1.0}, ValueError, "build: 'tanh' is a function name"),
])
def test_draw_build_checks_its_variables(variables, error, match):
    with pytest.raises(error, match=match):
        draw.build("x * 2", variables)


@pytest.mark.parametrize("expression, match", [
    ("x * 1e400", "the constant 1e309 is not a finite number"),
    ("x" * 100_000, r"unknown name 'xxx.*'… \(100000 chars\): give it a value .* name=1\.0"),
    # Python 3.10's parser accepts 20,000 terms, so the size check refuses them instead
    ("+".join(["x"] * 20_000),
     r"cannot parse 'x\+x.*'… \(39999 chars\): nested too deeply" if sys.version_info >= (3, 11)
     else r"the expression is too long \(over 10000 parts\)"),
])
def test_draw_build_refuses_with_short_messages(expression, match):
    with pytest.raises(draw.ExpressionError, match=match) as info:
        draw.build(expression, {"x": 1.0})
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("argv, match", [
    (["x*x", "x=1", "-o", "{tmp}/g.png"], "--output must end in .svg, .dot or .html"),
    (["x*x", "x=1", "--html", "-o", "{tmp}/g.svg"], "--html writes an HTML page"),
    (["x*x", "x=1", "x=2", "-o", "{tmp}/g.svg"], "x is given more than once"),
    (["x*x", "True=1", "-o", "{tmp}/g.svg"], "expected name=number, got 'True=1'"),
])
def test_draw_command_line_refuses_before_writing(tmp_path, capsys, argv, match):
    with pytest.raises(SystemExit) as info:
        draw.main([a.format(tmp=tmp_path) for a in argv])
    assert info.value.code == 2
    assert match in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---- autograd.testing.gradcheck --------------------------------------------------------------
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
     r"gradcheck: inputs\[0\] is an integer too large for a float"),
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
