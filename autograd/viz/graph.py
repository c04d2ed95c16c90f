"""The graph model behind every drawing: names, uses, local derivatives, fan-in sums.

Everything here reads the engine's public graph API (`parents`, `op_info`, `is_leaf`,
`role`) and the op table's display text (`Op.describe`); nothing is parsed from labels.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from autograd.engine import Role, Value, topological_order
from autograd.ops import Op

_MAX_TERMS = 6               # fan-in sums longer than this are shortened with "…"
_NAME_LENGTH = 16            # unlabelled nodes get an expression name up to this length


# ---- text: numbers, names, escaping -------------------------------------------------------
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUBSCRIPT_RE = re.compile(r"_\{([^{}]*)\}|_(\d+)")


def pretty(label: str) -> str:
    """`z_{1,0}` → `z₁₀` (`z_{1,10}` → `z₁,₁₀`); subscripts with no Unicode form stay."""
    if not isinstance(label, str):
        raise TypeError(f"pretty: label must be a str, got {type(label).__name__} {label!r}")

    def subscript(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        parts = [p.strip() for p in inner.split(",")]
        if not inner or not all(c in _SUBSCRIPTS for p in parts for c in p):
            return match.group(0)
        sep = "" if all(len(p) == 1 for p in parts) else ","
        return sep.join("".join(_SUBSCRIPTS[c] for c in p) for p in parts)

    return _SUBSCRIPT_RE.sub(subscript, label)


def _num(x: Any, precision: int) -> str:
    """A number as a person writes it: 4 significant digits, a real minus sign."""
    x = float(x.data if isinstance(x, Value) else x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{precision}g}"
    return "0" if text == "-0" else text.replace("-", "−")


# Characters no XML (SVG, HTML) may hold: a lone surrogate, U+FFFE, U+FFFF. A label keeps
# every other character; these are drawn as U+FFFD, the replacement character.
_NOT_XML = {**{c: "\ufffd" for c in range(0xD800, 0xE000)}, 0xFFFE: "\ufffd", 0xFFFF: "\ufffd"}
_TEXT_ESCAPES = {**{c: " " for c in range(32)}, 127: " ", **_NOT_XML, ord("&"): "&amp;",
                 ord("\\"): "\\\\", ord('"'): '\\"'}
_FIELD_ESCAPES = {**_TEXT_ESCAPES, **{ord(c): "\\" + c for c in "{}|<>"}}


def visible(text: str) -> str:
    """`text` with the characters no XML may hold (lone surrogates, U+FFFE, U+FFFF) as U+FFFD:
    the one cleaning every name and title gets before it reaches SVG, HTML or JSON."""
    return text.translate(_NOT_XML)


def _text(s: str) -> str:
    """Escape free text for a quoted DOT label: entities, backslashes, quotes, newlines."""
    return s.translate(_TEXT_ESCAPES)


def _field(s: str) -> str:
    """Escape text for one field of a record label (also `{ } | < >`)."""
    return s.translate(_FIELD_ESCAPES)


def _record(rows: list[list[str]], rankdir: str) -> str:
    """Rows of horizontal fields stacked vertically, whatever the direction."""
    body = "|".join("{" + "|".join(_field(f) for f in row) + "}" for row in rows)
    return body if rankdir == "LR" else "{" + body + "}"


# ---- analysis: one pass over the graph shared by drawing and walkthrough -------------------
def neuron_of(node: Value) -> Role | None:
    """The node's place in an `nn` network (kind, layer, unit), as `nn` attached it."""
    role = node.role
    return role if isinstance(role, Role) else None


def is_const(node: Value) -> bool:
    """A number written in an expression (drawn as its value, not as a name)."""
    fn = node.op_info
    return fn is not None and fn.constant


