"""The table of ops: each op declared once, read by everything else.

An op is a forward function on floats and a chain rule. The rule answers the seed's
question "given g = ∂C/∂out, what does each input receive?" and is written once as
`rule(g, out, *xs) -> one contribution per input`. The backward pass calls it with floats
(first order) or with the `Value`s themselves (`create_graph=True`), so the same arithmetic
serves every derivative order: a rule uses only operators and the `_fn` helpers below,
which work on both.

The rest of the library reads this table: `Value`'s operators and methods, the drawings'
edge labels (`local_text`), the draw CLI's whitelist, the hypothesis strategies, generated
code (`code`, `local_code`) and the PyTorch oracle tests (`torch`). Adding an op is one
`register(Op(...))` call; the built-in ops are declared in `autograd/ops/_builtin.py`.

Templates name the inputs `{x}` (one input) or `{a}`, `{b}` (two), and the result `{out}`.
"""

from __future__ import annotations

from typing import Any

from autograd.ops import _builtin
from autograd.ops._table import (  # noqa: F401 (_drop, _fn, _Partial, _removers: for autograd)
    Op,
    Rule,
    Terms,
    WeightedSum,
    _drop,
    _fn,
    _Partial,
    _removers,
    fill,
    get,
    names,
    public,
    register,
    subscribe,
    table,
    text_to_latex,
    unregister,
    weighted_sum,
)

__all__ = ["Op", "Terms", "WeightedSum", "weighted_sum", "register", "unregister", "get",
           "table", "names", "public", "subscribe", "text_to_latex", "fill"]

# The built-in entries (`ops.ADD`, `ops.DOT`, ...) and the names generated code uses, declared
# in `_builtin`.

ADD: Op = _builtin.ADD
SUB: Op = _builtin.SUB
MUL: Op = _builtin.MUL
DIV: Op = _builtin.DIV
POW: Op = _builtin.POW
POW_N: Op = _builtin.POW_N
NEG: Op = _builtin.NEG
EXP: Op = _builtin.EXP
LOG: Op = _builtin.LOG
TANH: Op = _builtin.TANH
SIGMOID: Op = _builtin.SIGMOID
RELU: Op = _builtin.RELU
SQRT: Op = _builtin.SQRT
ABS: Op = _builtin.ABS
SIN: Op = _builtin.SIN
COS: Op = _builtin.COS
SOFTPLUS: Op = _builtin.SOFTPLUS
LOG1P: Op = _builtin.LOG1P
EXPM1: Op = _builtin.EXPM1
MAX: Op = _builtin.MAX
MIN: Op = _builtin.MIN
DOT: Op = _builtin.DOT
SUM: Op = _builtin.SUM
CODE_NAMESPACE: dict[str, Any] = _builtin.CODE_NAMESPACE
