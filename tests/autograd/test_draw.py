"""`python -m autograd.draw`: a safe expression parser and the teacher's command line."""

import contextlib
import math
import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

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


# ---- bad input: refused before anything is built or written -------------------------------------
NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("variables, error, match", [
    (None, TypeError, "build: variables must be a dict of name → number, got NoneType"),
    (["x"], TypeError, "build: variables must be a dict"),
    ({"x": NAN}, ValueError, "build: x must be finite, got nan"),
    ({"x": "1"}, TypeError, "build: x must be a number, got str '1'"),
    ({"x": True}, TypeError, "build: x must be a number, got bool True"),
    ({"if": 1.0}, ValueError, "build: variable name 'if' is not a Python name"),
    ({"tanh": 1.0}, ValueError, "build: 'tanh' is a function name"),
])
def test_draw_build_checks_its_variables(variables, error, match):
    with pytest.raises(error, match=match):
        draw.build("x * 2", variables)


@pytest.mark.parametrize("expression, match", [
    ("x * 1e400", "the constant 1e309 is not a finite number"),
    ("x" * 100_000, r"unknown name 'xxx.*'… \(100000 chars\): give it a value .* name=1\.0"),
    # Python 3.10's parser accepts 20,000 terms, so the size check refuses them instead
    ("+".join(["x"] * 20_000),
     r"cannot parse 'x\+x.*'… \(39999 chars\): nested too deeply" if sys.version_info >= (3, 11)
     else r"the expression is too long \(over 10000 parts\)"),
])
def test_draw_build_refuses_with_short_messages(expression, match):
    with pytest.raises(draw.ExpressionError, match=match) as info:
        draw.build(expression, {"x": 1.0})
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("argv, match", [
    (["x*x", "x=1", "-o", "{tmp}/g.png"], "--output must end in .svg, .dot or .html"),
    (["x*x", "x=1", "--html", "-o", "{tmp}/g.svg"], "--html writes an HTML page"),
    (["x*x", "x=1", "x=2", "-o", "{tmp}/g.svg"], "x is given more than once"),
    (["x*x", "True=1", "-o", "{tmp}/g.svg"], "expected name=number, got 'True=1'"),
])
def test_draw_command_line_refuses_before_writing(tmp_path, capsys, argv, match):
    with pytest.raises(SystemExit) as info:
        draw.main([a.format(tmp=tmp_path) for a in argv])
    assert info.value.code == 2
    assert match in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---- any input ends in one error line, never a traceback ----------------------------------------
def _run_cli(args, out):
    """main(args) in process: (exit status, stderr)."""
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = draw.main(["-o", str(out), *args])  # before a "--" in args
        except SystemExit as stop:  # argparse's parser.error
            status = stop.code
    return status, err.getvalue()


def _assert_clean(status, err, allowed=(0, 2)):
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert status in allowed, (status, err[-2000:])
    if status:
        last = err.rstrip("\n").splitlines()[-1]
        assert last.startswith("python -m autograd.draw: error: ") and len(last) < 800, last


_ATOMS = st.one_of(
    st.sampled_from(["x", "y", "z", "tanh", "sqrt", "f", "__import__", "True", "None", "...",
                     "0", "0.0", "1e400", "-0.0", "1e-320", "10**400", "0x" + "f" * 300,
                     "2", "3.5", "'s'", "b''", "[]", "{}", "lambda: x", "x.real", "x[0]"]),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


_UNARY = ["-", "+", "~", "not ", "tanh", "sigmoid", "relu", "exp", "log", "sqrt", "abs", "f",
          "lambda: ", "await ", "*"]


_BINARY = ["+", "-", "*", "/", "**", "%", "//", "@", "<", "==", " and ", " if x else ", ",",
           ".", "[", "(", ":="]


def _expressions():
    def extend(inner):
        unary = st.tuples(st.sampled_from(_UNARY), inner).map(
            lambda t: f"{t[0]}({t[1]})" if t[0].isalpha() and t[0] != "not " else t[0] + t[1])
        binary = st.tuples(inner, st.sampled_from(_BINARY), inner).map("".join)
        paren = inner.map(lambda e: f"({e})")
        return st.one_of(unary, binary, paren)
    grammar = st.recursive(_ATOMS, extend, max_leaves=40)
    noise = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                    max_size=60)
    return st.one_of(grammar, grammar, noise)


_VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 1e-308, 710.0]),
                    st.floats(-1e3, 1e3))


