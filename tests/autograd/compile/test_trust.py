"""The trust boundary of `autograd.compile`: arbitrary text at every place user text can
reach generated code (labels, op names, argument and function names, static arguments,
guard operands, reprs) never becomes source: the source parses, nothing in it runs, and
results equal eager mode's."""

import ast
import enum
import io
import keyword
import math
import os
import tokenize
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import autograd
from autograd import TraceError, Value, ops
from autograd.engine import Role
from tests.autograd.compile.test_compile import eager_grads

MARK = "SEEDGRAD_PWNED"
RUN = f'__import__("os").environ.__setitem__("{MARK}", "1")'
ATTACKS = [
    f'"""; {RUN} #', f"'''; {RUN} #", f"\n{RUN}\n", f"x\n{RUN}", f"\\\n{RUN}", f"\r{RUN}",
    f"# \n{RUN}", f"\x00{RUN}", f"){RUN}(", f"{{{RUN}}}", f"{{x}}{{out}}\n{RUN}",
    f"\u2028{RUN}", f"\x0c{RUN}", "_P", "_seed", "math", "__builtins__", "call", "x_1",
    "dout_dx", "_Miss", "if", "None", "𝔵", "ℌ", "٣", "ǅ", "x" * 5000, "\ud7ff",
]
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def texts():
    """Arbitrary text: all of Unicode, quotes, newlines, backslashes, NUL, very long."""
    attack = st.sampled_from(ATTACKS)
    return st.one_of(st.text(), attack, st.builds(lambda a, b, c: a + b + c, st.text(),
                                                  attack, st.text()),
                     st.text(min_size=1, max_size=3).map(lambda t: t * 700))


def identifiers():
    """Python identifiers, Unicode ones included (a function's own parameter names)."""
    return st.one_of(st.sampled_from(["x", "x_1", "_P", "_seed", "math", "call", "ǅ", "𝔵",
                                      "dout_dx", "_", "__", "x0", "print", "match"]),
                     st.text(min_size=1, max_size=12).filter(str.isidentifier))


@pytest.fixture(autouse=True)
def nothing_ran():
    os.environ.pop(MARK, None)
    yield
    assert MARK not in os.environ, "text reached generated code and ran"


def check_source(step):
    """The source parses, and the payload's text is in no string or comment of it.

    Identifiers may spell the marker (the allocator turns `SEEDGRAD:PWNED` into the legal
    name `SEEDGRAD_PWNED`); what must never appear is the text itself where Python reads
    it as data or skips it: a string literal or a comment.
    """
    for source in (step.source, step.batch_source):
        ast.parse(source)
        assert RUN not in source
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.STRING, tokenize.COMMENT):
                assert MARK not in token.string, token


def agree(step, fn, params, *args):
    want, want_grads = eager_grads(fn, params, *args)
    got = step(*args)
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    assert got == want
    assert grads == want_grads


@SETTINGS
@given(texts(), texts(), texts())
def test_labels_and_function_names(label, inner, name):
    w, b = Value(0.5, label=label), Value(-0.25, label=inner)
    b.role = Role(inner, 1, 2)  # nn's roles shape names too (z_1_2): any text in them

    def fn(x):
        h = w * x
        h.label = inner
        return (h + b).tanh()

    fn.__name__ = name
    step = autograd.compile(fn, 1.5)
    check_source(step)
    agree(step, fn, [w, b], -0.75)
    step.batch([0.5, 2.0])


@SETTINGS
@example("SEEDGRAD:PWNED")  # sanitised to an identifier that spells the marker: allowed
@given(texts())
def test_custom_op_names(name):
    if not name or name in ops.names():
        return  # autograd.op refuses empty and built-in names
    cube = autograd.op(name, lambda x: x ** 3, lambda x: (3 * x * x,))
    try:
        w = Value(0.5, label=name)

        def fn(x):
            return cube(w * x) + cube(x)

        step = autograd.compile(fn, 1.5)
        check_source(step)
        agree(step, fn, [w], -0.75)
    finally:
        ops.unregister(name)


@SETTINGS
@given(identifiers(), identifiers())
def test_argument_names(first, second):
    first, second = (unicodedata.normalize("NFKC", n) for n in (first, second))
    if first == second or "weight__" in (first, second) or keyword.iskeyword(first) or \
            keyword.iskeyword(second):
        return  # Python reads identifiers NFKC-normalised: 𝔵 is x
    namespace: dict = {}
    exec(f"def fn({first}, {second}):\n"
         f"    return weight__ * {first}[0] + {first}[1] * {second}", namespace)
    w = namespace["weight__"] = Value(2.0)
    fn = namespace["fn"]
    step = autograd.compile(fn, [1.0, 3.0], 5.0)
    check_source(step)
    agree(step, fn, [w], [2.0, 4.0], -1.0)
    assert step.batch([[1.0, 3.0], [2.0, 4.0]], [5.0, -1.0]) == 2.0 + 15.0 + 4.0 - 4.0


