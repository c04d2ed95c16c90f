"""Jupyter: drawings fit the cell (click to zoom); over the limit, text says how to draw."""

import re
import time

import nn
from autograd import Value, viz


def network(sizes):
    model = nn.MLP(2, sizes, activation="sigmoid", output_activation="sigmoid", seed=0)
    return nn.seed_cost(model([0.05, 0.1]), [0.01] * sizes[-1])


def test_a_value_is_drawn_scaled_to_the_cell_and_as_plain_svg():
    x = Value(2.0, label="x")
    y = (x * 3).tanh()
    bundle = y._repr_mimebundle_()
    assert list(bundle) == ["text/html", "image/svg+xml"]
    html = bundle["text/html"]
    natural = re.search(r'<svg width="([\d.]+)pt"', bundle["image/svg+xml"]).group(1)
    assert f'<svg style="width:100%;height:auto;max-width:{natural}pt"' in html
    key = re.search(r'<input type="checkbox" id="([\w-]+)"', html).group(1)
    assert f"#{key}:checked + label svg {{width:{natural}pt" in html  # click: actual size
    assert "<script" not in html  # works where output scripts are not trusted
    assert y._repr_mimebundle_(include=["text/plain"]) == {}
    assert list(y._repr_mimebundle_(exclude=["text/html"])) == ["image/svg+xml"]


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
    assert "text/html" in collapsed and "neuron 15 of layer 2" in collapsed["image/svg+xml"]
