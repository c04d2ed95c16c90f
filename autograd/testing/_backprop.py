"""`check_backprop`: property-test a learner's hand-written backprop against the engine.

The learner writes the seed's formulas on plain lists,

    δᵒ = (o − y) ⊙ σ′(zᵒ),   δⁱ = σ′(zⁱ) ⊙ (Wʲᵀ δʲ),   ∇Wⁱ = δⁱ aʰᵀ,   ∇bⁱ = δⁱ,

as `fn(Ws, bs, x, y) -> (dWs, dbs)`. Hypothesis draws small networks (1 to 4 layers of 1 to
5 neurons, mostly non-square), the engine (`Value`s, `dot`, the activation ops and
`backward()`) computes the true gradients, and the first wrong quantity of the smallest
failing network is reported with the seed formula it comes from and, when the learner's
numbers are those of a typical mistake computed on the same network, a hint naming it.
Hypothesis is imported only when `check_backprop` runs (`import autograd.testing` stays light).
"""

from __future__ import annotations

import math
import numbers
import random
import reprlib
import textwrap
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import activations
from autograd._optional import extra_needed
from autograd.activations import Activation
from autograd.engine import Value, dot, enable_grad
from autograd.engine import sum as value_sum

MAX_LAYERS = 4  # layers with weights (the output layer included)
MAX_WIDTH = 5  # neurons per layer, inputs too
MAX_SAMPLES = 3  # samples per data set with samples=True
_BOUND = 2.0  # weights, biases, inputs and targets are drawn from [-_BOUND, _BOUND]
_ATOL, _RTOL = 1e-9, 1e-6  # given vs expected: plain floats in another order differ ~1e-16
_KINK = 1e-9  # with ReLU, networks with a |z| this small are not drawn (ReLU′(0) is a convention)
_PROBES = 3  # networks tried per probe (square-only / one-hidden-layer-only code)

Vector = list[float]
Matrix = list[list[float]]

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class BackpropMismatch(AssertionError):
    """The learner's gradients differ from the engine's on some network (or `fn` failed).

    Attributes:
        sizes: the failing network's layer sizes, inputs first (e.g. (1, 2, 1)).
        quantity: the first wrong quantity in backward order, e.g. "∇b²" ("" if none: `fn`
            raised, or returned something that is not a pair of lists).
        entry: its wrong entry ((j,) of ∇bⁱ, (j, k) of ∇Wⁱ; () if none).
        expected: the engine's value of that entry (None if none).
        given: the learner's value of it (None if none).
        hint: the typical mistake the learner's numbers match ("" if none was recognised).
        arguments: the failing call's (Ws, bs, x, y) as fn got them (X, Y with samples=True),
            to run fn on again: `fn(*error.arguments)`; () if there is none.
    """

    def __init__(self, message: str, *, sizes: tuple[int, ...] = (), quantity: str = "",
                 entry: tuple[int, ...] = (), expected: float | None = None,
                 given: Any = None, hint: str = "", arguments: tuple[Any, ...] = ()):
        super().__init__(message)
        self.arguments = arguments
        self.sizes = sizes
        self.quantity = quantity
        self.entry = entry
        self.expected = expected
        self.given = given
        self.hint = hint


