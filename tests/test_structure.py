"""The library's shape, checked on its source (ast): ops are known only to the op table, every
module and function fits a reader's head, and the layers point down without cycles.

- No string equal to a registered op's name (`autograd.ops.names()` once `autograd` and `nn`
  have registered theirs) is compared (`==`, `!=`, `in`, `not in`, `case "name":`) anywhere in
  `autograd/` or `nn/` outside the op table (`autograd/ops.py` or an `autograd/ops/`
  package); nor is a node's `.op` looked up in, or compared with, a table of op names kept
  elsewhere. What differs per op is a field of its entry.
- No module over 700 lines, no function over 80.
- No import cycles among the modules of `autograd` and `nn`; `autograd` never imports `nn`;
  each package imports only the other's public modules and names.
Each failure names file:line of every offender.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import autograd
import nn  # noqa: F401 (registers nn's ops, its losses: they are op names too)
from tests import ROOT

PACKAGES = ("autograd", "nn")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 700, 80


def modules(root: Path = ROOT) -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every module of the packages under `root`."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def is_op_table(name: str) -> bool:
    """The op table: `autograd.ops`, a module or a package of modules."""
    return name == "autograd.ops" or name.startswith("autograd.ops.")


def where(path: Path, root: Path, node: ast.AST) -> str:
    """file:line for a report."""
    return f"{path.relative_to(root).as_posix()}:{getattr(node, 'lineno', 0)}"


# ---- op names are known only to the op table ---------------------------------------------------
def _strings(node: ast.AST, names: set[str]) -> list[str]:
    """The op-name string constants anywhere inside `node`."""
    return [sub.value for sub in ast.walk(node)
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in names]


def _tables(tree: ast.AST, names: set[str]) -> set[str]:
    """Names bound (anywhere in the module) to a literal tuple, list, set or dict (its keys)
    that holds op names: `_UNARY = ("exp", "log")` or `_TEX = {"sqrt": ...}`."""
    found = set()
    for node in ast.walk(tree):
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if value is None:
            continue
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                and value.func.id in ("frozenset", "set", "tuple") and value.args:
            value = value.args[0]
        held = (value.keys if isinstance(value, ast.Dict) else value.elts
                if isinstance(value, (ast.Tuple, ast.List, ast.Set)) else [])
        if any(key is not None and _strings(key, names) for key in held):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found |= {t.id for t in targets if isinstance(t, ast.Name)}
    return found


def _reads_an_op(node: ast.AST) -> bool:
    """Does the expression read a node's op name (`v.op`)?"""
    return any(isinstance(sub, ast.Attribute) and sub.attr == "op" for sub in ast.walk(node))


