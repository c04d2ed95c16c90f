"""A scalar autograd engine: `Value` graphs, backpropagation, higher-order gradients.

`import autograd` stays light: drawing (`autograd.viz`) and property testing
(`autograd.testing`) import graphviz and hypothesis only when you import them.
"""

# The engine, and the modules built on it (each imports it; it imports none of them): Value's
# operators and methods made from the op table, pickling, n-ary ops, derivatives of chosen
# inputs, custom ops.
from autograd import (  # noqa: F401 (they complete Value)
    _operators,
    _pickle,
    ops,  # noqa: F401 (autograd.ops: the op table)
)
from autograd._custom import op
from autograd._functional import grad, hessian, jacobian
from autograd._gcscope import gc_scope
from autograd._nary import dot, sum
from autograd.compile import TraceError, compile
from autograd.engine import (
    Role,
    Value,
    apply,
    backprop,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    topological_order,
    zero_grad,
)

__all__ = [
    "Value",
    "Role",
    "apply",
    "backprop",
    "dot",
    "enable_grad",
    "grad",
    "jacobian",
    "hessian",
    "is_grad_enabled",
    "no_grad",
    "detect_anomaly",
    "op",
    "sum",
    "topological_order",
    "zero_grad",
    "compile",
    "TraceError",
    "gc_scope",
]
from autograd import _display  # noqa: F401,E402 (Jupyter draws Values; viz loads lazily)

__version__ = "0.1.0"
__seedgrad__ = True  # tells `nn` this is seedgrad's autograd, not the PyPI project of that name
