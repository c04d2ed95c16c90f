"""The demos run, print what they promise, and write their files."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

import nn

DEMOS = Path(__file__).resolve().parent.parent / "demos"


def load(name):
    spec = importlib.util.spec_from_file_location(f"demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_seed_network_demo(tmp_path, capsys):
    demo = load("seed_network")
    result = demo.main(["--out", str(tmp_path)])
    text = capsys.readouterr().out

    assert result.max_difference <= 1e-12
    assert result.sum_difference <= 1e-12 and result.engine_sum_difference <= 1e-12
    assert set(result.differences) >= {"z¹", "a¹", "δ¹", "∇W¹", "∇b¹", "δ³", "∇W³", "C"}
    for needle in ("Layer 1: 3 sigmoid neurons, W¹ is 3×2", "δ³ = (o − y) ⊙ σ′(z³)",
                   "δ¹ = σ′(z¹) ⊙ (W²ᵀ δ²)", "∇W² = δ² a¹ᵀ", "∂C/∂a_{1,0}",
                   "L = Σₙ Cⁿ", "OK: the engine's gradients are the seed's formulas."):
        assert needle in text
    # the returned graph is the one-sample graph, with its gradients intact
    assert result.cost.label == "C" and result.z[1][0].label == "z_{1,0}"
    assert result.z[3][0].grad == pytest.approx(result.formulas.delta[3][0], rel=1e-15)

    numbers = json.loads((tmp_path / "seed_network.json").read_text(encoding="utf-8"))
    assert [layer["layer"] for layer in numbers["layers"]] == [1, 2, 3]
    assert numbers["layers"][0]["engine"]["grad_W"] == numbers["layers"][0]["formula"]["grad_W"]
    copy = demo.build(1)
    copy.load(tmp_path / "seed_network_weights.json")
    assert copy.state_dict() == result.model.state_dict()


def test_seed_network_demo_is_deterministic():
    demo = load("seed_network")
    first, second = demo.run(0), demo.run(0)
    assert demo.report(first) == demo.report(second)
    assert first.model.state_dict() != demo.run(1).model.state_dict()


def test_train_moons_reaches_full_accuracy(tmp_path, capsys):
    demo = load("train_moons")
    result = demo.main(["--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert result.accuracy == 1.0
    assert result.history[0][1] > 10 * result.history[-1][1]  # the loss fell
    assert "epoch 100/100" in text and "training accuracy 100.0%" in text
    png, svg, weights = tmp_path / "moons_boundary.png", tmp_path / "moons_boundary.svg", \
        tmp_path / "moons_mlp.json"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text(encoding="utf-8")
    model = nn.MLP(2, [16, 16, 1], seed=99)
    model.load(weights)
    X, y = nn.make_moons(100, noise=0.1, seed=0)
    assert demo.accuracy(model, X, [2 * t - 1 for t in y]) == 1.0


def test_train_moons_rejects_bad_epochs(tmp_path):
    demo = load("train_moons")
    with pytest.raises(SystemExit):
        demo.main(["--epochs", "0", "--out", str(tmp_path)])


def test_why_topological_order_shows_where_naive_backward_goes_wrong():
    why = load("why_topological_order")
    a, c = why.tiny()
    assert why.naive_every_visit(c)[a] == 8.0  # b reached twice, sends twice
    assert why.naive_visited(c)[a] == 4.0  # right here ...
    C, nodes = why.seed_network()
    wrong = {label for label, _, _ in why.wrong_nodes(C, nodes, why.naive_visited(C))}
    assert "z_{2,0}" in wrong and "w_{1,0,0}" in wrong  # ... wrong below a fan-out
    assert "a_{2,0}" not in wrong and "z_{3,0}" not in wrong  # its own sum ends complete
    x, y = why.chain(5000)
    with pytest.raises(RecursionError):
        why.naive_visited(y)
    text = why.report()
    assert "naive, every visit:                 ∂c/∂a = 8" in text
    assert "A chain of 5000 multiplications: naive → RecursionError" in text


def test_seed_network_demo_writes_the_neuron_walkthrough_and_exercise(tmp_path):
    from nn.seed import write_materials  # what the demo calls

    paths = write_materials(tmp_path)
    names = {p.name for p in paths}
    assert {"seed_network_neurons_walkthrough.html", "seed_network_exercise.html"} <= names
    page = (tmp_path / "seed_network_neurons_walkthrough.html").read_text(encoding="utf-8")
    assert "δ³ = (o − y) ⊙ σ′(z³)" in page and '"exercise":false' in page
    assert '"exercise":true' in (tmp_path / "seed_network_exercise.html").read_text("utf-8")


def test_train_digits_demo_trains_in_compiled_mode_and_writes_its_plots(tmp_path, capsys):
    pytest.importorskip("sklearn")
    demo = load("train_digits")
    assert demo.main(["--out", str(tmp_path), "--epochs", "2", "--hidden", "16"]) == 0
    text = capsys.readouterr().out
    assert "compiled mode" in text and "test accuracy" in text
    accuracy = float(text.rsplit("test accuracy", 1)[1].split("%")[0])
    assert accuracy > 85.0  # two epochs of a small network; the full demo reaches ≥ 97%
    for name in ("digits_loss.png", "digits_confusion.png", "digits_misclassified.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_train_digits_rejects_bad_arguments():
    demo = load("train_digits")
    with pytest.raises(SystemExit):
        demo.main(["--epochs", "0"])
