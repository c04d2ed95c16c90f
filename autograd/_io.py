"""Atomic file writes shared by `nn` (state files), `autograd.viz`, `autograd.draw` and demos.

Private and light (standard library only): `viz` uses it without importing `nn`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Any


def checked_path(path: Any, who: str) -> str:
    """`path` as a str, or TypeError naming `who` (None, numbers, ... are not paths)."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{who}: path must be a str or os.PathLike, got "
                        f"{type(path).__name__} {path!r}")
    path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ValueError(f"{who}: path must be a non-empty file name, got {path!r}")
    return path


def atomic_write(path: Any, data: str | bytes, who: str) -> str:
    """Write `data` to a temp file beside `path`, flush it to disk, then rename over `path`.

    A failure (no such directory, no permission, a full disk, a crash) leaves any existing
    file at `path` untouched and no temp file behind; OSErrors keep their type and name
    `who` and `path`. Returns `path` as a str.
    """
    path = checked_path(path, who)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{who}: {path!r} is a directory, give a file name")
    directory, name = os.path.split(os.path.abspath(path))
    temp = os.path.join(directory, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask decide the mode, as open() would (mkstemp: 0o600).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _renamed(error, who, path) from error
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise _renamed(error, who, path) from error
        raise
    return path


def _renamed(error: OSError, who: str, path: str) -> OSError:
    """The same kind of OSError, saying who failed to write which file (not the temp)."""
    message = f"{who}: cannot write {path!r}: {error.strerror or error}"
    return type(error)(error.errno, message) if error.errno else type(error)(message)
