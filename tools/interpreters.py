"""Find every CPython ≥ 3.10 on this machine: on PATH (python3.N) and under pyenv.

    python tools/interpreters.py            one line per interpreter: version and path
    python tools/interpreters.py --count    just how many

`noxfile.py` runs the test suite on each of them. A pyenv shim that is on PATH but not
active for the current directory fails to start, so every candidate is started once and
asked for its version; pyenv's own installs are looked for under `$(pyenv root)/versions`.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM = (3, 10)
# a venv's python reports the interpreter it was made from, so each version is listed once
PROBE = ("import sys; print(sys.implementation.name, *sys.version_info[:3], "
         "getattr(sys, '_base_executable', sys.executable))")


def _probe(executable: str) -> tuple[tuple[int, int, int], str] | None:
    """(version, real path) if `executable` runs and is a CPython, else None."""
    try:
        done = subprocess.run([executable, "-I", "-c", PROBE], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 5 or fields[0] != "cpython":
        return None
    return (int(fields[1]), int(fields[2]), int(fields[3])), fields[4]


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    if shutil.which("pyenv"):
        done = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            return Path(done.stdout.strip())
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def candidates() -> list[str]:
    """Executables that may be CPythons ≥ 3.10 (duplicates and non-starters included)."""
    found = [sys.executable]
    for minor in range(MINIMUM[1], 30):
        path = shutil.which(f"python3.{minor}")
        if path:
            found.append(path)
    root = _pyenv_root()
    if root is not None:
        found += sorted(glob.glob(str(root / "versions" / "*" / "bin" / "python3.[0-9]*")))
    return found


def interpreters() -> list[tuple[str, str]]:
    """One (version "3.N.M", path) per minor version ≥ 3.10, newest patch release first."""
    best: dict[tuple[int, int], tuple[tuple[int, int, int], str]] = {}
    for executable in candidates():
        if executable.endswith("-config"):
            continue
        probed = _probe(executable)
        if probed is None or probed[0][:2] < MINIMUM:
            continue
        version, path = probed
        minor = version[:2]
        if minor not in best or version > best[minor][0]:
            best[minor] = (version, path)
    return [(".".join(map(str, version)), path) for _, (version, path) in sorted(best.items())]


def main(argv: list[str]) -> int:
    found = interpreters()
    if argv == ["--count"]:
        print(len(found))
    elif not argv:
        for version, path in found:
            print(f"{version}\t{path}")
    else:
        print("usage: python tools/interpreters.py [--count]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
