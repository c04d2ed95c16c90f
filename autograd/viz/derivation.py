"""∂root/∂node written out as the chain rule: symbolic, with the numbers, ending at the grad.

Two forms of the same sum. Line by line, from `node` forward to `root`: each node's
gradient is the sum over its uses (the seed's fan-out sum), each use a product of the
consumer's gradient and a local derivative from the op table. Over paths: one product of
local derivatives per path from `node` to `root` (listed while there are few paths).
The numbers come from the engine's own backward walk (`backprop`).
"""

from __future__ import annotations

import re
import unicodedata

from autograd._gcscope import gc_scope
from autograd.engine import Value, backprop
from autograd.ops import text_to_latex
from autograd.viz.graph import Graph, _place, is_const
from autograd.viz.i18n import Words, check_lang

STYLES = ("text", "markdown", "latex")
"""The output forms of `derivation`: plain text, Markdown (for Jupyter), LaTeX."""
MAX_PATHS = 8  # the path form is listed up to this many paths (it grows exponentially)
"""The path form (one product per path) is written up to this many paths."""
MAX_PATH_LENGTH = 12  # ... and while every path has at most this many steps (one row each)
"""... and while every path has at most this many steps (one row each)."""
_SPLIT_TERMS = 3  # a sum of more terms than this is written one term per LaTeX row
# A label already written as TeX: a name, then at most one subscript and one superscript
# (`w_{1,0,0}`, `x_1`, `y^{2}`). ASCII only, so `\w` cannot let a stray character in.
_LATEX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(_\{[A-Za-z0-9,]+\}|_[A-Za-z0-9])?"
                         r"(\^\{[A-Za-z0-9,]+\}|\^[A-Za-z0-9])?")
# Display names the op table's converter turns into TeX (`tanh(a₁₀)`, `x**2`, `max(a, b)`).
_CONVERTIBLE = re.compile(r"[A-Za-z0-9.,()*+\-−/ ₀-₉]+")
_TEX_SPECIAL = {"\\": r"{\backslash}", "{": r"{\{}", "}": r"{\}}", "_": r"{\_}", "$": r"{\$}",
                "%": r"{\%}", "#": r"{\#}", "~": r"{\sim}", " ": r"{\ }",
                "'": "{'}"}  # braced: `\#A`; a prime alone, as mathtext cannot put it after `{\ }`
_TEX_AS_IS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                 "+-*/=()[]<>|.,;:!?@")


def _code_point(c: str) -> str:
    return rf"\mathrm{{U{{+}}{ord(c):04X}}}"


_ASCII_TEX = {c: (chr(c) if chr(c) in _TEX_AS_IS else _TEX_SPECIAL.get(chr(c), _code_point(chr(c))))
              for c in range(128)}


def latex_label(label: str) -> str:
    """Any label as TeX math that compiles, as one group: `w_{1,0,0}` stays as it is (its
    subscripts kept), anything else is escaped character by character.

    TeX's special characters get their escapes (`\\{`, `\\_`, `\\backslash`, ...); those
    math mode cannot show (`&`, `"`, `^`, control and unassigned characters, those above
    U+1FFFF, ...) are written as their code point, `\\mathrm{U{+}0026}`. Other Unicode
    letters, digits, punctuation and symbols stay as they are.
    """
    if not isinstance(label, str):
        raise TypeError(f"latex_label: label must be a str, got {type(label).__name__}")
    if _LATEX_NAME.fullmatch(label):
        return label
    if label.isascii():
        return "{" + label.translate(_ASCII_TEX) + "}"
    out = []
    for c in label:
        if c in _TEX_AS_IS:
            out.append(c)
        elif c in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[c])
        elif 127 < ord(c) <= 0x1FFFF and unicodedata.category(c)[0] in "LNPS":
            out.append(c)
        else:
            out.append(_code_point(c))
    return "{" + "".join(out) + "}"


