"""The `seedgrad` command as a user runs it: installed from the wheel, outside the repository.

The venv comes from tests/_installed.py (seedgrad from a freshly built wheel, nothing from
this checkout). Every run is a subprocess in a folder outside the repository; errors must
be one line on stderr with the documented status, never a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests import ROOT

MATERIALS = {"seed_network.json", "seed_network_weights.json", "seed_network.svg",
             "seed_network_neurons.svg", "seed_network_walkthrough.html",
             "seed_network_neurons_walkthrough.html", "seed_network_exercise.html"}


@pytest.fixture(scope="module")
def user():
    from tests._installed import installed

    return installed()


def seedgrad(user, *args: str, env: dict[str, str] | None = None,
             cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(user.seedgrad), *args], capture_output=True, text=True,
                          cwd=cwd or user.home, env=env or user.env(), timeout=300)


def _one_error_line(done: subprocess.CompletedProcess[str], prefix: str) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith(prefix), done.stderr
    return errors[0]


def test_the_wheel_installs_the_command_and_help_lists_both_subcommands(user):
    assert user.seedgrad.is_file()
    done = seedgrad(user, "--help")
    assert done.returncode == 0, done.stderr
    assert "seed" in done.stdout and "draw" in done.stdout and "COMMAND" in done.stdout
    version = seedgrad(user, "--version")
    assert version.returncode == 0 and version.stdout.startswith("seedgrad 0.")
    for command in ("seed", "draw"):
        done = seedgrad(user, command, "--help")
        assert done.returncode == 0 and f"usage: seedgrad {command}" in done.stdout


def test_seed_writes_the_teaching_materials_from_an_installed_wheel(user):
    done = seedgrad(user, "seed", "--out", "class/materials")
    assert done.returncode == 0, done.stderr
    out = user.home / "class" / "materials"
    assert {p.name for p in out.iterdir()} >= MATERIALS
    numbers = json.loads((out / "seed_network.json").read_text(encoding="utf-8"))
    assert numbers["max_difference"] <= 1e-12 and len(numbers["layers"]) == 3
    for svg in ("seed_network.svg", "seed_network_neurons.svg"):
        assert ET.parse(out / svg).getroot().tag.endswith("svg")
    exercise = (out / "seed_network_exercise.html").read_text(encoding="utf-8")
    assert exercise.startswith("<!DOCTYPE html>") and "δ" in exercise
    assert "seed_network_neurons_walkthrough.html" in done.stdout  # says what to open


def test_draw_is_the_draw_command(user):
    done = seedgrad(user, "draw", "tanh(x*w + b)", "x=0.5", "w=-2", "b=1", "-o", "g.svg")
    assert done.returncode == 0, done.stderr
    root = ET.parse(user.home / "g.svg").getroot()
    assert "tanh" in "".join(root.itertext())


@pytest.mark.parametrize("args, status, prefix", [
    ((), 2, "seedgrad: error: choose a command"),
    (("teach",), 2, "seedgrad: error: argument COMMAND: invalid choice"),
    (("seed",), 2, "seedgrad seed: error: the following arguments are required: --out"),
    (("seed", "--out", "x", "--lang", "tlh"), 2, "seedgrad seed: error: argument --lang"),
    (("seed", "--out", "x", "--seed", "one"), 2, "seedgrad seed: error: argument --seed"),
    (("seed", "--out", "a_file"), 2, "seedgrad seed: error: --out 'a_file' exists and is not"),
    (("seed", "--out", "a_file/below"), 1, "seedgrad seed: error: could not write"),
    (("draw", "tanh(x*2", "x=1"), 2, "seedgrad draw: error: cannot parse"),
    (("draw", "__import__('os')", "-o", "x.svg"), 2, "seedgrad draw: error:"),
])
def test_bad_input_is_one_error_line_and_a_status(user, args, status, prefix):
    (user.home / "a_file").write_text("not a folder\n", encoding="utf-8")
    done = seedgrad(user, *args)
    assert done.returncode == status, done.stderr
    _one_error_line(done, prefix)


def _hips_autograd(where: Path) -> Path:
    """A folder holding what `pip install autograd` (HIPS) puts in site-packages."""
    package = where / "autograd"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("__version__ = '1.7.0'\n")  # no Value, no nn
    info = where / "autograd-1.7.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: autograd\nVersion: 1.7.0\n")
    (info / "RECORD").write_text("autograd/__init__.py,,\n")
    return where


def test_with_hips_autograd_the_command_and_import_nn_say_what_to_do(user, tmp_path):
    env = user.env()
    env["PYTHONPATH"] = str(_hips_autograd(tmp_path / "site"))  # found before the wheel's
    done = seedgrad(user, "seed", "--out", "never", env=env)
    assert done.returncode == 1
    line = _one_error_line(done, "seedgrad: error: nn is part of seedgrad")
    assert "the PyPI project 'autograd' 1.7.0 (HIPS autograd)" in line
    assert "cannot share an environment" in line and "pip uninstall autograd" in line
    assert not (user.home / "never").exists()
    done = subprocess.run([str(user.python), "-c", "import nn"], capture_output=True,
                          text=True, cwd=user.home, env=env)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: nn is part of seedgrad") and "HIPS autograd" in last


def test_the_folder_left_by_uninstalling_the_other_autograd_is_named(tmp_path):
    """pip uninstall autograd leaves seedgrad's other files: a namespace package, no Value."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "nn", site / "nn")
    (site / "autograd").mkdir()
    shutil.copy(ROOT / "autograd" / "engine.py", site / "autograd" / "engine.py")
    done = subprocess.run([sys.executable, "-S", "-c", "import nn"], capture_output=True,
                          text=True, cwd=tmp_path, env={"PYTHONPATH": str(site)})
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1 and last.startswith("ImportError: nn is part of seedgrad")
    assert "a folder without seedgrad's autograd/__init__.py" in last
    assert "pip uninstall autograd seedgrad, then pip install seedgrad" in last


def test_seedgrads_own_autograd_passes_the_check():
    import autograd
    from nn import _clash

    assert autograd.__seedgrad__ is True
    _clash.check()  # no error
