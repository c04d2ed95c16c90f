"""Types that help: `Value` declares every op of the table, and typos fail `mypy --strict`.

The declarations live in `autograd/engine.py` under `if TYPE_CHECKING:` (the methods are
made from the op table at import). These tests keep them and the table in step, and run
mypy as a user would: on scripts outside the repository, against seedgrad installed from a
wheel (tests/_installed.py), which is what an editor or a CI job sees.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Value, ops

ROOT = Path(__file__).resolve().parents[1]
TYPED = Path(__file__).resolve().parent / "typed"


def _declared() -> dict[str, ast.FunctionDef]:
    """The methods `Value` declares for type checkers, by name (from the source)."""
    tree = ast.parse((ROOT / "autograd" / "engine.py").read_text(encoding="utf-8"))
    (value,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Value"]
    (block,) = [n for n in value.body if isinstance(n, ast.If)
                and ast.unparse(n.test) == "TYPE_CHECKING"]
    return {n.name: n for n in block.body if isinstance(n, ast.FunctionDef)}


def _from_table() -> dict[str, int]:
    """Every operator and method the op table gives `Value`, with its number of operands."""
    made: dict[str, int] = {}
    for op in ops.public():
        if op.operator is not None:
            if op.arity == 1:
                made[f"__{op.operator}__"] = 1
            else:
                made[f"__{op.operator}__"] = made[f"__r{op.operator}__"] = 2
        if op.method is not None and op.arity in (1, 2):
            made[op.method] = op.arity
    return made


def test_every_op_of_the_table_is_declared_with_its_operands():
    declared = _declared()
    for name, arity in _from_table().items():
        assert name in declared, f"Value.{name} (from the op table) is not declared for type " \
                                 "checkers in engine.py's TYPE_CHECKING block"
        params = [a.arg for a in declared[name].args.args]
        assert len(params) == arity, f"Value.{name} takes {arity} operands, declared {params}"


def test_every_declared_method_exists_and_there_is_no_escape_hatch():
    for name in _declared():
        assert hasattr(Value, name), f"Value.{name} is declared but does not exist"
    assert "__getattr__" not in _declared() and not hasattr(Value, "__getattr__")
    annotations = Value.__annotations__
    assert annotations["data"] == "float" and annotations["label"] == "str"
    assert annotations["grad"] == "float | Value"


def test_a_new_op_with_a_method_must_be_declared():
    """The check above is not vacuous: an op registered with a method shows up in it."""
    extra = ops.register(ops.Op(name="tan_test", arity=1, forward=lambda x: x,
                                rule=lambda g, out, x: (g,), method="tan_test"))
    try:
        assert "tan_test" in _from_table() or not extra.builtin
        assert "tan_test" not in _declared()
    finally:
        ops.unregister("tan_test")


@pytest.fixture(scope="module")
def user():
    pytest.importorskip("mypy", reason="needs mypy (the `test` extra)")
    from tests._installed import installed

    return installed()


@pytest.fixture(scope="module")
def mypy_errors(user) -> dict[str, list[int]]:
    """`mypy --strict` on both scripts, copied outside the repository: error lines by file.

    One run for both (mypy reads seedgrad once). torch is not followed: its stubs are huge
    and nothing here tests them (a user's own config decides that for their project).
    """
    for script in TYPED.glob("*.py"):
        (user.home / script.name).write_text(script.read_text(encoding="utf-8"),
                                             encoding="utf-8")
    (user.home / "mypy.ini").write_text("[mypy]\n[mypy-torch.*]\nfollow_imports = skip\n",
                                        encoding="utf-8")  # not the repository's settings
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict",
                           "--cache-dir", str(user.home / ".mypy_cache"),
                           "--config-file", str(user.home / "mypy.ini"),
                           "--python-executable", str(user.python),
                           "user_script.py", "typos.py"],
                          capture_output=True, text=True, cwd=user.home, env=user.env())
    found: dict[str, list[int]] = {"user_script.py": [], "typos.py": []}
    for line in done.stdout.splitlines():
        match = re.match(r"([\w.]+\.py):(\d+): error:", line)
        if match:
            found.setdefault(match.group(1), []).append(int(match.group(2)))
    assert done.returncode in (0, 1) and set(found) == {"user_script.py", "typos.py"}, \
        done.stdout + done.stderr
    found["output"] = done.stdout  # type: ignore[assignment]
    return found


def test_a_typed_user_script_passes_mypy_strict_and_runs(user, mypy_errors):
    assert mypy_errors["user_script.py"] == [], mypy_errors["output"]
    done = subprocess.run([str(user.python), "user_script.py"], capture_output=True, text=True,
                          cwd=user.home, env=user.env(), timeout=300)
    assert done.returncode == 0, done.stderr


def test_each_typo_is_one_mypy_error(mypy_errors):
    source = (TYPED / "typos.py").read_text(encoding="utf-8").splitlines()
    typos = [i for i, line in enumerate(source, 1) if line.endswith("# typo")]
    assert len(typos) >= 10
    assert sorted(mypy_errors["typos.py"]) == typos, mypy_errors["output"]  # one each, no other


def test_the_installed_package_is_the_wheel_not_this_checkout(user):
    done = subprocess.run([str(user.python), "-c", "import autograd, nn; "
                           "print(autograd.__file__); print(nn.__file__)"],
                          capture_output=True, text=True, cwd=user.home, env=user.env())
    assert done.returncode == 0, done.stderr
    for path in done.stdout.split():
        assert "site-packages" in path and not Path(path).is_relative_to(ROOT), path
