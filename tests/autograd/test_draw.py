"""`python -m autograd.draw`: a safe expression parser and the teacher's command line."""

import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograd import draw


def test_build_computes_value_and_gradients():
    out, inputs = draw.build("tanh(x*w + b)", {"x": 0.5, "w": -2.0, "b": 1.5})
    out.backward()
    assert out.data == pytest.approx(math.tanh(0.5))
    assert inputs["x"].grad == pytest.approx(-2.0 * (1 - math.tanh(0.5) ** 2))
    assert inputs["x"].label == "x"


def test_a_name_used_twice_is_one_node():
    out, inputs = draw.build("x*x - -x/2 + x**2 + 2**x", {"x": 3.0})
    out.backward()
    assert inputs["x"].grad == pytest.approx(6 + 0.5 + 6 + 8 * math.log(2))


@pytest.mark.parametrize("expression, message", [
    ("__import__('os').system('touch pwned')", "calling"),
    ("x.__class__", "Attribute is not allowed"),
    ("open('f')", "calling 'open' is not allowed"),
    ("(lambda: 1)()", "calling"),
    ("[x for x in (1,)]", "ListComp is not allowed"),
    ("x if x else x", "IfExp is not allowed"),
    ("x % 2", "operator Mod is not allowed"),
    ("'abc'", "only numbers"),
    ("True + x", "only numbers"),
    ("y + 1", "unknown name 'y'"),
    ("tanh", "tanh is a function"),
    ("tanh(x, x)", "exactly one argument"),
    ("exp(x=1)", "exactly one argument"),
    ("x +", "cannot parse"),
    ("x; import os", "cannot parse"),
    ("~x", "unary operator Invert"),
    ("x < 1", "Compare is not allowed"),
])
def test_refused_expressions_name_the_problem(expression, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(draw.ExpressionError, match=message):
        draw.build(expression, {"x": 1.0})
    assert not (tmp_path / "pwned").exists()


def test_deep_nesting_does_not_recurse():
    expression = "-" * 500 + "x"
    out, _ = draw.build(expression, {"x": 2.0})
    assert out.data == 2.0


def test_cli_writes_svg(tmp_path, capsys):
    path = tmp_path / "g.svg"
    assert draw.main(["tanh(x*w + b)", "x=0.5", "w=-2", "b=1", "-o", str(path)]) == 0
    root = ET.fromstring(path.read_bytes())
    words = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"x", "w", "b", "f", "tanh"} <= words
    assert "wrote" in capsys.readouterr().out


def test_cli_writes_walkthrough_and_dot(tmp_path):
    page = tmp_path / "w.html"
    assert draw.main(["x*x", "x=3", "--html", "-o", str(page)]) == 0
    assert "<svg" in page.read_text(encoding="utf-8")
    dot = tmp_path / "g.dot"
    assert draw.main(["x*y", "x=3", "y=2", "--rankdir", "TB", "-o", str(dot)]) == 0
    assert 'rankdir="TB"' in dot.read_text(encoding="utf-8")


def test_cli_refuses_with_exit_status_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        draw.main(["__import__('os')", "-o", str(tmp_path / "g.svg")])
    assert exit_info.value.code == 2
    assert "not allowed" in capsys.readouterr().err
    assert not (tmp_path / "g.svg").exists()
    with pytest.raises(SystemExit):
        draw.main(["x", "x=abc"])
    with pytest.raises(SystemExit):
        draw.main(["log(x)", "x=-1"])
    assert "log: domain error" in capsys.readouterr().err


def test_python_dash_m_entry_point(tmp_path):
    done = subprocess.run([sys.executable, "-m", "autograd.draw", "x*2 + 1", "x=1",
                           "-o", str(tmp_path / "g.dot")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "digraph" in (tmp_path / "g.dot").read_text(encoding="utf-8")
