"""Jupyter: drawings fit the cell (click to zoom); over the limit, text says how to draw."""

import re
import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, topological_order, viz
from autograd.viz import jupyter
from tests._graphs import huge_chain, small_graph


def network(sizes):
    model = nn.MLP(2, sizes, activation="sigmoid", output_activation="sigmoid", seed=0)
    return nn.seed_cost(model([0.05, 0.1]), [0.01] * sizes[-1])


def test_a_value_is_drawn_once_scaled_to_the_cell():
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    bundle = y._repr_mimebundle_()
    assert list(bundle) == ["text/html"]  # one drawing: the SVG inside the HTML
    html = bundle["text/html"]
    assert html.count("<svg") == 1
    natural = re.search(r'<svg width="([\d.]+)pt"', viz.to_svg(y)).group(1)
    assert f'style="width:100%;height:auto;max-width:{natural}pt"' in html
    key = re.search(r'<input type="checkbox" id="([\w-]+)"', html).group(1)
    assert f"#{key}:checked + label svg {{width:{natural}pt" in html  # click: actual size
    assert "<script" not in html  # works where output scripts are not trusted
    assert y._repr_mimebundle_(include=["text/plain"]) == {}
    assert list(y._repr_mimebundle_(exclude=["text/html"])) == ["image/svg+xml"]


def test_ipython_sends_one_drawing_per_display():
    """What the kernel sends: IPython's display formatter, as a notebook cell uses it."""
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    formatter = interactiveshell.InteractiveShell.instance().display_formatter
    y = (Value(2.0, label="x") * 3).tanh()
    for shown in (y, viz.to_dot(y)):
        data, _ = formatter.format(shown)
        assert sorted(data) == ["text/html", "text/plain"]
        assert sum(text.count("<svg") for text in data.values()) == 1


def _chain(n):
    y = Value(0.5, label="x")
    for i in range(n):
        y = (y * 1.01).tanh() if i % 2 else y + 0.1
    return y


@pytest.mark.parametrize("steps", [10, 100, 190])
def test_a_chain_costs_at_most_1_5_kb_per_node(steps):
    y = _chain(steps)
    nodes = len(topological_order(y))
    sent = sum(len(text.encode()) for text in y._repr_mimebundle_().values())
    assert sent / nodes <= 1500, f"{sent / nodes:.0f} bytes per node ({nodes} nodes)"


def test_the_compact_svg_keeps_every_text_and_shape():
    C = network([3, 2, 2])
    C.backward()
    original = ET.fromstring(viz.to_svg(C))
    small = jupyter.compact(viz.to_svg(C))
    ns = "{http://www.w3.org/2000/svg}"

    def shapes(root, prefix):
        return [(e.tag.removeprefix(prefix), e.get("fill"), e.get("stroke"))
                for e in root.iter() if e.tag.removeprefix(prefix) not in ("title", "g")]

    assert shapes(small, "") == shapes(original, ns)
    assert [t.text for t in small.iter("text")] == [t.text for t in original.iter(ns + "text")]
    font = {t.get("font-size") or small.get("font-size") for t in small.iter("text")}
    assert font == {t.get("font-size") for t in original.iter(ns + "text")}


@settings(max_examples=30, deadline=None)
@given(label=st.text(max_size=30))
def test_compact_keeps_arbitrary_labels_exactly(label):
    x = Value(1.5, label=label)
    y = x * 2
    original = ET.fromstring(viz.to_svg(y))
    small = ET.fromstring(y._repr_mimebundle_(exclude=["text/html"])["image/svg+xml"])
    ns = "{http://www.w3.org/2000/svg}"
    assert [t.text for t in small.iter(ns + "text")] == \
        [t.text for t in original.iter(ns + "text")]


def test_over_the_limit_the_text_says_how_to_draw_it():
    C = network([16, 16, 2])
    start = time.perf_counter()
    bundle = C._repr_mimebundle_()
    assert time.perf_counter() - start < 2.0
    text = bundle["text/plain"]
    assert list(bundle) == ["text/plain"]
    assert re.search(r"Not drawn: its graph has \d+ nodes, over the notebook limit of 400", text)
    assert "autograd.viz.to_dot(value, collapse=True)" in text
    assert "autograd.viz.save_svg(value, 'graph.svg', max_nodes=None)" in text
    collapsed = viz.to_dot(C, collapse=True)._repr_mimebundle_()  # following the advice
    assert list(collapsed) == ["text/html"] and "neuron 15 of layer 2" in collapsed["text/html"]


# ---- a diagram over the limit or unrenderable is shown as text ----------------------------------
@pytest.fixture(scope="module")
def huge():
    return huge_chain()


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
    monkeypatch.setattr(viz.dot, "MAX_NODES", 50)
    monkeypatch.setattr(viz.dot, "render", lambda *a, **k: pytest.fail("rendered anyway"))
    bundle = d._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "not drawn: the graph has 61 nodes, over MAX_NODES=50" in bundle["text/plain"]


def test_a_diagram_graphviz_cannot_render_is_text_and_mime_filters_are_kept():
    bad = viz.Diagram()
    bad.body.append("\tthis is { not DOT\n")
    assert "not drawn: render: Graphviz" in bad._repr_mimebundle_()["text/plain"]
    good = viz.to_dot(small_graph())
    assert good._repr_mimebundle_(include=["text/plain"]) == {}
    assert good._repr_mimebundle_(exclude=["image/svg+xml", "text/html"]) == {}
    assert list(good._repr_mimebundle_(include=["image/svg+xml"])) == ["image/svg+xml"]