# ---- the public function --------------------------------------------------------------------
def check_backprop(fn: Callable[..., Any], *, activation: str = "sigmoid", samples: bool = False,
                   max_examples: int = 200, seed: int | None = None) -> None:
    """Check a hand-written backprop `fn(Ws, bs, x, y) -> (dWs, dbs)` on random networks.

    `Ws[i]` is the weight matrix of layer i + 1 (one row per neuron of that layer, one column
    per neuron of the layer before, the seed's layout), `bs[i]` its biases, `x` the input and
    `y` the target; `fn` returns the gradients of C = ½‖y − o‖² in the same shapes, with the
    activation on every layer. With `samples=True`, `x` and `y` are lists of samples and the
    loss is the seed's L = Σₙ Cⁿ (a sum, not a mean). `fn` gets plain lists of floats only.
    The hypothesis settings are this function's own (no database, no deadline), whatever
    profile is loaded.

    Args:
        fn: the learner's code, called as `fn(Ws, bs, x, y)`.
        activation: 'sigmoid' (the seed's σ), 'tanh', 'relu' or 'linear'.
        samples: False: one sample; True: `x` and `y` are lists of 1 to 3 samples.
        max_examples: how many networks hypothesis tries (each one new inputs and targets).
        seed: a seed for a reproducible search; None draws a new one each call.

    Raises:
        BackpropMismatch: on the smallest failing network found, naming the first wrong
            quantity in backward order (∇bᴸ, ∇Wᴸ, ..., ∇b¹, ∇W¹), expected vs given, the
            seed formula of that entry and a hint when the numbers match a typical mistake;
            also when `fn` raises, returns the wrong shapes or something that is not a number.
        TypeError: `fn` is not callable, or `samples`, `max_examples` or `seed` has the
            wrong type.
        ValueError: `activation` is unknown, or `max_examples` < 1.
        ImportError: hypothesis is not installed (the `testing` extra).
    """
    _check_arguments(fn, samples, max_examples, seed)
    entry = activations.get(activation, "check_backprop")
    with extra_needed("hypothesis", "testing", "autograd.testing.check_backprop"):
        import hypothesis  # noqa: F401 (the search below needs it)
    problem = _search(fn, entry, samples, max_examples, seed)
    if problem is None:
        return None
    if len(problem.matches) > 1:
        _disambiguate(fn, problem, entry, samples, seed)
    hints = [problem.hint] if problem.hint else []
    hints += _probe_hints(fn, problem, entry, samples, seed)
    raise BackpropMismatch(_report(problem, hints, entry, samples), sizes=problem.case.sizes,
                           quantity=problem.quantity, entry=problem.entry,
                           expected=problem.expected, given=problem.given,
                           hint="\n".join(hints), arguments=problem.case.arguments(samples))


def _check_arguments(fn: Any, samples: Any, max_examples: Any, seed: Any) -> None:
    if not callable(fn):
        raise TypeError(f"check_backprop: fn must be callable as fn(Ws, bs, x, y), "
                        f"got {type(fn).__name__} {_short(fn)}")
    if not isinstance(samples, bool):
        raise TypeError(f"check_backprop: samples must be True or False, got {_short(samples)}")
    if not isinstance(max_examples, int) or isinstance(max_examples, bool):
        raise TypeError(f"check_backprop: max_examples must be an int, "
                        f"got {type(max_examples).__name__} {_short(max_examples)}")
    if max_examples < 1:
        raise ValueError(f"check_backprop: max_examples must be ≥ 1, got {max_examples}")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise TypeError(f"check_backprop: seed must be an int or None, got {_short(seed)}")


def _short(x: Any) -> str:
    """repr(x), cut short (it is the learner's object: it may be huge)."""
    return _REPR.repr(x)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlist = _REPR.maxtuple = 6


# ---- a network and the engine's truth on it -------------------------------------------------
@dataclass(frozen=True)
class _Case:
    """A network and its data. Per-layer lists use the seed's numbering: index 0 is the input
    layer, so W[0] and b[0] are empty and W[i] is Wⁱ."""

    sizes: tuple[int, ...]
    W: tuple[Matrix, ...]
    b: tuple[Vector, ...]
    X: tuple[Vector, ...]  # one input per sample
    Y: tuple[Vector, ...]

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def arguments(self, samples: bool) -> tuple[Any, Any, Any, Any]:
        """Fresh plain lists for fn (it may change them): Ws, bs, x, y (or X, Y)."""
        Ws = [[list(row) for row in W] for W in self.W[1:]]
        bs = [list(b) for b in self.b[1:]]
        if samples:
            return Ws, bs, [list(x) for x in self.X], [list(y) for y in self.Y]
        return Ws, bs, list(self.X[0]), list(self.Y[0])


@dataclass
class _Truth:
    """The engine's numbers: z[n][i], a[n][i], δ[n][i] per sample n and layer i (seed
    numbering, a[n][0] the input) and the gradients of the loss, grad_W[i], grad_b[i]."""

    z: list[list[Vector]]
    a: list[list[Vector]]
    delta: list[list[Vector]]
    grad_W: list[Matrix]
    grad_b: list[Vector]