@SETTINGS
@given(texts())
def test_static_string_arguments(tag):
    w = Value(0.5)

    def fn(x, tag):
        return w * x * (len(tag) % 7 + 1)

    step = autograd.compile(fn, 1.0, tag)
    check_source(step)
    agree(step, fn, [w], 3.0, tag)
    agree(step, fn, [w], 3.0, tag + "'")


class Evil(float):
    """A number whose repr and str are arbitrary text."""

    text = ""

    def __repr__(self):
        return self.text

    __str__ = __repr__


class EvilInt(int):
    text = ""

    def __repr__(self):
        return self.text

    __str__ = __repr__


class Level(enum.IntEnum):
    LOW = 0
    HIGH = 3


@SETTINGS
@given(texts(), st.sampled_from([0.0, -0.0, 1.0, 2.5, math.inf, -1.0]))
def test_guard_operands_and_reprs(text, bound):
    evil_float = type("E", (Evil,), {"text": text})(bound)
    evil_int = type("EI", (EvilInt,), {"text": text})(1)
    w = Value(1.5)

    def fn(x):
        y = w * x
        if y > evil_float:
            y = y * 2.0
        if y >= Level.HIGH:
            y = y - 1.0
        if x < evil_int:
            y = y + 1.0
        return y + round(y, evil_int) * 0.0 + float(x) * 0.0

    step = autograd.compile(fn, 1.0)
    for x in (1.0, -3.0, 4.0, 0.0, -0.0, 1.0):
        agree(step, fn, [w], x)
    check_source(step)


@SETTINGS
@given(texts())
def test_static_objects_with_hostile_reprs(text):
    class Tag:
        def __repr__(self):
            return text

        def __str__(self):
            raise RuntimeError(text)

        def __hash__(self):
            return 7

        def __eq__(self, other):
            return isinstance(other, Tag)

    w = Value(0.5)

    def fn(x, tag):
        if not isinstance(tag, Tag):
            raise TypeError("tag")
        return w * x

    step = autograd.compile(fn, 1.0, Tag())
    check_source(step)
    agree(step, fn, [w], 3.0, Tag())


def test_a_static_string_cannot_end_the_docstring():
    """The repro: a static str pasted into the docstring ran on the next call."""
    w = Value(1.0)
    attack = f'"""; {RUN} #'
    step = autograd.compile(lambda x, label: w * x * len(label), 1.0, "cat")
    assert step(2.0, attack) == 2.0 * len(attack)
    check_source(step)


def test_a_newline_in_an_op_name_cannot_end_a_comment():
    name = f"sq\n{RUN}"
    sq = autograd.op(name, lambda x: x * x, lambda x: (2 * x,))
    try:
        step = autograd.compile(lambda x: sq(x), 3.0)
        assert step(3.0) == 9.0
        check_source(step)
    finally:
        ops.unregister(name)


def test_names_that_sanitise_alike_do_not_loop_or_clash():
    """The repro: custom ops named sq_2, sq and sq² made the renaming loop spin forever."""
    made = [autograd.op(n, lambda x: x * x, lambda x: (2 * x,)) for n in ("sq_2", "sq", "sq²")]
    try:
        w = Value(0.5, label="sq")
        step = autograd.compile(lambda x: made[0](x) + made[1](w * x) + made[2](x), 2.0)
        assert step(2.0) == 4.0 + 1.0 + 4.0
        check_source(step)
    finally:
        for n in ("sq_2", "sq", "sq²"):
            ops.unregister(n)


def test_an_int_enum_or_numpy_guard_operand_compiles():
    """The repro: `<Level.LOW: 0>` written into the source made every call eager."""
    np = pytest.importorskip("numpy")
    w = Value(2.0)

    def fn(x):
        y = w * x
        return y * 3.0 if y > Level.LOW and y > np.int64(1) and y < np.float64(9.5) else y

    step = autograd.compile(fn, 1.0)
    check_source(step)
    assert "Level" not in step.source
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agree(step, fn, [w], 1.0)
        agree(step, fn, [w], -1.0)
    assert step.traces == 2


def test_error_messages_may_show_text_but_never_run_it():
    w = Value(1.0)
    step = autograd.compile(lambda x: w * x if x > Evil(0.0) else -x, 1.0, retrace=False)
    with pytest.raises(TraceError, match="was True"):
        step(-1.0)
