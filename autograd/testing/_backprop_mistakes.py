"""`check_backprop`'s hints: the typical mistakes (a missing f′, f′ at the output, W instead of
Wᵀ, the wrong activations, a mean over samples, ...) computed on the failing network, so that
the learner's numbers can be recognised as one of them; and what a wrong shape suggests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd.activations import Activation
from autograd.testing._backprop_report import _count, _sup
from autograd.testing._backprop_truth import (
    Vector,
    _all_close,
    _Case,
    _matvec,
    _outer,
    _scale,
    _sum_over,
    _transpose,
    _Truth,
)


def _matching(given: Any, i: int, is_bias: bool, case: _Case, truth: _Truth,
              activation: Activation) -> list[tuple[int, str]]:
    """(position in `_mistakes`, hint) of every typical mistake whose numbers, on this
    network, are the learner's."""
    expected = truth.grad_b[i] if is_bias else truth.grad_W[i]
    name = f"∇b{_sup(i)}" if is_bias else f"∇W{_sup(i)}"
    return [(n, f"your {name} {says}") for n, (numbers_, says) in
            enumerate(_mistakes(i, is_bias, case, truth, activation))
            if _all_close(given, numbers_) and not _all_close(numbers_, expected)]


def _hint(matches: list[tuple[int, str]]) -> str:
    if len(matches) > 1:  # this network cannot tell them apart: say so
        return (f"{matches[0][1]}\n    (or, the same numbers on this network: "
                + "; or ".join(says for _, says in matches[1:]) + ")")
    return matches[0][1] if matches else ""


def _mistakes(i: int, is_bias: bool, case: _Case, truth: _Truth,
              activation: Activation) -> list[tuple[Any, str]]:
    """(numbers, what they are) for each typical mistake that fits this layer's shapes."""
    s, h, L, F = _sup(i), _sup(i - 1), case.depth, activation.symbol
    N = len(case.X)
    found: list[tuple[Any, str]] = []

    def total(per_sample: Callable[[int], Any]) -> Any:
        return _sum_over([per_sample(n) for n in range(N)])

    def gradient(delta: Callable[[int], Vector]) -> Callable[[int], Any]:
        if is_bias:
            return delta
        return lambda n: _outer(delta(n), truth.a[n][i - 1])

    # δⁱ computed wrongly (the δ of later layers is right: they were checked first); for
    # ∇Wⁱ these come last, as ∇bⁱ = δⁱ was right if we got this far
    for delta, short, why in _wrong_deltas(i, case, truth, activation) if is_bias else ():
        found.append((total(gradient(delta)), f"equals {short}: {why}"))
    if is_bias:  # δ of a neighbouring layer
        for m in (i + 1, i - 1):
            if 1 <= m <= L and case.sizes[m] == case.sizes[i]:
                found.append((_sum_over([truth.delta[n][m] for n in range(N)]),
                              f"equals δ{_sup(m)} (layer {m}'s δ): the bias gradient of "
                              f"layer {i} is ∇b{s} = δ{s}, the δ of the same layer"))
    else:  # the wrong activations in the outer product
        for m in range(L + 1):
            if m != i - 1 and case.sizes[m] == case.sizes[i - 1]:
                what = ("this layer's own activations" if m == i else
                        "the input x" if m == 0 else f"the activations of layer {m}")
                outer = [_outer(truth.delta[n][i], truth.a[n][m]) for n in range(N)]
                found.append((_sum_over(outer),
                              f"uses a{_sup(m)} ({what}) instead of a{h}: ∇W{s} = δ{s} a{h}ᵀ "
                              f"with a{h} the activations of the layer before (off by one "
                              "layer)"))
        if i >= 2:
            found.append((total(lambda n: _outer(truth.delta[n][i], truth.z[n][i - 1])),
                          f"uses z{h} instead of a{h} = {F}(z{h}): ∇W{s} = δ{s} a{h}ᵀ takes "
                          "the activations of the layer before"))
        if case.sizes[i] == case.sizes[i - 1]:
            found.append((_transpose(truth.grad_W[i]),
                          f"is transposed (a{h} δ{s}ᵀ): ∇W{s} = δ{s} a{h}ᵀ has one row per "
                          f"neuron of layer {i}"))
    for delta, short, why in _wrong_deltas(i, case, truth, activation) if not is_bias else ():
        found.append((total(gradient(delta)), f"equals ({short}) a{h}ᵀ: {why}"))
    if N >= 2:  # samples combined the wrong way
        per = gradient(lambda n: truth.delta[n][i])
        expected = truth.grad_b[i] if is_bias else truth.grad_W[i]
        found.append((_scale(expected, 1 / N),
                      f"is the mean over the {N} samples; the seed sums: L = Σₙ Cⁿ, so "
                      f"{'∇b' if is_bias else '∇W'}{s} = Σₙ (the per-sample gradients), "
                      f"{N} times yours"))
        found.append((per(N - 1), "is the last sample's gradient alone: L = Σₙ Cⁿ, so the "
                      "per-sample gradients add up (accumulate with +=, do not overwrite)"))
        found.append((per(0), "is the first sample's gradient alone: L = Σₙ Cⁿ, so every "
                      "sample's gradient adds in"))
    return found


