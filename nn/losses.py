"""Losses over `Value`s, each one graph node with its own local derivatives.

`seed_cost` is the seed's C = ½‖y − o‖² for one sample and `seed_loss` its **sum**
L = Σₙ Cⁿ over a data set (the seed calls it "MSE", but it is a sum, so ∂L/∂w = Σₙ ∂Cⁿ/∂w).
The others are the usual training losses. Every loss is a single node of an op declared
once in the op table (`autograd.ops`), its targets and labels bound to it as static
arguments; the rules use operators, so they also serve higher-order gradients.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import autograd
from autograd import Value, apply
from autograd.ops import SIGMOID, SOFTPLUS, Op, register
from autograd.reals import real
from nn._util import choice, in_range, shared_doc

__all__ = [
    "seed_cost",
    "seed_loss",
    "mse",
    "hinge",
    "bce_with_logits",
    "softmax_cross_entropy",
    "softmax",
    "l2_penalty",
]

REDUCTIONS = ("mean", "sum")


# ---- argument handling ----------------------------------------------------------------------
def _value(x: Any, who: str, what: str) -> Value:
    if isinstance(x, Value):
        return x
    raise TypeError(f"{who}: {what} must be a Value, got {type(x).__name__} {x!r}")


def _target(y: Any, who: str, what: str) -> float:
    if isinstance(y, Value):
        raise TypeError(f"{who}: {what} must be a plain number (targets are constants), "
                        f"got Value {y!r}")
    return real(y, who, what)


def _sequence(x: Any, who: str, what: str) -> list[Any]:
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{who}: {what} must be a sequence, got {type(x).__name__} {x!r}")
    return list(x)


def _vector(x: Any, who: str, what: str) -> list[Any]:
    """One sample's outputs or targets as a list: a lone Value or number is a 1-vector."""
    if isinstance(x, (Value, numbers.Real)) or getattr(x, "ndim", None) == 0:
        return [x]
    return _sequence(x, who, what)


def _pairs(outputs: Any, targets: Any, who: str) -> tuple[list[Value], list[float]]:
    """Flatten per-sample outputs and targets (Values/numbers or equal-length lists)."""
    outs = _sequence(outputs, who, "outputs")
    ys = _sequence(targets, who, "targets")
    if len(outs) != len(ys):
        raise ValueError(f"{who}: {len(outs)} outputs but {len(ys)} targets")
    if not outs:
        raise ValueError(f"{who}: needs at least one sample, got none")
    flat_o: list[Value] = []
    flat_y: list[float] = []
    for n, (o, y) in enumerate(zip(outs, ys)):
        o, y = _vector(o, who, f"outputs[{n}]"), _vector(y, who, f"targets[{n}]")
        if len(o) != len(y):
            raise ValueError(f"{who}: sample {n} has {len(o)} outputs but {len(y)} targets")
        flat_o += [_value(v, who, f"outputs[{n}]") for v in o]
        flat_y += [_target(v, who, f"targets[{n}]") for v in y]
    return flat_o, flat_y


def _scale(n: int, reduction: str, who: str) -> float:
    return 1.0 / n if choice(reduction, REDUCTIONS, who, "reduction") == "mean" else 1.0


def _node(op: Op, params: tuple[Any, ...], label: str, inputs: list[Value]) -> Value:
    out = apply(op.bind(*params), *inputs)
    out.label = label
    return out


