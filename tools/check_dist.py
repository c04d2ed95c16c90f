"""Build the sdist and the wheel, check both ship LICENSE and py.typed, install the sdist.

Run by .ci/run as `python tools/check_dist.py` (needs `build`: pip install -e '.[dev]').
Exits non-zero with a message naming the artefact and the missing file.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("LICENSE", "autograd/py.typed", "nn/py.typed")


def build(out: Path) -> tuple[Path, Path]:
    """`python -m build`: the sdist, then the wheel built from that sdist."""
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"check_dist: python -m build failed ({done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    (sdist,), (wheel,) = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    return sdist, wheel


def missing(names: list[str], required_suffixes: tuple[str, ...]) -> list[str]:
    """The required files (matched by path suffix) that no archive member ends with."""
    return [req for req in required_suffixes
            if not any(name == req or name.endswith("/" + req) for name in names)]


def check(sdist: Path, wheel: Path) -> None:
    with tarfile.open(sdist) as archive:
        sdist_names = archive.getnames()
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = archive.namelist()
    for artefact, names in ((sdist, sdist_names), (wheel, wheel_names)):
        lacking = missing(names, REQUIRED)
        if lacking:
            raise SystemExit(f"check_dist: {artefact.name} lacks {', '.join(lacking)}")
        print(f"check_dist: {artefact.name} has " + ", ".join(
            next(n for n in names if n == req or n.endswith("/" + req)) for req in REQUIRED))


def install_sdist(sdist: Path, where: Path) -> None:
    """A fresh venv, `pip install` the sdist, import both packages away from the source tree."""
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(sdist)], check=True)
    probe = ("import importlib.resources as r, autograd, nn; "
             "assert r.files('autograd').joinpath('py.typed').is_file(); "
             "assert r.files('nn').joinpath('py.typed').is_file(); "
             "v = autograd.Value(2.0) * 3; v.backward(); "
             "print('check_dist: sdist installs; autograd', autograd.__version__, "
             "'from', autograd.__file__)")
    subprocess.run([str(python), "-I", "-c", probe], check=True, cwd=where)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="seedgrad-dist-") as tmp:
        sdist, wheel = build(Path(tmp) / "dist")
        check(sdist, wheel)
        install_sdist(sdist, Path(tmp) / "venv")


if __name__ == "__main__":
    main()
