"""Hypothesis strategies for property-testing gradient code (public via `autograd.testing`).

`expressions()` builds random expression graphs step by step, evaluating each step at the
drawn inputs as it goes, so it only ever applies an op inside that op's domain, at least
`_MARGIN` away from its edges and kinks (log, sqrt and ** bases > 0.1, divisors and relu/abs
arguments with |x| ≥ 0.1), and keeps every intermediate value within ±`_BOUND`. That is what
lets finite differences (and PyTorch, whose conventions at kinks differ) agree with the
engine on every example.
"""

from __future__ import annotations

import importlib
import operator
from collections.abc import Callable, Collection, Sequence
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from autograd import engine
from autograd import ops as op_table
from autograd.engine import Value
from autograd.testing.checks import check_bounds, check_choice, check_sizes

_MARGIN = 0.1  # distance kept from domain edges and kinks
_BOUND = 100.0  # |every intermediate value| stays below this
_CONSTANTS = (2.0, -1.0, 0.5, 3.0, -2.5)


def _generable(op: op_table.Op) -> bool:
    """One or two inputs, or any number laid out as a sum of products (`Op.terms`)."""
    return op.arity in (1, 2) or (op.arity is None and op.terms is not None)


def _ops() -> tuple[str, ...]:
    """Every built-in op of the table that expressions() can generate."""
    return tuple(op.name for op in op_table.public() if _generable(op))


def __getattr__(name: str) -> Any:
    """`OPS`: the op names `expressions()` draws from by default, read from the table."""
    if name == "OPS":
        return _ops()
    raise AttributeError(f"module 'autograd.testing._strategies' has no attribute {name!r}")


def _floats(min_value: float, max_value: float) -> st.SearchStrategy[float]:
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False)


