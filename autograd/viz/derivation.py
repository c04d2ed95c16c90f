"""∂root/∂node written out as the chain rule: symbolic, with the numbers, ending at the grad.

Two forms of the same sum. Line by line, from `node` forward to `root`: each node's
gradient is the sum over its uses (the seed's fan-out sum), each use a product of the
consumer's gradient and a local derivative from the op table. Over paths: one product of
local derivatives per path from `node` to `root` (listed while there are few paths).
The numbers come from the engine's own backward walk (`backprop`).
"""

from __future__ import annotations

import re

from autograd.engine import Value, backprop
from autograd.ops import text_to_latex
from autograd.viz.graph import Graph, _place, is_const

STYLES = ("text", "markdown", "latex")
MAX_PATHS = 8  # the path form is listed up to this many paths (it grows exponentially)
_LATEX_NAME = re.compile(r"[A-Za-z]\w*(_\{[\w,]+\}|_\w)?(\^\{[\w,]+\}|\^\w)?")


class Derivation:
    """The chain rule for ∂root/∂node over a prepared `Graph` (shared by the walkthrough)."""

    def __init__(self, graph: Graph):
        self.graph = graph

    # ---- names in each style ------------------------------------------------------------
    def name(self, node: Value, latex: bool) -> str:
        """The node's name: the drawings' (text) or a LaTeX one (its label when it is LaTeX)."""
        if not latex:
            return self.graph.wrapped(node)
        if is_const(node):
            return _latex_number(self.graph.num(node.data))
        label = node.label
        if label and _LATEX_NAME.fullmatch(label):
            return label
        text = text_to_latex(self.graph.names[node])
        text = re.sub(r"\b(tanh|exp|log|sin|cos)\(", r"\\\1(", text)
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
        depth = {node: 0}
        for n in self.graph.order:  # longest distance from `node`: the line's row
            if n in reach and n is not node:
                depth[n] = 1 + max(depth[p] for p in n.parents if p in depth)
        return sorted((n for n in self.graph.order if n in reach),
                      key=lambda n: (depth[n], _place(n)))

    def line(self, node: Value, latex: bool) -> tuple[str, str, str]:
        """(∂R/∂node, Σ ∂R/∂c · local in names, Σ numbers = grad)."""
        graph = self.graph
        times = r" \cdot " if latex else "·"
        by = r" \times " if latex else " × "
        uses = sorted(graph.uses[node], key=lambda use: (_place(use[0]), use[1]))
        if node is graph.root:
            return self.partial(node, latex), "1", ""
        terms = [f"{self.partial(c, latex)}{times}{self.local(c, pos, latex)}" for c, pos in uses]
        numbers = [f"{_paren(self.num(graph.grad(c), latex), latex)}{by}"
                   f"{_paren(self.num(graph.locals[c][pos], latex), latex)}" for c, pos in uses]
        value = self.num(graph.grad(node), latex)
        numeric = " + ".join(numbers)
        return self.partial(node, latex), " + ".join(terms), f"{numeric} = {value}"

    def paths(self, node: Value) -> list[list[tuple[Value, int]]] | int:
        """Every path node → root as [(consumer, pos), ...]; the count if over MAX_PATHS."""
        chain = self.chain(node)
        count = {n: 0 for n in chain}
        count[self.graph.root] = 1
        for n in reversed(chain):
            if n is not self.graph.root:
                count[n] = sum(count[c] for c, _ in self.graph.uses[n])
        if count[node] > MAX_PATHS:
            return count[node]
        found: list[list[tuple[Value, int]]] = []
        stack: list[tuple[Value, list[tuple[Value, int]]]] = [(node, [])]
        while stack:  # iterative depth-first walk over uses
            at, path = stack.pop()
            if at is self.graph.root:
                found.append(path)
                continue
            uses = sorted(self.graph.uses[at], key=lambda use: (_place(use[0]), use[1]))
            for consumer, pos in reversed(uses):
                stack.append((consumer, path + [(consumer, pos)]))
        return found

    def path_sum(self, node: Value, latex: bool) -> tuple[str, str] | int:
        """Σ over paths of Π local derivatives (symbolic, numeric); the count if too many."""
        paths = self.paths(node)
        if isinstance(paths, int):
            return paths
        if node is self.graph.root:
            return "1", "1"
        times = r" \cdot " if latex else "·"
        by = r" \times " if latex else "×"
        symbolic = " + ".join(times.join(self.local(c, pos, latex) for c, pos in path)
                              for path in paths)
        numeric = " + ".join(
            (by.join(_paren(self.num(self.graph.locals[c][pos], latex), latex)
                     for c, pos in path)) for path in paths)
        return symbolic, numeric


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
    graph = derivation.graph
    latex = style != "text"
    rows = [derivation.line(n, latex) for n in derivation.chain(node)]
    final = derivation.num(graph.grad(node), latex)
    paths = derivation.path_sum(node, latex)
    target = derivation.partial(node, latex)
    if style == "text":
        lines = [f"{target} by the chain rule: each gradient is the sum over its uses "
                 "(consumer's gradient · local derivative), from "
                 f"{graph.names[node]} forward to {graph.root_name}:"]
        for left, symbolic, numeric in rows:
            lines.append(f"  {left} = {symbolic}")
            if numeric:
                lines.append(f"  {' ' * len(left)} = {numeric}")
        lines += _paths_text(paths, target, final)
        lines.append(f"So {target} = {final}")
        return "\n".join(lines)
    body = []
    for left, symbolic, numeric in rows:
        body.append(f"{left} &= {symbolic}")
        if numeric:
            body.append(f"&= {numeric}")
    if not isinstance(paths, int) and node is not graph.root:
        body.append(rf"{target} &= {paths[0]}")
        body.append(f"&= {paths[1]} = {final}")
    aligned = r"\begin{aligned}" + " \\\\\n".join(body) + r"\end{aligned}"
    if style == "latex":
        return aligned
    intro = (f"**∂{graph.root_name}/∂{graph.names[node]} by the chain rule**: each gradient is "
             "the sum over the node's uses, each use the consumer's gradient times a local "
             "derivative from the op table")
    if isinstance(paths, int):
        intro += f" ({paths} paths lead from the node to the root: too many to list)"
    elif node is not graph.root:
        intro += f"; the last lines multiply along each of the {len(paths[0].split(' + '))} paths"
    return f"{intro}.\n\n$$\n{aligned}\n$$\n\nSo ${target} = {final}$.\n"