def _loss(name: str, symbol: str, forward: Any, rule: Any, text: Any, doc: str, *,
          who: str | None = None, residual: bool = False) -> Op:
    """Declare a loss in the op table (once, at import): rule(*params, g, out, *xs).

    Its forward and rule are checked: when every number going in is finite, a non-finite
    number (or an OverflowError) coming out raises OverflowError naming the loss `who`.
    """
    who = who or name

    def checked_forward(*args: Any) -> float:
        try:
            out = forward(*args)
        except OverflowError:  # float ** and math.fsum raise; * and + give inf
            out = math.inf
        if not math.isfinite(out) and _all_finite(args):
            largest = max(abs(x) for x in args if type(x) is float)
            raise OverflowError(f"{who}: overflow: the loss is too large for a float (largest "
                                f"|input| {largest:.3g}); scale the values down")
        return out

    def checked_rule(*args: Any) -> list[Any]:
        sends = list(rule(*args))
        if set(map(type, sends)) <= _FLOAT and math.isfinite(sum(sends)):
            return sends  # all finite floats (a sum of floats is finite only then)
        for i, d in enumerate(sends):
            if not math.isfinite(d.data if isinstance(d, Value) else d) and _all_finite(args):
                raise OverflowError(f"{who}: overflow: the gradient sent to input {i} is too "
                                    "large for a float")
        return sends

    return register(Op(name=name, arity=None, forward=checked_forward, rule=checked_rule,
                       symbol=symbol, local_text=text, doc=doc, residual=residual))


_FLOAT = {float}


def _all_finite(args: tuple[Any, ...]) -> bool:
    """Every number (float or Value) among a forward's or rule's arguments is finite."""
    return all(math.isfinite(_data(a)) for a in args if isinstance(a, (float, Value)))


def _data(x: Any) -> float:
    return x if type(x) is float else x.data


def _sigmoid(x: Any) -> Any:
    """σ(x) of a float or a `Value` (the op table's σ: one formula in the engine)."""
    return x.sigmoid() if isinstance(x, Value) else SIGMOID.forward(x)


# ---- the seed's cost -----------------------------------------------------------------------
def seed_cost(outputs: Any, targets: Any, *, label: str = "C") -> Value:
    """The seed's C = ½‖y − o‖² for one sample; ∂C/∂oᵢ = oᵢ − yᵢ (so δᵒ = (o − y) ⊙ σ′(zᵒ)).

    Args:
        outputs: the network's outputs o for the sample: a list of `Value`s, or one `Value`.
        targets: the targets y: numbers (constants), as many as outputs, or one number.
        label: the label of the cost node (the seed's "C"; `seed_loss` uses "C^n").

    Returns:
        One graph node C.

    Raises:
        TypeError: an output is not a `Value` or a target is not a real number.
        ValueError: the numbers of outputs and targets differ, there are none, or a target
            is not finite.
    """
    who = "seed_cost"
    os_ = [_value(o, who, "outputs[i]") for o in _vector(outputs, who, "outputs")]
    ys = [_target(y, who, "targets[i]") for y in _vector(targets, who, "targets")]
    if len(os_) != len(ys):
        raise ValueError(f"{who}: {len(os_)} outputs but {len(ys)} targets")
    if not os_:
        raise ValueError(f"{who}: needs at least one output, got none")

    return _node(SEED_COST, (tuple(ys),), label, os_)


def _seed_cost_forward(ys: tuple[float, ...], *o: float) -> float:
    return 0.5 * math.fsum((oi - yi) ** 2 for oi, yi in zip(o, ys))


def _seed_cost_rule(ys: tuple[float, ...], g: Any, out: Any, *o: Any) -> list[Any]:
    return [g * (oi - yi) for oi, yi in zip(o, ys)]  # ∂C/∂oᵢ = oᵢ − yᵢ


def _seed_cost_text(pos: int, out: str, inputs: Sequence[str], params: tuple[Any, ...]) -> str:
    return f"{inputs[pos]} − y{_subscript(pos)}"  # the seed's (o − y) in every drawing


SEED_COST = _loss("seed_cost", "½‖y−o‖²", _seed_cost_forward, _seed_cost_rule,
                  _seed_cost_text, "the seed's C = ½‖y − o‖², targets bound", residual=True)


