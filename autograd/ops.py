"""The table of ops: each op declared once, read by everything else.

An op is a forward function on floats and a chain rule. The rule answers the seed's
question "given g = ∂C/∂out, what does each input receive?" and is written once as
`rule(g, out, *xs) -> one contribution per input`. The backward pass calls it with floats
(first order) or with the `Value`s themselves (`create_graph=True`), so the same arithmetic
serves every derivative order: a rule uses only operators and the `_fn` helpers below,
which work on both.

The rest of the library reads this table: `Value`'s operators and methods, the drawings'
edge labels (`local_text`), the draw CLI's whitelist, the hypothesis strategies, generated
code (`code`, `local_code`) and the PyTorch oracle tests (`torch`). Adding an op is one
`register(Op(...))` call.

Templates name the inputs `{x}` (one input) or `{a}`, `{b}` (two), and the result `{out}`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

__all__ = ["Op", "Terms", "WeightedSum", "weighted_sum", "register", "unregister", "get",
           "table", "names", "public", "text_to_latex", "fill"]

Rule = Callable[..., Sequence[Any]]


# ---- the chain rules: rule(g, out, *xs) -> what each input receives ------------------------
# g is ∂C/∂out, the gradient arriving from above; each rule returns g times the local
# derivative ∂out/∂x for every input x. Called with floats, or with Values (create_graph).
def _add_rule(g, out, a, b):
    return g, g


def _sub_rule(g, out, a, b):
    return g, -g


def _mul_rule(g, out, a, b):  # the seed's ∂z/∂w = a and ∂z/∂a = w
    return g * b, g * a


def _div_rule(g, out, a, b):  # out = a / b: ∂/∂a = 1/b, ∂/∂b = -a/b² = -out/b
    return g / b, -g * out / b


def _pow_rule(g, out, a, b):  # out = a ** b: ∂/∂a = b·a^(b-1), ∂/∂b = out·ln a
    if _data(a) > 0:
        d_exponent = g * out * _fn("log", a)
    else:  # ln a undefined: 0 where PyTorch masks it (a = 0, b ≥ 0), else nan
        d_exponent = g * (0.0 if _data(a) == 0 and _data(b) >= 0 else math.nan)
    if _data(a) == 0 and _data(b) == 0:  # 0 ** 0 = 1: b·a^(b−1) is 0·0⁻¹; 0 as in PyTorch
        return g * 0.0, d_exponent
    return g * b * a ** (b - 1), d_exponent


def _pow_n_rule(n, g, out, x):  # out = x ** n for a number n
    if n == 0:
        return (g * 0.0,)
    return (g * n * x ** (n - 1),)


def _neg_rule(g, out, x):
    return (-g,)


def _exp_rule(g, out, x):
    return (g * out,)


def _expm1_rule(g, out, x):
    return (g * (out + 1),)


def _log_rule(g, out, x):
    return (g / x,)


def _log1p_rule(g, out, x):
    return (g / (x + 1),)


def _tanh_rule(g, out, x):
    return (g * (1 - out * out),)


def _sigmoid_rule(g, out, x):  # σ' = σ (1 − σ), the seed's σ′(z)
    return (g * (out * (1 - out)),)


def _relu_rule(g, out, x):  # a step: constant pieces, so no higher-order terms
    return (g * (1.0 if _data(x) > 0 else 0.0),)


def _sqrt_rule(g, out, x):
    return (g * 0.5 / out,)


def _abs_rule(g, out, x):
    x = _data(x)
    return (g * (1.0 if x > 0 else (-1.0 if x < 0 else 0.0)),)


def _sin_rule(g, out, x):
    return (g * _fn("cos", x),)


def _cos_rule(g, out, x):
    return (-g * _fn("sin", x),)


def _softplus_rule(g, out, x):  # softplus' = σ
    return (g * _fn("sigmoid", x),)


def _max_rule(g, out, a, b):  # ties split evenly, as torch.maximum
    a, b = _data(a), _data(b)
    if a > b:
        return g * 1.0, g * 0.0
    if a < b:
        return g * 0.0, g * 1.0
    return g * 0.5, g * 0.5


def _min_rule(g, out, a, b):  # ties split evenly, as torch.minimum
    a, b = _data(a), _data(b)
    if a < b:
        return g * 1.0, g * 0.0
    if a > b:
        return g * 0.0, g * 1.0
    return g * 0.5, g * 0.5


def _sum_rule(g, out, *terms):
    return (g,) * len(terms)


def _dot_rule(g, out, *args):
    """z = Σₖ wₖ·aₖ (+ b): ∂z/∂wₖ = aₖ, ∂z/∂aₖ = wₖ, ∂z/∂b = 1 (the seed's derivation)."""
    n = len(args) // 2
    sends = [g * local for local in args[n:2 * n] + args[:n]]  # wₖ gets g·aₖ, aₖ gets g·wₖ
    if len(args) % 2:
        sends.append(g)
    return sends


# ---- an entry of the table ------------------------------------------------------------------
class Op:
    """One op: its name, arity, forward on floats, chain rule and display/code forms.

    Attributes:
        name: the key in the table; also `Value.op` of the nodes it makes.
        arity: number of inputs, or None for n-ary ops (`dot`, `sum`).
        forward: floats -> float; raises an error naming the op outside its domain.
        rule: `rule(g, out, *xs)` -> one contribution per input (floats or Values).
        symbol: how a drawing writes the op (`*`, `tanh`, `Σ`).
        local_text: ∂out/∂input for each input, as display text templates.
        latex: the same local derivatives as LaTeX templates (derivations); when empty,
            `describe(..., latex=True)` converts the display text.
        method: the `Value` method (and draw CLI function) name, if any.
        operator: the dunder stem for a binary operator (`add` -> `__add__`, `__radd__`).
        code: Python expression template for the forward value (generated code).
        local_code: Python expression templates for each local derivative.
        torch: the equivalent PyTorch function, for oracle tests (`torch.tanh`).
        order: highest derivative order the rule supports (None: every order).
        safe: strategies' test that the inputs are ≥ `margin` from domain edges and kinks.
        builtin: declared by autograd (the draw CLI only offers built-ins).
        internal: bookkeeping entries (constants, micrograd closures) no one calls.
        inline: `code` computes exactly `forward` and cannot fail, so `Value`'s operator
            runs the code inline (no call): true for + − * neg relu.
        zeros: the output is exactly 0.0 on a whole region of inputs (an off ReLU), so
            `autograd.compile`'s batch loop adds a Σ's product with it only when it is not.
        params: bound static arguments (the exponent of `x ** n`), passed to `rule` first.
        doc: one-line description (the method's docstring).
        param_examples: values of the bound parameter (`params`) that the hypothesis
            strategies draw, e.g. exponents of `x ** n`.
        terms: for an n-ary op that is a sum of products of its parents (`dot`, `sum`), the
            parent layout: `terms(len(parents))` -> `Terms`; generated code is written
            from it (arity 0 marks a constant: a leaf holding a number).
    """

    __slots__ = ("name", "arity", "forward", "rule", "symbol", "local_text", "latex", "method",
                 "operator", "code", "local_code", "torch", "order", "safe", "builtin",
                 "internal", "inline", "zeros", "params", "doc", "param_examples", "terms")
    name: str
    arity: int | None
    forward: Callable[..., float]
    rule: Rule
    symbol: str
    local_text: tuple[str, ...] | Callable[..., str | None]
    latex: tuple[str, ...] | Callable[..., str | None]
    method: str | None
    operator: str | None
    code: str | None
    local_code: tuple[str, ...]
    torch: str | None
    order: int | None
    safe: Callable[..., bool] | None
    builtin: bool
    internal: bool
    inline: bool
    zeros: bool
    params: tuple[Any, ...]
    doc: str
    param_examples: tuple[Any, ...]
    terms: Callable[[int], Terms] | None

    def __init__(self, name: str, arity: int | None, forward: Callable[..., float], rule: Rule,
                 *, symbol: str = "",
                 local_text: tuple[str, ...] | Callable[..., str | None] = (),
                 latex: tuple[str, ...] | Callable[..., str | None] = (),
                 method: str | None = None, operator: str | None = None,
                 code: str | None = None, local_code: tuple[str, ...] = (),
                 torch: str | None = None, order: int | None = None,
                 safe: Callable[..., bool] | None = None, builtin: bool = False,
                 internal: bool = False, inline: bool = False, zeros: bool = False,
                 params: tuple[Any, ...] = (),
                 doc: str = "", param_examples: tuple[Any, ...] = (),
                 terms: Callable[[int], Terms] | None = None):
        """Declare an op (fields as described above); entries are read-only afterwards."""
        fields = dict(locals())
        del fields["self"]
        for key in self.__slots__:
            object.__setattr__(self, key, fields[key])

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError(f"Op {self.name!r} is read-only: make a new one with replace()")

    def replace(self, **changes: Any) -> Op:
        """A copy of this entry with some fields changed (like dataclasses.replace)."""
        fields = {key: getattr(self, key) for key in self.__slots__}
        fields.update(changes)
        return Op(**fields)

    def bind(self, *params: Any) -> Op:
        """This op with static arguments fixed (e.g. the exponent n of `x ** n`)."""
        return _bound(self, params)

    def describe(self, pos: int, out: str, inputs: Sequence[str], *,
                 latex: bool = False) -> str | None:
        """The local derivative ∂out/∂inputs[pos] as text, from display names.

        `out` and `inputs` are the names a drawing uses (LaTeX names when `latex`); None
        when the op has no text. Templates may name the inputs `{x}` (one), `{a}`, `{b}`
        (two) or by position `{x0}`, `{x1}`, ... (any number).
        """
        text = self.latex if latex and self.latex else self.local_text
        convert = latex and not self.latex
        if callable(text):
            found = text(pos, out, inputs, self.params)
            return text_to_latex(found) if convert and found is not None else found
        if pos >= len(text):
            return None
        names = _slots(out, inputs, ())
        try:  # a template naming {x2} on a node of an n-ary op with two inputs: no text
            if convert:  # the display template, converted around the (already LaTeX) names
                marked = {k: f"\x00{k}\x01" for k in names}
                found = text_to_latex(text[pos].format(**marked))
                return re.sub("\x00(\\w+)\x01", lambda m: names[m.group(1)], found)
            return text[pos].format(**names)
        except KeyError:
            return None

    def text(self) -> str:
        """How the op is written on a node: the symbol with its bound arguments."""
        if self.params and self.name == "**n":
            return f"**{_fmt(self.params[0])}"
        return self.symbol or self.name

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by name (and bound arguments): graphs hold no functions of their own."""
        return (_lookup, (self.name, self.params))

    def __repr__(self) -> str:
        extra = f", params={self.params!r}" if self.params else ""
        return f"Op({self.name!r}, arity={self.arity!r}{extra})"


class Terms(NamedTuple):
    """An n-ary op's output as Σ of products of parents plus parents added alone."""

    products: tuple[tuple[int, int], ...]  # parent positions multiplied pairwise, in order
    singles: tuple[int, ...]  # parent positions added after the products
    exact: bool  # math.fsum (one rounding) rather than adding left to right from 0.0


class WeightedSum(NamedTuple):
    """Where a neuron's z = Σₖ wₖ·aₖ (+ b) keeps its parts among a node's parents."""

    weights: tuple[int, ...]  # parent positions of w₀, w₁, ...
    inputs: tuple[int, ...]  # parent positions of a₀, a₁, ... (aₖ is multiplied by wₖ)
    bias: int | None  # parent position of b, or None


def weighted_sum(op: Op | None, count: int) -> WeightedSum | None:
    """The parent layout of a node of `op` with `count` parents if it is a weighted sum
    Σₖ wₖ·aₖ (+ b) (a neuron's z, the op `dot`), else None. The one reader of `Op.terms`
    for code that asks "which parents are the weights, the inputs, the bias?"."""
    if op is None or op.terms is None:
        return None
    terms = op.terms(count)
    if not terms.products or len(terms.singles) > 1:
        return None
    weights = tuple(w for w, _ in terms.products)
    inputs = tuple(a for _, a in terms.products)
    return WeightedSum(weights, inputs, terms.singles[0] if terms.singles else None)


def fill(template: str, out: str, inputs: Sequence[str], params: Sequence[str] = ()) -> str:
    """A template with its slots filled with text: `{out}`, `{x}` (one input), `{a}`, `{b}`
    (two), `{x0}`, `{x1}`, ... (any number) and `{n}` (the first bound argument)."""
    return template.format(**_slots(out, inputs, params))


def _slots(out: str, inputs: Sequence[str], params: Sequence[str]) -> dict[str, str]:
    names = {"out": out, **{f"x{i}": name for i, name in enumerate(inputs)}}
    if len(inputs) == 1:
        names["x"] = inputs[0]
    elif len(inputs) == 2:
        names["a"], names["b"] = inputs
    if params:
        names["n"] = params[0]
    return names


_TABLE: dict[str, Op] = {}
_LOCK = threading.Lock()
_listeners: list[Callable[[Op], None]] = []
_removers: list[Callable[[Op], None]] = []
_bound_cache: dict[tuple[str, tuple[Any, ...]], Op] = {}


def register(op: Op) -> Op:
    """Add `op` to the table (and its method/operator to `Value`); returns it.

    Raises:
        TypeError: `op` is not an Op.
        ValueError: the name is taken by a built-in op (custom ops may be redefined).
    """
    if not isinstance(op, Op):
        raise TypeError(f"register: expected an Op, got {type(op).__name__}")
    with _LOCK:
        old = _TABLE.get(op.name)
        if old is not None and old.builtin:
            raise ValueError(f"register: the op name {op.name!r} is taken by a built-in op")
        _TABLE[op.name] = op
        _forget_bound(op.name)
    for listener in list(_listeners):
        listener(op)
    return op


def unregister(name: str) -> Op:
    """Remove the custom op `name` (and its `Value` method); returns its entry.

    Raises:
        KeyError: no op of that name.
        ValueError: `name` is a built-in op.
    """
    op = get(name)
    if op.builtin:
        raise ValueError(f"unregister: {name!r} is a built-in op")
    return _drop(name)


def _drop(name: str) -> Op:
    """Remove any op (tests that declare a temporary built-in clean up with this)."""
    with _LOCK:
        op = _TABLE.pop(name)
        _forget_bound(name)
    for remover in list(_removers):
        remover(op)
    return op


def _forget_bound(name: str) -> None:
    """Drop the cached bound copies of op `name` (it was redefined or removed)."""
    for key in [k for k in _bound_cache if k[0] == name]:
        del _bound_cache[key]


def get(name: str) -> Op:
    """The op registered as `name`.

    Raises:
        KeyError: no op of that name (a custom op must be defined before it is used).
    """
    try:
        return _TABLE[name]
    except KeyError:
        raise KeyError(f"no op named {name!r} is registered (a custom op made with "
                       "autograd.op must be defined again before its graphs are loaded)") from None


def table() -> dict[str, Op]:
    """A snapshot of the table: {name: Op}, in registration order."""
    return dict(_TABLE)


def public(*, builtin: bool | None = True) -> tuple[Op, ...]:
    """The ops a user calls (not internal bookkeeping), built-ins only by default."""
    return tuple(op for op in _TABLE.values()
                 if not op.internal and (builtin is None or op.builtin == builtin))


def names(*, builtin: bool | None = None) -> tuple[str, ...]:
    """Names of the registered ops (only built-ins or only custom ones if asked)."""
    return tuple(n for n, op in _TABLE.items() if builtin is None or op.builtin == builtin)


def subscribe(listener: Callable[[Op], None]) -> None:
    """Call `listener(op)` for every op registered now and later (the engine's hook)."""
    _listeners.append(listener)
    for op in list(_TABLE.values()):
        listener(op)


def _bound(op: Op, params: tuple[Any, ...]) -> Op:
    key = (op.name, params)
    found = _bound_cache.get(key)
    if found is None:
        found = op.replace(params=params, rule=_Partial(op.rule, params),
                        forward=_Partial(op.forward, params))
        if len(_bound_cache) < 4096 and all(type(p) in (int, float, str) for p in params):
            _bound_cache[key] = found
    return found


class _Partial:
    """A rule or forward with leading static arguments (picklable, unlike a lambda)."""

    __slots__ = ("function", "params")

    def __init__(self, function: Callable[..., Any], params: tuple[Any, ...]):
        self.function, self.params = function, params

    def __call__(self, *args: Any) -> Any:
        return self.function(*self.params, *args)


def _lookup(name: str, params: tuple[Any, ...]) -> Op:
    op = get(name)
    return op.bind(*params) if params else op


def _fmt(n: float) -> str:
    return str(int(n)) if float(n).is_integer() and abs(n) < 1e15 else repr(n)


_LATEX_WORDS = (("ln ", r"\ln "), ("cos ", r"\cos "), ("sin ", r"\sin "),
                ("sign ", r"\mathrm{sign}\,"), ("exp ", r"\exp "))
_LATEX_CHARS = {"−": "-", "·": r" \cdot ", "×": r" \times ", "σ": r"\sigma ", "‖": r"\|",
                "½": r"\frac{1}{2}", "δ": r"\delta ", "∂": r"\partial ", "⊙": r" \odot ",
                "ᵀ": "^{T}", "²": "^{2}", "³": "^{3}", "√": r"\sqrt ", "∞": r"\infty ",
                "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "~": r"\sim "}
_SUB_DIGITS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))


