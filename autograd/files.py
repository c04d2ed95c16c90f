"""Atomic file writes: a file is replaced whole or not at all, never left half-written.

`atomic_write(path, data, who)` is what `nn`'s state files (`Module.save`), `autograd.viz`,
`autograd.draw` and the demos write with; `check_target` refuses a bad target before any
work, `checked_path` checks a path argument and `file_kind` names a non-regular file. Light
(standard library only), so `viz` uses it without importing `nn`.

What `atomic_write` does with an existing target, and why:
- a regular file is replaced whole (temp file beside it, then rename), keeping its permission
  bits (and, when allowed, its owner): a 0600 file stays 0600;
- a symlink is followed, as `open()` would: its target is replaced, the link stays a link;
- a FIFO, socket, device node or directory is refused (renaming over `/dev/null` would
  replace the device by a regular file), as is a regular file with several hard links
  (renaming would silently split it from its other names);
- a file `open()` could not write (no write permission) is refused with PermissionError,
  although the rename itself would succeed.
A new file gets the mode `open()` would give it (0666 less the umask).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from typing import Any

__all__ = ["atomic_write", "check_target", "checked_path", "file_kind"]

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def checked_path(path: Any, who: str) -> str:
    """`path` as a str, or TypeError naming `who` (None, numbers, ... are not paths)."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{who}: path must be a str or os.PathLike, got "
                        f"{type(path).__name__} {path!r}")
    path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ValueError(f"{who}: path must be a non-empty file name, got {path!r}")
    if "\0" in path:
        raise ValueError(f"{who}: path must not contain a NUL character, got {path!r}")
    try:
        os.fsencode(path)
    except UnicodeEncodeError as error:  # a lone surrogate: no file can have this name
        raise ValueError(f"{who}: path {path!r} cannot be encoded as a file name "
                         f"({error.reason})") from None
    return path


def file_kind(mode: int) -> str:
    """'a FIFO (named pipe)', 'a directory', ... for a non-regular `st_mode`; '' if regular."""
    return next((kind for test, kind in _KINDS if test(mode)), "" if stat.S_ISREG(mode)
                else "not a regular file")


def atomic_write(path: Any, data: str | bytes, who: str) -> str:
    """Write `data` to a temp file beside `path`, flush it to disk, then rename over `path`.

    A failure (no such directory, no permission, a full disk, a crash, KeyboardInterrupt)
    leaves any existing file at `path` untouched and no temp file behind; OSErrors keep
    their type and name `who` and `path`. Returns `path` as a str. The module docstring
    says what happens to symlinks, hard links, permissions and non-regular files.
    """
    path = checked_path(path, who)
    target, st = check_target(path, who)
    directory, name = os.path.split(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temp = _create_temp(directory, name, who, path)
    try:
        with os.fdopen(fd, "wb") as f:
            if st is not None:
                _copy_mode(f.fileno(), st)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException as error:  # KeyboardInterrupt too: never leave the temp file
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            raise _renamed(error, who, path) from error
        raise
    return path


def check_target(path: Any, who: str) -> tuple[str, os.stat_result | None]:
    """(the real path to replace, its stat or None if new), or the OSError atomic_write
    would raise; lets a caller refuse a bad target before rendering anything."""
    path = checked_path(path, who)
    seps = "".join(sep for sep in (os.sep, os.altsep) if sep)
    name = path.rstrip(seps) or path
    try:  # the directory as open() resolves it: `missing/../x` fails, as it does for open()
        os.stat(os.path.join(os.path.dirname(name) or os.curdir, ""))  # must be a directory
        if name != path:  # `x/`: open() refuses it, whatever x is
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
    except OSError as error:
        raise _renamed(error, who, path) from error
    target = os.path.realpath(path)  # through symlinks (and dangling ones), like open()
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target, None
    except OSError as error:  # a symlink loop, a path through a regular file, ...
        raise _renamed(error, who, path) from error
    _check_target(st, target, path, who)
    return target, st


def _check_target(st: os.stat_result, target: str, path: str, who: str) -> None:
    """Refuse targets a rename would damage, and files `open()` could not write."""
    shown = repr(path) if target == os.path.abspath(path) else f"{path!r} (→ {target!r})"
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"{who}: {shown} is a directory, give a file name")
    kind = file_kind(st.st_mode)
    if kind:
        raise OSError(errno.EINVAL, f"{who}: refusing to write {shown}: it is {kind}, not a "
                      "regular file (writes go to a temp file that replaces the target)")
    if st.st_nlink > 1:
        raise OSError(errno.EMLINK, f"{who}: refusing to write {shown}: it has "
                      f"{st.st_nlink} hard links, and replacing it atomically would split it "
                      "from the others; write to a new name or remove the other links")
    effective = os.access in os.supports_effective_ids
    if not os.access(target, os.W_OK, effective_ids=effective):
        raise PermissionError(errno.EACCES, f"{who}: cannot write {shown}: the file is "
                              "read-only")


def _create_temp(directory: str, name: str, who: str, path: str) -> tuple[int, str]:
    """A new, empty temp file in `directory`: (fd, name), the name well under NAME_MAX.

    Only the first 32 characters of `name` are kept, so a 250-character name (which
    `open()` accepts) still leaves room for the '.', the random part and '.tmp'.
    """
    for _ in range(100):
        temp = os.path.join(directory, f".{name[:32]}.{secrets.token_hex(8)}.tmp")
        try:
            # 0o666 lets the umask decide the mode, as open() would (mkstemp: 0o600).
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                           0o666), temp
        except FileExistsError:
            continue
        except OSError as error:
            hint = (" (the file is written to a temp file in its directory, which must be "
                    "writable)" if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
                    else "")
            raise _renamed(error, who, path, hint) from error
        except BaseException:
            # Interrupted just as os.open returned: the file is ours (the name has 64 random
            # bits and O_EXCL), but its fd is lost; remove it so nothing is left behind.
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    raise FileExistsError(errno.EEXIST, f"{who}: cannot write {path!r}: no free temp name")


def _copy_mode(fd: int, st: os.stat_result) -> None:
    """Give the temp file the replaced file's owner (when allowed) and permission bits."""
    if hasattr(os, "fchown"):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(fd, st.st_uid, st.st_gid)
    os.fchmod(fd, stat.S_IMODE(st.st_mode))  # after chown, which clears set-id bits


def _renamed(error: OSError, who: str, path: str, hint: str = "") -> OSError:
    """The same kind of OSError, saying who failed to write which file (not the temp)."""
    message = f"{who}: cannot write {path!r}: {error.strerror or error}{hint}"
    return type(error)(error.errno, message) if error.errno else type(error)(message)