def _subscript(i: int) -> str:
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def seed_loss(outputs: Sequence[Any], targets: Sequence[Any]) -> Value:
    """The seed's L = Σₙ Cⁿ: a SUM over samples (not a mean), so ∇L = Σₙ ∇Cⁿ.

    Args:
        outputs: one entry per sample, each what `seed_cost` takes as outputs.
        targets: one entry per sample, each what `seed_cost` takes as targets.

    Returns:
        The node L, the sum of the per-sample costs C^1, ..., C^N.

    Raises:
        TypeError: an argument is not a sequence, or a sample as in `seed_cost`.
        ValueError: the numbers of samples differ or are 0, or a sample as in `seed_cost`.
    """
    outs = _sequence(outputs, "seed_loss", "outputs")
    ys = _sequence(targets, "seed_loss", "targets")
    if len(outs) != len(ys):
        raise ValueError(f"seed_loss: {len(outs)} samples of outputs but {len(ys)} of targets")
    if not outs:
        raise ValueError("seed_loss: needs at least one sample, got none")
    costs = [seed_cost(o, y, label=f"C^{n + 1}") for n, (o, y) in enumerate(zip(outs, ys))]
    return autograd.sum(costs, label="L")


_PAIRED = shared_doc(
    type_error="""TypeError: an output is not a `Value`, a target not a real number, or an argument
    not a sequence.""",
    paired="the numbers of samples or of values per sample differ, there are none, a target "
           "is not finite")
"""What the losses over (output, target) pairs raise alike."""


# ---- training losses -----------------------------------------------------------------------
@_PAIRED
def mse(outputs: Sequence[Any], targets: Sequence[Any], *, reduction: str = "mean") -> Value:
    """Mean (or sum) of (oᵢ − yᵢ)² over every output of every sample.

    Args:
        outputs: per sample, a `Value` or a list of `Value`s.
        targets: per sample, a number or a list of numbers of the same length.
        reduction: 'mean' (divide by the number of values) or 'sum'.

    Returns:
        One graph node.

    Raises:
        {type_error}
        ValueError: {paired}, or `reduction` is unknown.
    """
    os_, ys = _pairs(outputs, targets, "mse")
    scale = _scale(len(os_), reduction, "mse")

    return _node(MSE, (tuple(ys), scale), "mse", os_)


def _mse_forward(ys: tuple[float, ...], scale: float, *o: float) -> float:
    return scale * math.fsum((oi - yi) ** 2 for oi, yi in zip(o, ys))  # overflow: see _loss


def _mse_rule(ys: tuple[float, ...], scale: float, g: Any, out: Any, *o: Any) -> list[Any]:
    return [g * ((oi - yi) * (2 * scale)) for oi, yi in zip(o, ys)]


MSE = _loss("mse", "mse", _mse_forward, _mse_rule, (), "mean (or sum) squared error")


@_PAIRED
def hinge(scores: Sequence[Any], labels: Sequence[Any], *, margin: float = 1.0,
          reduction: str = "mean") -> Value:
    """Max-margin loss mean(max(0, margin − yᵢ·sᵢ)) for labels yᵢ = ±1 (micrograd's demo).

    Args:
        scores: per sample, a `Value` (or a list of them).
        labels: per sample, -1 or +1 (or a list of them); for 0/1 labels pass 2*y - 1.
        margin: the margin, a finite number ≥ 0.
        reduction: 'mean' or 'sum'.

    Returns:
        One graph node (its derivative is a step: no second-order terms).

    Raises:
        {type_error}
        ValueError: {paired}, a label is not ±1, `margin` is out of range, or `reduction`
            is unknown.
    """
    who = "hinge"
    s, ys = _pairs(scores, labels, who)
    for n, y in enumerate(ys):
        if y not in (-1.0, 1.0):
            raise ValueError(f"{who}: labels must be -1 or +1, got {y!r} at {n} "
                             "(for 0/1 labels use 2*y - 1)")
    margin = in_range(margin, who, "margin", 0.0, math.inf, high_open=True)
    scale = _scale(len(s), reduction, who)

    return _node(HINGE, (tuple(ys), margin, scale), "hinge", s)


def _hinge_forward(ys: tuple[float, ...], margin: float, scale: float, *x: float) -> float:
    return scale * math.fsum(max(0.0, margin - y * xi) for xi, y in zip(x, ys))


