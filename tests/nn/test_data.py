"""Toy data sets: shapes, labels, geometry, reproducibility, argument errors."""

import math
import random

import pytest

import nn

MAKERS = [nn.make_moons, nn.make_circles, nn.make_xor, nn.make_spirals]


@pytest.mark.parametrize("make", MAKERS)
def test_shapes_labels_and_reproducibility(make):
    X, y = make(101, seed=3)
    assert len(X) == len(y) == 101
    assert all(len(x) == 2 and all(isinstance(v, float) and math.isfinite(v) for v in x)
               for x in X)
    assert set(y) == {0, 1} and all(type(t) is int for t in y)
    assert abs(y.count(0) - y.count(1)) <= 1  # balanced
    assert make(101, seed=3) == (X, y)
    assert make(101, seed=4) != (X, y)
    assert make(101, rng=random.Random(3)) == (X, y)


@pytest.mark.parametrize("make", MAKERS)
def test_global_random_is_used_without_seed(make):
    random.seed(11)
    first = make(20)
    random.seed(11)
    assert make(20) == first


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = nn.make_moons(50, noise=0.0, seed=0)
    for (x0, x1), t in zip(X, y):
        if t == 0:
            assert math.hypot(x0, x1) == pytest.approx(1.0) and x1 >= -1e-12
        else:
            assert math.hypot(x0 - 1.0, x1 - 0.5) == pytest.approx(1.0) and x1 <= 0.5 + 1e-12


def test_circles_radii():
    X, y = nn.make_circles(40, noise=0.0, factor=0.3, seed=0)
    for x, t in zip(X, y):
        assert math.hypot(*x) == pytest.approx(1.0 if t == 0 else 0.3)


def test_xor_truth_table():
    X, y = nn.make_xor(4, noise=0.0, shuffle=False)
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [0, 1, 1, 0]


def test_spirals_classes_and_radius():
    X, y = nn.make_spirals(90, n_classes=3, noise=0.0, seed=0)
    assert [y.count(c) for c in range(3)] == [30, 30, 30]
    assert all(0.05 - 1e-12 <= math.hypot(*x) <= 1.0 + 1e-12 for x in X)


def test_noise_moves_points():
    clean, _ = nn.make_moons(30, noise=0.0, shuffle=False)
    noisy, _ = nn.make_moons(30, noise=0.2, shuffle=False, seed=1)
    shifts = [math.hypot(a[0] - b[0], a[1] - b[1]) for a, b in zip(clean, noisy)]
    assert 0.05 < sum(shifts) / len(shifts) < 0.5


def test_shuffle_keeps_pairs():
    X, y = nn.make_circles(30, noise=0.0, seed=2)
    assert sorted(zip(map(tuple, X), y)) == sorted(
        zip(map(tuple, nn.make_circles(30, noise=0.0, shuffle=False)[0]),
            nn.make_circles(30, noise=0.0, shuffle=False)[1]))


def test_seed_example_fits_the_seed_network():
    X, Y = nn.seed_example()
    assert len(X) == len(Y) >= 2
    assert all(len(x) == 2 for x in X) and all(len(t) == 2 for t in Y)
    assert all(0 < v < 1 for t in Y for v in t)  # reachable by sigmoid outputs
    assert X[0] == [0.05, 0.10] and Y[0] == [0.01, 0.99]


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.make_moons(0), ValueError, "n_samples must be ≥ 1"),
    (lambda: nn.make_moons(10.5), TypeError, "n_samples must be an int"),
    (lambda: nn.make_moons(10, noise=-0.1), ValueError, "noise must be in"),
    (lambda: nn.make_circles(10, factor=1.0), ValueError, "factor must be in"),
    (lambda: nn.make_spirals(10, n_classes=1), ValueError, "n_classes must be ≥ 2"),
    (lambda: nn.make_spirals(10, turns=0), ValueError, "turns must be in"),
    (lambda: nn.make_xor(10, seed=1, rng=random.Random(1)), ValueError, "not both"),
    (lambda: nn.make_xor(10, shuffle="yes"), TypeError, "shuffle must be a bool"),
])
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
