"""One vocabulary in every view: names, constants, colours, the seed's layout and numbers."""

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nn
from autograd import Value, topological_order, viz
from autograd.viz.dot import LEGEND
from tests import ROOT

SVG = "{http://www.w3.org/2000/svg}"


def frames_of(path):
    text = Path(path).read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="frames">(.*?)</script>', text)
    return json.loads(data.group(1))["frames"], text


def boxes(svg):
    """{node id: (x, y)} of every value box (its outline's first point)."""
    root = ET.fromstring(svg.encode("utf-8"))
    found = {}
    for g in root.iter(f"{SVG}g"):
        if "value" in g.get("class", "").split():
            shape = g.find(f"{SVG}path")
            x, y = re.match(r"M([-\d.]+),([-\d.]+)", shape.get("d")).groups()
            found[g.get("id")] = (float(x), float(y))
    return found


def test_edges_captions_and_derivations_name_a_derivative_the_same_way(tmp_path):
    x = Value(3.0, label="x")
    y = 2 * x  # no label: named by its expression everywhere
    f = (y + 1).tanh()
    f.label = "f"
    dot = viz.to_dot(f).source
    assert "∂(2*x)/∂x = 2" in dot and "∂(2*x)/∂2 = x = 3" in dot
    frames, _ = frames_of(viz.walkthrough(f, tmp_path / "w.html"))
    captions = "\n".join(frame["c"] for frame in frames)
    assert "∂f/∂x += ∂f/∂(2*x) · ∂(2*x)/∂x" in captions
    assert "∂f/∂2 += ∂f/∂(2*x) · ∂(2*x)/∂2" in captions
    assert "∂f/∂(2*x) = ∂f/∂(2*x+1)·1" in viz.derivation(f, y)
    assert "const " not in dot and "label=\"{2|grad 0}\"" in dot  # a constant is its value


def test_every_view_states_the_same_colour_legend(tmp_path):
    x = Value(-1.5, label="x")
    f = x * x + x
    f.label = "f"
    f.backward()
    svg = viz.to_svg(f)
    page = viz.walkthrough(f, tmp_path / "w.html").read_text(encoding="utf-8")
    for colour, _, text, in_svg in LEGEND:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in page and colour in page
        assert (escaped in svg) == in_svg


def seed_model():
    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = nn.seed_example()
    z, a = model.trace(X[0])
    return model, z, a, nn.seed_cost(a[-1], Y[0])


def test_uncollapsed_network_is_drawn_neuron_by_neuron():
    model, z, a, C = seed_model()
    order = topological_order(C)
    at = boxes(viz.to_svg(C))

    def where(node):
        return at[f"v{order.index(node)}"]

    for layer in (1, 2, 3):  # neurons top to bottom (Graphviz's y grows downwards)
        ys = [where(node)[1] for node in z[layer]]
        assert ys == sorted(ys), f"layer {layer}: z drawn in the order {ys}"
    first = [p for n in model.layers[0].neurons for p in [*n.w, n.b]]
    ys = [where(p)[1] for p in first]
    assert ys == sorted(ys)  # w₁₀₀ w₁₀₁ b₁₀ w₁₁₀ ... : each neuron's weights together
    inputs = max(where(node)[0] for node in a[0])
    assert inputs < min(where(p)[0] for p in first)  # the inputs have their own column


def test_readme_snippet_and_demo_numbers_agree_with_what_the_readme_says(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"so this C is ([\d.]+)\. `demos/seed_network.py` prints\s+C = ([\d.]+)",
                     readme)
    assert said, "the README no longer explains the two numbers"
    _, _, _, C = seed_model()
    assert f"{C.data:.5f}" == said.group(1)
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "seed_network", ROOT / "demos" / "seed_network.py")
    demo = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "seed_network", demo)  # its dataclasses look it up
    spec.loader.exec_module(demo)
    X, Y = nn.seed_example()
    cost = nn.seed_cost(demo.build(0)(X[0]), Y[0])
    assert f"{cost.data:.4f}" == said.group(2)


def test_readme_contents_lists_every_section_and_the_first_screen_says_what_to_open():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    contents = readme.split("\n## Contents\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- \[(.+?)\]\(#([^)]+)\)$", contents, flags=re.MULTILINE)
    sections = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert [title for title, _ in listed] == [s for s in sections if s != "Contents"], \
        "README: the Contents list must name every ## section, in order"
    for title, anchor in listed:  # GitHub's anchors: lower case, punctuation dropped
        assert anchor == re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-"), title
    first = readme[:readme.index("<!-- main-command -->")]
    assert "**The seed**" in first and "seed_network_neurons_walkthrough.html" in first
    assert "docs/backprop.md" in first and (ROOT / "docs/backprop.md").exists()


def test_no_project_file_points_outside_the_repository():
    root = ROOT
    skip = {".git", ".venv", ".nox", "build", "out", "node_modules", "__pycache__"}
    suffixes = {".py", ".md", ".cfg", ".toml", ".ipynb", ".txt", ".in", ".html", ""}
    stack, offenders = [root], []
    while stack:
        folder = stack.pop()
        for path in folder.iterdir():
            if path.is_dir():
                if path.name not in skip and not path.name.endswith(".egg-info"):
                    stack.append(path)
            elif path.suffix in suffixes and path.name != Path(__file__).name:
                text = path.read_text(encoding="utf-8", errors="replace")
                if re.search(r"\bshared/seed|\.\./shared\b", text):
                    offenders.append(str(path.relative_to(root)))
    assert not offenders, f"these files point to shared/, which is not in the repository: " \
                          f"{offenders}"


def test_notebook_b_builds_the_seed_network_in_a_visible_cell():
    notebook = json.loads((ROOT / "demos" / "b_seed_network.ipynb")
                          .read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert any('nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid"' in c
               for c in code[:2])


def test_the_notebooks_extra_installs_what_every_notebook_imports():
    import ast
    import configparser
    import sys

    root = ROOT
    config = configparser.ConfigParser()
    config.read(root / "setup.cfg")
    extra = config["options.extras_require"]["notebooks"].split()
    names = {re.split(r"[<>=\[;]", line)[0].lower() for line in extra}
    assert {"jupyterlab", "ipykernel"} <= names  # to open them, and their kernel
    provides = {"IPython": "ipykernel", "hypothesis": "hypothesis", "matplotlib": "matplotlib"}
    ours = {"autograd", "nn", "why_topological_order", "seed_network"}  # the project, demos/
    for path in sorted((root / "demos").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in ours or top in sys.stdlib_module_names:
                    continue
                assert provides.get(top) in names, f"{path.name} imports {top}: not in the extra"