def _truth(case: _Case, activation: Activation) -> _Truth:
    """Forward and backward through a `Value` graph: `dot` per neuron, the activation op,
    C = ½‖y − o‖² per sample and L = Σₙ Cⁿ, then `backward()`."""
    apply = activation.apply_to()
    with enable_grad():
        W = [[[Value(w) for w in row] for row in Wi] for Wi in case.W]
        b = [[Value(x) for x in bi] for bi in case.b]
        zs: list[list[list[Value]]] = []
        acts: list[list[list[Value]]] = []
        terms = []
        for x, y in zip(case.X, case.Y):
            a = [Value(v) for v in x]
            z_layers: list[list[Value]] = [[]]
            a_layers = [a]
            for i in range(1, len(W)):
                z = [dot(row, a, bias) for row, bias in zip(W[i], b[i])]
                a = z if apply is None else [apply(v) for v in z]
                z_layers.append(z)
                a_layers.append(a)
            zs.append(z_layers)
            acts.append(a_layers)
            terms += [(o - t) ** 2 * 0.5 for o, t in zip(a, y)]
        loss = value_sum(terms)
        loss.backward()
    return _Truth(z=[[[v.data for v in layer] for layer in n] for n in zs],
                  a=[[[v.data for v in layer] for layer in n] for n in acts],
                  delta=[[[float(v.grad) for v in layer] for layer in n] for n in zs],
                  grad_W=[[[float(w.grad) for w in row] for row in Wi] for Wi in W],
                  grad_b=[[float(x.grad) for x in bi] for bi in b])


# ---- examining one call of fn ---------------------------------------------------------------
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


def _examine(fn: Callable[..., Any], case: _Case, truth: _Truth, activation: Activation,
             samples: bool) -> _Problem | None:
    """Run fn on the case; None when every gradient matches the engine's."""
    try:
        result = fn(*case.arguments(samples))
    except Exception as error:
        return _Problem(case, truth, f"your fn raised {type(error).__name__}: {error}",
                        _where(error), kind="raised")
    result = _plain(result)
    if not isinstance(result, list) or len(result) != 2:
        return _Problem(case, truth, "your fn must return a pair (dWs, dbs), got "
                        f"{type(result).__name__} {_short(result)}", kind="returned")
    dWs, dbs = (_plain(part) for part in result)
    L = case.depth
    for name, part in (("dWs", dWs), ("dbs", dbs)):
        if not isinstance(part, list) or len(part) != L:
            count = f"{len(part)} entries" if isinstance(part, list) else (
                f"{type(part).__name__} {_short(part)}")
            symbol = "∇W" if name == "dWs" else "∇b"
            return _Problem(case, truth, f"your {name} is {count}; the network has {L} "
                            f"layer{'s' if L > 1 else ''}, so {name} needs {L}: "
                            + ", ".join(f"{name}[{i}] = {symbol}{_sup(i + 1)}"
                                        for i in range(L)), kind="returned")
    for i in range(L, 0, -1):  # backward order: ∇bᴸ, ∇Wᴸ, ..., ∇b¹, ∇W¹
        for is_bias in (True, False):
            given = dbs[i - 1] if is_bias else dWs[i - 1]
            problem = _check_quantity(given, i, is_bias, case, truth, activation, samples)
            if problem is not None:
                return problem
    return None


def _plain(x: Any) -> Any:
    """Lists and tuples (and numpy arrays, via tolist) as lists; anything else unchanged."""
    if isinstance(x, (list, tuple)):
        return list(x)
    tolist = getattr(x, "tolist", None)
    if callable(tolist) and not isinstance(x, numbers.Number):
        try:
            converted = tolist()
        except Exception:
            return x
        return list(converted) if isinstance(converted, (list, tuple)) else x
    return x


def _where(error: BaseException) -> list[str]:
    """The innermost frames of fn's traceback (our own frame, the call, is left out)."""
    frames = traceback.extract_tb(error.__traceback__)[1:]
    lines: list[str] = []
    seen: list[tuple[str, int | None]] = []
    for frame in frames:  # a comprehension's frames repeat their line: keep it once
        if seen and seen[-1] == (frame.filename, frame.lineno):
            continue
        seen.append((frame.filename, frame.lineno))
        code = f": {frame.line.strip()}" if frame.line else ""
        lines.append(f"  at {frame.filename}, line {frame.lineno}, in {frame.name}{code}")
    return lines[-3:]


