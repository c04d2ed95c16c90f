"""Toy data sets in pure Python (no scikit-learn): moons, circles, XOR, spirals, the seed's.

Each maker returns `(X, y)`: `X` a list of [x₀, x₁] points, `y` a list of int class labels
(0/1 for two classes; use `2*y - 1` for the ±1 labels of a hinge loss). Pass `seed` (or a
`random.Random` as `rng`) for a reproducible set; with neither, the global `random` is used.
"""

from __future__ import annotations

import math
from typing import Any

from nn._util import in_range, positive_int, random_source, shared_doc

__all__ = ["make_moons", "make_circles", "make_xor", "make_spirals", "seed_example"]

Points = list[list[float]]
_MAKER = shared_doc(
    points="""noise: standard deviation of the Gaussian noise added to each coordinate (≥ 0).
shuffle: shuffle the points (keeping each with its label); else class by class.
seed: seed for a private `random.Random` (an int, str or bytes).
rng: a `random.Random` (or object with uniform, gauss, shuffle) to draw from.""",
    type_error="""TypeError: a size is not an int, `shuffle` not a bool, `seed` not an int, str
    or bytes, or `rng` lacks a method.""",
    bad_noise="noise is negative or not finite, or both `seed` and `rng` are given.")
"""The Args and Raises every maker shares (noise, shuffle, seed, rng)."""


def _linspace(start: float, stop: float, n: int, *, endpoint: bool = True) -> list[float]:
    if n == 0:
        return []
    steps = (n - 1 if endpoint else n) or 1
    return [start + (stop - start) * i / steps for i in range(n)]


def _start(n_samples: Any, noise: Any, seed: Any, rng: Any,
           who: str) -> tuple[int, float, Any]:
    """Every maker's checked arguments: (n ≥ 1, noise ≥ 0, the random source)."""
    n = positive_int(n_samples, who, "n_samples")
    noise = in_range(noise, who, "noise", 0.0, math.inf, high_open=True)
    return n, noise, random_source(seed, rng, who)


def _finish(X: Points, y: list[int], noise: float, shuffle: bool, source: Any,
            who: str) -> tuple[Points, list[int]]:
    """Shuffle (keeping pairs together), then add Gaussian noise, as scikit-learn does."""
    if not isinstance(shuffle, bool):
        raise TypeError(f"{who}: shuffle must be a bool, got {shuffle!r}")
    if shuffle:
        order = list(range(len(X)))
        source.shuffle(order)
        X, y = [X[i] for i in order], [y[i] for i in order]
    if noise:
        X = [[x0 + source.gauss(0.0, noise), x1 + source.gauss(0.0, noise)] for x0, x1 in X]
    return X, y


@_MAKER
def make_moons(n_samples: int = 100, *, noise: float = 0.1, shuffle: bool = True,
               seed: Any = None, rng: Any = None) -> tuple[Points, list[int]]:
    """Two interleaving half circles (class 0 on top, class 1 below), as scikit-learn's.

    Args:
        n_samples: number of points (≥ 1), split evenly between the two classes.
        {points}

    Returns:
        (X, y): the points and their labels, 0 for the upper moon and 1 for the lower.

    Raises:
        {type_error}
        ValueError: a size is < 1, {bad_noise}
    """
    who = "make_moons"
    n, noise, source = _start(n_samples, noise, seed, rng, who)
    n_out = n // 2
    n_in = n - n_out
    X = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    X += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_in)]
    return _finish(X, [0] * n_out + [1] * n_in, noise, shuffle, source, who)