class Derivation:
    """The chain rule for ∂root/∂node over a prepared `Graph` (shared by the walkthrough).

    Attributes:
        graph: the prepared `Graph` (names, uses, local derivatives, gradients).
        words: the language of the words written (`Words`).
    """

    def __init__(self, graph: Graph, words: Words | None = None):
        self.graph = graph
        self.words = words or Words("en")
        self._chain: tuple[Value, list[Value]] | None = None  # the last chain() asked for
        self._latex_names: dict[Value, str] = {}

    # ---- names in each style ------------------------------------------------------------
    def name(self, node: Value, latex: bool) -> str:
        """The node's name: the drawings' (text) or a LaTeX one (its label when it is LaTeX)."""
        if not latex:
            return self.graph.wrapped(node)
        found = self._latex_names.get(node)
        if found is None:
            found = self._latex_names[node] = self._latex_name(node)
        return found

    def _latex_name(self, node: Value) -> str:
        if is_const(node):
            return _latex_number(self.graph.num(node.data))
        label = node.label
        if label:
            return latex_label(label)
        name = self.graph.names[node]
        if not _CONVERTIBLE.fullmatch(name):  # built from labels TeX cannot take as they are
            return latex_label(name)
        text = text_to_latex(name)  # function names become their ops' `tex`
        if self.graph.precedence.get(node, 9) < 9:
            return rf"\left({text}\right)"
        return text if label or node.is_leaf else rf"\left({text}\right)"

    def partial(self, node: Value, latex: bool) -> str:
        """∂root/∂node, as text or as a LaTeX fraction."""
        top = self.graph.root
        root = self.name(top, latex) if top.label else r"\mathrm{out}"
        if latex:
            return rf"\frac{{\partial {root}}}{{\partial {self.name(node, latex)}}}"
        return f"∂{self.graph.root_name}/∂{self.name(node, latex)}"

    def local(self, consumer: Value, pos: int, latex: bool) -> str:
        """∂consumer/∂parent[pos] from the op table, else its number."""
        names = [self.name(p, latex) for p in consumer.parents]
        fn = consumer.op_info
        found = fn.describe(pos, self.name(consumer, latex), names, latex=latex) if fn else None
        if not found:
            found = self.num(self.graph.locals[consumer][pos], latex)
        if _top_level_sum(found):
            found = rf"\left({found}\right)" if latex else f"({found})"
        return found

    def num(self, x: float, latex: bool) -> str:
        """A number at the graph's precision (in LaTeX: `-` and `× 10^{k}`)."""
        text = self.graph.num(x)
        return _latex_number(text) if latex else text

    # ---- the two forms --------------------------------------------------------------------
    def chain(self, node: Value) -> list[Value]:
        """`node` and every node between it and the root, in forward (topological) order."""
        uses = self.graph.uses
        reach = {node}
        stack = [node]
        while stack:  # iterative: the nodes that depend on `node`
            for consumer, _ in uses[stack.pop()]:
                if consumer not in reach:
                    reach.add(consumer)
                    stack.append(consumer)
        if self._chain is not None and self._chain[0] is node:
            return self._chain[1]
        depth = {node: 0}
        rows: dict[int, list[Value]] = {}
        for n in self.graph.order:  # longest distance from `node`: the line's row
            if n in reach:
                if n is not node:
                    depth[n] = 1 + max(depth[p] for p in n.parents if p in depth)
                rows.setdefault(depth[n], []).append(n)
        found = [n for d in sorted(rows) for n in (
            rows[d] if len(rows[d]) == 1 else sorted(rows[d], key=_place))]
        self._chain = (node, found)
        return found

    def line(self, node: Value, latex: bool) -> tuple[str, list[str], list[str]]:
        """(∂R/∂node, the terms ∂R/∂c · local in names, the terms in numbers + [grad])."""
        graph = self.graph
        times = r" \cdot " if latex else "·"
        by = r" \times " if latex else " × "
        uses = _ordered(graph.uses[node])
        if node is graph.root:
            return self.partial(node, latex), ["1"], []
        terms = [f"{self.partial(c, latex)}{times}{self.local(c, pos, latex)}" for c, pos in uses]
        numbers = [f"{_paren(self.num(graph.grad(c), latex), latex)}{by}"
                   f"{_paren(self.num(graph.locals[c][pos], latex), latex)}" for c, pos in uses]
        return self.partial(node, latex), terms, [*numbers, self.num(graph.grad(node), latex)]

    def paths(self, node: Value) -> list[list[tuple[Value, int]]] | int:
        """Every path node → root as [(consumer, pos), ...]; the count if over MAX_PATHS,
        or -length if a path is longer than MAX_PATH_LENGTH (both counted in linear time)."""
        chain = self.chain(node)
        uses = self.graph.uses
        count = {n: 0 for n in chain}
        longest = {n: 0 for n in chain}
        count[self.graph.root] = 1
        for n in reversed(chain):
            if n is not self.graph.root:
                count[n] = sum(count[c] for c, _ in uses[n] if c in count)
                longest[n] = 1 + max((longest[c] for c, _ in uses[n] if c in longest),
                                     default=0)
        if count[node] > MAX_PATHS:
            return count[node]
        if longest[node] > MAX_PATH_LENGTH:
            return -longest[node]
        found: list[list[tuple[Value, int]]] = []
        stack: list[tuple[Value, list[tuple[Value, int]]]] = [(node, [])]
        while stack:  # at most MAX_PATHS paths of MAX_PATH_LENGTH steps: small
            at, path = stack.pop()
            if at is self.graph.root:
                found.append(path)
                continue
            for consumer, pos in reversed(_ordered(uses[at])):
                stack.append((consumer, path + [(consumer, pos)]))
        return found

    def path_sum(self, node: Value, latex: bool) -> tuple[list[str], list[str]] | int:
        """Per path, Π local derivatives (symbolic, numeric); an int if not listed."""
        paths = self.paths(node)
        if isinstance(paths, int):
            return paths
        if node is self.graph.root:
            return ["1"], ["1"]
        times = r" \cdot " if latex else "·"
        by = r" \times " if latex else "×"
        symbolic = [times.join(self.local(c, pos, latex) for c, pos in path) for path in paths]
        numeric = [by.join(_paren(self.num(self.graph.locals[c][pos], latex), latex)
                           for c, pos in path) for path in paths]
        return symbolic, numeric