def _paths_text(paths: tuple[str, str] | int, target: str, final: str) -> list[str]:
    if isinstance(paths, int):
        return [f"({paths} paths lead to the root: too many to list one product per path; "
                "the lines above are the same sum, factored)"]
    if paths == ("1", "1"):
        return []
    count = len(paths[0].split(" + "))
    return [f"Over every path ({count}), a product of local derivatives per path:",
            f"  {target} = {paths[0]}",
            f"  {' ' * len(target)} = {paths[1]} = {final}"]


def derivation(root: Value, node: Value, style: str = "text", *, precision: int = 4) -> str:
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

    Raises:
        TypeError: root or node is not a Value.
        ValueError: unknown style, bad precision, or `node` is not in root's graph.
    """
    if not isinstance(root, Value):
        raise TypeError(f"derivation: root must be a Value, got {type(root).__name__}")
    if not isinstance(node, Value):
        raise TypeError(f"derivation: node must be a Value, got {type(node).__name__}")
    if style not in STYLES:
        raise ValueError(f"derivation: style must be one of {STYLES}, got {style!r}")
    if type(precision) is not int or not 1 <= precision <= 17:
        raise ValueError(f"derivation: precision must be an int from 1 to 17, got {precision!r}")
    graph = Graph(root, precision, fn="derivation")
    if node not in graph.index:
        name = node.label or repr(node)
        raise ValueError(f"derivation: node {name!r} is not in the graph of "
                         f"{graph.root_name!r} (root does not depend on it)")
    graph.grads = {n: float(g) for n, g in backprop(root).items()}
    return write(Derivation(graph), node, style)