def _hinge_rule(ys: tuple[float, ...], margin: float, scale: float, g: Any, out: Any,
                *x: Any) -> list[Any]:  # a step in each score: no higher-order terms
    return [g * (-y * scale if margin - y * _data(xi) > 0 else 0.0) for xi, y in zip(x, ys)]


HINGE = _loss("hinge", "hinge", _hinge_forward, _hinge_rule, (), "max-margin loss")


@_PAIRED
def bce_with_logits(logits: Sequence[Any], targets: Sequence[Any], *,
                    reduction: str = "mean") -> Value:
    """Binary cross-entropy of sigmoid(logit) against targets in [0, 1], overflow-free.

    Equals `torch.nn.functional.binary_cross_entropy_with_logits`; finite at logits of ±1000.

    Args:
        logits: per sample, a `Value` (or a list of them).
        targets: per sample, a probability in [0, 1] (or a list of them).
        reduction: 'mean' or 'sum'.

    Returns:
        One graph node.

    Raises:
        {type_error}
        ValueError: {paired}, a target is outside [0, 1], or `reduction` is unknown.
    """
    who = "bce_with_logits"
    xs, ts = _pairs(logits, targets, who)
    for n, t in enumerate(ts):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"{who}: targets must be in [0, 1], got {t!r} at {n}")
    scale = _scale(len(xs), reduction, who)

    return _node(BCE, (tuple(ts), scale), "bce", xs)


def _bce_forward(ts: tuple[float, ...], scale: float, *x: float) -> float:
    # log(1 + e^x) − t·x = softplus(x) − t·x, softplus computed without overflow
    return scale * math.fsum(SOFTPLUS.forward(xi) - t * xi for xi, t in zip(x, ts))


def _bce_rule(ts: tuple[float, ...], scale: float, g: Any, out: Any, *x: Any) -> list[Any]:
    return [g * ((_sigmoid(xi) - t) * scale) for xi, t in zip(x, ts)]


BCE = _loss("bce", "bce", _bce_forward, _bce_rule, (), "binary cross-entropy of logits",
           who="bce_with_logits")


def softmax_cross_entropy(logits: Sequence[Any], labels: Any, *,
                          reduction: str = "mean") -> Value:
    """−log softmax(logits)[label], per sample; one sample: `(logits, int)`, else batches.

    Equals `torch.nn.functional.cross_entropy`; stable at logits of ±1000.

    Args:
        logits: one sample's list of `Value`s, or a list of such rows (they may differ in
            length).
        labels: the class index (an int) for one sample, or a list of them, one per row.
        reduction: 'mean' (over samples) or 'sum'.

    Returns:
        One graph node.

    Raises:
        TypeError: a logit is not a `Value`, a label not an int, or an argument not a
            sequence.
        ValueError: the numbers of rows and labels differ or are 0, a row is empty, a label
            is not an index into its row, or `reduction` is unknown.
    """
    who = "softmax_cross_entropy"
    if isinstance(labels, numbers.Integral) and not isinstance(labels, bool):
        logits, labels = [logits], [labels]
    rows = [_vector(row, who, f"logits[{n}]")
            for n, row in enumerate(_sequence(logits, who, "logits"))]
    ls = _sequence(labels, who, "labels")
    if len(rows) != len(ls):
        raise ValueError(f"{who}: {len(rows)} samples of logits but {len(ls)} labels")
    if not rows:
        raise ValueError(f"{who}: needs at least one sample, got none")
    spans: list[tuple[int, int, int]] = []
    flat: list[Value] = []
    for n, (row, label) in enumerate(zip(rows, ls)):
        if not row:
            raise ValueError(f"{who}: sample {n} has no logits")
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):
            raise TypeError(f"{who}: labels must be class indices (int), got {label!r} at {n}")
        index = int(label)
        if not 0 <= index < len(row):
            raise ValueError(f"{who}: label {label} at {n} is not a class index in "
                             f"[0, {len(row)})")
        spans.append((len(flat), len(row), index))
        flat += [_value(v, who, f"logits[{n}]") for v in row]
    scale = _scale(len(rows), reduction, who)

    return _node(SOFTMAX_CE, (tuple(spans), scale), "cross-entropy", flat)