def _ordered(uses: list[tuple[Value, int]]) -> list[tuple[Value, int]]:
    """Uses by (layer, neuron) or label, as every drawing lists them."""
    if len(uses) < 2:
        return uses
    return sorted(uses, key=lambda use: (_place(use[0]), use[1]))


def _top_level_sum(text: str) -> bool:
    """True when `text` has a +, − or / outside brackets: it needs parentheses in a product."""
    depth = 0
    for c in text:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and c in "+−-/":
            return True
    return False


def _latex_number(text: str) -> str:
    text = re.sub(r"e([−+-]?)0*(\d+)$",
                  lambda m: rf" \times 10^{{{'-' if m.group(1) in '−-' else ''}{m.group(2)}}}",
                  text)
    return text.replace("−", "-").replace("∞", r"\infty").replace("nan", r"\mathrm{nan}")


def _paren(text: str, latex: bool) -> str:
    if text.startswith(("−", "-")):
        return rf"\left({text}\right)" if latex else f"({text})"
    return text


def write(derivation: Derivation, node: Value, style: str) -> str:
    """The derivation of ∂root/∂node in `style` ('text', 'markdown' or 'latex')."""
    graph, words = derivation.graph, derivation.words
    latex = style != "text"
    rows = [derivation.line(n, latex) for n in derivation.chain(node)]
    final = derivation.num(graph.grad(node), latex)
    paths = derivation.path_sum(node, latex)
    target = derivation.partial(node, latex)
    if style == "text":
        lines = [words("d_intro", target=target, node=graph.names[node], root=graph.root_name)]
        for left, terms, numbers in rows:
            lines.append(f"  {left} = {' + '.join(terms)}")
            if numbers:
                lines.append(f"  {' ' * len(left)} = {' + '.join(numbers[:-1])} = {numbers[-1]}")
        lines += _paths_text(paths, target, final, words)
        lines.append(words("d_so", target=target, value=final))
        return "\n".join(lines)
    body: list[str] = []
    for left, terms, numbers in rows:
        body += _latex_sum(left, terms)
        if numbers:
            body += _latex_sum("", numbers[:-1], f" = {numbers[-1]}")
    if not isinstance(paths, int) and node is not graph.root:
        body += _latex_sum(target, paths[0])  # one path per row
        body += _latex_sum("", paths[1], f" = {final}", split=len(paths[1]) > 1)
    aligned = r"\begin{aligned}" + " \\\\\n".join(body) + r"\end{aligned}"
    if style == "latex":
        return aligned
    intro = words("d_md_intro", root=graph.root_name, node=graph.names[node])
    if isinstance(paths, int) and paths > 0:
        intro += words("d_md_too_many", n=paths)
    elif not isinstance(paths, int) and node is not graph.root:
        intro += words("d_md_paths", n=len(paths[0]))
    so = words("d_so", target=f"${target}", value=f"{final}$")
    return f"{intro}.\n\n$$\n{aligned}\n$$\n\n{so}.\n"


