"""A user's script, written against the installed seedgrad: `mypy --strict` finds no error.

tests/test_typing.py type-checks it from a venv built from the wheel (as a user's editor or
CI would see the package) and runs it there, so it is real code, not only annotations.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import autograd
import nn
from autograd import Value, viz


def operators() -> Value:
    """Every operator both ways, with ints and floats, and the methods from the op table."""
    x, y = Value(0.5, label="x"), Value(-1.5, label="y")
    z = 2 * x + x * 3.0 - 1 / (y - 4) + (1.5 - y) / 2 + x ** 2 + 2 ** x + x ** y
    z = -z + abs(y) + (+x)
    z = z.tanh() + z.exp().log() + x.sigmoid() + y.relu() + x.sqrt() + y.abs()
    z = z + x.sin() * x.cos() + x.softplus() + x.log1p() + x.expm1()
    z = z + x.max(y) + x.min(0.25) + x.max(1)
    return z


def numbers(v: Value) -> tuple[float, str, float, int, float, bool]:
    """The number conventions: data, label, float(), int(), round(), comparisons."""
    data: float = v.data
    label: str = v.label
    rounded: float = round(v, 2)
    whole: int = round(v)
    return data + float(v) + v.item(), label, rounded, int(v) + whole, math.trunc(v), v > 0.5


def gradients() -> list[float]:
    """backward, autograd.grad, higher orders, no_grad."""
    x = Value(0.5, label="x")
    y = (x * x).tanh()
    y.backward()
    first: float = float(x.grad)
    (dx,) = autograd.grad(y, [x], create_graph=True)
    (d2x,) = autograd.grad(dx, [x])
    with autograd.no_grad():
        frozen = x * 2
        assert not autograd.is_grad_enabled()
    assert frozen.is_leaf and autograd.is_grad_enabled()
    total = autograd.sum([x, y, 1.0]) + autograd.dot([x, y], [1.0, 2.0], bias=0.5)
    return [first, dx.data, d2x.data, total.data, float(len(autograd.topological_order(y)))]


def training() -> float:
    """An nn model with an optimiser and a loss, as the README trains it."""
    model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    optimiser = nn.Adam(model.parameters(), lr=0.05)
    sgd = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    xs, ys = nn.make_moons(8, seed=0)
    loss = Value(0.0)
    for _ in range(3):
        predictions: list[Value] = []
        for row in xs:
            out = model(row)
            assert isinstance(out, Value)
            predictions.append(out)
        loss = nn.mse(predictions, [float(y) for y in ys])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    sgd.zero_grad()
    for p in model.parameters():  # a hand-written update: .grad is float | Value
        p.data -= 0.01 * float(p.grad)
    return loss.data


def compiled() -> float:
    """autograd.compile: a generated forward and backward."""
    w = Value(0.3, label="w")

    def f(x: Value) -> Value:
        return (w * x).tanh()

    step = autograd.compile(f, 1.0)
    out = step(2.0)
    return float(out) if not isinstance(out, list) else out[0]


def drawings(root: Value) -> list[Path]:
    """viz: DOT, SVG, a file, and the walkthrough page."""
    dot = viz.to_dot(root, show_local=False)
    assert "digraph" in dot.source
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        written = [viz.save_svg(root, folder / "graph.svg"),
                   viz.walkthrough(root, folder / "walk.html")]
        assert all(path.is_file() for path in written)
        return written


def main() -> None:
    z = operators()
    print(numbers(z), gradients(), training(), compiled(), len(drawings(z)))


if __name__ == "__main__":
    main()