def text_to_latex(text: str) -> str:
    """Display text (`1−a₁₀²`, `cos x`, `y**(n−1)`) as LaTeX math (`1-a_{10}^{2}`).

    For ops declared without LaTeX templates (custom ops): a faithful, not a pretty, form.
    """
    if not isinstance(text, str):
        raise TypeError(f"text_to_latex: expected a str, got {type(text).__name__}")
    for word, latex in _LATEX_WORDS:
        text = text.replace(word, latex)
    text = re.sub(r"\*\*\(([^()]*)\)", r"^{\1}", text)
    text = re.sub(r"\*\*([\w.−-]+)", r"^{\1}", text)
    text = re.sub("[₀-₉]+", lambda m: "_{" + "".join(_SUB_DIGITS[c] for c in m.group()) + "}",
                  text)
    return "".join(_LATEX_CHARS.get(c, c) for c in text).replace("*", r" \cdot ")


# ---- helpers that work on floats and on Values ------------------------------------------
def _data(x: Any) -> float:
    """The number inside a Value, or the float itself (comparisons in rules)."""
    return x if type(x) is float else x.data


def _fn(name: str, x: Any) -> Any:
    """Op `name` of this table on x: its forward on a float, the Value method on a Value
    (which keeps the graph), so a rule can use another op (sin' = cos) at every order."""
    if type(x) is float:
        return _TABLE[name].forward(x)
    return getattr(x, name)()


