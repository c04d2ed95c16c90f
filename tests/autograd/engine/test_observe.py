"""The engine's hook for tools (`autograd.engine.observe`): what an observer is told, and that
nothing is told outside its block (autograd.compile's tracer is one such observer)."""

from __future__ import annotations

import math
import threading
from typing import Any

import autograd
from autograd import engine, ops
from autograd.engine import Value


class Recorder:
    """An `engine.Observer` that keeps everything it is told."""

    def __init__(self) -> None:
        self.made_nodes: list[Value] = []
        self.detached_nodes: list[tuple[Value, tuple[Value, ...], Any]] = []
        self.reads: list[tuple[str, Value, Any, Any]] = []

    def made(self, out: Value) -> None:
        self.made_nodes.append(out)

    def detached(self, out: Value, parents: tuple[Value, ...], fn: Any) -> None:
        self.detached_nodes.append((out, parents, fn))

    def read(self, how: str, value: Value, other: Any, result: Any) -> None:
        self.reads.append((how, value, other, result))


def test_an_observer_is_told_of_nodes_made_not_recorded_and_numbers_read():
    x, y = Value(2.0, label="x"), Value(-3.0, label="y")
    seen = Recorder()
    with engine.observe(seen) as given:
        assert given is seen and engine.observing() is seen
        z = x * y
        with autograd.no_grad():
            w = x + y
        d = z.detach()
        big = x > y
        as_float, as_int, rounded = float(z), int(z), round(z, 1)
        truncated, truth = math.trunc(z), bool(z)
    assert engine.observing() is None
    assert seen.made_nodes == [z]
    assert seen.detached_nodes == [(w, (x, y), ops.ADD), (d, (z,), None)]
    assert seen.reads == [
        (">", x, y, big), ("float", z, None, as_float), ("int", z, None, as_int),
        ("round", z, 1, rounded), ("trunc", z, None, truncated), ("bool", z, None, truth)]
    assert big is True and w.is_leaf and d.is_leaf and z.parents == (x, y)


def test_outside_a_block_nothing_is_told_and_blocks_nest_and_stay_in_their_thread():
    outer, inner = Recorder(), Recorder()
    x = Value(1.0)
    with engine.observe(outer):
        with engine.observe(inner):
            a = x * 2.0
        b = x * 3.0
        other: list[Any] = []
        thread = threading.Thread(target=lambda: other.append((engine.observing(), x * 4.0)))
        thread.start()
        thread.join()
    c = x * 5.0
    _ = c > 0
    assert inner.made_nodes == [a] and outer.made_nodes == [b]
    assert other[0][0] is None and other[0][1] not in outer.made_nodes
    assert c not in outer.made_nodes and not outer.reads and not inner.reads
    assert engine._blocks_open == 0  # the per-node fast path is back on
