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
import operator
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, cast

from autograd import ops
from autograd.engine import Value, apply
from autograd.files import atomic_write, check_target

__all__ = ["build", "functions", "main"]  # FUNCTIONS: kept, read from the table
# Python's operators on Values: each runs the op the table installed for it (`Op.operator`,
# and `**` picks x ** n or x ** y), so this file knows no op by name.
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow}
_MAX_PARTS = 10_000  # ast nodes an expression may have (its parts: names, numbers, operators)
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


def _one_line(text: Any) -> str:
    """`str(text)` on one line (an error message must not spill over several)."""
    return " ".join(str(text).split())


class ExpressionError(ValueError):
    """The expression is not one the whitelist allows (nothing was evaluated)."""


def _shown(node: ast.AST, source: str) -> str:
    """The source text of `node`, cut by `_short`, for a message.

    Not `ast.unparse`: it recurses, so a 400-level `x.a.a.a...` raised RecursionError
    while the message was being built. `get_source_segment` only slices the text.
    """
    segment = ast.get_source_segment(source, node) if source else None
    return _short(segment) if segment else type(node).__name__


def _check(tree: ast.Expression, variables: dict[str, float], source: str = "") -> None:
    """Walk the whole tree first: refuse anything outside the whitelist before evaluating.

    `source` is the parsed text, quoted in messages; every message is one short line.
    """
    count = 0
    known = functions()
    for node in ast.walk(tree):
        count += 1
        if count > _MAX_PARTS:
            raise ExpressionError(f"the expression is too long (over {_MAX_PARTS} parts)")
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
                                      f"{_shown(node, source)}")
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise ExpressionError(f"the constant {ast.unparse(node)} is not a finite "
                                      "number")
            if isinstance(node.value, int) and node.value.bit_length() > 1024:
                raise ExpressionError(f"the constant {_shown(node, source)} is too large "
                                      "for a float")
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name is None or name not in known:
                raise ExpressionError(f"calling {_shown(node.func, source)} is not allowed "
                                      f"(functions: {', '.join(known)})")
            arity = known[name].arity
            if (len(node.args) != arity or node.keywords
                    or any(isinstance(a, ast.Starred) for a in node.args)):
                wanted = "one argument" if arity == 1 else "two arguments"  # arity: 1 or 2
                raise ExpressionError(f"{name}() takes exactly {wanted}")
        elif isinstance(node, ast.Name):
            if node.id not in variables and node.id not in known:
                example = node.id if len(node.id) <= 20 else "name"
                raise ExpressionError(f"unknown name {_short(node.id)}: give it a value on "
                                      f"the command line, e.g. {example}=1.0")
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression "
                                  f"(found {_shown(node, source)})")
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):  # a function name used as a value, e.g. "tanh + 1"
        if isinstance(node, ast.Name) and node.id not in variables and id(node) not in called:
            raise ExpressionError(f"{node.id} is a function: call it, e.g. {node.id}(x)")


