"""The built-in ops: each one's chain rule, forward on floats and table entry.

A new op is a rule, a forward and one `_builtin(...)` call here; everything else (the
`Value` operators and methods, drawings, derivations, strategies, compile, the oracle
tests) reads its entry from the table (`autograd.ops`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd.ops._table import Op, Terms, _data, _fmt, _fn, register


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
def _declare(**fields: Any) -> Op:
    return register(Op(builtin=True, **fields))


# Fields beyond the rule: `precedence`/`associativity` say how drawings write an operator
# expression, `tex` how derivations write a function's name.
ADD: Op = _declare(name="+", inline=True, arity=2, forward=float.__add__, rule=_add_rule,
                   symbol="+", operator="add", precedence=1, associativity="both",
                   local_text=("1", "1"), code="{a} + {b}", local_code=("1.0", "1.0"),
                   torch="torch.add", doc="a + b")
SUB: Op = _declare(name="-", inline=True, arity=2, forward=float.__sub__, rule=_sub_rule,
                   symbol="-", operator="sub", precedence=1,
                   local_text=("1", "−1"), code="{a} - {b}", local_code=("1.0", "-1.0"),
                   torch="torch.sub", doc="a − b")
MUL: Op = _declare(name="*", inline=True, arity=2, forward=float.__mul__, rule=_mul_rule,
                   symbol="*", operator="mul", precedence=2, associativity="both",
                   local_text=("{b}", "{a}"), latex=("{b}", "{a}"), code="{a} * {b}",
                   local_code=("{b}", "{a}"), torch="torch.mul", doc="a · b")
DIV: Op = _declare(name="/", arity=2, forward=_div, rule=_div_rule, symbol="/",
                   operator="truediv", precedence=2,
                   local_text=("1/{b}", "−{a}/{b}²"), code="{a} / {b}",
                   latex=(r"\frac{{1}}{{{b}}}", r"-\frac{{{a}}}{{{b}^{{2}}}}"),
                   local_code=("1.0 / {b}", "-{out} / {b}"), torch="torch.div", safe=_divisor,
                   doc="a / b; ZeroDivisionError for b = 0")
POW: Op = _declare(name="**", arity=2, forward=_pow, rule=_pow_rule, symbol="**",
                   precedence=4, associativity="right",
                   local_text=("{b}·{a}**({b}−1)", "{out}·ln {a}"), code="math.pow({a}, {b})",
                   latex=(r"{b} \, {{{a}}}^{{{b}-1}}", r"{out} \ln {a}"),
                   local_code=("(0.0 if {a} == 0.0 and {b} == 0.0 else {b} * {a} ** ({b} - 1))",
                               "({out} * math.log({a}) if {a} > 0.0 else "
                               "(0.0 if {a} == 0.0 and {b} >= 0.0 else _nan))"),
                   torch="torch.pow", safe=_pow_safe,
                   doc="a ** b with a Value exponent (the exponent gets its gradient too)")
POW_N: Op = _declare(name="**n", arity=1, forward=_pow_n, rule=_pow_n_rule, symbol="**",
                     precedence=4, associativity="right",
                     local_text=_pow_n_text, latex=_pow_n_latex, code="math.pow({x}, {n})",
                     local_code=("(0.0 if {n} == 0.0 else {n} * {x} ** ({n} - 1))",),
                     torch="torch.pow", safe=_pow_n_safe,
                     param_examples=(2.0, 3.0, -1.0, 0.5, -2.0, 1.5, -0.5, 0.0, 1.0),
                     doc="x ** n for a fixed number n")
NEG: Op = _declare(name="neg", inline=True, arity=1, forward=float.__neg__, rule=_neg_rule,
                   symbol="-", operator="neg", precedence=3, local_text=("−1",), code="-{x}",
                   local_code=("-1.0",), torch="torch.neg", doc="−x")
EXP: Op = _declare(name="exp", arity=1, forward=_exp, rule=_exp_rule, method="exp",
                   tex=r"\exp", local_text=("{out}",), code="math.exp({x})",
                   local_code=("{out}",), torch="torch.exp",
                   doc="e ** x; OverflowError past e ** 709.78 instead of inf")
LOG: Op = _declare(name="log", arity=1, forward=_log, rule=_log_rule, method="log",
                   tex=r"\log", local_text=("1/{x}",), latex=(r"\frac{{1}}{{{x}}}",),
                   code="math.log({x})", local_code=("1.0 / {x}",), torch="torch.log",
                   safe=_positive, doc="natural logarithm; ValueError for inputs ≤ 0")
TANH: Op = _declare(name="tanh", arity=1, forward=math.tanh, rule=_tanh_rule, method="tanh",
                    tex=r"\tanh", local_text=("1−{out}²",), latex=(r"1-{{{out}}}^{{2}}",),
                    code="math.tanh({x})", local_code=("1.0 - {out} * {out}",),
                    torch="torch.tanh",
                    doc="hyperbolic tangent (exactly ±1.0 far out, never overflows)")
SIGMOID: Op = _declare(name="sigmoid", arity=1, forward=_sigmoid, rule=_sigmoid_rule,
                       method="sigmoid", tex=r"\sigma",
                       local_text=("{out}(1−{out})",), latex=(r"{out}\left(1-{out}\right)",),
                       code="_sigmoid({x})", local_code=("{out} * (1.0 - {out})",),
                       torch="torch.sigmoid",
                       doc="σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for any x")
RELU: Op = _declare(name="relu", inline=True, zeros=True, arity=1, forward=_relu,
                    rule=_relu_rule, method="relu", tex=r"\operatorname{relu}",
                    local_text=("[{x}>0]",), latex=(r"[{x}>0]",),
                    code="(0.0 if {x} <= 0.0 else {x})",
                    local_code=("(1.0 if {x} > 0.0 else 0.0)",), torch="torch.relu",
                    safe=_away_from_zero,
                    doc="max(0, x); its derivative at 0 is taken as 0 (as in PyTorch)")
SQRT: Op = _declare(name="sqrt", arity=1, forward=_sqrt, rule=_sqrt_rule, method="sqrt",
                    tex=r"\operatorname{sqrt}", local_text=("1/(2√{x})",),
                    latex=(r"\frac{{1}}{{2\sqrt{{{x}}}}}",), code="math.sqrt({x})",
                    local_code=("0.5 / {out}",), torch="torch.sqrt", safe=_positive,
                    doc="square root; ValueError for negative inputs")
ABS: Op = _declare(name="abs", arity=1, forward=abs, rule=_abs_rule, method="abs",
                   tex=r"\operatorname{abs}", local_text=("sign {x}",), code="abs({x})",
                   local_code=("(1.0 if {x} > 0.0 else (-1.0 if {x} < 0.0 else 0.0))",),
                   torch="torch.abs", safe=_away_from_zero,
                   doc="|x|; its derivative at 0 is taken as 0 (as in PyTorch)")
SIN: Op = _declare(name="sin", arity=1, forward=_trig("sin", math.sin), rule=_sin_rule,
                   method="sin", tex=r"\sin", local_text=("cos {x}",), code="math.sin({x})",
                   local_code=("math.cos({x})",), torch="torch.sin", doc="sine (radians)")
COS: Op = _declare(name="cos", arity=1, forward=_trig("cos", math.cos), rule=_cos_rule,
                   method="cos", tex=r"\cos", local_text=("−sin {x}",), code="math.cos({x})",
                   local_code=("-math.sin({x})",), torch="torch.cos", doc="cosine (radians)")
SOFTPLUS: Op = _declare(name="softplus", arity=1, forward=_softplus, rule=_softplus_rule,
                        method="softplus", tex=r"\operatorname{softplus}",
                        local_text=("σ({x})",), latex=(r"\sigma\left({x}\right)",),
                        code="_softplus({x})", local_code=("_sigmoid({x})",),
                        torch="torch.nn.functional.softplus",
                        doc="log(1 + eˣ), computed without overflow; its derivative is σ(x)")
LOG1P: Op = _declare(name="log1p", arity=1, forward=_log1p, rule=_log1p_rule, method="log1p",
                     tex=r"\operatorname{log1p}", local_text=("1/(1+{x})",),
                     latex=(r"\frac{{1}}{{1+{x}}}",), code="math.log1p({x})",
                     local_code=("1.0 / (1.0 + {x})",), torch="torch.log1p",
                     safe=lambda margin, x: x >= margin - 1,
                     doc="log(1 + x), accurate for small x; ValueError for x ≤ −1")
EXPM1: Op = _declare(name="expm1", arity=1, forward=_expm1, rule=_expm1_rule, method="expm1",
                     tex=r"\operatorname{expm1}", local_text=("{out}+1",),
                     code="math.expm1({x})", local_code=("{out} + 1.0",), torch="torch.expm1",
                     doc="eˣ − 1, accurate for small x; OverflowError past x = 709.78")
MAX: Op = _declare(name="max", arity=2, forward=_max, rule=_max_rule, method="max",
                   tex=r"\max", local_text=("[{a}>{b}]", "[{b}>{a}]"), code="_max({a}, {b})",
                   local_code=("(1.0 if {a} > {b} else (0.5 if {a} == {b} else 0.0))",
                               "(1.0 if {b} > {a} else (0.5 if {a} == {b} else 0.0))"),
                   torch="torch.maximum", safe=_apart,
                   doc="the larger of two values; at a tie each gets half the gradient "
                       "(as torch.maximum)")
MIN: Op = _declare(name="min", arity=2, forward=_min, rule=_min_rule, method="min",
                   tex=r"\min", local_text=("[{a}<{b}]", "[{b}<{a}]"), code="_min({a}, {b})",
                   local_code=("(1.0 if {a} < {b} else (0.5 if {a} == {b} else 0.0))",
                               "(1.0 if {b} < {a} else (0.5 if {a} == {b} else 0.0))"),
                   torch="torch.minimum", safe=_apart,
                   doc="the smaller of two values; at a tie each gets half the gradient "
                       "(as torch.minimum)")
DOT: Op = _declare(name="dot", arity=None, forward=_dot, rule=_dot_rule, symbol="Σ",
                   local_text=_dot_text, latex=_dot_text, terms=_dot_terms,
                   doc="Σₖ wₖ·xₖ (+ bias) as one node: a neuron's pre-activation z")
SUM: Op = _declare(name="sum", arity=None, forward=_sum, rule=_sum_rule, symbol="+",
                   local_text=_sum_text, latex=_sum_text, terms=_sum_terms,
                   doc="Σ terms as one node")
