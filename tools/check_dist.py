"""Build the sdist and the wheel, check what they ship, install the sdist, run its tests.

    python tools/check_dist.py [--no-tests]

Run by .ci/run (needs `build` and `check-manifest`: pip install -e '.[dev]'). Steps:
check-manifest (every file in git is in the sdist, or excluded in MANIFEST.in on purpose);
both artefacts ship LICENSE and py.typed, the wheel the `seedgrad` command; the sdist
installs in a fresh venv; the test suite runs from the extracted sdist (with this Python's
test dependencies, the sdist's own code: the run fails if it imported anything else).
Exits non-zero with a message naming the step, the artefact and what is missing.
"""

from __future__ import annotations

import argparse
import os
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


def check_manifest() -> None:
    """check-manifest: the files git tracks and the sdist's files match (MANIFEST.in)."""
    done = subprocess.run([sys.executable, "-m", "check_manifest", str(ROOT)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"check_dist: check-manifest failed ({done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    print("check_dist: check-manifest: " + done.stdout.strip().splitlines()[-1])


def check(sdist: Path, wheel: Path) -> None:
    with tarfile.open(sdist) as archive:
        sdist_names = archive.getnames()
    with zipfile.ZipFile(wheel) as archive:
        wheel_names = archive.namelist()
        entry_points = [archive.read(n).decode() for n in wheel_names
                        if n.endswith(".dist-info/entry_points.txt")]
    if not any("seedgrad = nn.cli:main" in text for text in entry_points):
        raise SystemExit(f"check_dist: {wheel.name} does not declare the seedgrad command "
                         "(console_scripts: seedgrad = nn.cli:main)")
    print(f"check_dist: {wheel.name} installs the seedgrad command (nn.cli:main)")
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


def test_sdist(sdist: Path, where: Path) -> None:
    """Extract the sdist and run its test suite there, on its own code only."""
    with tarfile.open(sdist) as archive:
        archive.extractall(where, filter="data")
    (tree,) = where.iterdir()
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    probe = ("import autograd, nn, pathlib, sys; "
             "files = [pathlib.Path(m.__file__).resolve() for m in (autograd, nn)]; "
             f"sys.exit(0 if all(f.is_relative_to({str(tree.resolve())!r}) for f in files) "
             "else f'imports {files}, not the sdist')")
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=tree, env=env)
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
    print(f"check_dist: in the extracted {tree.name}: {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, cwd=tree, env=env)
    if done.returncode != 0:
        raise SystemExit(f"check_dist: the test suite of {sdist.name} failed "
                         f"(pytest exit status {done.returncode})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-tests", action="store_true",
                        help="skip the test run from the extracted sdist")
    args = parser.parse_args(argv)
    check_manifest()
    with tempfile.TemporaryDirectory(prefix="seedgrad-dist-") as tmp:
        sdist, wheel = build(Path(tmp) / "dist")
        check(sdist, wheel)
        install_sdist(sdist, Path(tmp) / "venv")
        if not args.no_tests:
            test_sdist(sdist, Path(tmp) / "sdist")


if __name__ == "__main__":
    main()
