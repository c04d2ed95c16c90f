"""viz.derivation: the chain rule written out, ending at the engine's gradient."""

import re

import pytest

import autograd
import nn
from autograd import Value, viz
from autograd.viz.graph import _num


def seed():
    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = nn.seed_example()
    _, a = model.trace(X[0])
    return model, nn.seed_cost(a[-1], Y[0])


def number(text):
    return float(text.strip("()").replace("−", "-"))


def rows(latex):
    assert latex.startswith(r"\begin{aligned}") and latex.endswith(r"\end{aligned}")
    return latex[len(r"\begin{aligned}"):-len(r"\end{aligned}")].split("\\\\\n")


def test_text_sums_over_uses_and_ends_at_the_gradient():
    model, C = seed()
    w = model.layers[0].neurons[0].w[0]
    text = viz.derivation(C, w)
    C.backward()
    assert text.splitlines()[-1] == f"So ∂C/∂w₁₀₀ = {_num(w.grad, 4)}"
    assert "∂C/∂w₁₀₀ = ∂C/∂z₁₀·a₀₀" in text  # ∂z/∂w = the input it multiplies
    assert "∂C/∂z₁₀ = ∂C/∂a₁₀·a₁₀(1−a₁₀)" in text  # σ′ from the op table
    assert "∂C/∂a₁₀ = ∂C/∂z₂₀·w₂₀₀ + ∂C/∂z₂₁·w₂₁₀" in text  # the seed's fan-out sum
    assert "∂C/∂a₃₀ = ∂C/∂C·(a₃₀ − y₀)" in text  # the seed's o − y
    assert "Over every path (4)" in text
    for line in text.splitlines():  # every numeric line adds up to its gradient
        match = re.fullmatch(r"\s+= (.*) = (\S+)", line)
        if match and "×" in match.group(1) and "+" not in match.group(1):
            a, b = match.group(1).split(" × ")
            value = number(a) * number(b)
            assert value == pytest.approx(number(match.group(2)), rel=2e-3)  # 4 digits each


def test_a_node_used_twice_twice():
    a = Value(1.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    text = viz.derivation(c, a)
    assert "∂c/∂a = ∂c/∂b·1 + ∂c/∂b·1" in text
    assert "= 2 × 1 + 2 × 1 = 4" in text
    assert text.endswith("So ∂c/∂a = 4")


def test_latex_renders_with_mathtext_and_matches_the_text():
    mathtext = pytest.importorskip("matplotlib.mathtext")
    model, C = seed()
    w = model.layers[0].neurons[0].w[0]
    latex = viz.derivation(C, w, style="latex")
    parser = mathtext.MathTextParser("path")
    for row in rows(latex):
        assert row.count("{") == row.count("}")
        parser.parse("$" + row.replace("&", "") + "$")  # raises on invalid math
    assert r"\frac{\partial C}{\partial a_{1,0}} &= \frac{\partial C}{\partial z_{2,0}} \cdot " \
           r"w_{2,0,0} + \frac{\partial C}{\partial z_{2,1}} \cdot w_{2,1,0}" in latex
    C.backward()
    final = _num(w.grad, 4).replace("−", "-").replace("e-05", r" \times 10^{-5}")
    assert rows(latex)[-1].endswith(f"= {final}")


def test_latex_of_every_builtin_local_derivative_renders():
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("path")
    x, y = Value(0.7, label="x"), Value(1.3, label="y")
    outs = [x * y, x / y, x ** y, x ** 3, -x, x.exp(), x.log(), x.tanh(), x.sigmoid(),
            x.relu(), x.sqrt(), x.abs(), x.sin(), x.cos(), x.softplus(), x.log1p(),
            x.expm1(), x.max(y), x.min(y), x - y, x + y]
    for out in outs:
        out.label = "f"
        for row in rows(viz.derivation(out, x, style="latex")):
            parser.parse("$" + row.replace("&", "") + "$")


def test_custom_op_display_text_is_converted_to_latex():
    mathtext = pytest.importorskip("matplotlib.mathtext")
    square = autograd.op("sq_test", lambda v: v * v, lambda v: [2 * v], display=("2·{x}²",))
    try:
        x = Value(3.0, label="x")
        out = square(x)
        out.label = "q"
        latex = viz.derivation(out, x, style="latex")
        assert r"2 \cdot x^{2}" in latex
        for row in rows(latex):
            mathtext.MathTextParser("path").parse("$" + row.replace("&", "") + "$")
    finally:
        autograd.ops.unregister("sq_test")


def test_markdown_wraps_the_latex_for_jupyter():
    _, C = seed()
    md = viz.derivation(C, C.parents[0], style="markdown")
    assert md.startswith("**∂C/∂a₃₀ by the chain rule**")
    assert "\n$$\n\\begin{aligned}" in md and "\\end{aligned}\n$$\n" in md


def test_derivation_refuses_bad_arguments():
    x = Value(1.0, label="x")
    y = x * 2
    with pytest.raises(ValueError, match=r"derivation: style must be one of .* got 'html'"):
        viz.derivation(y, x, style="html")
    with pytest.raises(ValueError, match=r"derivation: node 'z' is not in the graph"):
        viz.derivation(y, Value(2.0, label="z"))
    with pytest.raises(TypeError, match="derivation: node must be a Value, got float"):
        viz.derivation(y, 1.0)
    with pytest.raises(TypeError, match="derivation: root must be a Value, got int"):
        viz.derivation(3, x)
    with pytest.raises(ValueError, match="derivation: precision must be an int from 1 to 17"):
        viz.derivation(y, x, precision=0)


def test_op_table_latex_forms():
    from autograd import ops

    assert ops.get("tanh").describe(0, "y", ["x"], latex=True) == "1-{y}^{2}"
    assert ops.get("sigmoid").describe(0, "a", ["z"], latex=True) == r"a\left(1-a\right)"
    assert ops.get("/").describe(1, "q", ["a", "b"], latex=True) == r"-\frac{a}{b^{2}}"
    assert ops.get("dot").describe(0, "z", ["w", "x", "b"], latex=True) == "x"
    assert ops.text_to_latex("1−a₁₀² · cos x") == r"1-a_{10}^{2}  \cdot  \cos x"
    assert ops.text_to_latex("y**(n−1)") == "y^{n-1}"
    with pytest.raises(TypeError, match="text_to_latex: expected a str, got int"):
        ops.text_to_latex(3)
