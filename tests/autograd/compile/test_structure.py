"""`autograd.compile`'s parts import each other without cycles, and never its public face.
(No op-name comparisons and the size limits: tests/test_structure.py, for both packages.)"""

import ast
from pathlib import Path

import autograd

ROOT = Path(autograd.__file__).parent
MODULES = sorted((ROOT / "_compile").glob("*.py")) + [ROOT / "compile.py"]


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
