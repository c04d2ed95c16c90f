"""`autograd.compile` is built from the op table: no op-name string comparisons in the
compiler, modules of at most 700 lines, and imports between its parts without cycles."""

import ast
from pathlib import Path

import autograd
from autograd import ops

ROOT = Path(autograd.__file__).parent
MODULES = sorted((ROOT / "_compile").glob("*.py")) + [ROOT / "compile.py"]


def test_the_compiler_compares_no_op_name_strings():
    """What an op needs in generated code is in its table entry (`code`, `local_code`,
    `terms`, `internal`, `arity`), so the compiler never asks for an op by name."""
    names = set(ops.names())
    found = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    for sub in ast.walk(side):
                        if isinstance(sub, ast.Constant) and sub.value in names:
                            found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


def test_no_module_of_the_compiler_is_over_700_lines():
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in MODULES}
    assert max(sizes.values()) <= 700, sizes


def test_the_compilers_parts_import_each_other_without_cycles():
    graph = {}
    for path in MODULES:
        name = "autograd.compile" if path.name == "compile.py" else \
            f"autograd._compile.{path.stem}"
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "autograd._compile":
                    deps |= {f"autograd._compile.{a.name}" for a in node.names}
                elif node.module.startswith(("autograd._compile", "autograd.compile")):
                    deps.add(node.module)
        graph[name] = deps
    done, active = set(), set()

    def visit(name, path):
        assert name not in active, " -> ".join(path + [name])
        if name in done:
            return
        active.add(name)
        for dep in graph.get(name, ()):
            visit(dep, path + [name])
        active.discard(name)
        done.add(name)

    for name in graph:
        visit(name, [])
    assert all("autograd.compile" not in deps for name, deps in graph.items()
               if name != "autograd.compile")


def test_n_ary_ops_carry_their_layout_and_templates_fill_in_one_place():
    dot, total = ops.get("dot").terms(5), ops.get("sum").terms(3)
    assert dot == ops.Terms(((0, 2), (1, 3)), (4,), False)
    assert total == ops.Terms((), (0, 1, 2), True)
    assert ops.fill(ops.get("**n").code, "out", ["x"], ["2.0"]) == "math.pow(x, 2.0)"
    assert ops.fill("{a}·{b}={out}", "z", ["p", "q"]) == "p·q=z"