# ---- values() -------------------------------------------------------------------------------
def values(*, min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], never nan, inf or subnormal: Value data.

    Raises:
        InvalidArgument: a bound is not a finite real number, or min_value > max_value.
    """
    check_bounds("values", min_value, max_value)
    _check_drawable("values", min_value, max_value)
    return _floats(float(min_value), float(max_value))


_TINIEST_NORMAL = 2.2250738585072014e-308


def _check_drawable(where: str, min_value: float, max_value: float) -> None:
    """[min_value, max_value] must hold a float that is not subnormal (those are never drawn).

    Raises:
        InvalidArgument: the interval holds only subnormal floats.
    """
    low, high = float(min_value), float(max_value)
    if -_TINIEST_NORMAL < low and high < _TINIEST_NORMAL and (low > 0 or high < 0):
        raise InvalidArgument(f"{where}: [{min_value!r}, {max_value!r}] holds only subnormal "
                              f"floats, which are never drawn; widen it to include 0 or a "
                              f"float of magnitude ≥ {_TINIEST_NORMAL!r}")


# ---- expressions() --------------------------------------------------------------------------
class Expression:
    """A random expression graph: leaf `inputs`, its `output`, and `expr(*xs)` to rebuild it.

    `expr(*xs)` replays the same ops on new inputs: `Value`s (for finite differences, or a
    fresh graph), or any numbers with the same operators and methods, such as torch tensors
    (then `dot` and `sum` become products and `+`). Replays are valid near the drawn inputs.

    Attributes:
        inputs: the leaf `Value`s the expression reads.
        output: the `Value` it computes from them.
    """

    __slots__ = ("inputs", "output", "_steps", "_result")

    def __init__(self, point: Sequence[float], steps: Sequence[tuple[str, str, tuple]],
                 result: str):
        self._steps = tuple(steps)
        self._result = result
        self.inputs: tuple[Value, ...] = tuple(
            Value(x, label=f"x{i}") for i, x in enumerate(point))
        self.output: Value = self(*self.inputs)

    def __call__(self, *xs: Any) -> Any:
        """Rebuild the expression from new inputs, one per original input."""
        if len(xs) != len(self.inputs):
            raise TypeError(f"Expression: takes {len(self.inputs)} inputs, got {len(xs)}")
        env = {f"x{i}": x for i, x in enumerate(xs)}
        for name, op, args in self._steps:
            env[name] = _apply(op, _resolve(args, env))
        return env[self._result]

    @property
    def ops(self) -> tuple[str, ...]:
        """The op of every step, in order (names of the op table, `autograd.testing.OPS`)."""
        return tuple(op for _, op, _ in self._steps)

    def __repr__(self) -> str:
        point = ", ".join(f"x{i}={x.data!r}" for i, x in enumerate(self.inputs))
        lines = [f"{name} = {_source(op, args)}" for name, op, args in self._steps]
        return f"Expression({point}):\n    " + "\n    ".join(lines) + f"\n    -> {self._result}"


def _resolve(args: Any, env: dict[str, Any]) -> Any:
    """Replace step names by their values; numbers (constants) and None stay as they are."""
    if isinstance(args, tuple):
        return tuple(_resolve(a, env) for a in args)
    return env[args] if isinstance(args, str) else args


def _is_engine_operand(x: Any) -> bool:
    return isinstance(x, (Value, float))


def _value(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _apply(name: str, args: tuple) -> Any:
    """Run op `name` on Values (the engine) or on other numbers, e.g. torch tensors.

    `args` are the op's inputs; for an op with a bound parameter (`x ** n`), the input and
    the parameter; for an n-ary op, its parents in the op's layout (`Op.terms`).
    """
    op = op_table.get(name)
    if op.operator is not None:  # Python's operator runs the op on Values and tensors alike
        return getattr(operator, op.operator)(*args)
    engine_args = all(map(_is_engine_operand, args))
    if op.param_examples and engine_args:  # (input, bound parameter): x ** 2.0
        return engine.apply(op.bind(args[1]), _value(args[0]))
    if op.param_examples:  # the parameter stays a number, as PyTorch treats x ** 0 apart
        return _foreign(op, args[:1], args[1:])
    if engine_args:
        return engine.apply(op, *map(_value, args))
    if op.arity is None and op.terms is not None:  # Σ products + singles, left to right
        terms = op.terms(len(args))
        parts = [args[i] * args[j] for i, j in terms.products] + [args[k] for k in terms.singles]
        out = parts[0]
        for part in parts[1:]:
            out = out + part
        return out
    return _foreign(op, args)


def _foreign(op: op_table.Op, args: tuple, params: tuple = ()) -> Any:
    """The op on numbers of another library (PyTorch), through the table's `torch` name;
    `params` (bound parameters) are passed after the inputs as they are."""
    if op.torch is None:
        raise TypeError(f"expressions: op {op.name!r} has no `torch` equivalent declared, "
                        f"so it can only be replayed on Values")
    module, _, attr = op.torch.rpartition(".")
    function = getattr(importlib.import_module(module), attr)
    ref = next(a for a in args if not isinstance(a, (int, float)))
    if hasattr(ref, "new_tensor"):
        args = tuple(ref.new_tensor(a) if isinstance(a, (int, float)) else a for a in args)
    return function(*args, *params)


def _show(arg: Any) -> str:
    if isinstance(arg, str):
        return arg
    return f"({arg!r})" if arg < 0 else repr(arg)


def _source(name: str, args: tuple) -> str:
    op = op_table.get(name)
    if op.arity is None:  # autograd.dot(ws, xs, bias=b) for a weighted sum, else ([terms])
        layout = op_table.weighted_sum(op, len(args))
        if layout is None:
            return f"{name}([{', '.join(map(_show, args))}])"
        ws, xs = ([_show(args[k]) for k in part] for part in (layout.weights, layout.inputs))
        tail = "" if layout.bias is None else f", bias={_show(args[layout.bias])}"
        return f"{name}([{', '.join(ws)}], [{', '.join(xs)}]{tail})"
    if op.precedence is not None and (op.arity == 2 or op.param_examples):  # a ** b, x ** 2
        return f"{_show(args[0])} {op.symbol} {_show(args[1])}"
    if op.precedence is not None:
        return f"{op.symbol}{args[0]}"
    if op.method is not None:
        return f"{args[0]}.{op.method}({', '.join(map(_show, args[1:]))})"
    return f"{name}({', '.join(map(_show, args))})"


def _well_inside(name: str, args: tuple, out: Value) -> bool:
    """True if `out = op(*args)` stays bounded and ≥ _MARGIN from its op's edges and kinks."""
    if not abs(out.data) <= _BOUND:
        return False
    data = [a.data if isinstance(a, Value) else a for a in args]
    op = op_table.get(name)
    return op.safe is None or bool(op.safe(_MARGIN, *data))