def _sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e⁻ˣ), without overflow for any x."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# Names the `code` templates use besides the inputs (generated code runs with these).
CODE_NAMESPACE: dict[str, Any] = {"math": math, "_sigmoid": _sigmoid, "_softplus": None,
                                  "_max": None, "_min": None}


# ---- forward functions: floats in, float out, errors name the op --------------------------
def _div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"/: division by zero, {a!r} / {b!r}")
    return a / b


def _pow(a: float, b: float) -> float:
    """a ** b as a real number, with an exception naming the op for every bad case."""
    if a < 0 and not b.is_integer():
        raise ValueError(f"**: negative base {a!r} with non-integer exponent {b!r} "
                         "has no real result")
    if a == 0 and b < 0:
        raise ZeroDivisionError(f"**: zero base {a!r} with negative exponent {b!r}")
    try:
        return math.pow(a, b)
    except OverflowError:
        raise OverflowError(f"**: overflow, {a!r} ** {b!r} exceeds the float range") from None


def _pow_n(n: float, x: float) -> float:
    return _pow(x, n)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: overflow, exp({x!r}) exceeds the float range") from None


def _expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        raise OverflowError(f"expm1: overflow, expm1({x!r}) exceeds the float range") from None


def _log(x: float) -> float:
    if not x > 0:
        if math.isnan(x):
            return math.nan
        raise ValueError(f"log: domain error, input {x!r} is not > 0")
    return math.log(x)


