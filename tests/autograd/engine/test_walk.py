"""One backward walk: the fast loop (`_passes.walk_fast`, used when nothing watches the steps)
adds exactly what the learner's loop (`engine._walk`) adds, in the same order, bit for bit.

The graphs are drawn to hit every shortcut of the fast loop: neurons' Σ nodes (`dot`, with
and without a bias, a value on both sides, one value feeding several Σ), Σ nodes whose
gradient is exactly 0 behind an off ReLU (skipped by the fast loop), nodes with one, two and
many parents, a parent used twice (x * x), and leaves holding 0.0, -0.0, inf and nan.
"""

from __future__ import annotations

import itertools
import math
import struct

from hypothesis import example, given
from hypothesis import strategies as st

import autograd
from autograd import _passes, engine, ops
from autograd.engine import Value

_LEAF_NUMBERS = st.one_of(
    st.floats(-3.0, 3.0, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e308, 5e-324]))
_UNARY = ("relu", "tanh", "sigmoid", "neg", "exp", "sqrt", "abs")
_BINARY = ("+", "-", "*", "/", "max")


@st.composite
def graphs(draw: st.DrawFn) -> Value:
    """A random graph (a few hundred nodes at most) ending in one root."""
    nodes = [Value(draw(_LEAF_NUMBERS), label=f"x{i}")
             for i in range(draw(st.integers(1, 6)))]
    for _ in range(draw(st.integers(1, 30))):
        pick = st.sampled_from(nodes)
        kind = draw(st.sampled_from(["unary", "binary", "dot", "sum", "same"]))
        try:
            if kind == "unary":
                x = draw(pick)
                made = {"relu": x.relu, "tanh": x.tanh, "sigmoid": x.sigmoid, "neg": x.__neg__,
                        "exp": x.exp, "sqrt": x.sqrt, "abs": x.abs}[draw(st.sampled_from(_UNARY))]()
            elif kind == "binary":
                a, b = draw(pick), draw(pick)
                how = draw(st.sampled_from(_BINARY))
                made = a.max(b) if how == "max" else {"+": a.__add__, "-": a.__sub__,
                                                     "*": a.__mul__, "/": a.__truediv__}[how](b)
            elif kind == "dot":
                n = draw(st.integers(1, 6))
                ws = draw(st.lists(pick, min_size=n, max_size=n))
                xs = draw(st.lists(pick, min_size=n, max_size=n))
                made = autograd.dot(ws, xs, draw(st.one_of(st.none(), pick)))
            elif kind == "sum":
                made = autograd.sum(draw(st.lists(pick, min_size=1, max_size=5)))
            else:
                x = draw(pick)
                made = x * x
        except (ArithmeticError, ValueError):
            continue  # outside the op's domain: draw another step
        nodes.append(made)
    last = nodes[-3:]  # the root uses the last few nodes (fan-out to them)
    return last[0] if len(last) == 1 else autograd.dot(last, [Value(1.0)] * len(last))


def _bits(x: float) -> bytes:
    """The float's bits (so 0.0 and -0.0 differ); every nan is one token, since IEEE 754
    leaves the sign and payload of a nan result unspecified (x86 gives inf·0 a negative nan,
    and which nan operand a sum passes on depends on the operand order)."""
    return b"nan" if x != x else struct.pack("<d", x)


def _run(root: Value, seed: float, walk: str) -> tuple[list[bytes], str]:
    """Every node's running sum after one walk (as bits), and the error it raised, if any."""
    leaves: list[Value] = []
    inner = engine._inner_order(root, leaves, 0.0)
    root._g = seed
    error = ""
    try:
        if walk == "fast":
            _passes.walk_fast(inner)
        else:
            _passes.reporting(engine._walk(inner), inner, lambda *step: None, False)
    except Exception as failure:  # noqa: BLE001 (both walks must fail alike)
        error = f"{type(failure).__name__}: {failure}"
    return [_bits(node._g) for node in leaves + inner], error


def _sqrt_at_zero_behind_an_off_relu() -> Value:
    """g is exactly 0 at the sqrt node, whose rule then divides by 0: both walks must raise
    (only a Σ with g == 0 may be skipped, where every send is provably ±0.0)."""
    return Value(0.0).sqrt().relu() * 2.0


@given(graphs(), st.sampled_from([1.0, -0.0, 0.0, 2.5, math.inf]))
@example(_sqrt_at_zero_behind_an_off_relu(), 1.0)
@example(autograd.dot([Value(math.inf), Value(1.0)], [Value(0.0), Value(2.0)]).relu(), 1.0)
def test_the_fast_walk_adds_what_the_plain_walk_adds_bit_for_bit(root, seed):
    assert _run(root, seed, "fast") == _run(root, seed, "plain")


def test_the_strategy_reaches_the_shortcuts():
    """The property above is not vacuous: its graphs hold Σ nodes with g exactly 0 (the
    skipped ones) behind an off ReLU, and nodes with one, two and more parents."""
    w = [Value(0.5), Value(-2.0)]
    z = autograd.dot(w, [Value(1.0), Value(1.0)])
    root = autograd.sum([z.relu(), z * z])
    fast, plain = _run(root, 1.0, "fast"), _run(root, 1.0, "plain")
    assert fast == plain and fast[1] == ""
    off = autograd.dot(w, [Value(1.0), Value(1.0)]).relu() * 3.0
    leaves: list[Value] = []
    inner = engine._inner_order(off, leaves, 0.0)
    off._g = 1.0
    _passes.walk_fast(inner)
    assert inner[0]._g == 0.0 and inner[0].op == "dot" and [x._g for x in w] == [0.0, 0.0]


def test_backward_without_on_step_equals_backprop_with_it():
    """The public entry points: `backward()` takes the fast loop, `backprop(on_step=...)`
    the learner's loop; the gradients agree exactly, and on_step saw every node with a rule."""
    x, y = Value(0.3), Value(-1.2)
    z = autograd.dot([x, y, x], [y, x, Value(2.0)], Value(0.1))
    root = (z.tanh() * x + (x * y).relu() + z.relu()) / 2.0
    seen = []
    found = autograd.backprop(root, on_step=lambda node, g, sends: seen.append(node))
    root.backward()
    assert x.grad == found[x] and y.grad == found[y]
    assert len(seen) == len([n for n in autograd.topological_order(root) if n.parents])


def test_every_op_the_fast_walk_skips_at_g_0_sends_only_zeros():
    """`_passes._zero_sends` ops (Σ and the inline ops + − * neg relu): wherever the output
    is finite, g = ±0.0 makes every send ±0.0 (so skipping them adds nothing)."""
    numbers = [0.0, -0.0, 1.0, -2.5, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan]
    skipped = [op for op in ops.table().values() if op.arity and _passes._zero_sends(op)]
    assert {op.name for op in skipped} >= {"+", "-", "*", "neg", "relu"}
    for op in [*skipped, ops.DOT]:
        arity = op.arity or 5
        for inputs in itertools.product(numbers, repeat=min(arity, 2)):
            xs = list(inputs) * (arity // len(inputs)) + list(inputs[:arity % len(inputs)])
            try:
                out = op.forward(*xs)
            except (ArithmeticError, ValueError):
                continue
            if not math.isfinite(out):
                continue
            for g in (0.0, -0.0):
                assert all(d == 0.0 for d in op.rule(g, out, *xs)), (op.name, xs, g)