@settings(max_examples=400, deadline=None)
@given(expression=_expressions(), x=_VALUES, y=_VALUES)
def test_the_command_line_never_prints_a_traceback(tmp_path_factory, expression, x, y):
    out = tmp_path_factory.getbasetemp() / "fuzz.dot"
    status, err = _run_cli(["--", expression, f"x={x!r}", f"y={y!r}"]
                           if expression.startswith("-") else [expression, f"x={x!r}",
                                                               f"y={y!r}"], out)
    event(f"exit {status}")
    _assert_clean(status, err)


def _nested(kind, n):
    return {"attribute": "x" + ".a" * n, "subscript": "x" + "[0]" * n, "call": "f" + "()" * n,
            "calls of tanh": "tanh(" * n + "x" + ")" * n, "parentheses": "(" * n + "x" + ")" * n,
            "unary minus": "-" * n + "x", "invert": "~" * n + "x", "not": "not " * n + "x",
            "power tower": "x" + "**x" * n, "sum": "x" + "+x" * n, "lists": "[" * n + "]" * n,
            "lambdas": "lambda:" * n + "x", "conditionals": "x if x else " * n + "x",
            "keyword calls": "f(a=" * n + "x" + ")" * n}[kind]


@pytest.mark.parametrize("kind", ["attribute", "subscript", "call", "calls of tanh",
                                  "parentheses", "unary minus", "invert", "not", "power tower",
                                  "sum", "lists", "lambdas", "conditionals", "keyword calls"])
def test_deep_nesting_and_long_inputs_give_one_error_line(tmp_path, kind):
    worst = 0.0
    for n in (400, 1000, 2_000, 2_900, 10_000, 33_000):
        expression = _nested(kind, n)[:100_000]
        start = time.perf_counter()
        status, err = _run_cli(["--", expression, "x=0.5"], tmp_path / "g.dot")
        worst = max(worst, time.perf_counter() - start)
        _assert_clean(status, err)
    assert worst < 10


def test_a_derivative_that_fails_is_an_error_line_not_a_traceback(tmp_path):
    for expression in ["sqrt(x)", "x**0.5", "sqrt(x*x)", "abs(x)**0.5"]:
        status, err = _run_cli([expression, "x=0"], tmp_path / "g.dot")
        assert status == 2 and "backward of" in err, err
        _assert_clean(status, err)
    assert not (tmp_path / "g.dot").exists()


def test_a_bug_is_one_internal_error_line_with_status_70_and_interrupt_is_130(tmp_path,
                                                                             monkeypatch):
    def broken(*args):
        raise RuntimeError("an engine bug")

    monkeypatch.setattr(draw, "build", broken)
    status, err = _run_cli(["x", "x=1"], tmp_path / "g.dot")
    assert status == 70 and "Traceback" not in err
    assert err.startswith("python -m autograd.draw: internal error: RuntimeError: 'an engine "
                          "bug' (at test_draw.py:") and err.count("\n") == 1

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(draw, "build", interrupted)
    status, err = _run_cli(["x", "x=1"], tmp_path / "g.dot")
    assert status == 130 and "interrupted" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, status, message", [
    (["x" + ".a" * 500, "x=1"], 2, "Attribute is not allowed"),
    (["sqrt(x)", "x=0"], 2, "backward of 'sqrt'"),
    (["--", "-" * 100_000 + "x", "x=1"], 2, "nested too deeply"),
    (["--", "-" * 300 + "x", "x=1"], 0, ""),
    (["(" * 5000 + "x" + ")" * 5000, "x=1"], 2, "cannot parse"),
    (["x", "x=1", "-o", "{tmp}/fifo.svg"], 1, "refusing to write"),
])
def test_real_command_line_runs(tmp_path, args, status, message):
    import subprocess
    import sys
    os.mkfifo(tmp_path / "fifo.svg")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args = ["-o", str(tmp_path / "g.dot"), *args]
    result = subprocess.run([sys.executable, "-m", "autograd.draw", *args], capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == status, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and message in result.stderr
    assert len(result.stderr) < 2000


def test_the_command_line_refuses_a_bad_target_before_building_or_rendering(tmp_path,
                                                                            monkeypatch):
    os.mkfifo(tmp_path / "g.svg")
    monkeypatch.setattr(draw, "build", lambda *a: pytest.fail("built for a FIFO target"))
    status, err = _run_cli(["x*x", "x=1"], tmp_path / "g.svg")
    assert status == 1 and "refusing to write" in err and "a FIFO" in err
    assert stat.S_ISFIFO(os.lstat(tmp_path / "g.svg").st_mode)