@st.composite
def _expression(draw: st.DrawFn, min_inputs: int, max_inputs: int, min_size: int,
                max_size: int, min_value: float, max_value: float,
                ops_chosen: tuple[str, ...]) -> Expression:
    n = draw(st.integers(min_inputs, max_inputs))
    point = [draw(_floats(min_value, max_value)) for _ in range(n)]
    env: dict[str, Value] = {f"x{i}": Value(x) for i, x in enumerate(point)}
    names = list(env)  # every node so far, inputs first; operands are drawn from these
    used: set[str] = set()
    steps: list[tuple[str, str, tuple]] = []
    size = draw(st.integers(min_size, max_size))

    def node() -> str:
        return names[draw(st.integers(0, len(names) - 1))]

    def operand() -> Any:  # mostly nodes (shared sub-expressions); sometimes a constant
        return draw(st.sampled_from(_CONSTANTS)) if draw(st.integers(0, 4)) == 4 else node()

    for _ in range(3 * size):  # infeasible draws are skipped; give up after 3 tries a step
        if len(steps) == size:
            break
        op = draw(st.sampled_from(ops_chosen))
        entry = op_table.get(op)
        if entry.arity is None:  # n-ary: its parents in the op's layout
            args: tuple = _parents(draw, entry, node, operand)
        elif entry.param_examples:  # (x, a bound parameter): x ** 2.0
            args = (node(), draw(st.sampled_from(entry.param_examples)))
        elif entry.arity == 2:
            args = (node(), operand())
            if entry.method is None and draw(st.booleans()):  # a method wants a Value first
                args = args[::-1]
        else:
            args = (node(),)
        try:
            with engine.no_grad():
                out = _apply(op, _resolve(args, env))
        except (ArithmeticError, ValueError):
            continue
        if not _well_inside(op, _resolve(args, env), out):
            continue
        name = f"t{len(steps)}"
        steps.append((name, op, args))
        used.update(a for a in args if isinstance(a, str))
        env[name] = out
        names.append(name)
    if len(steps) < min_size:
        reject()
    # Join the results nothing else uses, so that every step reaches the output.
    ends = tuple(name for name, _, _ in steps if name not in used)
    join = op_table.SUM.name  # the table's Σ, when the chosen ops include it
    if len(ends) > 1 and join in ops_chosen:
        with engine.no_grad():
            joined = _apply(join, _resolve(ends, env))
        if not _well_inside(join, ends, joined):  # the join must stay bounded too
            reject()
        steps.append((f"t{len(steps)}", join, ends))
    return Expression(point, steps, steps[-1][0])


def _parents(draw: st.DrawFn, op: op_table.Op, node: Callable[[], str],
             operand: Callable[[], Any]) -> tuple:
    """An n-ary op's parents: a neuron's k weights (the first a node), k inputs and maybe a
    bias where `weighted_sum` puts them; else 1 to 4 terms, the first a node."""
    k, bias = draw(st.integers(1, 3)), draw(st.booleans())
    layout = op_table.weighted_sum(op, 2 * k + bias)
    if layout is None:
        return (node(),) + tuple(operand() for _ in range(draw(st.integers(0, 3))))
    parents = [operand() for _ in range(2 * k + bias)]
    parents[layout.weights[0]] = node()
    return tuple(parents)


def expressions(*, min_inputs: int = 1, max_inputs: int = 3, min_size: int = 1,
                max_size: int = 8, min_value: float = -3.0, max_value: float = 3.0,
                ops: Collection[str] | None = None) -> st.SearchStrategy[Expression]:
    """Random expression graphs over a few input `Value`s, kept inside every op's domain.

    Each step applies one op from `ops` (by default every built-in op of the table
    `autograd.ops` that takes one or two inputs, plus `dot` and `sum`: see `OPS`) to
    earlier nodes or constants, so nodes fan out and sub-expressions are shared. Custom
    ops made with `autograd.op(..., arity=1 or 2)` are drawn when named in `ops`.
    Arguments stay ≥ 0.1 away from domain edges and kinks (each op's `safe` test: log/sqrt
    at 0, relu/abs at 0, division by 0, max/min ties) and every value within ±100, so
    finite differences hold.

    Args:
        min_inputs: fewest input `Value`s (≥ 1).
        max_inputs: most input `Value`s.
        min_size: fewest op steps (≥ 1).
        max_size: most op steps; a final `sum` joining the unused results may add one.
        min_value: lowest input value.
        max_value: highest input value.
        ops: the ops to use: names from `OPS`, or custom ops of fixed arity.

    Raises:
        InvalidArgument: a size or bound is out of range, or an op name is unknown.
    """
    check_sizes("expressions", "min_inputs", min_inputs, "max_inputs", max_inputs, 1)
    check_sizes("expressions", "min_size", min_size, "max_size", max_size, 1)
    check_bounds("expressions", min_value, max_value)
    _check_drawable("expressions", min_value, max_value)
    if ops is not None and not isinstance(ops, str) and isinstance(ops, Collection):
        for name in ops:
            found = op_table.table().get(name) if isinstance(name, str) else None
            if found is not None and not found.internal and not _generable(found):
                raise InvalidArgument(
                    f"expressions: op {name!r} takes any number of inputs (declared without "
                    f"arity), so expressions() cannot know how many to give it; declare it "
                    f"with autograd.op(..., arity=1) or arity=2 to generate it")
    known = _ops() + tuple(op.name for op in op_table.public(builtin=False) if _generable(op))
    chosen = check_choice("expressions", "ops", _ops() if ops is None else ops, known)
    return _expression(min_inputs, max_inputs, min_size, max_size, float(min_value),
                       float(max_value), chosen)