def _check_quantity(given: Any, i: int, is_bias: bool, case: _Case, truth: _Truth,
                    activation: Activation, samples: bool) -> _Problem | None:
    """Shape, numbers, then values of ∇bⁱ or ∇Wⁱ."""
    name = f"∇b{_sup(i)}" if is_bias else f"∇W{_sup(i)}"
    yours = f"dbs[{i - 1}]" if is_bias else f"dWs[{i - 1}]"
    rows, cols = case.sizes[i], case.sizes[i - 1]
    shape = _count(rows, "entry", "entries") if is_bias else f"{rows} × {cols}"
    before = "per input" if i == 1 else f"per neuron of layer {i - 1}"
    why = (f"one per neuron of layer {i}" if is_bias else
           f"one row per neuron of layer {i}, one column {before}")

    def problem(headline: str, hint: str = "", kind: str = "shape") -> _Problem:
        details = [f"  {name} must be {shape} ({why})"]
        return _Problem(case, truth, headline, details, quantity=name, layer=i, hint=hint,
                        kind=kind)

    given = _plain(given)
    matrix_rows = [given] if is_bias else given
    if not isinstance(given, list):
        return problem(f"your {name} ({yours}) is {type(given).__name__} {_short(given)}, "
                       f"not a list")
    if not is_bias:
        matrix_rows = [_plain(row) for row in given]
        for j, row in enumerate(matrix_rows):
            if not isinstance(row, list):
                return problem(f"your {name} ({yours}) row {j} is {type(row).__name__} "
                               f"{_short(row)}, not a list (one row per neuron of layer {i})")
    got = (len(given),) if is_bias else (len(matrix_rows), *sorted({len(r) for r in matrix_rows}))
    if (is_bias and got != (rows,)) or (not is_bias and got != (rows, cols)):
        said = _count(got[0], "entry", "entries") if is_bias else (
            f"{_count(got[0], 'row')} of {' or '.join(map(str, got[1:]))} column"
            f"{'' if got[1:] == (1,) else 's'}" if len(got) > 1 else _count(got[0], "row"))
        return problem(f"your {name} ({yours}) has {said}; it must be {shape}",
                       _shape_hint(i, is_bias, got, case.sizes))
    numbers_: list[list[float]] = []
    for j, row in enumerate(matrix_rows):
        numbers_.append([])
        for k, x in enumerate(row):
            where = f"[{k}]" if is_bias else f"[{j}][{k}]"
            if isinstance(x, bool) or not isinstance(x, numbers.Real):
                return problem(f"your {name}{where} ({yours}{where}) is {type(x).__name__} "
                               f"{_short(x)}, not a number", kind="number")
            x = float(x)
            if not math.isfinite(x):
                return problem(f"your {name}{where} ({yours}{where}) is {x!r}, not a finite "
                               "number", kind="number")
            numbers_[-1].append(x)
    expected = [truth.grad_b[i]] if is_bias else truth.grad_W[i]
    for j, (e_row, g_row) in enumerate(zip(expected, numbers_)):
        for k, (e, g) in enumerate(zip(e_row, g_row)):
            if _close(g, e):
                continue
            entry = (k,) if is_bias else (j, k)
            mine = numbers_[0] if is_bias else numbers_
            where = "".join(f"[{n}]" for n in entry)
            p = _Problem(case, truth, f"your {name}{where} ({yours}{where}) is wrong",
                         quantity=name, layer=i, entry=entry, expected=e, given=g)
            p.details = [f"  expected {name}{where} = {e!r}  (the engine: Values, backward())",
                         f"  given    {name}{where} = {g!r}",
                         f"  expected {name} = {_show(expected[0] if is_bias else expected)}",
                         f"  given    {name} = {_show(mine)}",
                         *_formula(i, is_bias, entry, case, truth, activation, samples)]
            p.matches = _matching(mine, i, is_bias, case, truth, activation)
            p.hint = _hint(p.matches)
            return p
    return None


