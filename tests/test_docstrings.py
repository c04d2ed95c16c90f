"""Every public function of the documented modules says what its arguments are and what it
raises (Google style, as pdoc renders them): `Args:` when it takes any, `Raises:` unless it
cannot raise. Extend MODULES as modules are brought up to this standard."""

import dataclasses
import importlib
import inspect

import pytest

MODULES = ["autograd.testing", "nn.data", "nn.losses", "nn.matrix", "nn.optim",
           "nn.torch_bridge"]
# Public functions that raise nothing of their own.
CANNOT_RAISE = {"nn.data.seed_example", "nn.optim.Optimizer.zero_grad", "nn.optim.Optimizer.lr",
                "nn.matrix.Network.depth", "nn.matrix.Trace.__init__"}
# Public names of autograd.testing that live in autograd.testing._strategies (being rewritten).
ELSEWHERE = {"values", "expressions", "Expression", "OPS"}


def public_functions(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        if name in ELSEWHERE and module_name == "autograd.testing":
            continue
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            yield f"{module_name}.{name}", obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                if isinstance(member, property):
                    member = member.fget
                elif isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if inspect.isfunction(member) and member.__module__ == module_name:
                    yield f"{module_name}.{name}.{attr}", member


CASES = [case for module in MODULES for case in public_functions(module)]


def test_the_modules_have_public_functions():
    assert len(CASES) > 30


@pytest.mark.parametrize("qualname, function", CASES, ids=[name for name, _ in CASES])
def test_docstring_has_args_and_raises(qualname, function):
    doc = inspect.getdoc(function)
    if function.__name__ == "__init__":
        owner = importlib.import_module(function.__module__)
        cls = getattr(owner, function.__qualname__.split(".")[0])
        if dataclasses.is_dataclass(cls):  # a generated __init__: the class documents it
            doc = inspect.getdoc(cls)
    assert doc, f"{qualname} has no docstring"
    params = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
    if params:
        assert "\nArgs:\n" in doc, f"{qualname} takes {params} but its docstring has no Args:"
        for param in params:
            assert f"    {param}:" in doc, f"{qualname}: Args: does not describe {param!r}"
    if qualname not in CANNOT_RAISE:
        assert "\nRaises:\n" in doc, f"{qualname} has no Raises: section"