def _wrong_deltas(i: int, case: _Case, truth: _Truth,
                  activation: Activation) -> list[tuple[Callable[[int], Vector], str, str]]:
    """Typical wrong δⁱ, per sample n, as (δ(n), short name, the right formula)."""
    s, L, F = _sup(i), case.depth, activation.symbol
    right = (f"δ{s} = (o − y) ⊙ {F}′(z{s})" if i == L
             else f"δ{s} = {F}′(z{s}) ⊙ (W{_sup(i + 1)}ᵀ δ{_sup(i + 1)})")

    def back(n: int) -> Vector:  # what multiplies f′(zⁱ): (o − y), or Wʲᵀ δʲ
        if i == L:
            return [o - y for o, y in zip(truth.a[n][L], case.Y[n])]
        return _matvec(_transpose(case.W[i + 1]), truth.delta[n][i + 1])

    def times(fp: Callable[[float, float], float]) -> Callable[[int], Vector]:
        return lambda n: [g * fp(z, a) for g, z, a in
                          zip(back(n), truth.z[n][i], truth.a[n][i])]

    found: list[tuple[Callable[[int], Vector], str, str]] = []
    if i == L:
        found.append((lambda n: [-d for d in truth.delta[n][i]],
                      f"−δ{s}: you used (y − o) where the seed has (o − y)",
                      f"∂C/∂o = o − y for C = ½‖y − o‖², so {right}"))
    found.append((back, f"δ{s} without {F}′(z{s})", right))
    from_output = activation.derivative_of_output
    text = activation.output_text
    found.append((times(lambda z, a: activation.derivative(a)),
                  f"δ{s} with {F}′(a{s}) in place of {F}′(z{s})",
                  f"{right}: {F}′ is taken at the pre-activation z{s}"
                  + (f" ({F}′(z{s}) = {text.format(a=f'a{s}')})" if text else "")))
    if from_output is not None and text:
        found.append((times(lambda z, a: from_output(z)),
                      f"δ{s} with {text.format(a=f'z{s}')} in place of {F}′(z{s})",
                      f"{right}, and {F}′(z{s}) = {text.format(a=f'a{s}')} is written with the "
                      f"activation a{s} = {F}(z{s}), not z{s}"))
    if i < L and case.sizes[i] == case.sizes[i + 1]:
        t = _sup(i + 1)
        found.append((lambda n: [activation.derivative(z) * g for z, g in zip(
                          truth.z[n][i], _matvec(case.W[i + 1], truth.delta[n][i + 1]))],
                      f"δ{s} computed with W{t} instead of W{t}ᵀ (your δ{s} uses W{t} "
                      f"instead of W{t}ᵀ)",
                      f"{right}: the fan-out sum for neuron k of layer {i} runs down column "
                      f"k of W{t} (over the neurons of layer {i + 1} it feeds), not along row k"))
    return found


def _shape_hint(i: int, is_bias: bool, got: tuple[int, ...], sizes: tuple[int, ...]) -> str:
    """What a wrong shape suggests (sizes that belong to another layer)."""
    s, L = _sup(i), len(sizes) - 1
    rows = got[0]
    columns = got[1] if len(got) == 2 else None
    says = []
    if i < L and rows == sizes[i + 1] and rows != sizes[i]:
        t = _sup(i + 1)
        says.append(f"has one {'entry' if is_bias else 'row'} per neuron of layer {i + 1}, "
                    f"not layer {i}: δ{s} = σ′(z{s}) ⊙ (W{t}ᵀ δ{t}) has one entry per neuron "
                    f"of layer {i}; W{t} δ{t} (W{t} instead of W{t}ᵀ) or δ{t} would have "
                    f"{sizes[i + 1]}")
    if not is_bias and columns is not None and columns != sizes[i - 1]:
        h = _sup(i - 1)
        if rows == sizes[i - 1] and columns == sizes[i]:
            says.append(f"looks transposed: ∇W{s} = δ{s} a{h}ᵀ is {sizes[i]} × {sizes[i - 1]} "
                        f"(yours looks like a{h} δ{s}ᵀ)")
        else:
            layers = [m for m in range(L + 1) if m != i - 1 and sizes[m] == columns]
            if layers:
                said = " or ".join(f"a{_sup(m)}" for m in layers)
                says.append(f"has {_count(columns, 'column')}, as many as {said} has "
                            f"entries: ∇W{s} = "
                            f"δ{s} a{h}ᵀ uses a{h}, the activations of layer {i - 1} (the "
                            "layer before)")
    return ("your " + ("∇b" if is_bias else "∇W") + s + " " + "; it ".join(says)) if says else ""
