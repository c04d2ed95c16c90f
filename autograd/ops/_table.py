"""The table itself: `Op` (one entry), the registry and the helpers rules share.

`autograd.ops` re-exports it with the built-in entries (`autograd/ops/_builtin.py`); read
the package's docstring first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

__all__ = ["Op", "Terms", "WeightedSum", "weighted_sum", "register", "unregister", "get",
           "table", "names", "public", "subscribe", "text_to_latex", "fill"]

Rule = Callable[..., Sequence[Any]]


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
            from it, and `weighted_sum` reads a neuron's weights, inputs and bias from it.
        closure: the op of nodes built by hand, micrograd style: its rule runs the user's
            `_backward` closure, which may do more than send gradients, so drawings never
            call it (they show its derivatives as unknown).
        precedence: how tightly the op binds when a drawing names a node by an expression
            written with `symbol`: 1 (+ −), 2 (* /), 3 (unary −), 4 (**); None: the node is
            written as a call, `symbol(x)`. An op with bound `params` is written after its
            input with them (`x**2`); other one-input ops before it (`-x`).
        associativity: how a chain of the op groups without parentheses: "left" (a − b − c
            is (a − b) − c), "right" (a ** b ** c is a ** (b ** c)) or "both" (+ and *:
            either grouping is the same number).
        tex: the TeX of the op's name in formulas (`\\sin`, `\\sigma`, `\\operatorname{sqrt}`):
            derivations write `tex(x)` where a drawing writes `symbol(x)`; '' writes the
            name as it is.
        residual: the local derivative ∂out/∂xᵢ is the residual oᵢ − yᵢ (the seed's cost
            C = ½‖y − o‖², declared by `nn`): walkthroughs write it as (o − y).

    A constant (a number written in an expression, a leaf) is a node of an op of arity 0:
    `Op.constant`.
    """

    __slots__ = ("name", "arity", "forward", "rule", "symbol", "local_text", "latex", "method",
                 "operator", "code", "local_code", "torch", "order", "safe", "builtin",
                 "internal", "inline", "zeros", "params", "doc", "param_examples", "terms",
                 "closure", "precedence", "associativity", "tex", "residual")
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
    closure: bool
    precedence: int | None
    associativity: str
    tex: str
    residual: bool

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
                 terms: Callable[[int], Terms] | None = None, closure: bool = False,
                 precedence: int | None = None, associativity: str = "left", tex: str = "",
                 residual: bool = False):
        """Declare an op (fields as described above); entries are read-only afterwards.

        Raises:
            TypeError: a kind flag is not a bool, or `tex` not a str.
            ValueError: `precedence` is not None or 1 to 8, or `associativity` is not
                "left", "right" or "both".
        """
        fields = dict(locals())
        del fields["self"]
        _check_fields(fields)
        for key in self.__slots__:
            object.__setattr__(self, key, fields[key])

    @property
    def constant(self) -> bool:
        """Nodes of this op are constants: numbers written in an expression (arity 0)."""
        return self.arity == 0

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
        if self.params and self.param_examples:  # a drawn parameter: x ** n writes **2
            return f"{self.symbol}{_fmt(self.params[0])}"
        return self.symbol or self.name

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by name (and bound arguments): graphs hold no functions of their own."""
        return (_lookup, (self.name, self.params))

    def __repr__(self) -> str:
        extra = f", params={self.params!r}" if self.params else ""
        return f"Op({self.name!r}, arity={self.arity!r}{extra})"


_ASSOCIATIVITY = ("left", "right", "both")


def _check_fields(fields: dict[str, Any]) -> None:
    """The display and kind fields of a new `Op`, or an error naming the op and the value."""
    name = fields["name"]
    for key in ("closure", "residual"):
        if type(fields[key]) is not bool:
            raise TypeError(f"op {name!r}: {key} must be True or False, got "
                            f"{type(fields[key]).__name__} {fields[key]!r}")
    if not isinstance(fields["tex"], str):
        raise TypeError(f"op {name!r}: tex must be a str, got "
                        f"{type(fields['tex']).__name__} {fields['tex']!r}")
    precedence = fields["precedence"]
    if precedence is not None and (type(precedence) is not int or not 1 <= precedence <= 8):
        raise ValueError(f"op {name!r}: precedence must be None or an int from 1 to 8 "
                         f"(4 binds tightest among the built-ins), got {precedence!r}")
    if fields["associativity"] not in _ASSOCIATIVITY:
        raise ValueError(f"op {name!r}: associativity must be one of {_ASSOCIATIVITY}, got "
                         f"{fields['associativity']!r}")


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


# Words of display templates that are not ops (an op's word is its entry's `tex`).
_TEX_WORDS = {"ln": r"\ln", "sign": r"\mathrm{sign}\,"}
_LATEX_CHARS = {"−": "-", "·": r" \cdot ", "×": r" \times ", "σ": r"\sigma ", "‖": r"\|",
                "½": r"\frac{1}{2}", "δ": r"\delta ", "∂": r"\partial ", "⊙": r" \odot ",
                "ᵀ": "^{T}", "²": "^{2}", "³": "^{3}", "√": r"\sqrt ", "∞": r"\infty ",
                "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "~": r"\sim "}
_SUB_DIGITS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))


def text_to_latex(text: str) -> str:
    """Display text (`1−a₁₀²`, `cos x`, `y**(n−1)`) as LaTeX math (`1-a_{10}^{2}`).

    For ops declared without LaTeX templates (custom ops): a faithful, not a pretty, form.
    Function names become their ops' `tex` (`sqrt(x)` → `\\operatorname{sqrt}(x)`).
    """
    if not isinstance(text, str):
        raise TypeError(f"text_to_latex: expected a str, got {type(text).__name__}")
    text = re.sub(r"\*\*\(([^()]*)\)", r"^{\1}", text)
    text = re.sub(r"\*\*([\w.−-]+)", r"^{\1}", text)
    text = re.sub("[₀-₉]+", lambda m: "_{" + "".join(_SUB_DIGITS[c] for c in m.group()) + "}",
                  text)
    text = "".join(_LATEX_CHARS.get(c, c) for c in text).replace("*", r" \cdot ")
    words, pattern = _tex_names()
    return pattern.sub(lambda m: words[m.group(1)], text) if words else text


_tex_cache: list[Any] = [None, ({}, re.compile("$^"))]


def _tex_names() -> tuple[dict[str, str], re.Pattern[str]]:
    """{word: TeX} for every op with a `tex` (by how drawings write it) and the template
    words, with a pattern finding them as function names: before `(` or a space."""
    key = tuple(map(id, _TABLE.values()))
    if _tex_cache[0] != key:
        words = {**_TEX_WORDS, **{op.text(): op.tex for op in _TABLE.values() if op.tex}}
        alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
        _tex_cache[:] = [key, (words, re.compile(rf"(?<![\w\\])({alternatives})(?=[ (])"))]
    return _tex_cache[1]


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
