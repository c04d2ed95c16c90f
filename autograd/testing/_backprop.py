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

import numbers
import random
import traceback
from collections.abc import Callable
from typing import Any

from autograd import activations
from autograd.activations import Activation
from autograd.extras import extra_needed
from autograd.reals import real
from autograd.testing._backprop_mistakes import _hint, _matching, _shape_hint
from autograd.testing._backprop_report import (
    _count,
    _formula,
    _Problem,
    _report,
    _short,
    _show,
    _sup,
)
from autograd.testing._backprop_truth import (
    BOUND,
    MAX_LAYERS,
    MAX_SAMPLES,
    MAX_WIDTH,
    Matrix,
    Vector,
    _Case,
    _close,
    _near_kink,
    _random_case,
    _Truth,
    _truth,
)

_PROBES = 3  # networks tried per probe (square-only / one-hidden-layer-only code)


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


# ---- examining one call of fn ---------------------------------------------------------------

def _examine(fn: Callable[..., Any], case: _Case, truth: _Truth, activation: Activation,
             samples: bool) -> _Problem | None:
    """Run fn on the case; None when every gradient matches the engine's."""
    try:
        result = fn(*case.arguments(samples))
    except Exception as error:
        return _Problem(case, truth, f"your fn raised {type(error).__name__}: {error}",
                        _where(error), kind="raised")
    result = _as_list(result)
    if not isinstance(result, list) or len(result) != 2:
        return _Problem(case, truth, "your fn must return a pair (dWs, dbs), got "
                        f"{type(result).__name__} {_short(result)}", kind="returned")
    dWs, dbs = (_as_list(part) for part in result)
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


def _as_list(x: Any) -> Any:
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

    given = _as_list(given)
    matrix_rows = [given] if is_bias else given
    if not isinstance(given, list):
        return problem(f"your {name} ({yours}) is {type(given).__name__} {_short(given)}, "
                       f"not a list")
    if not is_bias:
        matrix_rows = [_as_list(row) for row in given]
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
            try:  # numpy scalars count; bools, strings, inf and nan do not
                numbers_[-1].append(real(x, "check_backprop", f"your {name}{where} "
                                                              f"({yours}{where})"))
            except (TypeError, ValueError, OverflowError) as error:
                return problem(str(error).removeprefix("check_backprop: "), kind="number")
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
            dWs, dbs = (_as_list(part) for part in _as_list(fn(*other.arguments(samples))))
            given = _as_list(dbs[i - 1]) if is_bias else [_as_list(r) for r in _as_list(dWs[i - 1])]
            there = {n for n, _ in _matching(given, i, is_bias, other, truth, activation)}
        except Exception:  # fn fails on it: this network tells nothing
            continue
        if there & {n for n, _ in left}:
            left = [(n, says) for n, says in left if n in there]
        if len(left) == 1:
            break
    problem.matches = left
    problem.hint = _hint(left)


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

    numbers_ = st.floats(-BOUND, BOUND, allow_nan=False, allow_infinity=False,
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
