"""A missing optional dependency raises an ImportError that names the extra to install."""

import subprocess
import sys

import pytest

from autograd.extras import extra_needed
from tests import ROOT


def run_without(module, code, cwd=ROOT):
    """Run `code` in a fresh interpreter in which importing `module` fails."""
    prelude = f"import sys; sys.modules[{module!r}] = None\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def error_without(module, code):
    """The stderr of `code` run without `module`, which must fail."""
    done = run_without(module, code)
    assert done.returncode != 0, done.stdout
    return done.stderr


def test_strategies_without_hypothesis_name_the_testing_extra():
    stderr = error_without("hypothesis", "from autograd.testing import values")
    assert ("ImportError: autograd.testing.values needs hypothesis, which is not installed: "
            "pip install 'seedgrad[testing]'") in stderr


def test_gradcheck_works_without_hypothesis():
    code = ("import autograd.testing as t; assert t.gradcheck(lambda x: x * x, [1.5]); "
            "t.expressions")
    assert "autograd.testing.expressions needs hypothesis" in error_without("hypothesis", code)


def test_torch_bridge_without_torch_names_the_torch_extra():
    code = "import nn; nn.MLP(2, [1], seed=0).to_torch()"
    stderr = error_without("torch", code)
    assert ("ImportError: nn.to_torch needs torch, which is not installed: "
            "pip install 'seedgrad[torch]'") in stderr
    stderr = error_without("torch", "import nn; nn.MLP.from_torch(None)")
    assert "nn.MLP.from_torch needs torch" in stderr and "seedgrad[torch]" in stderr


def test_moons_demo_without_matplotlib_names_the_demos_extra(tmp_path):
    demo = ROOT / "demos" / "train_moons.py"
    code = ("import runpy, sys; sys.argv = ['train_moons.py', '--epochs', '1', '--quiet'{}]; "
            f"runpy.run_path({str(demo)!r}, run_name='__main__')")
    done = run_without("matplotlib", code.format(""), cwd=tmp_path)
    assert done.returncode == 2
    assert "train_moons' plot (or pass --no-plot) needs matplotlib" in done.stderr
    assert "pip install 'seedgrad[demos]'" in done.stderr
    assert "trained" not in done.stdout  # refused before training
    done = run_without("matplotlib", code.format(", '--no-plot'"), cwd=tmp_path)
    assert "trained 1 epochs" in done.stdout and (tmp_path / "out" / "moons_mlp.json").exists()


def test_only_the_named_package_is_translated():
    with pytest.raises(ImportError, match=r"^who needs pkg, which is not installed: "
                                          r"pip install 'seedgrad\[extra\]'") as info:
        with extra_needed("pkg", "extra", "who"):
            raise ModuleNotFoundError("No module named 'pkg.sub'", name="pkg.sub")
    assert info.value.name == "pkg.sub" and isinstance(info.value.__cause__,
                                                       ModuleNotFoundError)
    with pytest.raises(ModuleNotFoundError, match="other"):
        with extra_needed("pkg", "extra", "who"):
            raise ModuleNotFoundError("No module named 'other'", name="other")
    with pytest.raises(ImportError, match="cannot import name"):
        with extra_needed("pkg", "extra", "who"):
            raise ImportError("cannot import name 'x' from 'pkg'", name="pkg")
