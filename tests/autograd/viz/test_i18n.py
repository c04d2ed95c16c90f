"""lang: every view in English (the default) or in the seed's Chinese; nothing else."""

import pytest

import nn
from autograd import Value, viz
from autograd.viz.i18n import _EN, _ZH


def seed():
    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = nn.seed_example()
    _, a = model.trace(X[0])
    return model, nn.seed_cost(a[-1], Y[0])


def test_both_languages_have_every_message_with_the_same_fields():
    import string

    assert set(_EN) == set(_ZH)
    for key in _EN:
        fields = {f for _, f, _, _ in string.Formatter().parse(_EN[key]) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(_ZH[key]) if f}, key


@pytest.mark.parametrize("call", [
    lambda C, p: viz.walkthrough(C, p / "w.html", lang="fr"),
    lambda C, p: viz.save_svg(C, p / "w.svg", lang="EN"),
    lambda C, p: viz.to_dot(C, lang=None),
    lambda C, p: viz.derivation(C, C, lang="zh-CN"),
])
def test_an_unknown_language_is_a_value_error_naming_it(tmp_path, call):
    _, C = seed()
    with pytest.raises(ValueError, match="unknown language"):
        call(C, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_derivation_in_chinese_uses_the_seeds_words_and_the_same_formulas():
    model, C = seed()
    w = model.layers[0].neurons[0].w[0]
    zh, en = viz.derivation(C, w, lang="zh"), viz.derivation(C, w)
    assert "链式法则" in zh and "所以 ∂C/∂w₁₀₀ = " in zh
    assert "∂C/∂a₁₀ = ∂C/∂z₂₀·w₂₀₀ + ∂C/∂z₂₁·w₂₁₀" in zh
    assert zh.splitlines()[-1].split(" = ")[-1] == en.splitlines()[-1].split(" = ")[-1]
    assert viz.derivation(C, w, style="latex", lang="zh") == viz.derivation(C, w, style="latex")


def test_the_drawing_says_gradient_in_chinese():
    a = Value(2.0, label="a")
    svg = viz.to_svg(a * a, lang="zh")
    assert "梯度" in svg and ">grad " not in svg and "传回" in svg
