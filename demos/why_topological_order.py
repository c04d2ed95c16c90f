"""Why backward needs a topological order: two naive recursive backward passes go wrong.

micrograd's most asked question is why `backward()` sorts the graph first instead of just
recursing from the output. This demo runs two natural recursive versions next to the
engine's `backprop` (reverse topological order) and shows where each goes wrong:

- `naive_every_visit`: recurse into every parent each time it is reached, sending the
  node's gradient so far. A node reached along two paths sends twice: on
  `a = 1; b = a + a; c = b + b` it gives ∂c/∂a = 8 instead of 4.
- `naive_visited`: the same, but each node only once (a `visited` set, depth first). Right
  on the small example, wrong on the seed network: a₂₀ is reached from z₃₀ first and sends
  its gradient on before z₃₁ has added its share, so the fan-out sum is incomplete when
  it is used. Reverse topological order processes a node only after all its consumers.

Both also recurse once per node on the path (RecursionError past ~1000 nodes); the
engine's walk is iterative. Every local derivative comes from the op table
(`node.op_info.rule`), as in the engine.

    python demos/why_topological_order.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograd import Value, backprop


def _send(node: Value, g: float) -> list[float]:
    """What `node` sends to each parent for upstream gradient g (the op table's rule)."""
    return [float(d) for d in node.op_info.rule(g, node.data, *[p.data for p in node.parents])]


def naive_every_visit(root: Value) -> dict[Value, float]:
    """Recursive backward that re-visits a node along every path (double counts)."""
    grads: dict[Value, float] = {root: 1.0}

    def visit(node: Value) -> None:
        if node.is_leaf:
            return
        for parent, d in zip(node.parents, _send(node, grads[node])):
            grads[parent] = grads.get(parent, 0.0) + d
        for parent in node.parents:
            visit(parent)  # recursion: one Python frame per node on the path

    visit(root)
    return grads


def naive_visited(root: Value) -> dict[Value, float]:
    """Recursive backward, each node once, depth first: a node may send too early."""
    grads: dict[Value, float] = {root: 1.0}
    visited: set[Value] = set()

    def visit(node: Value) -> None:
        if node in visited or node.is_leaf:
            return
        visited.add(node)
        for parent, d in zip(node.parents, _send(node, grads[node])):
            grads[parent] = grads.get(parent, 0.0) + d
        for parent in node.parents:
            visit(parent)

    visit(root)
    return grads


def tiny() -> tuple[Value, Value]:
    """a = 1; b = a + a; c = b + b, so ∂c/∂a = 4 (two uses of two uses)."""
    a = Value(1.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return a, c


def seed_network() -> tuple[Value, list[Value]]:
    """The seed's 2→3→2→2 sigmoid network on its first sample: (C, the named nodes)."""
    import nn

    model = nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=0)
    X, Y = nn.seed_example()
    z, a = model.trace(X[0])
    C = nn.seed_cost(a[-1], Y[0])
    named = [v for layer in range(len(z) - 1, 0, -1) for v in (*a[layer], *z[layer])]
    return C, named + [p for p in model.parameters()]


def wrong_nodes(root: Value, nodes: list[Value],
                naive: dict[Value, float]) -> list[tuple[str, float, float]]:
    """(label, naive gradient, engine gradient) wherever the two differ."""
    right = backprop(root)
    return [(n.label, naive.get(n, 0.0), float(right.get(n, 0.0))) for n in nodes
            if abs(naive.get(n, 0.0) - float(right.get(n, 0.0))) > 1e-12]


def chain(length: int) -> tuple[Value, Value]:
    """x → x·1.0001 → … (`length` multiplications): deep, but only one path."""
    x = Value(1.0, label="x")
    y = x
    for _ in range(length):
        y = y * 1.0001
    return x, y


def report() -> str:
    """The comparison as text (what the notebook shows, cell by cell)."""
    lines = []
    a, c = tiny()
    right = backprop(c)[a]
    lines.append("a = 1; b = a + a; c = b + b")
    lines.append(f"  engine (reverse topological order): ∂c/∂a = {right:g}")
    lines.append(f"  naive, every visit:                 ∂c/∂a = {naive_every_visit(c)[a]:g}"
                 "   (b is reached twice and sends twice)")
    lines.append(f"  naive, each node once:              ∂c/∂a = {naive_visited(c)[a]:g}")
    C, nodes = seed_network()
    lines.append("")
    lines.append("The seed network, C = ½‖y − o‖²: nodes where 'naive, each node once' is wrong")
    for label, naive, engine in wrong_nodes(C, nodes, naive_visited(C)):
        lines.append(f"  {label:<10} naive {naive: .6e}   engine {engine: .6e}")
    lines.append("  a_{2,0} itself ends right, but it sent its gradient on to z_{2,0} when only "
                 "z_{3,0} had added its share (z_{3,1} came later): the fan-out sum was "
                 "incomplete when used.")
    x, y = chain(5000)
    try:
        naive_visited(y)
        deep = "no error"
    except RecursionError:
        deep = "RecursionError"
    lines.append("")
    lines.append(f"A chain of 5000 multiplications: naive → {deep}; engine → "
                 f"∂y/∂x = {backprop(y)[x]:.6g}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(report())
