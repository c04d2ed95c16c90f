"""Every number nn takes goes through `autograd.reals.real`: a bad one (not a real number,
inf or nan, an int too large for a float) is refused with the same exception and message,
naming the operation and the argument, wherever it is given."""

import math
from fractions import Fraction

import numpy as np
import pytest

import nn
from autograd import Value
from autograd.reals import real
from nn import matrix

CALLS = {  # (who, name) as the message says them: call(value)
    ("SGD", "lr"): lambda v: nn.SGD([Value(1.0)], lr=v),
    ("Adam", "lr"): lambda v: nn.Adam([Value(1.0)], lr=v),
    ("make_moons", "noise"): lambda v: nn.make_moons(10, noise=v, seed=0),
    ("make_spirals", "turns"): lambda v: nn.make_spirals(10, turns=v, seed=0),
    ("seed_cost", "targets[i]"): lambda v: nn.seed_cost([Value(1.0)], [v]),
    ("hinge", "margin"): lambda v: nn.hinge([Value(1.0)], [1], margin=v),
    ("l2_penalty", "alpha"): lambda v: nn.l2_penalty([Value(1.0)], alpha=v),
    ("MLP", "input 1"): lambda v: nn.MLP(2, [1], seed=0)([0.5, v]),
    ("sigma", "z"): lambda v: matrix.sigma(v),
    ("outer", "v[0]"): lambda v: matrix.outer([1.0], [v]),
    ("forward", "x[0]"): lambda v: matrix.forward(
        matrix.Network([[], [[1.0]]], [[], [0.0]], ["", "tanh"]), [v]),
}
BAD = ["0.5", None, True, [1.0], Value(1.0), math.nan, -math.inf, 10**400, -(10**5000)]
GOOD = [0.25, 1, Fraction(1, 4), np.float64(0.25), np.array(0.25), np.int32(1)]


def _refusal(call, value):
    with pytest.raises(Exception) as info:
        call(value)
    return info.value


# A Value is a welcome MLP input, and a Value target has a message of its own (targets are
# constants): those pairs are not bad numbers.
PAIRS = [(where, value) for where in CALLS for value in BAD
         if not (isinstance(value, Value) and where[0] in ("MLP", "seed_cost"))]


def _id(value):
    big = isinstance(value, int) and abs(value) > 10**300  # repr refuses over 4300 digits
    return f"int of {value.bit_length()} bits" if big else repr(value)


@pytest.mark.parametrize("where, value", PAIRS,
                         ids=[f"{who}.{name}-{_id(v)}" for (who, name), v in PAIRS])
def test_a_bad_number_gets_the_one_checks_error(where, value):
    who, name = where
    expected = _refusal(lambda v: real(v, who, name), value)
    got = _refusal(CALLS[where], value)
    assert type(got) is type(expected)
    assert str(got).startswith(str(expected)), (str(got), str(expected))


@pytest.mark.parametrize("where", CALLS, ids=[f"{who}.{name}" for who, name in CALLS])
@pytest.mark.parametrize("value", GOOD, ids=repr)
def test_every_real_number_is_accepted(where, value):
    CALLS[where](value)


def test_state_files_refuse_bad_numbers_as_data_errors():
    """A state dict is data: every bad number is a ValueError, with real's message."""
    model = nn.MLP(1, [1], seed=0)
    for value in BAD[:-2] + [10**400]:
        if isinstance(value, Value):
            continue
        state = {**model.state_dict(), "layers.0.neurons.0.b": value}
        expected = _refusal(lambda v: real(v, "load_state_dict",
                                           "parameter layers.0.neurons.0.b"), value)
        with pytest.raises(ValueError) as info:
            model.load_state_dict(state)
        assert str(info.value) == str(expected)