def _latex_sum(left: str, terms: list[str], tail: str = "",
               split: bool | None = None) -> list[str]:
    """`left &= t₁ + t₂` as aligned rows: one row, or one term per row when there are many."""
    if split is None:
        split = len(terms) > _SPLIT_TERMS
    if not split:
        return [f"{left} &= {' + '.join(terms)}{tail}"]
    rows = [f"{left} &= {terms[0]}"] + [rf"&\quad + {t}" for t in terms[1:]]
    rows[-1] += tail
    return rows


def _paths_text(paths: tuple[list[str], list[str]] | int, target: str, final: str,
                words: Words) -> list[str]:
    if isinstance(paths, int):
        key = "d_too_many" if paths > 0 else "d_too_long"
        return [words(key, n=abs(paths))]
    if paths == (["1"], ["1"]):
        return []
    return [words("d_paths", n=len(paths[0])),
            f"  {target} = {' + '.join(paths[0])}",
            f"  {' ' * len(target)} = {' + '.join(paths[1])} = {final}"]


def derivation(root: Value, node: Value, style: str = "text", *, precision: int = 4,
               lang: str = "en") -> str:
    """∂root/∂node as the chain rule, symbolically and with numbers, ending at the gradient.

    Each line writes one node's gradient as the sum over its uses (the consumer's gradient
    times the op table's local derivative), from `node` forward to `root`; while there are
    at most `MAX_PATHS` paths, the last lines multiply the local derivatives along each
    path. Gradients come from a fresh backward pass (`.grad` fields are neither read nor
    changed); the result ends in the value `backward()` gives `node.grad`.

    Args:
        root: the output (e.g. the cost C).
        node: any node `root` depends on (or `root` itself).
        style: 'text' (Unicode), 'markdown' (prose and `$$` math for Jupyter) or 'latex'
            (one `aligned` block, valid inside `$$ … $$`).
        precision: significant digits of the numbers.
        lang: the language of the words ('en' or 'zh'); the formulas are the same.

    Raises:
        TypeError: root or node is not a Value.
        ValueError: unknown style or language, bad precision, or `node` is not in root's
            graph.
    """
    if not isinstance(root, Value):
        raise TypeError(f"derivation: root must be a Value, got {type(root).__name__}")
    if not isinstance(node, Value):
        raise TypeError(f"derivation: node must be a Value, got {type(node).__name__}")
    if style not in STYLES:
        raise ValueError(f"derivation: style must be one of {STYLES}, got {style!r}")
    if type(precision) is not int or not 1 <= precision <= 17:
        raise ValueError(f"derivation: precision must be an int from 1 to 17, got {precision!r}")
    check_lang("derivation", lang)
    with gc_scope():  # a big graph makes many small objects: collect rarely meanwhile
        graph = Graph(root, precision, fn="derivation")
        if node not in graph.index:
            name = node.label or repr(node)
            raise ValueError(f"derivation: node {name!r} is not in the graph of "
                             f"{graph.root_name!r} (root does not depend on it)")
        graph.grads = {n: float(g) for n, g in backprop(root).items()}
        return write(Derivation(graph, Words(lang)), node, style)