def _softmax_ce_forward(spans: tuple[tuple[int, int, int], ...], scale: float,
                        *x: float) -> float:
    total = []
    for start, k, label in spans:
        row = x[start:start + k]
        m = max(row)
        total.append(m + math.log(math.fsum(math.exp(v - m) for v in row)) - row[label])
    return scale * math.fsum(total)


def _softmax_ce_rule(spans: tuple[tuple[int, int, int], ...], scale: float, g: Any, out: Any,
                     *x: Any) -> list[Any]:  # softmaxᵢ − [i = label]
    result = []
    for start, k, label in spans:
        row = x[start:start + k]
        m = max(_data(v) for v in row)
        exps = [(v - m).exp() if isinstance(v, Value) else math.exp(v - m) for v in row]
        total = autograd.sum(exps) if isinstance(row[0], Value) else math.fsum(exps)
        result += [g * ((e / total - (1.0 if i == label else 0.0)) * scale)
                   for i, e in enumerate(exps)]
    return result


def softmax(logits: Sequence[Any]) -> list[Value]:
    """Probabilities eᶻⁱ / Σⱼ eᶻʲ for one sample's logits, as Values (torch.softmax).

    For reading off what a classifier predicts; train with `softmax_cross_entropy` (one
    node, exact at any logit). The largest logit is subtracted first (as a constant: the
    result and its gradients do not change), so logits of ±1000 give no overflow.

    Args:
        logits: one sample's scores, a list of `Value`s (a lone Value is one logit).

    Returns:
        One probability `Value` per logit; each depends on every logit.

    Raises:
        TypeError: `logits` is not a sequence of Values.
        ValueError: `logits` is empty.
    """
    row = [_value(v, "softmax", f"logits[{i}]")
           for i, v in enumerate(_vector(logits, "softmax", "logits"))]
    if not row:
        raise ValueError("softmax: needs at least one logit, got none")
    m = max(v.data for v in row)
    exps = [(v - m).exp() for v in row]
    total = autograd.sum(exps)
    return [e / total for e in exps]


SOFTMAX_CE = _loss("softmax-ce", "cross-entropy", _softmax_ce_forward, _softmax_ce_rule, (),
                   "softmax cross-entropy, labels bound", who="softmax_cross_entropy")


def l2_penalty(parameters: Any, alpha: float = 1e-4) -> Value:
    """alpha · Σ p² over `parameters` (a list of Values or a Module): weight decay as a loss.

    Args:
        parameters: a list of `Value`s, or a `Module` (its `parameters()` are taken).
        alpha: the strength, a finite number ≥ 0.

    Returns:
        One graph node.

    Raises:
        TypeError: `parameters` is not a sequence or holds a non-Value; `alpha` is not a
            real number.
        ValueError: there are no parameters, or `alpha` is negative or not finite.
    """
    who = "l2_penalty"
    if hasattr(parameters, "parameters") and callable(parameters.parameters):
        parameters = parameters.parameters()
    ps = [_value(p, who, "parameters[i]") for p in _sequence(parameters, who, "parameters")]
    if not ps:
        raise ValueError(f"{who}: needs at least one parameter, got none")
    alpha = in_range(alpha, who, "alpha", 0.0, math.inf, high_open=True)

    return _node(L2, (alpha,), "l2", ps)


def _l2_forward(alpha: float, *p: float) -> float:
    return alpha * math.fsum(map(operator.mul, p, p))


def _l2_rule(alpha: float, g: Any, out: Any, *p: Any) -> list[Any]:
    return [g * (pi * (2 * alpha)) for pi in p]


L2 = _loss("l2", "l2", _l2_forward, _l2_rule, (), "α·Σ p², weight decay as a loss",
          who="l2_penalty")