def build(expression: str, variables: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    """Parse `expression` safely and build its `Value` graph; returns (output, inputs)."""
    if not isinstance(expression, str):
        raise TypeError(f"build: expression must be a str, got {type(expression).__name__}")
    _check_variables(variables)
    source = expression.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else type(error).__name__
        if isinstance(error, (RecursionError, MemoryError)):
            reason = "nested too deeply"
        reason = _one_line(reason)
        reason = reason if len(reason) <= 120 else reason[:120] + "…"
        raise ExpressionError(f"cannot parse {_short(expression)}: {reason}") from None
    _check(tree, variables, source)
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
            results[id(node)] = float(cast(float, node.value))  # _check: an int or a float
        elif isinstance(node, ast.Name):
            results[id(node)] = inputs[node.id]
        elif isinstance(node, ast.UnaryOp):
            x = results.pop(id(node.operand))
            results[id(node)] = -x if isinstance(node.op, ast.USub) else x
        elif isinstance(node, ast.BinOp):
            a, b = results.pop(id(node.left)), results.pop(id(node.right))
            results[id(node)] = _apply_binary(_BINARY[type(node.op)], a, b)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            # a whitelisted call (_check leaves no other node here): the op from the table
            popped = [results.pop(id(a)) for a in node.args]
            args = [a if isinstance(a, Value) else Value(a) for a in popped]
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


def _apply_binary(op: Callable[[Any, Any], Any], a: Value | float,
                  b: Value | float) -> Value | float:
    if not isinstance(a, Value) and not isinstance(b, Value):
        a = Value(a)  # keep every number in the graph so the drawing shows it
    return cast(Value, op(a, b))


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


class _Parser(argparse.ArgumentParser):
    """argparse, with its error line kept short (it echoes unrecognized arguments whole)."""

    def error(self, message: str) -> NoReturn:
        text = _one_line(message)
        text = text if len(text) <= 300 else text[:300] + "…"
        if text.startswith(("unrecognized arguments: -", "the following arguments are")):
            text += " (an expression starting with - goes after --: -o g.svg -- '-x*2' x=1)"
        super().error(text)


# Exit statuses: 0 written; 1 the file could not be drawn or written; 2 a bad command line,
# expression or value (argparse's own status); 70 a bug in seedgrad (EX_SOFTWARE); 130 ^C.
_INPUT_ERRORS = (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError)


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m autograd.draw") -> int:
    """Run the command line; returns the exit status (0 on success).

    Whatever the input, the outcome is one `error:` line and a nonzero status, never a
    traceback; an exception no input should cause is reported as an internal error (70).
    `prog` is the command's name in messages (`seedgrad draw` runs it too).
    """
    parser = _Parser(
        prog=prog,
        description="Draw the computation graph of an expression, with its gradients.",
        epilog=f'example: {prog} "tanh(x*w + b)" x=0.5 w=-2 b=1 -o g.svg')
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
    try:
        return _run(parser, parser.parse_args(argv))
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted (nothing was written)", file=sys.stderr)
        return 130
    except Exception as error:  # a bug, not a bad input: say so in one line, no traceback
        where = traceback.extract_tb(error.__traceback__)[-1]
        print(f"{parser.prog}: internal error: {type(error).__name__}: "
              f"{_short(_one_line(error), 200)} (at {Path(where.filename).name}:{where.lineno};"
              " please report it)", file=sys.stderr)
        return 70


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Build, differentiate and write; bad input ends in parser.error (status 2)."""
    variables = dict(args.values)
    if len(variables) != len(args.values):
        names = [name for name, _ in args.values]
        twice = next(name for name in names if names.count(name) > 1)
        parser.error(f"{twice} is given more than once")
    path = args.output or Path("walkthrough.html" if args.html else "graph.svg")
    if path.suffix not in _SUFFIXES:
        parser.error(f"--output must end in .svg, .dot or .html, got {_short(str(path))}")
    if args.html and path.suffix != ".html":
        parser.error(f"--html writes an HTML page: name the output .html, got "
                     f"{_short(str(path))}")
    try:
        check_target(path, "autograd.draw")  # a FIFO or /dev/null: refused before any work
    except (OSError, ValueError) as error:
        print(f"{parser.prog}: error: {_message(error)}", file=sys.stderr)
        return 1
    try:
        out, _ = build(args.expression, variables)
        out.label = "f" if "f" not in variables else "out"
        out.backward()  # a derivative can fail where the value did not: sqrt'(0) = 1/0
    except _INPUT_ERRORS as error:
        parser.error(_message(error))

    from autograd import viz  # graphviz is imported only once the input is fine

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
    except (viz.RenderError, OSError, RecursionError, MemoryError) as error:
        print(f"{parser.prog}: error: {_message(error)}", file=sys.stderr)
        return 1
    print(f"wrote {path}  ({out.label} = {out.data:.6g})")
    return 0


def _message(error: BaseException) -> str:
    """One line for the user: the exception's own message (named by type if it has none)."""
    text = _one_line(error)
    if isinstance(error, RecursionError):
        return "the expression is nested too deeply to draw"
    if isinstance(error, MemoryError):
        return "out of memory: the expression is too large to draw"
    if not text:
        return type(error).__name__
    return text if len(text) <= 300 else text[:300] + "…"


if __name__ == "__main__":
    sys.exit(main())
