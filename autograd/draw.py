"""Draw an expression from the command line: `python -m autograd.draw "tanh(x*w + b)" x=0.5 ...`.

The expression is parsed with Python's `ast` and checked against a whitelist (numbers, the
names given on the command line, + - * / **, unary minus, and the engine's functions);
anything else is refused before any evaluation, and nothing is ever passed to eval/exec.
"""

from __future__ import annotations

import argparse
import ast
import keyword
import math
import numbers
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autograd import ops
from autograd._io import atomic_write
from autograd.engine import Value, apply

__all__ = ["build", "functions", "main"]  # FUNCTIONS: kept, read from the table
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_MAX_NODES = 10_000
_SUFFIXES = (".svg", ".dot", ".html")


def _short(text: str, limit: int = 60) -> str:
    """`text` for an error message: a 100,000-character expression is cut, not echoed."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} chars)"


def functions() -> dict[str, ops.Op]:
    """The functions an expression may call: every built-in op with a method, by name."""
    return {op.method: op for op in ops.public() if op.method and op.arity in (1, 2)}


def __getattr__(name: str) -> Any:
    """`FUNCTIONS`: the callable names, read from the op table when asked."""
    if name == "FUNCTIONS":
        return tuple(functions())
    raise AttributeError(f"module 'autograd.draw' has no attribute {name!r}")


class ExpressionError(ValueError):
    """The expression is not one the whitelist allows (nothing was evaluated)."""


def _check(tree: ast.Expression, variables: dict[str, float]) -> None:
    """Walk the whole tree first: refuse anything outside the whitelist before evaluating."""
    count = 0
    known = functions()
    for node in ast.walk(tree):
        count += 1
        if count > _MAX_NODES:
            raise ExpressionError(f"the expression is too long (over {_MAX_NODES} parts)")
        if isinstance(node, (ast.Expression, ast.Load)) or type(node) in _BINARY:
            continue
        if isinstance(node, (ast.USub, ast.UAdd)):
            continue
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed "
                                      "(use + - * / **)")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError(f"unary operator {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise ExpressionError(f"only numbers are allowed as constants, got "
                                      f"{node.value!r}")
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise ExpressionError(f"the constant {ast.unparse(node)} is not a finite "
                                      "number")
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in known:
                raise ExpressionError(f"calling {_short(ast.unparse(node.func))} is not allowed "
                                      f"(functions: {', '.join(known)})")
            arity = known[name].arity
            if (len(node.args) != arity or node.keywords
                    or any(isinstance(a, ast.Starred) for a in node.args)):
                count = {1: "one argument", 2: "two arguments"}[arity]
                raise ExpressionError(f"{name}() takes exactly {count}")
        elif isinstance(node, ast.Name):
            if node.id not in variables and node.id not in known:
                example = node.id if len(node.id) <= 20 else "name"
                raise ExpressionError(f"unknown name {_short(node.id)}: give it a value on "
                                      f"the command line, e.g. {example}=1.0")
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression "
                                  f"(found {_short(ast.unparse(node))})")
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):  # a function name used as a value, e.g. "tanh + 1"
        if isinstance(node, ast.Name) and node.id not in variables and id(node) not in called:
            raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(x)")


def build(expression: str, variables: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    """Parse `expression` safely and build its `Value` graph; returns (output, inputs)."""
    if not isinstance(expression, str):
        raise TypeError(f"build: expression must be a str, got {type(expression).__name__}")
    _check_variables(variables)
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else type(error).__name__
        if isinstance(error, RecursionError):
            reason = "nested too deeply"
        raise ExpressionError(f"cannot parse {_short(expression)}: {reason}") from None
    _check(tree, variables)
    inputs = {name: Value(value, label=name) for name, value in variables.items()}
    # Iterative post-order evaluation over the checked tree (no recursion).
    results: dict[int, Value | float] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while stack:
        node, expanded = stack.pop()
        if not expanded:
            stack.append((node, True))
            children = ([node.left, node.right] if isinstance(node, ast.BinOp)
                        else [node.operand] if isinstance(node, ast.UnaryOp)
                        else list(node.args) if isinstance(node, ast.Call) else [])
            stack.extend((child, False) for child in reversed(children))
            continue
        if isinstance(node, ast.Constant):
            results[id(node)] = float(node.value)
        elif isinstance(node, ast.Name):
            results[id(node)] = inputs[node.id]
        elif isinstance(node, ast.UnaryOp):
            x = results.pop(id(node.operand))
            results[id(node)] = -x if isinstance(node.op, ast.USub) else x
        elif isinstance(node, ast.BinOp):
            a, b = results.pop(id(node.left)), results.pop(id(node.right))
            results[id(node)] = _apply_binary(_BINARY[type(node.op)], a, b)
        else:  # a whitelisted call: the op from the table
            args = [results.pop(id(a)) for a in node.args]
            args = [a if isinstance(a, Value) else Value(a) for a in args]
            results[id(node)] = apply(functions()[node.func.id], *args)
    out = results[id(tree.body)]
    if not isinstance(out, Value):
        out = Value(out)
    return out, inputs


def _check_variables(variables: Any) -> None:
    """`variables` must map names (identifiers, not keywords or functions) to finite numbers."""
    if not isinstance(variables, Mapping):
        raise TypeError(f"build: variables must be a dict of name → number, "
                        f"got {type(variables).__name__} {variables!r}")
    for name, value in variables.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"build: variable name {name!r} is not a Python name")
        if name in functions():
            raise ValueError(f"build: {name!r} is a function name, pick another name")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"build: {name} must be a number, got {type(value).__name__} "
                            f"{value!r}")
        if not math.isfinite(value):
            raise ValueError(f"build: {name} must be finite, got {value!r}")


def _apply_binary(op: str, a: Value | float, b: Value | float) -> Value | float:
    if not isinstance(a, Value) and not isinstance(b, Value):
        a = Value(a)  # keep every number in the graph so the drawing shows it
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b
    return a ** b


def _assignment(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or keyword.iskeyword(name):
        raise argparse.ArgumentTypeError(f"expected name=number, got {text!r}")
    if name in functions():
        raise argparse.ArgumentTypeError(f"{name!r} is a function name, pick another name")
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{name}: {value!r} is not a finite number")
    return name, number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    parser = argparse.ArgumentParser(
        prog="python -m autograd.draw",
        description="Draw the computation graph of an expression, with its gradients.",
        epilog='example: python -m autograd.draw "tanh(x*w + b)" x=0.5 w=-2 b=1 -o g.svg')
    parser.add_argument("expression", help="e.g. 'tanh(x*w + b)'; functions: "
                        + ", ".join(functions()))
    parser.add_argument("values", nargs="*", type=_assignment, metavar="name=value",
                        help="a value for every name in the expression")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="file to write (.svg, .dot or, with --html, .html)")
    parser.add_argument("--html", action="store_true",
                        help="write the step-by-step backward walkthrough page")
    parser.add_argument("--rankdir", choices=("LR", "TB"), default="LR")
    parser.add_argument("--no-grads", dest="show_grads", action="store_false")
    parser.add_argument("--no-local", dest="show_local", action="store_false",
                        help="hide the local derivatives on the edges")
    parser.add_argument("--no-constants", dest="show_constants", action="store_false")
    parser.add_argument("--no-color", dest="color", action="store_false")
    args = parser.parse_args(argv)

    from autograd import viz  # graphviz is imported only once arguments are fine

    variables = dict(args.values)
    if len(variables) != len(args.values):
        names = [name for name, _ in args.values]
        twice = next(name for name in names if names.count(name) > 1)
        parser.error(f"{twice} is given more than once")
    path = args.output or Path("walkthrough.html" if args.html else "graph.svg")
    if path.suffix not in _SUFFIXES:
        parser.error(f"--output must end in .svg, .dot or .html, got {str(path)!r}")
    if args.html and path.suffix != ".html":
        parser.error(f"--html writes an HTML page: name the output .html, got {str(path)!r}")
    try:
        out, _ = build(args.expression, variables)
    except (ExpressionError, ArithmeticError, ValueError) as error:
        parser.error(str(error))
    out.label = "f" if "f" not in variables else "out"
    out.backward()
    options = dict(rankdir=args.rankdir, show_grads=args.show_grads,
                   show_local=args.show_local, show_constants=args.show_constants,
                   color=args.color)
    try:
        if path.suffix == ".html":
            viz.walkthrough(out, path, **options)
        elif path.suffix == ".dot":
            atomic_write(path, viz.to_dot(out, **options).source, "autograd.draw")
        else:
            viz.save_svg(out, path, **options)
    except (viz.RenderError, OSError) as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}  ({out.label} = {out.data:.6g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