class Graph:
    """The nodes of a graph with names, uses, local derivatives and (optional) gradients.

    Attributes:
        root: the output node the graph is drawn from.
        fn: the public function that asked (named in error messages).
        precision: significant digits of the numbers written.
        order: every node, parents before children (`topological_order`).
        index: each node's position in `order` (its id in drawings: v0, v1, ...).
        uses: per node, its consumers as (consumer, argument position).
        locals: per node, the local derivative ∂node/∂parent for each parent.
        names: per node, the name drawings write (its label, or an expression).
        precedence: per node named by an expression, that expression's precedence.
        grads: the gradients to write (set by whoever ran the pass), or None to read each
            node's `.grad`.
        root_name: the root's name in formulas ('out' when it has no label).
    """

    def __init__(self, root: Value, precision: int, fn: str = "to_dot"):
        self.root = root
        self.fn = fn
        self.precision = precision
        self.order = topological_order(root)
        self.index = {node: i for i, node in enumerate(self.order)}
        self.uses: dict[Value, list[tuple[Value, int]]] = {node: [] for node in self.order}
        self.locals: dict[Value, tuple[float, ...]] = {}
        self.names: dict[Value, str] = {}
        self.precedence: dict[Value, int] = {}  # of a node named by an expression
        for node in self.order:
            if not isinstance(node.label, str):
                raise TypeError(f"{fn}: node #{self.index[node]} has label "
                                f"{node.label!r} ({type(node.label).__name__}); labels are str")
            for pos, parent in enumerate(node.parents):
                self.uses[parent].append((node, pos))
            self.locals[node] = _local_derivatives(node)
            self.names[node] = self._name(node)
        self.grads: dict[Value, float] | None = None
        self.root_name = visible(pretty(root.label)) if root.label else "out"

    def grad(self, node: Value) -> float:
        if self.grads is not None:
            return self.grads.get(node, 0.0)
        g = node.grad
        g = g.data if isinstance(g, Value) else g
        if isinstance(g, bool) or not isinstance(g, (int, float, numbers.Real)):
            raise TypeError(f"{self.fn}: node {self.names.get(node, '')!r} has a .grad that "
                            f"is not a number: {type(g).__name__} {g!r}")
        return float(g)

    def num(self, x: Any) -> str:
        return _num(x, self.precision)

    def _name(self, node: Value) -> str:
        """Label, else a short expression of the parents' names, else `#index`."""
        if node.label:
            return visible(pretty(node.label))
        if is_const(node):
            return self.num(node.data)
        fn = node.op_info
        if node.is_leaf or fn is None or fn.terms is not None:  # a Σ node is not an expression
            return f"#{self.index[node]}"
        names = [self.names[p] for p in node.parents]
        inner = [self.precedence.get(p, 9) for p in node.parents]
        prec = fn.precedence if fn.precedence is not None and len(names) in (1, 2) else 9
        name = _expression(fn, names, inner) if prec < 9 else f"{fn.text()}({', '.join(names)})"
        if len(name) > _NAME_LENGTH:
            return f"#{self.index[node]}"
        self.precedence[node] = prec
        return name

    def wrapped(self, node: Value) -> str:
        """The node's name, in parentheses when it is an expression with an operator."""
        name = self.names[node]
        return f"({name})" if self.precedence.get(node, 9) < 9 else name

    def header(self, node: Value, parent: Value) -> str:
        """`∂z₁₀/∂w₁₀₀`: numerator and denominator named as everywhere else."""
        return f"∂{self.wrapped(node)}/∂{self.wrapped(parent)}"

    def symbol(self, node: Value, pos: int) -> str | None:
        """The local derivative ∂node/∂parent[pos] in names, from the op table's text."""
        fn = node.op_info
        if fn is None:
            return None
        names = [self.wrapped(p) for p in node.parents]
        return fn.describe(pos, self.wrapped(node), names)

    def local_text(self, node: Value, pos: int) -> str:
        """`∂/∂a = b = −3` (the symbol is left out when it is just the number)."""
        value = self.num(self.locals[node][pos])
        symbol = self.symbol(node, pos)
        middle = f" = {symbol}" if symbol and symbol != value else ""
        return f"{self.header(node, node.parents[pos])}{middle} = {value}"

    def contribution(self, node: Value, pos: int) -> float:
        return self.grad(node) * self.locals[node][pos]

    def sum_terms(self, node: Value) -> tuple[str, str]:
        """The fan-in sum at `node`: in names (seed style) and in numbers."""
        uses = sorted(self.uses[node], key=lambda use: (_place(use[0]), use[1]))
        shown = uses[:_MAX_TERMS]
        more = f" + … ({len(uses)} terms)" if len(uses) > _MAX_TERMS else ""
        terms, numbers = [], []
        for consumer, pos in shown:
            local = self.symbol(consumer, pos) or self.num(self.locals[consumer][pos])
            if any(c in local for c in "+−-/ "):
                local = f"({local})"
            terms.append(f"∂{self.root_name}/∂{self.wrapped(consumer)}·{local}")
            numbers.append(self.num(self.contribution(consumer, pos)))
        symbolic = f"∂{self.root_name}/∂{self.wrapped(node)} = " + " + ".join(terms) + more
        numeric = "= " + _signed_sum(numbers) + more + f" = {self.num(self.grad(node))}"
        return symbolic, numeric


def _place(node: Value) -> tuple[Any, ...]:
    """Sort key: nodes of a network by (layer, neuron), then by label, naturally."""
    role = neuron_of(node)
    return (0, role.layer, role.unit) if role else (1, 0, 0, _natural(node.label))


def _natural(label: str) -> list[Any]:
    """Sort key that puts z_{2,9} before z_{2,10} (unlabelled nodes first, in graph order)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", label)]


def _signed_sum(numbers: list[str]) -> str:
    """`2 + −6 + 1` written as `2 − 6 + 1`."""
    text = numbers[0]
    for n in numbers[1:]:
        text += f" − {n[1:]}" if n.startswith("−") else f" + {n}"
    return text


def _expression(fn: Op, names: list[str], inner: list[int]) -> str:
    """A node written with its op's symbol, parenthesising inputs by the op's `precedence`
    and `associativity`: infix for two inputs, `x**2` for a bound argument, else `-x`."""
    prec = fn.precedence if fn.precedence is not None else 9
    left_ok = prec < inner[0] or (prec == inner[0] and fn.associativity != "right")
    left = names[0] if left_ok else f"({names[0]})"
    if len(names) == 2:
        right_ok = prec < inner[1] or (prec == inner[1] and fn.associativity != "left")
        return f"{left}{fn.symbol}{names[1] if right_ok else '(' + names[1] + ')'}"
    if fn.params:  # a bound argument is written after the input: x**2
        return f"{left}{fn.text()}"
    return f"{fn.symbol}{names[0] if prec < inner[0] else '(' + names[0] + ')'}"


def _local_derivatives(node: Value) -> tuple[float, ...]:
    """∂node/∂parent for each edge: the op's own rule called with g = 1 on floats."""
    fn = node.op_info
    if node.is_leaf or fn is None:
        return ()
    parents = node.parents
    if fn.closure:  # a micrograd-style closure: calling it changes grads
        return (math.nan,) * len(parents)
    try:
        found = fn.rule(1.0, node.data, *[p.data for p in parents])
        return tuple(float(d.data if isinstance(d, Value) else d) for d in found)
    except Exception:  # a rule that fails here is reported by backward(); draw it as unknown
        return (math.nan,) * len(parents)
