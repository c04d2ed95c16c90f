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


# ---- the page's script and style: package data, linted -------------------------------------
# Names the script may use without declaring them: the browser's, nothing of its own.
BROWSER_GLOBALS = {"document", "window", "Math", "Object", "Array", "JSON", "String", "Number",
                   "Boolean", "Infinity", "isFinite", "requestAnimationFrame",
                   "cancelAnimationFrame"}


def _children(node):
    """The child nodes of an ESTree node (dicts), skipping names that are not references:
    non-computed member properties and object keys, labels, declared names."""
    kind = node["type"]
    skip = {"type", "loc", "range"}
    if kind == "MemberExpression" and not node["computed"]:
        skip.add("property")
    if kind == "Property" and not node["computed"]:
        skip.add("key")
    if kind in ("LabeledStatement", "BreakStatement", "ContinueStatement"):
        skip.add("label")
    if kind == "VariableDeclarator":
        skip.add("id")
    if kind == "CatchClause":
        skip.add("param")
    for key, value in node.items():
        if key in skip:
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict) and "type" in child:
                yield child


def _scope(root):
    """A function's (or the program's) declared names, its references (name, line) and the
    functions nested in it, each its own scope."""
    declared = {p["name"] for p in root.get("params", []) if p["type"] == "Identifier"}
    if root["type"] == "FunctionExpression" and root.get("id"):
        declared.add(root["id"]["name"])
    references, inner = [], []
    stack = list(_children({k: v for k, v in root.items() if k not in ("id", "params")}))
    while stack:
        node = stack.pop()
        kind = node["type"]
        if kind == "FunctionDeclaration":
            declared.add(node["id"]["name"])
        if kind in ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"):
            inner.append(node)
            continue
        if kind == "VariableDeclarator":
            declared.add(node["id"]["name"])
        if kind == "CatchClause":
            declared.add(node["param"]["name"])
        if kind == "Identifier":
            references.append((node["name"], node["loc"]["start"]["line"]))
        stack.extend(_children(node))
    return declared, references, inner


def js_problems(source):
    """What is wrong with the page's script: a syntax error; not one strict-mode function
    called at once (the page's only global statement); a name used but never declared
    (a typo, or an accidental global)."""
    esprima = pytest.importorskip("esprima", reason="needs esprima (the test extra)")
    try:
        program = esprima.parseScript(source, {"loc": True}).toDict()
    except esprima.Error as error:
        return [f"syntax error: {error}"]
    body = program["body"]
    call = body[0]["expression"] if len(body) == 1 and body[0]["type"] == "ExpressionStatement" \
        else {}
    function = call.get("callee", {}) if call.get("type") == "CallExpression" else {}
    if function.get("type") != "FunctionExpression":
        return ["the script is not one function expression called at once: (function () {...})()"]
    first = function["body"]["body"][:1]
    problems = [] if first and first[0].get("directive") == "use strict" else [
        "the function does not start with \"use strict\""]
    work = [(program, frozenset(BROWSER_GLOBALS))]
    while work:
        root, outer = work.pop()
        declared, references, inner = _scope(root)
        names = outer | declared
        problems += [f"line {line}: {name} is not declared" for name, line in references
                     if name not in names]
        work += [(function, names) for function in inner]
    return problems


def css_problems(source, defined=()):
    """What is wrong with the page's style: a rule or declaration that does not parse, an
    empty value, a property name that is not one, a custom property used but not defined."""
    tinycss2 = pytest.importorskip("tinycss2", reason="needs tinycss2 (the test extra)")
    problems = []
    for rule in tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            problems.append(f"line {rule.source_line}: {getattr(rule, 'message', rule.type)}")
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        if not selector or any(t.type in ("{} block", "error") or t == "}" for t in rule.prelude):
            problems.append(f"line {rule.source_line}: bad selector {selector!r}")
        for item in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                    skip_whitespace=True):
            if item.type != "declaration":
                problems.append(f"line {item.source_line}: {getattr(item, 'message', item.type)}")
                continue
            value = tinycss2.serialize(item.value).strip()
            if not value:
                problems.append(f"line {item.source_line}: {item.name} has no value")
            if not re.fullmatch(r"(-|--)?[a-z]+(-[a-z]+)*", item.name):
                problems.append(f"line {item.source_line}: {item.name!r} is not a property")
            problems += [f"line {item.source_line}: {name} is not defined"
                         for name in re.findall(r"var\((--[\w-]+)\)", value)
                         if name not in defined]
    return problems