@_MAKER
def make_circles(n_samples: int = 100, *, noise: float = 0.05, factor: float = 0.5,
                 shuffle: bool = True, seed: Any = None,
                 rng: Any = None) -> tuple[Points, list[int]]:
    """A unit circle (class 0) around a circle of radius `factor` (class 1).

    Args:
        n_samples: number of points (≥ 1), split evenly between the two circles.
        {points}
        factor: the inner circle's radius, in (0, 1).

    Returns:
        (X, y): the points and their 0/1 labels.

    Raises:
        {type_error}
        ValueError: a size is < 1, `factor` is outside (0, 1), {bad_noise}
    """
    who = "make_circles"
    n, noise, source = _start(n_samples, noise, seed, rng, who)
    factor = in_range(factor, who, "factor", 0.0, 1.0, low_open=True, high_open=True)
    n_out = n // 2
    n_in = n - n_out
    X = [[math.cos(t), math.sin(t)]
         for t in _linspace(0.0, 2 * math.pi, n_out, endpoint=False)]
    X += [[factor * math.cos(t), factor * math.sin(t)]
          for t in _linspace(0.0, 2 * math.pi, n_in, endpoint=False)]
    return _finish(X, [0] * n_out + [1] * n_in, noise, shuffle, source, who)


@_MAKER
def make_xor(n_samples: int = 200, *, noise: float = 0.1, shuffle: bool = True,
             seed: Any = None, rng: Any = None) -> tuple[Points, list[int]]:
    """Points around the corners of the unit square, labelled x₀ XOR x₁.

    `make_xor(4, noise=0, shuffle=False)` is the truth table (0,0)→0, (0,1)→1, (1,0)→1,
    (1,1)→0.

    Args:
        n_samples: number of points (≥ 1), cycling through the four corners.
        {points}

    Returns:
        (X, y): the points and their labels, x₀ XOR x₁ of the corner each is drawn around.

    Raises:
        {type_error}
        ValueError: a size is < 1, {bad_noise}
    """
    who = "make_xor"
    n, noise, source = _start(n_samples, noise, seed, rng, who)
    corners = [(0, 0), (0, 1), (1, 0), (1, 1)]
    X = [[float(a), float(b)] for a, b in (corners[i % 4] for i in range(n))]
    y = [a ^ b for a, b in (corners[i % 4] for i in range(n))]
    return _finish(X, y, noise, shuffle, source, who)


@_MAKER
def make_spirals(n_samples: int = 200, *, n_classes: int = 2, turns: float = 1.0,
                 noise: float = 0.02, shuffle: bool = True, seed: Any = None,
                 rng: Any = None) -> tuple[Points, list[int]]:
    """`n_classes` interleaved spiral arms from the origin, `turns` turns each.

    Args:
        n_samples: number of points (≥ 1), shared out between the arms.
        n_classes: number of arms, each its own class 0, 1, ... (≥ 2).
        turns: turns of each arm, > 0.
        {points}

    Returns:
        (X, y): the points and their labels 0 .. n_classes − 1.

    Raises:
        {type_error}
        ValueError: a size is < 1, `n_classes` is < 2, `turns` is not > 0, {bad_noise}
    """
    who = "make_spirals"
    n, noise, source = _start(n_samples, noise, seed, rng, who)
    k = positive_int(n_classes, who, "n_classes")
    if k < 2:
        raise ValueError(f"{who}: n_classes must be ≥ 2, got {n_classes!r}")
    turns = in_range(turns, who, "turns", 0.0, math.inf, low_open=True, high_open=True)
    X: Points = []
    y: list[int] = []
    for c in range(k):
        count = n // k + (1 if c < n % k else 0)
        for r in _linspace(0.05, 1.0, count):  # 0.05: arms start apart, not all at 0
            t = 2 * math.pi * (turns * r + c / k)
            X.append([r * math.cos(t), r * math.sin(t)])
            y.append(c)
    return _finish(X, y, noise, shuffle, source, who)


def seed_example() -> tuple[Points, Points]:
    """The seed's small data set for its 2→3→2→2 sigmoid network: (inputs, targets).

    Three samples of two inputs a⁰ and two targets y in (0, 1), the range of the sigmoid
    outputs o (the first is the classic 0.05, 0.10 → 0.01, 0.99 worked example).
    """
    inputs = [[0.05, 0.10], [0.60, -0.30], [-0.45, 0.85]]
    targets = [[0.01, 0.99], [0.80, 0.20], [0.35, 0.65]]
    return inputs, targets
