"""Every generated text parses whatever the labels: SVG as XML, LaTeX rows with mathtext."""

import xml.etree.ElementTree as ET

from hypothesis import example, given, settings
from hypothesis import strategies as st

from autograd import Value, viz

# All of Unicode, lone surrogates, NUL, U+FFFE and the other characters XML forbids included.
labels = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


@settings(max_examples=40, deadline=None)
@given(labels, labels, labels, st.booleans())
def test_svg_is_well_formed_xml_whatever_the_labels(first, second, root, collapse):
    a, b = Value(2.0, label=first), Value(-1.0, label=second)
    c = a * b + a.tanh()
    c.label = root
    svg = viz.to_svg(c, collapse=collapse)
    tree = ET.fromstring(svg)  # raises ParseError on a character XML does not allow
    assert tree.tag.endswith("svg")


def test_characters_xml_forbids_are_drawn_as_the_replacement_character():
    a = Value(1.0, label="x\ufffe\x00\ud800y")
    svg = viz.to_svg(a * 2)
    ET.fromstring(svg)
    assert "x\ufffd \ufffdy" in svg


# ---- LaTeX: one escaping function, rows that parse and fit --------------------------------
import pytest  # noqa: E402

import nn  # noqa: E402
from autograd.viz import latex_label  # noqa: E402

mathtext = pytest.importorskip("matplotlib.mathtext")
_PARSER = mathtext.MathTextParser("path")


def _rows(latex):
    assert latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")
    return latex[len(r"\begin{aligned}"):-len(r"\end{aligned}")].split("\\\\\n")


def _width(row):
    """The row's width in pixels at 12 pt on a 96-dpi screen (raises if it does not parse)."""
    from matplotlib.font_manager import FontProperties

    return _PARSER.parse("$" + row.replace("&", "", 1) + "$", dpi=96,
                         prop=FontProperties(size=12)).width


@settings(max_examples=200, deadline=None)
@example(" '").via("mathtext has no prime after a braced space")
@example("a' b''")
@given(labels)
def test_any_label_becomes_tex_that_parses(label):
    tex = latex_label(label)
    _width(tex)
    assert "&" not in tex  # the only & in a derivation is the alignment


def test_latex_label_keeps_subscripts_and_defuses_commands():
    assert latex_label("w_{1,0,0}") == "w_{1,0,0}" and latex_label("x_1") == "x_1"
    assert latex_label("w_1_0") == r"{w{\_}1{\_}0}"  # not a double subscript
    assert latex_label("}") == r"{{\}}}"
    assert latex_label(r"\input{/etc/passwd}") == r"{{\backslash}input{\{}/etc/passwd{\}}}"
    with pytest.raises(TypeError, match="latex_label"):
        latex_label(3)


@settings(max_examples=15, deadline=None)
@given(labels, labels, labels)
def test_every_latex_row_parses_whatever_the_labels(first, second, root):
    a, b = Value(0.5, label=first), Value(-1.5, label=second)
    c = (a * b + a.tanh()) * a
    c.label = root
    for node in (a, b, c):
        for row in _rows(viz.derivation(c, node, style="latex")):
            _width(row)


def test_the_seed_network_derivation_rows_fit_1200_px_one_path_per_row():
    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = nn.seed_example()
    _, a = model.trace(X[0])
    C = nn.seed_cost(a[-1], Y[0])
    from autograd import topological_order

    widest = 0.0
    for node in topological_order(C):
        rows = _rows(viz.derivation(C, node, style="latex"))
        widest = max(widest, *(_width(row) for row in rows))
    assert widest <= 1200, f"a row is {widest:.0f} px wide at 12 pt"
    w = model.layers[0].neurons[0].w[0]  # w₁₀₀: 4 paths to C, one row each
    rows = _rows(viz.derivation(C, w, style="latex"))
    path_rows = [r for r in rows if r.startswith(r"&\quad + ") or
                 r.startswith(r"\frac{\partial C}{\partial w_{1,0,0}} &= a_{0,0}")]
    assert len(path_rows) >= 4
