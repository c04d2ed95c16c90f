"""`autograd.compile`: trace a function once and write its backward pass out as Python.

The seed derives backprop by hand, one line of arithmetic per derivative. `compile` prints
that program for any function of `Value`s: it runs `fn` once on example arguments,
records the graph, and generates straight-line Python from the op table
(`autograd.ops`: each op's `code` and `local_code` templates):

    # forward
    z_1_0 = w_1_0_0 * x_0 + w_1_0_1 * x_1 + b_1_0
    a_1_0 = _sigmoid(z_1_0)
    ...
    # backward
    dC_da_1_0 = dC_dz_2_0 * w_2_0_0 + dC_dz_2_1 * w_2_1_0
    dC_dz_1_0 = dC_da_1_0 * (a_1_0 * (1.0 - a_1_0))

One assignment per node; each gradient is the sum of what its consumers send (the seed's
fan-out sum). Running that code is several times faster than building a graph per call.

What a trace cannot see it checks. Comparisons and number reads of a `Value` inside `fn`
(`if x > 0:`, `max(a, b)`, `float(x)`, `int(x)`, `round(x)`, `x.item()`) are recorded as
guards (signed zero included); a call where a guard comes out differently traces `fn`
again (or raises `TraceError` with `retrace=False`). Float arguments are inputs of the
generated code: as `Value`s, or as the bound arguments of the op `fn` hands them to (a
loss target). Other arguments `fn` refuses as `Value`s (a class label, a string) are
specialised on: one trace per distinct value, at most `MAX_TRACES` kept (least recently
used dropped). When the generated code meets a number
eager mode treats specially (an inf or nan in any value or gradient, or an exception such
as a domain error), the call is redone in eager mode, so results and exceptions are eager
mode's; any other fallback warns once, naming why. Reads of `.data` itself, random numbers
and globals are invisible to the trace: `step.verify(*args)` compares compiled and eager.

No user text becomes source text: names come from one allocator and values from a table
of bound objects (`autograd._compile.names`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd._compile.callable import MAX_TRACES, Compiled
from autograd._compile.emit import MAX_TRACE_NODES
from autograd._compile.trace import TraceError

__all__ = ["compile", "Compiled", "TraceError", "MAX_TRACE_NODES", "MAX_TRACES"]

MAX_NODES = MAX_TRACE_NODES  # its former name: still importable, no longer in __all__


def compile(fn: Callable[..., Any], *example_args: Any, retrace: bool = True) -> Compiled:  # noqa: A001
    """Trace `fn(*example_args)` once and generate its forward and backward as Python.

    `fn` takes numbers, lists of numbers or `Value`s (numpy arrays work too) and returns a
    `Value` or a list of them. Leaves it reads that are not arguments (a model's weights)
    are its parameters, read fresh from `.data` on every call.

    The result `step`: `step(*args)` returns the output as a float (a list for a list
    output) and ADDS ∂output/∂p to every parameter's `.grad`, like `fn(*args).backward()`;
    `step.forward(*args)` only computes the output; `step.batch(*arg_lists,
    reduction="sum" | "mean")` loops over rows in one generated function; `step.source`
    is the generated Python; `step.verify(*args)` checks compiled against eager mode
    (call it once on new code).

    Args:
        fn: the function to compile.
        example_args: arguments for the first trace.
        retrace: trace again when a guard (a comparison on a Value) or a static argument
            differs; if False raise `TraceError` instead.

    Raises:
        TraceError: the graph cannot be compiled (too big, hand-built closures), or `fn`
            does not return Values.
        TypeError, ValueError, ArithmeticError: `fn` itself failed on the example.
    """
    if not callable(fn):
        raise TypeError(f"compile: fn must be callable, got {type(fn).__name__} {fn!r}")
    return Compiled(fn, tuple(example_args), bool(retrace))
