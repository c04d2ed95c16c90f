"""The walkthrough's frames: the engine's reports, in the seed's words and numbers."""

import json
import re

import pytest

import nn
from autograd import Value, backprop, topological_order, viz
from autograd.viz import frames as frames_module
from autograd.viz.graph import _num


def frames_of(path):
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="frames">(.*?)</script>', text).group(1))


def seed(samples=1):
    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = nn.seed_example()
    if samples == 1:
        z, a = model.trace(X[0])
        return model, nn.seed_cost(a[-1], Y[0])
    return model, nn.seed_loss([model(x) for x in X[:samples]], Y[:samples])


def test_frames_come_from_one_backward_walk_of_the_engine(tmp_path, monkeypatch):
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs.get("on_step") is not None)
        return backprop(*args, **kwargs)

    monkeypatch.setattr(frames_module, "backprop", counted)
    _, C = seed()
    viz.walkthrough(C, tmp_path / "w.html", collapse=True)
    assert calls == [True]  # one walk, consumed through on_step


def test_neuron_frames_state_the_seeds_formulas_with_the_engines_numbers(tmp_path):
    model, C = seed()
    data = frames_of(viz.walkthrough(C, tmp_path / "w.html", collapse=True))
    C.backward()
    captions = [f["c"] for f in data["frames"]]
    assert len(captions) == 12 and captions[-1].startswith("Step 11 of 11: Layer 1 as")
    layer3 = next(c for c in captions if c.startswith("Step 4 of 11: Layer 3 as"))
    deltas = [n for n in topological_order(C) if n.label in ("z_{3,0}", "z_{3,1}")]
    deltas.sort(key=lambda n: n.label)
    assert f"= [{_num(deltas[0].grad, 4)}, {_num(deltas[1].grad, 4)}]" in layer3.splitlines()[1]
    rows = [[_num(w.grad, 4) for w in neuron.w] for neuron in model.layers[2].neurons]
    assert "∇W³ = δ³ a²ᵀ = [" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]" in layer3
    questions = [f["q"] for f in data["frames"] if f["q"]]
    assert [q["n"] for q in questions] == ["δ₃₀ = ∂C/∂z₃₀", "δ₃₁ = ∂C/∂z₃₁", "δ₂₀ = ∂C/∂z₂₀",
                                           "δ₂₁ = ∂C/∂z₂₁", "δ₁₀ = ∂C/∂z₁₀", "δ₁₁ = ∂C/∂z₁₁",
                                           "δ₁₂ = ∂C/∂z₁₂"]
    q = questions[4]
    z10 = next(n for n in topological_order(C) if n.label == "z_{1,0}")
    assert q["v"] == pytest.approx(z10.grad, rel=1e-12)
    missing = [h for h in q["h"] if "You left out the term" in h[1]]
    assert len(missing) == 2  # one per path of the fan-out sum at a₁₀


def test_several_samples_get_a_layer_frame_each_with_their_own_gradients(tmp_path):
    model, L = seed(samples=2)
    data = frames_of(viz.walkthrough(L, tmp_path / "w.html", collapse=True))
    layer3 = [f["c"] for f in data["frames"] if "Layer 3 as the seed writes it" in f["c"]]
    assert len(layer3) == 2 and all("for one of 2 samples" in c for c in layer3)
    L.backward()
    rows = [[w.grad for w in neuron.w] for neuron in model.layers[2].neurons]
    found = [re.search(r"∇W³ = δ³ a²ᵀ = (\[\[.*?\]\])", c).group(1) for c in layer3]
    parsed = [json.loads(f.replace("−", "-")) for f in found]
    for j, row in enumerate(rows):  # the whole loss's ∇W³ is the sum of the samples'
        for k, total in enumerate(row):
            assert parsed[0][j][k] + parsed[1][j][k] == pytest.approx(total, rel=2e-3)
    assert any("∂L/∂w₃₀₀ += " in f["c"] for f in data["frames"])


def test_other_networks_and_plain_graphs_walk_too(tmp_path):
    model = nn.MLP(2, [4, 1])  # micrograd's: ReLU hidden layer, linear output
    out = model([0.5, -1.0])
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    captions = [f["c"] for f in frames_of(viz.walkthrough(loss, tmp_path / "m.html",
                                                           collapse=True))["frames"]]
    assert any("(no activation: the output is z₂₀ itself)" in c for c in captions)
    assert any("δ¹ = ReLU′(z¹) ⊙ (W²ᵀ δ²)" in c for c in captions)
    x = Value(2.0, label="x")
    f = x * x
    f.label = "f"
    plain = frames_of(viz.walkthrough(f, tmp_path / "p.html", collapse=True))["frames"]
    assert [fr["a"] for fr in plain] == [["v1"], ["v1"]]
    assert "x is used 2 times" in plain[1]["c"]


def test_walkthrough_refuses_bad_exercise_flag(tmp_path):
    x = Value(1.0)
    with pytest.raises(TypeError, match="walkthrough: exercise must be True or False, got 1"):
        viz.walkthrough(x * 2, tmp_path / "w.html", exercise=1)


def test_node_level_questions_name_each_use_of_a_node(tmp_path):
    x = Value(1.5, label="x")
    t = x * 2
    t.label = "t"
    f = t * t + t  # t is used three times
    f.label = "f"
    frames = frames_of(viz.walkthrough(f, tmp_path / "w.html", exercise=True))["frames"]
    q = next(fr["q"] for fr in frames if fr["q"] and fr["q"]["n"] == "∂f/∂t")
    f.backward()
    assert q["v"] == pytest.approx(t.grad) == 2 * t.data + 1
    missed = sorted(h[1].split(" = ")[0] for h in q["h"] if "You left out" in h[1])
    assert missed == ["You left out the term ∂f/∂(t*t)·t", "You left out the term ∂f/∂(t*t)·t",
                      "You left out the term ∂f/∂f·1"]
    by_value = {round(h[0], 9): h[1] for h in q["h"]}
    assert "∂f/∂f·1" in by_value[round(t.grad - 1.0, 9)]  # forgot the direct use
    assert q["hide"] == [f"v{topological_order(f).index(t)}"]