def _is_table(node: ast.AST, tables: set[str], names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in tables
    if isinstance(node, ast.Attribute):
        return node.attr in tables
    return isinstance(node, ast.Dict) and any(k is not None and _strings(k, names)
                                              for k in node.keys)


def op_name_comparisons(source: str, names: set[str], filename: str = "<text>") -> list[str]:
    """file:line: code, for each place in `source` that compares a string equal to an op
    name, matches one in a `case`, or looks a node's `.op` up in a table of op names."""
    tree = ast.parse(source, filename)
    tables = _tables(tree, names)
    found = []
    for node in ast.walk(tree):
        hit = False
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            hit = any(_strings(side, names) for side in sides) or (
                any(_reads_an_op(side) for side in sides)
                and any(_is_table(side, tables, names) for side in sides))
        elif isinstance(node, ast.match_case):
            hit = any(isinstance(sub, ast.MatchValue) and _strings(sub.value, names)
                      for sub in ast.walk(node.pattern))
            node = node.pattern
        elif isinstance(node, ast.Subscript):  # TABLE[v.op]
            hit = _is_table(node.value, tables, names) and _reads_an_op(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "get" and node.args:  # TABLE.get(v.op)
            hit = _is_table(node.func.value, tables, names) and _reads_an_op(node.args[0])
        if hit:
            found.append((node.lineno, node.col_offset,
                          f"{filename}:{node.lineno}: {ast.unparse(node)[:100]}"))
    return [text for _, _, text in sorted(found)]


def op_name_offenders(root: Path = ROOT) -> list[str]:
    """Every op-name comparison in the packages under `root`, outside the op table."""
    names = set(autograd.ops.names())
    found = []
    for name, path in modules(root):
        if not is_op_table(name):
            found += op_name_comparisons(path.read_text(encoding="utf-8"), names,
                                         path.relative_to(root).as_posix())
    return found


def test_every_op_of_both_packages_is_a_name_the_check_knows():
    names = set(autograd.ops.names())
    assert {"tanh", "dot", "sum", "const", "micrograd", "**n", "seed_cost", "mse"} <= names
    assert len(names) >= 30


def test_no_op_name_is_compared_outside_the_op_table():
    offenders = op_name_offenders()
    assert not offenders, (f"{len(offenders)} op-name comparisons outside the op table; make "
                           "what differs a field of the op's entry:\n" + "\n".join(offenders))


PLANTED = '''\
def f(node, op, name, activation):
    if node.op == "tanh":
        pass
    if "sum" != op:
        pass
    if op in ("exp", "neg", 3):
        pass
    if name not in {"**n", "other"}:
        pass
    x = activation == "relu" or op.startswith("x")
    match node.op:
        case "dot" | "const":
            pass
        case "not an op":
            pass
    return _TEX[node.op], _SKIP.get(node.op), node.op in _KINDS, {"sqrt": 1}[node.op]


_TEX = {"sqrt": "\\\\sqrt"}
_SKIP = {"micrograd": 1, "x": 2}
_KINDS = frozenset({"const", "d(order=1)"})
'''
ALLOWED = '''\
__all__ = ["sum", "grad", "tanh"]
ACTIVATIONS = {"tanh": 1, "relu": 2}


def g(node, activation, ops):
    rule = ops.get("tanh")  # a lookup in the table, by name, is what the table is for
    if activation in ACTIVATIONS and node.op_info.constant:
        return ACTIVATIONS[activation], rule
    return f"{node.op}" == node.label, "tanh".upper(), "not an op" == activation
'''


def test_the_check_finds_each_kind_of_comparison_with_its_line():
    names = set(autograd.ops.names())
    found = op_name_comparisons(PLANTED, names, "planted.py")
    assert [line.split(": ", 1)[0] for line in found] == [
        "planted.py:2", "planted.py:4", "planted.py:6", "planted.py:8", "planted.py:10",
        "planted.py:12", "planted.py:16", "planted.py:16", "planted.py:16", "planted.py:16"]
    assert "node.op == 'tanh'" in found[0] and "case" not in found[5]
    assert op_name_comparisons(ALLOWED, names, "allowed.py") == []


def test_the_check_reads_every_module_except_the_op_table(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "autograd" / "viz").mkdir()
    (tmp_path / "autograd" / "ops").mkdir()
    (tmp_path / "autograd" / "viz" / "planted.py").write_text(PLANTED, encoding="utf-8")
    (tmp_path / "nn" / "__init__.py").write_text('def f(v):\n    return v.op == "mse"\n')
    (tmp_path / "autograd" / "ops.py").write_text(PLANTED, encoding="utf-8")
    (tmp_path / "autograd" / "ops" / "table.py").write_text(PLANTED, encoding="utf-8")
    found = op_name_offenders(tmp_path)
    assert {line.split(": ", 1)[0] for line in found} == {
        "autograd/viz/planted.py:2", "autograd/viz/planted.py:4", "autograd/viz/planted.py:6",
        "autograd/viz/planted.py:8", "autograd/viz/planted.py:10",
        "autograd/viz/planted.py:12", "autograd/viz/planted.py:16", "nn/__init__.py:2"}


# ---- files a reader can hold -----------------------------------------------------------------
def size_offenders(root: Path = ROOT) -> list[str]:
    """Modules over MAX_MODULE_LINES and functions over MAX_FUNCTION_LINES (def to last line)."""
    found = []
    for _, path in modules(root):
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(root).as_posix()}: module of {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{where(path, root, node)}: {node.name} is {length} lines")
    return found


def test_no_module_over_700_lines_and_no_function_over_80():
    offenders = size_offenders()
    assert not offenders, (f"over the limits ({MAX_MODULE_LINES} lines a module, "
                           f"{MAX_FUNCTION_LINES} a function):\n" + "\n".join(offenders))


def test_the_size_check_names_what_is_too_long(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    def body(n):
        return "".join(f"    x{i} = {i}\n" for i in range(n))

    (tmp_path / "nn" / "long.py").write_text(f"def fine():\n{body(79)}\n\n"  # 80 lines
                                             f"def long():\n{body(80)}", encoding="utf-8")
    (tmp_path / "autograd" / "big.py").write_text("x = 1\n" * 701, encoding="utf-8")
    (tmp_path / "autograd" / "fits.py").write_text("x = 1\n" * 700, encoding="utf-8")
    assert size_offenders(tmp_path) == ["autograd/big.py: module of 701 lines",
                                        "nn/long.py:83: long is 81 lines"]


# ---- layers point down, without cycles ---------------------------------------------------------
def _imports(name: str, path: Path, known: set[str]) -> Iterator[tuple[ast.AST, str, str]]:
    """(node, imported module, imported name or "") for each import of the module, at its top
    or inside a function, relative ones resolved; `from a import b` is module a.b when that
    is a module. Imports for type checkers only (`if TYPE_CHECKING:`) do not count."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(sub) for block in ast.walk(tree)  # `if TYPE_CHECKING:` runs no import
                   if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for statement in block.body for sub in ast.walk(statement)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (node, full, "") if full in known else (node, base, alias.name)


def _ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def _private(module: str, imported: str) -> bool:
    parts = [*module.split("."), *([imported] if imported else [])]
    return any(part.startswith("_") and not part.startswith("__") for part in parts[1:])


def layer_offenders(root: Path = ROOT) -> tuple[list[str], dict[str, set[str]]]:
    """Imports that point up or into another package's private parts, and the import graph
    among the packages' modules (the most specific module each import names)."""
    found, graph = [], {}
    known = {name for name, _ in modules(root)}
    for name, path in modules(root):
        graph[name] = set()
        for node, module, imported in _imports(name, path, known):
            if not _ours(module):
                continue
            graph[name].add(module)
            mine, theirs = name.split(".")[0], module.split(".")[0]
            if mine == "autograd" and theirs == "nn":
                found.append(f"{where(path, root, node)}: autograd imports {module} "
                             "(layers point down: nn uses autograd, never the reverse)")
            elif mine != theirs and _private(module, imported):
                what = f"{module}.{imported}" if imported else module
                found.append(f"{where(path, root, node)}: {name} imports {what}, private "
                             f"to {theirs}")
    return found, graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (or a self-loop),
    found iteratively (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def test_layers_point_down_and_packages_use_each_others_public_names():
    offenders, _ = layer_offenders()
    assert not offenders, "\n".join(offenders)


def test_no_import_cycles_among_the_modules():
    _, graph = layer_offenders()
    assert "autograd.engine" in graph and "nn.module" in graph
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in found)


@pytest.mark.parametrize("files, expected", [
    ({"autograd/a.py": "from nn import MLP\n"}, ["autograd/a.py:1: autograd imports nn"]),
    ({"autograd/a.py": "def f():\n    import nn.data\n"},
     ["autograd/a.py:2: autograd imports nn.data"]),
    ({"nn/a.py": "from autograd._io import atomic_write\n"},
     ["nn/a.py:1: nn.a imports autograd._io.atomic_write, private"]),
    ({"nn/a.py": "from autograd.engine import _as_float\n"},
     ["nn/a.py:1: nn.a imports autograd.engine._as_float, private"]),
    ({"autograd/a.py": "from nn._util import real\n"},
     ["autograd/a.py:1: autograd imports nn._util"]),
    ({"nn/a.py": "from . import _util\nfrom autograd import Value, ops\n"}, []),
    ({"autograd/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import nn\n"},
     []),
])
def test_the_layer_check_names_each_bad_import(tmp_path, files, expected):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "autograd" / "ops.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found, _ = layer_offenders(tmp_path)
    assert len(found) == len(expected), found
    assert all(line.startswith(start) for line, start in zip(found, expected)), found


def test_the_compilers_parts_never_import_its_public_face():
    """autograd.compile is the compiler's public face; its parts (autograd._compile.*) sit
    below it, so a cycle through the face cannot start there."""
    _, graph = layer_offenders()
    parts = {name: deps for name, deps in graph.items() if name.startswith("autograd._compile.")}
    assert parts and "autograd.compile" in graph
    assert [name for name, deps in parts.items() if "autograd.compile" in deps] == []


def test_the_cycle_check_finds_cycles_of_any_length():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    chain = {f"m{i}": {f"m{i + 1}"} for i in range(5000)}  # no recursion limit
    chain["m5000"] = {"m0"}
    assert len(cycles(chain)[0]) == 5001
