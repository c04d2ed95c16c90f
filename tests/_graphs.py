"""Small graphs several test files draw, written once."""

from __future__ import annotations

from autograd import Value


def small_graph() -> Value:
    """y = tanh(2x) at x = 0.5, labelled and with gradients: three boxes to draw."""
    x = Value(0.5, label="x")
    y = (x * 2).tanh()
    y.label = "y"
    y.backward()
    return y


def huge_chain() -> Value:
    """A 400,001-node chain (far over every drawing limit), built in about a second."""
    x = Value(0.5, label="x")
    y = x
    for i in range(200_000):
        y = y * 1.0001 if i % 2 else y + x
    return y
