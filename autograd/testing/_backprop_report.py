"""`check_backprop`'s report: what was wrong on one network (`_Problem`), the seed formula of
the wrong entry with the engine's numbers, and the whole message."""

from __future__ import annotations

import math
import reprlib
import textwrap
from dataclasses import dataclass, field
from typing import Any

from autograd.activations import Activation
from autograd.testing._backprop_truth import _Case, _Truth

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class _Problem:
    """What was wrong on one network: `headline` and `details` lines, plus the fields of
    BackpropMismatch."""

    case: _Case
    truth: _Truth
    headline: str
    details: list[str] = field(default_factory=list)
    quantity: str = ""
    layer: int = 0
    entry: tuple[int, ...] = ()
    expected: float | None = None
    given: Any = None
    hint: str = ""
    kind: str = "value"  # "value", "shape", "number", "raised", "returned"
    matches: list[tuple[int, str]] = field(default_factory=list)  # typical mistakes it fits

# ---- the seed formula of one entry ----------------------------------------------------------
def _formula(i: int, is_bias: bool, entry: tuple[int, ...], case: _Case, truth: _Truth,
             activation: Activation, samples: bool) -> list[str]:
    """The seed's formula for ∇bⁱ[j] or ∇Wⁱ[j][k], with the engine's numbers when there is
    one sample."""
    s, L, F = _sup(i), case.depth, activation.symbol
    j = entry[0]
    sigma_name = f"{F}′(z{s})" + ("  (f′ = 1)" if activation.op is None else "")
    if i == L:
        delta = f"δ{s} = (o − y) ⊙ {sigma_name}   (output layer; o = a{s})"
        entry_text = f"δ{s}[{j}] = (o[{j}] − y[{j}]) · {F}′(z{s}[{j}])"
    else:
        t = _sup(i + 1)
        delta = f"δ{s} = {sigma_name} ⊙ (W{t}ᵀ δ{t})   (hidden layer; layer {i + 1} is next)"
        entry_text = f"δ{s}[{j}] = {F}′(z{s}[{j}]) · Σₘ W{t}[m][{j}] δ{t}[m]"
    head = "Σₙ " if samples else ""
    lines = [f"  the seed: {'∇b' if is_bias else '∇W'}{s} = {head}"
             + (f"δ{s}" if is_bias else f"δ{s} a{_sup(i - 1)}ᵀ") + f", with {delta}"]
    if not is_bias:
        k = entry[1]
        h = _sup(i - 1)
        lines.append(f"            ∇W{s}[{j}][{k}] = {head}δ{s}[{j}] · a{h}[{k}]"
                     + ("   (a⁰ = x, the input)" if i == 1 else ""))
    lines.append(f"            {entry_text}")
    if samples:
        per = [d[i][j] if is_bias else d[i][j] * a[i - 1][entry[1]]
               for d, a in zip(truth.delta, truth.a)]
        what = f"∇b{s}[{j}]" if is_bias else f"∇W{s}[{j}][{entry[1]}]"
        lines.append(f"            here {what} = " + " + ".join(_num(v) for v in per)
                     + f" = {_num(math.fsum(per))}  (one term per sample)")
    else:
        z, a, d = truth.z[0], truth.a[0], truth.delta[0]
        fp = activation.derivative(z[i][j])
        if i == L:
            y = case.Y[0]
            numbers_ = f"({_num(a[i][j])} − {_num(y[j])}) · {_num(fp)}"
        else:
            W = case.W[i + 1]
            fan = " + ".join(f"{_num(W[m][j])}·{_num(d[i + 1][m])}" for m in range(len(W)))
            numbers_ = f"{_num(fp)} · ({fan})"
        lines.append(f"            here δ{s}[{j}] = {numbers_} = {_num(d[i][j])}")
        if not is_bias:
            k = entry[1]
            lines.append(f"            and ∇W{s}[{j}][{k}] = {_num(d[i][j])} · "
                         f"{_num(a[i - 1][k])} = {_num(d[i][j] * a[i - 1][k])}")
    return lines


# ---- the report -----------------------------------------------------------------------------
def _report(problem: _Problem, hints: list[str], activation: Activation, samples: bool) -> str:
    case, truth = problem.case, problem.truth
    L = case.depth
    shape = " → ".join(map(str, case.sizes))
    lines = [f"check_backprop: {problem.headline}",
             f"on the smallest failing network found: {shape} ({case.sizes[0]} input"
             f"{'s' if case.sizes[0] > 1 else ''}, {L} layer{'s' if L > 1 else ''}),",
             f"{activation.says} on every layer, "
             + (f"{len(case.X)} sample{'s' if len(case.X) > 1 else ''}, loss L = Σₙ Cⁿ"
                if samples else "one sample, loss C = ½‖y − o‖²"),
             ""]
    lines += problem.details
    for hint in hints:  # long sentences, wrapped to the width of the rest
        lines += [textwrap.fill(part, 96, initial_indent="  hint: " if n == 0 else "    ",
                                subsequent_indent="        ", break_on_hyphens=False)
                  for n, part in enumerate(hint.split("\n    "))]
    if problem.quantity:
        order = ", ".join(f"∇b{_sup(i)}, ∇W{_sup(i)}" for i in range(L, 0, -1))
        lines.append(f"  (checked in backward order: {order}; those before {problem.quantity} "
                     "are right)")
    lines += ["", "The network (Ws[i], bs[i] are W and b of layer i + 1: one row per neuron):"]
    for i in range(1, L + 1):
        lines.append(f"  W{_sup(i)} = {_show(case.W[i])}   b{_sup(i)} = {_show(case.b[i])}")
    for n, (x, y) in enumerate(zip(case.X, case.Y)):
        label = f"sample {n}: " if len(case.X) > 1 else ""
        lines.append(f"  {label}x = a⁰ = {_show(list(x))}   y = {_show(list(y))}")
    lines.append("The engine's forward and backward pass on it (Values, then backward()):")
    for n in range(len(case.X)):
        if len(case.X) > 1:
            lines.append(f"  sample {n}:")
        for i in range(1, L + 1):
            s = _sup(i)
            out = " = o" if i == L else ""
            lines.append(f"  z{s} = {_show(truth.z[n][i])}   a{s}{out} = {_show(truth.a[n][i])}"
                         f"   δ{s} = {_show(truth.delta[n][i])}")
    Ws, bs, x, y = case.arguments(samples)
    names = ("X", "Y") if samples else ("x", "y")
    lines += ["To run it yourself:",
              f"  Ws = {Ws!r}", f"  bs = {bs!r}",
              f"  {names[0]} = {x!r}", f"  {names[1]} = {y!r}",
              f"  dWs, dbs = fn(Ws, bs, {names[0]}, {names[1]})"]
    return "\n".join(lines)


# ---- small helpers on text -------------------------------------------------------------------
def _sup(n: int) -> str:
    return str(n).translate(_SUPERSCRIPT)


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _num(x: float) -> str:
    return f"{x:.6g}"


def _show(x: Any) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(_show(v) for v in x) + "]"
    return _num(x)


def _short(x: Any) -> str:
    """repr(x), cut short (it is the learner's object: it may be huge)."""
    return _REPR.repr(x)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlist = _REPR.maxtuple = 6
