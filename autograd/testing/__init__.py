"""Property-testing tools for gradient code: `gradcheck`, `check_backprop`, strategies.

`gradcheck` compares analytic derivatives with finite differences and needs nothing else.
`check_backprop` grades a hand-written backprop on plain lists against the engine, on
networks hypothesis draws and shrinks (it imports hypothesis when it runs).
The strategies (`values`, `expressions`) need hypothesis (`pip install
'seedgrad[testing]'`), which is imported the first time one of them is used, so
`import autograd.testing` stays light too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograd.extras import extra_needed
from autograd.testing._backprop import BackpropMismatch, check_backprop
from autograd.testing._gradcheck import GradcheckError, gradcheck

if TYPE_CHECKING:
    from autograd.testing._strategies import OPS, Expression, expressions, values

__all__ = [
    "GradcheckError",
    "gradcheck",
    "BackpropMismatch",
    "check_backprop",
    "values",
    "expressions",
    "Expression",
    "OPS",
]

_STRATEGY_NAMES = ("values", "expressions", "Expression", "OPS")
_MOVED = {"mlps": "nn.testing.mlps", "MLPCase": "nn.testing.MLPCase"}


def __getattr__(name: str) -> Any:
    """Import hypothesis (through autograd.testing._strategies) only when a strategy is used.

    Raises:
        ImportError: naming the `testing` extra, when hypothesis is not installed.
        AttributeError: for a name the module does not have (or that moved to nn.testing).
    """
    if name in _STRATEGY_NAMES:
        with extra_needed("hypothesis", "testing", f"autograd.testing.{name}"):
            from autograd.testing import _strategies

        return getattr(_strategies, name)  # each time: OPS follows the op table
    if name in _MOVED:  # autograd never imports nn: the network strategies live there
        raise AttributeError(f"autograd.testing.{name} moved to {_MOVED[name]} "
                             f"(from nn.testing import {name})")
    raise AttributeError(f"module 'autograd.testing' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
