"""nn.seed: the seed network's materials, written by one function the demo and the CLI call."""

import json
from pathlib import Path

import pytest

from nn import seed
from tests import ROOT

FILES = {"seed_network.json", "seed_network_weights.json", "seed_network.svg",
         "seed_network_neurons.svg", "seed_network_projector.svg", "seed_network_walkthrough.html",
         "seed_network_neurons_walkthrough.html", "seed_network_exercise.html"}


def test_write_materials_writes_every_file_and_returns_their_paths(tmp_path):
    out = tmp_path / "new" / "dir"  # created, parents too
    paths = seed.write_materials(out)
    assert all(isinstance(p, Path) and p.parent == out for p in paths)
    assert FILES <= {p.name for p in paths} == {p.name for p in out.iterdir()}
    numbers = json.loads((out / "seed_network.json").read_text(encoding="utf-8"))
    assert numbers["max_difference"] <= seed.TOLERANCE
    for page in ("seed_network_walkthrough.html", "seed_network_exercise.html"):
        assert (out / page).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("lang", ["fr", "", "EN", None, "zh-TW"])
def test_write_materials_refuses_an_unknown_language_before_writing(tmp_path, lang):
    with pytest.raises(ValueError, match="unknown language"):
        seed.write_materials(tmp_path / "out", lang=lang)
    assert not (tmp_path / "out").exists()


def test_write_materials_refuses_a_seed_that_is_not_an_int(tmp_path):
    with pytest.raises(TypeError, match="seed must be an int"):
        seed.write_materials(tmp_path, seed=1.5)


def test_autograd_never_imports_nn():
    import subprocess
    import sys

    code = ("import sys, autograd, autograd.viz, autograd.draw; "
            "print(sorted(m for m in sys.modules if m == 'nn' or m.startswith('nn.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_demo_ends_by_saying_which_page_to_open(tmp_path):
    import subprocess
    import sys

    demo = ROOT / "demos" / "seed_network.py"
    done = subprocess.run([sys.executable, str(demo), "--out", str(tmp_path)],
                          capture_output=True, text=True, check=True)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("Open ") and "in a browser" in last
    page = Path(last.split()[1])
    assert page.is_file() and page.suffix == ".html"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_projector_picture_reads_when_fitted_to_a_1400x900_screen(tmp_path, lang):
    import re

    seed.write_materials(tmp_path, lang=lang)
    svg = (tmp_path / "seed_network_projector.svg").read_text(encoding="utf-8")
    width, height = (float(x) for x in re.search(
        r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    px = 4 / 3  # an SVG point is 4/3 CSS pixels
    fitted = min(1400 / (width * px), 900 / (height * px))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) * px * fitted >= 10, \
        f"smallest text {min(sizes) * px * fitted:.1f} px at 1400×900"
    for name in ("a₁₀", "z₁₀", "w₂₀₀", "z₃₁"):  # every neuron box is there
        assert name in svg
    assert ("∂C/∂a₁₀ = ∂C/∂z₂₀·w₂₀₀ + ∂C/∂z₂₁·w₂₁₀" in svg)  # the fan-out sum at a₁₀
    headers = re.findall(r'x="([\d.]+)"[^>]*>(?:neuron (\d) of layer (\d)|第 (\d) 层 神经元 (\d))<',
                         svg)
    by_layer = {}
    for x, unit, layer, zh_layer, zh_unit in headers:
        by_layer.setdefault(layer or zh_layer, []).append((int(unit or zh_unit), float(x)))
    assert sorted(by_layer) == ["1", "2", "3"]
    for boxes in by_layer.values():  # neuron 0, 1, 2 from left to right
        left_to_right = [unit for unit, _ in sorted(boxes, key=lambda b: b[1])]
        assert left_to_right == sorted(left_to_right)