def test_the_script_and_the_style_are_package_data_the_page_inlines(tmp_path):
    from importlib import resources

    from autograd.viz import page as page_module

    static = resources.files("autograd.viz").joinpath("static")
    script = static.joinpath("walkthrough.js").read_text(encoding="utf-8")
    style = static.joinpath("walkthrough.css").read_text(encoding="utf-8")
    a = Value(2.0, label="a")
    text = viz.walkthrough(a * a + 1, tmp_path / "w.html").read_text(encoding="utf-8")
    assert f"<script>\n{script}</script>" in text
    assert f"<style>\n{page_module.style()}</style>" in text and style in page_module.style()
    assert "</" not in script + style  # nothing in them can end their element early


def test_the_page_script_lints_clean():
    from autograd.viz.page import _UI, static_text

    script = static_text("walkthrough.js")
    assert js_problems(script) == []
    words = set(re.findall(r"\bui\.(\w+)", script)) | set(re.findall(r'say\("(\w+)"', script))
    assert words == set(_UI)  # every word it shows is sent in the page's language, and used


def test_the_page_style_lints_clean_and_takes_the_legends_purple():
    from autograd.viz.dot import ACTIVE, LEGEND
    from autograd.viz.page import static_text, style

    css = static_text("walkthrough.css")
    assert css_problems(style(), defined={"--active"}) == []
    assert ACTIVE.lower() not in css.lower()  # the purple is only the custom property
    assert css.count("var(--active)") >= 6
    assert style().startswith(f":root {{ --active: {ACTIVE}; }}")
    assert [c for c, how, _, _ in LEGEND if c == ACTIVE and how == "border"] == [ACTIVE]


@pytest.mark.parametrize("broken, problem", [
    ('(function () { "use strict"; var a = ; })();', "syntax error"),
    ('(function () { "use strict"; var a = 1; })(', "syntax error"),
    ('(function () { var a = 1; return a; })();', "use strict"),
    ('var a = 1;', "one function expression"),
    ('(function () { "use strict"; var frames = 1; return frame; })();', "frame is not declared"),
    ('(function () { "use strict"; function f(x) { total = x; } f(1); })();',
     "total is not declared"),
])
def test_the_script_lint_catches_what_it_is_for(broken, problem):
    problems = js_problems(broken)
    assert problems and problem in problems[0]


def test_the_script_lint_follows_scopes():
    ok = ('(function () { "use strict"; var a = {k: 1}; function f(b) { var c = b.k; '
          'return function g() { return a[c] + f.length + g.length + window.x; }; } '
          'try { f(a)(); } catch (e) { document.title = String(e); } })();')
    assert js_problems(ok) == []


@pytest.mark.parametrize("broken, problem", [
    ("a { color: red; b { color: blue; }", "Expected ':'"),
    ("a { color red; }", "Expected ':'"),
    ("a { color: ; }", "has no value"),
    ("a { color: red; }}", "EOF reached"),
    ("a } b { color: red; }", "bad selector"),
    ("a { border: 1px solid var(--nope); }", "--nope is not defined"),
    ("a { Color: red; }", "is not a property"),
])
def test_the_style_lint_catches_what_it_is_for(broken, problem):
    problems = css_problems(broken)
    assert problems and problem in problems[0]


def test_the_page_lists_the_derivations_in_graph_order(tmp_path):
    _, L = seed(samples=3)  # not in a set's order: that follows memory addresses, run to run
    for collapse in (False, True):
        data = frames_of(viz.walkthrough(L, tmp_path / "w.html", collapse=collapse))
        ids = [int(key[1:]) for key in data["derivations"]]
        assert len(ids) > 10 and ids == sorted(ids)