def _close(given: float, expected: float) -> bool:
    return abs(given - expected) <= _ATOL + _RTOL * abs(expected)


def _all_close(given: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return (isinstance(given, list) and len(given) == len(expected)
                and all(_all_close(g, e) for g, e in zip(given, expected)))
    return _close(given, expected)


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


# ---- recognising typical mistakes -----------------------------------------------------------
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


def _disambiguate(fn: Callable[..., Any], problem: _Problem, activation: Activation, samples: bool,
                  seed: int | None) -> None:
    """Several mistakes give the learner's numbers on the smallest network (often all zeros):
    keep those that also give them on other networks of the same sizes."""
    case, i, is_bias = problem.case, problem.layer, problem.quantity.startswith("∇b")
    rng = random.Random(1 if seed is None else seed + 1)
    left = problem.matches
    for _ in range(5):
        other = _random_case(case.sizes, len(case.X), activation, rng)
        truth = _truth(other, activation)
        try:
            dWs, dbs = (_plain(part) for part in _plain(fn(*other.arguments(samples))))
            given = _plain(dbs[i - 1]) if is_bias else [_plain(r) for r in _plain(dWs[i - 1])]
            there = {n for n, _ in _matching(given, i, is_bias, other, truth, activation)}
        except Exception:  # fn fails on it: this network tells nothing
            continue
        if there & {n for n, _ in left}:
            left = [(n, says) for n, says in left if n in there]
        if len(left) == 1:
            break
    problem.matches = left
    problem.hint = _hint(left)


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


# ---- probes: code right only on square networks, or only with one hidden layer ---------------
def _probe_hints(fn: Callable[..., Any], problem: _Problem, activation: Activation, samples: bool,
                 seed: int | None) -> list[str]:
    """Try fn on a few other networks to recognise square-only and one-hidden-layer code."""
    case = problem.case
    rng = random.Random(0 if seed is None else seed)
    N = len(case.X)
    hints = []
    sizes = case.sizes
    if len(set(sizes)) > 1:
        width = max(2, max(sizes))
        square = [_random_case((width,) * len(sizes), N, activation, rng) for _ in range(_PROBES)]
        found = [_examine(fn, c, _truth(c, activation), activation, samples) for c in square]
        if all(f is None for f in found):
            shape = " → ".join([str(width)] * len(sizes))
            hints.append(f"your code is right on square networks ({shape}, {_PROBES} tried)"
                         f" but not on this one, whose layers differ in size: "
                         "look for a loop bound or index that counts the neurons of one layer "
                         "where another layer is meant (len(W) is the neurons of the layer, "
                         "len(W[0]) those of the layer before)")
        elif problem.kind != "value":
            there = next(f for f in found if f is not None)
            if there.kind == "value" and there.hint:
                hints.append(f"on a square network ({' → '.join(map(str, there.case.sizes))}) "
                             f"your code runs, and there {there.hint[len('your '):]}"
                             if there.hint.startswith("your ") else there.hint)
    if case.depth != 2:
        shapes = [(sizes[0], 3, sizes[-1]), (sizes[0], 2, sizes[-1] + 1 if sizes[-1] < 5 else 1)]
        probes = [_random_case(shape, N, activation, rng) for shape in shapes for _ in range(2)]
        if all(_examine(fn, c, _truth(c, activation), activation, samples) is None
               for c in probes):
            hints.append(f"your code is right with one hidden layer (2 layers, {len(probes)} "
                         f"networks tried) but not with {case.depth}: the step δⁱ = "
                         f"{activation.symbol}′(zⁱ) ⊙ (Wʲᵀ δʲ) repeats for every hidden layer, "
                         "from the last back to the first, and every layer gets its ∇W and ∇b")
    return hints


def _random_case(sizes: tuple[int, ...], N: int, activation: Activation,
                 rng: random.Random) -> _Case:
    """A network of these sizes with numbers rounded to 2 decimals (ReLU kinks avoided)."""
    def numbers_(count: int) -> Vector:
        return [round(rng.uniform(-_BOUND, _BOUND), 2) for _ in range(count)]

    for _ in range(100):
        W: list[Matrix] = [[]] + [[numbers_(sizes[i - 1]) for _ in range(sizes[i])]
                                  for i in range(1, len(sizes))]
        b: list[Vector] = [[]] + [numbers_(n) for n in sizes[1:]]
        case = _Case(sizes, tuple(W), tuple(b), tuple(numbers_(sizes[0]) for _ in range(N)),
                     tuple(numbers_(sizes[-1]) for _ in range(N)))
        if not activation.kink or not _near_kink(_truth(case, activation)):
            break
    return case


def _near_kink(truth: _Truth) -> bool:
    return any(abs(v) <= _KINK for n in truth.z for layer in n for v in layer)


# ---- the search -----------------------------------------------------------------------------
class _Found(Exception):
    """Raised inside the hypothesis test to carry the problem out of it."""

    def __init__(self, problem: _Problem):
        super().__init__(problem.headline)
        self.problem = problem


def _search(fn: Callable[..., Any], activation: Activation, samples: bool, max_examples: int,
            seed: int | None) -> _Problem | None:
    """Hypothesis' smallest failing network for fn (None when every example passes)."""
    from hypothesis import HealthCheck, Phase, Verbosity, assume, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st
    from hypothesis.errors import Flaky

    numbers_ = st.floats(-_BOUND, _BOUND, allow_nan=False, allow_infinity=False,
                         allow_subnormal=False)

    @st.composite
    def cases(draw: st.DrawFn) -> _Case:
        # The sample count and the sizes come first, so shrinking them does not shift the
        # numbers drawn after them (hypothesis then finds the smallest network too).
        count = draw(st.integers(1, MAX_SAMPLES)) if samples else 1
        depth = draw(st.integers(1, MAX_LAYERS))
        sizes = tuple(draw(st.integers(1, MAX_WIDTH)) for _ in range(depth + 1))
        W: list[Matrix] = [[]]
        b: list[Vector] = [[]]
        for i in range(1, depth + 1):
            W.append([draw(st.lists(numbers_, min_size=sizes[i - 1], max_size=sizes[i - 1]))
                      for _ in range(sizes[i])])
            b.append(draw(st.lists(numbers_, min_size=sizes[i], max_size=sizes[i])))
        X = tuple(draw(st.lists(numbers_, min_size=sizes[0], max_size=sizes[0]))
                  for _ in range(count))
        Y = tuple(draw(st.lists(numbers_, min_size=sizes[-1], max_size=sizes[-1]))
                  for _ in range(count))
        return _Case(sizes, tuple(W), tuple(b), X, Y)

    def one_network(case: _Case) -> None:
        truth = _truth(case, activation)
        if activation.kink:
            assume(not _near_kink(truth))
        problem = _examine(fn, case, truth, activation, samples)
        if problem is not None:
            raise _Found(problem)

    own = settings(max_examples=max_examples, derandomize=False, database=None, deadline=None,
                   verbosity=Verbosity.quiet, print_blob=False, report_multiple_bugs=False,
                   phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
                   suppress_health_check=list(HealthCheck))
    test = own(given(cases())(one_network))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    try:
        test()
    except _Found as found:
        return found.problem
    except Flaky as error:
        raise BackpropMismatch("check_backprop: your fn failed on a network once but not when "
                               "run again on the same numbers: it is not deterministic (does "
                               "it keep state between calls, change its arguments, or use "
                               f"random numbers?) ({type(error).__name__})") from None
    return None


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


# ---- small helpers on lists of floats -------------------------------------------------------
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


def _matvec(W: Sequence[Sequence[float]], v: Sequence[float]) -> Vector:
    return [math.fsum(w * x for w, x in zip(row, v)) for row in W]


def _transpose(W: Sequence[Sequence[float]]) -> Matrix:
    return [list(column) for column in zip(*W)]


def _outer(u: Sequence[float], v: Sequence[float]) -> Matrix:
    return [[a * b for b in v] for a in u]


def _sum_over(items: list[Any]) -> Any:
    if isinstance(items[0], list):
        return [_sum_over([item[k] for item in items]) for k in range(len(items[0]))]
    return math.fsum(items)


def _scale(x: Any, factor: float) -> Any:
    if isinstance(x, list):
        return [_scale(v, factor) for v in x]
    return x * factor