def _log1p(x: float) -> float:
    if not x > -1:
        if math.isnan(x):
            return math.nan
        raise ValueError(f"log1p: domain error, input {x!r} is not > -1")
    return math.log1p(x)


def _sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"sqrt: domain error, input {x!r} is negative")
    return math.sqrt(x)


def _relu(x: float) -> float:
    return 0.0 if x <= 0 else x  # NaN stays NaN


def _softplus(x: float) -> float:
    """log(1 + eˣ) without overflow: max(x, 0) + log1p(e^−|x|)."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x))) if x == x else x


def _trig(name: str, f: Callable[[float], float]) -> Callable[[float], float]:
    def forward(x: float) -> float:
        try:
            return f(x)
        except ValueError:
            raise ValueError(f"{name}: domain error, input {x!r} is not finite") from None
    forward.__name__ = name
    return forward


def _max(a: float, b: float) -> float:
    return a if a > b or a != a else b


def _min(a: float, b: float) -> float:
    return a if a < b or a != a else b


def _dot(*args: float) -> float:
    n = len(args) // 2
    total = sum(map(float.__mul__, args[:n], args[n:2 * n]))
    return total + args[-1] if len(args) % 2 else total


def _sum(*terms: float) -> float:
    try:
        return math.fsum(terms)
    except OverflowError:
        raise OverflowError("sum: overflow, the terms add up beyond the float range") from None
    except ValueError:  # fsum refuses inf + -inf
        raise ValueError("sum: the terms include both inf and -inf, whose sum is undefined "
                         f"(terms {_first_terms(terms)})") from None


def _first_terms(terms: Sequence[float], limit: int = 6) -> str:
    shown = ", ".join(repr(t) for t in terms[:limit])
    return f"[{shown}{', ...' if len(terms) > limit else ''}]"


CODE_NAMESPACE.update(_softplus=_softplus, _max=_max, _min=_min, _nan=math.nan)


# ---- domain margins for the hypothesis strategies -----------------------------------------
def _positive(margin: float, x: float) -> bool:
    return x >= margin


def _away_from_zero(margin: float, x: float) -> bool:
    return abs(x) >= margin


def _divisor(margin: float, a: float, b: float) -> bool:
    return abs(b) >= margin


def _apart(margin: float, a: float, b: float) -> bool:
    return abs(a - b) >= margin


def _pow_safe(margin: float, a: float, b: float) -> bool:
    # The exponent's derivative needs ln(base); and at an exponent of exactly 0 PyTorch masks
    # the base's gradient (so its ∂²/∂a∂b is 0, not the true 1 at a = 1): stay away from both.
    return a >= margin and abs(b) >= margin


def _pow_n_safe(margin: float, x: float, n: float = 2.0) -> bool:
    return n.is_integer() and (n >= 0 or abs(x) >= margin) or x >= margin


# ---- display text that depends on more than a template ----------------------------------
def _pow_n_text(pos: int, out: str, inputs: Sequence[str], params: tuple[Any, ...]) -> str | None:
    n = params[0] if params else None
    if n is None or n in (0.0, 1.0):
        return None
    if n == 2:
        return f"2·{inputs[0]}"
    return f"{_fmt(n)}·{inputs[0]}**{_fmt(n - 1)}"


def _pow_n_latex(pos: int, out: str, inputs: Sequence[str],
                 params: tuple[Any, ...]) -> str | None:
    n = params[0] if params else None
    if n is None or n in (0.0, 1.0):
        return None
    if n == 2:
        return f"2 {inputs[0]}"
    return f"{_fmt(n)} {{{inputs[0]}}}^{{{_fmt(n - 1)}}}"


def _dot_text(pos: int, out: str, inputs: Sequence[str], params: tuple[Any, ...]) -> str | None:
    n = len(inputs) // 2
    if pos < n:
        return inputs[n + pos]  # ∂z/∂wₖ = aₖ
    if pos < 2 * n:
        return inputs[pos - n]  # ∂z/∂aₖ = wₖ
    return "1"  # the bias


def _dot_terms(count: int) -> Terms:  # z = Σₖ wₖ·aₖ (+ b): parents w₀..wₙ₋₁, a₀..aₙ₋₁, b
    n = count // 2
    return Terms(tuple((k, n + k) for k in range(n)), tuple(range(2 * n, count)), False)


def _sum_terms(count: int) -> Terms:
    return Terms((), tuple(range(count)), True)


def _sum_text(pos: int, out: str, inputs: Sequence[str], params: tuple[Any, ...]) -> str:
    return "1"


# ---- the built-in table --------------------------------------------------------------------
def _builtin(**fields: Any) -> Op:
    return register(Op(builtin=True, **fields))


ADD = _builtin(name="+", inline=True, arity=2, forward=float.__add__, rule=_add_rule, symbol="+",
               operator="add", local_text=("1", "1"), code="{a} + {b}",
               local_code=("1.0", "1.0"), torch="torch.add", doc="a + b")
SUB = _builtin(name="-", inline=True, arity=2, forward=float.__sub__, rule=_sub_rule, symbol="-",
               operator="sub", local_text=("1", "−1"), code="{a} - {b}",
               local_code=("1.0", "-1.0"), torch="torch.sub", doc="a − b")
MUL = _builtin(name="*", inline=True, arity=2, forward=float.__mul__, rule=_mul_rule, symbol="*",
               operator="mul", local_text=("{b}", "{a}"), code="{a} * {b}",
               latex=("{b}", "{a}"),
               local_code=("{b}", "{a}"), torch="torch.mul", doc="a · b")
DIV = _builtin(name="/", arity=2, forward=_div, rule=_div_rule, symbol="/", operator="truediv",
               local_text=("1/{b}", "−{a}/{b}²"), code="{a} / {b}",
               latex=(r"\frac{{1}}{{{b}}}", r"-\frac{{{a}}}{{{b}^{{2}}}}"),
               local_code=("1.0 / {b}", "-{out} / {b}"), torch="torch.div", safe=_divisor,
               doc="a / b; ZeroDivisionError for b = 0")
POW = _builtin(name="**", arity=2, forward=_pow, rule=_pow_rule, symbol="**",
               local_text=("{b}·{a}**({b}−1)", "{out}·ln {a}"), code="math.pow({a}, {b})",
               latex=(r"{b} \, {{{a}}}^{{{b}-1}}", r"{out} \ln {a}"),
               local_code=("(0.0 if {a} == 0.0 and {b} == 0.0 else {b} * {a} ** ({b} - 1))",
                           "({out} * math.log({a}) if {a} > 0.0 else "
                           "(0.0 if {a} == 0.0 and {b} >= 0.0 else _nan))"),
               torch="torch.pow", safe=_pow_safe,
               doc="a ** b with a Value exponent (the exponent gets its gradient too)")
POW_N = _builtin(name="**n", arity=1, forward=_pow_n, rule=_pow_n_rule, symbol="**",
                 local_text=_pow_n_text, latex=_pow_n_latex, code="math.pow({x}, {n})",
                 local_code=("(0.0 if {n} == 0.0 else {n} * {x} ** ({n} - 1))",),
                 torch="torch.pow",
                 safe=_pow_n_safe, param_examples=(2.0, 3.0, -1.0, 0.5, -2.0, 1.5, -0.5, 0.0,
                                                   1.0),
                 doc="x ** n for a fixed number n")
NEG = _builtin(name="neg", inline=True, arity=1, forward=float.__neg__, rule=_neg_rule, symbol="-",
               operator="neg", local_text=("−1",), code="-{x}", local_code=("-1.0",),
               torch="torch.neg", doc="−x")
EXP = _builtin(name="exp", arity=1, forward=_exp, rule=_exp_rule, method="exp",
               local_text=("{out}",), code="math.exp({x})", local_code=("{out}",),
               torch="torch.exp", doc="e ** x; OverflowError past e ** 709.78 instead of inf")
LOG = _builtin(name="log", arity=1, forward=_log, rule=_log_rule, method="log",
               local_text=("1/{x}",), latex=(r"\frac{{1}}{{{x}}}",), code="math.log({x})",
               local_code=("1.0 / {x}",),
               torch="torch.log", safe=_positive,
               doc="natural logarithm; ValueError for inputs ≤ 0")
TANH = _builtin(name="tanh", arity=1, forward=math.tanh, rule=_tanh_rule, method="tanh",
                local_text=("1−{out}²",), latex=(r"1-{{{out}}}^{{2}}",), code="math.tanh({x})",
                local_code=("1.0 - {out} * {out}",), torch="torch.tanh",
                doc="hyperbolic tangent (exactly ±1.0 far out, never overflows)")
SIGMOID = _builtin(name="sigmoid", arity=1, forward=_sigmoid, rule=_sigmoid_rule,
                   method="sigmoid", local_text=("{out}(1−{out})",),
                   latex=(r"{out}\left(1-{out}\right)",),
                   code="_sigmoid({x})", local_code=("{out} * (1.0 - {out})",),
                   torch="torch.sigmoid",
                   doc="σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for any x")
RELU = _builtin(name="relu", inline=True, zeros=True, arity=1, forward=_relu, rule=_relu_rule,
                method="relu",
                local_text=("[{x}>0]",), latex=(r"[{x}>0]",), code="(0.0 if {x} <= 0.0 else {x})",
                local_code=("(1.0 if {x} > 0.0 else 0.0)",), torch="torch.relu",
                safe=_away_from_zero,
                doc="max(0, x); its derivative at 0 is taken as 0 (as in PyTorch)")
SQRT = _builtin(name="sqrt", arity=1, forward=_sqrt, rule=_sqrt_rule, method="sqrt",
                local_text=("1/(2√{x})",), latex=(r"\frac{{1}}{{2\sqrt{{{x}}}}}",),
                code="math.sqrt({x})",
                local_code=("0.5 / {out}",), torch="torch.sqrt", safe=_positive,
                doc="square root; ValueError for negative inputs")
ABS = _builtin(name="abs", arity=1, forward=abs, rule=_abs_rule, method="abs",
               local_text=("sign {x}",), code="abs({x})",
               local_code=("(1.0 if {x} > 0.0 else (-1.0 if {x} < 0.0 else 0.0))",),
               torch="torch.abs", safe=_away_from_zero,
               doc="|x|; its derivative at 0 is taken as 0 (as in PyTorch)")
SIN = _builtin(name="sin", arity=1, forward=_trig("sin", math.sin), rule=_sin_rule,
               method="sin", local_text=("cos {x}",), code="math.sin({x})",
               local_code=("math.cos({x})",), torch="torch.sin", doc="sine (radians)")
COS = _builtin(name="cos", arity=1, forward=_trig("cos", math.cos), rule=_cos_rule,
               method="cos", local_text=("−sin {x}",), code="math.cos({x})",
               local_code=("-math.sin({x})",), torch="torch.cos", doc="cosine (radians)")
SOFTPLUS = _builtin(name="softplus", arity=1, forward=_softplus, rule=_softplus_rule,
                    method="softplus", local_text=("σ({x})",),
                    latex=(r"\sigma\left({x}\right)",), code="_softplus({x})",
                    local_code=("_sigmoid({x})",), torch="torch.nn.functional.softplus",
                    doc="log(1 + eˣ), computed without overflow; its derivative is σ(x)")
LOG1P = _builtin(name="log1p", arity=1, forward=_log1p, rule=_log1p_rule, method="log1p",
                 local_text=("1/(1+{x})",), latex=(r"\frac{{1}}{{1+{x}}}",), code="math.log1p({x})",
                 local_code=("1.0 / (1.0 + {x})",), torch="torch.log1p",
                 safe=lambda margin, x: x >= margin - 1,
                 doc="log(1 + x), accurate for small x; ValueError for x ≤ −1")
EXPM1 = _builtin(name="expm1", arity=1, forward=_expm1, rule=_expm1_rule, method="expm1",
                 local_text=("{out}+1",), code="math.expm1({x})",
                 local_code=("{out} + 1.0",), torch="torch.expm1",
                 doc="eˣ − 1, accurate for small x; OverflowError past x = 709.78")
MAX = _builtin(name="max", arity=2, forward=_max, rule=_max_rule, method="max",
               local_text=("[{a}>{b}]", "[{b}>{a}]"), code="_max({a}, {b})",
               local_code=("(1.0 if {a} > {b} else (0.5 if {a} == {b} else 0.0))",
                           "(1.0 if {b} > {a} else (0.5 if {a} == {b} else 0.0))"),
               torch="torch.maximum", safe=_apart,
               doc="the larger of two values; at a tie each gets half the gradient "
                   "(as torch.maximum)")
MIN = _builtin(name="min", arity=2, forward=_min, rule=_min_rule, method="min",
               local_text=("[{a}<{b}]", "[{b}<{a}]"), code="_min({a}, {b})",
               local_code=("(1.0 if {a} < {b} else (0.5 if {a} == {b} else 0.0))",
                           "(1.0 if {b} < {a} else (0.5 if {a} == {b} else 0.0))"),
               torch="torch.minimum", safe=_apart,
               doc="the smaller of two values; at a tie each gets half the gradient "
                   "(as torch.minimum)")
DOT = _builtin(name="dot", arity=None, forward=_dot, rule=_dot_rule, symbol="Σ",
               local_text=_dot_text, latex=_dot_text, terms=_dot_terms,
               doc="Σₖ wₖ·xₖ (+ bias) as one node: a neuron's pre-activation z")
SUM = _builtin(name="sum", arity=None, forward=_sum, rule=_sum_rule, symbol="+",
               local_text=_sum_text, latex=_sum_text, terms=_sum_terms,
               doc="Σ terms as one node")
