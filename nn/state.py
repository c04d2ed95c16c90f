"""A model's parameters as a `{name: float}` dict or a JSON file: what `Module.save`,
`Module.load`, `Module.state_dict` and `Module.load_state_dict` do.

Loading checks everything first and changes nothing on error: names must match the model's
exactly, every value must be a finite real number, the file must be a regular file of at
most `MAX_LOAD_BYTES` bytes holding one JSON object of this format and version, with no key
given twice. Saving writes with `autograd.files.atomic_write` (a temp file, then a rename).
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Mapping
from typing import Any, Protocol

from autograd import Value
from autograd.files import atomic_write, checked_path, file_kind
from autograd.reals import real
from nn._util import positive_int

__all__ = ["FORMAT", "VERSION", "MAX_LOAD_BYTES", "state_dict", "load_state_dict", "save",
           "load"]

FORMAT = "seedgrad.nn.state"
"""The `format` field of a state file."""
VERSION = 1
"""The `version` field of a state file this seedgrad writes and reads."""
MAX_LOAD_BYTES = 64 * 2**20
"""`load` reads at most this many bytes unless told otherwise (`max_bytes=`)."""


class _Named(Protocol):
    def named_parameters(self) -> list[tuple[str, Value]]: ...


def state_dict(model: _Named) -> dict[str, float]:
    """{parameter name: value}, in `model.named_parameters()` order."""
    return {name: p.data for name, p in model.named_parameters()}


def load_state_dict(model: _Named, state: Mapping[str, Any]) -> None:
    """Set every parameter of `model` from `state`; checks all of it first, changes nothing
    on error (ValueError saying which names or values are wrong)."""
    _assign(_checked_state(model.named_parameters(), state, "load_state_dict"))


def save(model: _Named, path: str | os.PathLike[str]) -> None:
    """Write `model`'s parameters to a JSON file atomically (temp file, then rename).

    Raises:
        ValueError: a parameter is inf or nan (nothing is written).
        OSError: the file cannot be written (any existing file is left untouched).
    """
    state = state_dict(model)
    for name, x in state.items():
        if not math.isfinite(x):
            raise ValueError(f"save: parameter {name} is {x!r}; refusing to save a "
                             "non-finite value")
    document = {"format": FORMAT, "version": VERSION, "model": repr(model),
                "parameters": state}
    atomic_write(path, json.dumps(document, indent=1, allow_nan=False) + "\n", "save")


def load(model: _Named, path: str | os.PathLike[str], *,
         max_bytes: int | None = MAX_LOAD_BYTES) -> None:
    """Read parameters saved by `save` into `model`; checks the whole file first.

    Refuses files over `max_bytes` (None: no limit) without reading more than
    max_bytes + 1 bytes, non-regular files (a FIFO, /dev/zero, a directory) without
    blocking on them, and JSON objects that give a key twice.

    Raises:
        TypeError: `path` is not a str or os.PathLike.
        ValueError: the file is too large, not UTF-8 JSON, not a state file of this version,
            or its parameters do not match the model.
        OSError: the file cannot be read, or is not a regular file.
    """
    path = checked_path(path, "load")
    if max_bytes is not None:
        max_bytes = positive_int(max_bytes, "load", "max_bytes")
    document = _document(path, _read_text(path, max_bytes))
    _assign(_checked_state(model.named_parameters(), document["parameters"], f"load {path}"))


def _document(path: str, text: str) -> dict[str, Any]:
    """The state file's JSON object, its format and version checked."""
    try:
        document = json.loads(text, parse_constant=_reject_constant,
                              object_pairs_hook=_unique_keys)
    except _DuplicateKey as error:
        raise ValueError(f"load: {path} gives the key {error.key!r} twice in one JSON "
                         "object; refusing to guess which one is meant") from None
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise ValueError(f"load: {path} is not valid JSON (truncated or corrupt?): "
                         f"{reason}") from None
    if not isinstance(document, dict):
        raise ValueError(f"load: {path} holds a {type(document).__name__}, "
                         "expected a JSON object")
    if document.get("format") != FORMAT:
        raise ValueError(f"load: {path} is not a seedgrad state file "
                         f"(format {document.get('format')!r}, expected {FORMAT!r})")
    if type(document.get("version")) is not int or document["version"] != VERSION:
        raise ValueError(f"load: {path} has version {document.get('version')!r}, "
                         f"this seedgrad reads version {VERSION}")
    if "parameters" not in document:
        raise ValueError(f"load: {path} has no 'parameters'")
    return document


def _assign(values: list[tuple[Value, float]]) -> None:
    """Set every parameter; an interrupt part-way puts the old values back (all or nothing)."""
    old = [p.data for p, _ in values]
    try:
        for p, x in values:
            p.data = x
    except BaseException:
        for (p, _), x in zip(values, old):
            p.data = x
        raise


def _refuse(path: str, error: OSError) -> OSError:
    """The same kind of OSError, saying that `load` could not read `path`."""
    message = f"load: cannot read {path!r}: {error.strerror or error}"
    return type(error)(error.errno, message) if error.errno else type(error)(message)


def _check_file(path: str, st: os.stat_result, max_bytes: int | None) -> None:
    """Refuse a directory, a non-regular file, or a file over `max_bytes`."""
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"load: cannot read {path!r}: it is a "
                                "directory")
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, f"load: cannot read {path!r}: it is "
                      f"{file_kind(st.st_mode)}, not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        raise ValueError(f"load: {path} has {st.st_size} bytes, over max_bytes="
                         f"{max_bytes}; pass a larger max_bytes if it is really a state "
                         "file")


def _read_text(path: str, max_bytes: int | None) -> str:
    """The file's text, read only if it is a regular file of at most `max_bytes` bytes."""
    try:
        st = os.stat(path)
    except OSError as error:
        raise _refuse(path, error) from error
    _check_file(path, st, max_bytes)  # before opening: a FIFO with no writer would block
    try:
        # O_NONBLOCK: should a FIFO appear between the stat and the open, do not wait on it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise _refuse(path, error) from error
    with os.fdopen(fd, "rb") as f:
        _check_file(path, os.fstat(fd), max_bytes)  # the file opened (it may have been swapped)
        try:
            data = f.read() if max_bytes is None else f.read(max_bytes + 1)
        except OSError as error:
            raise _refuse(path, error) from error
    if max_bytes is not None and len(data) > max_bytes:  # a file that grew, or /proc
        raise ValueError(f"load: {path} has more than max_bytes={max_bytes} bytes; pass a "
                         "larger max_bytes if it is really a state file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"load: {path} is not a text file (not UTF-8); expected JSON "
                         "written by save") from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object_pairs_hook: a dict, or _DuplicateKey (json would keep the last one)."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return document


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite number {name} in the file")


def _checked_state(named: list[tuple[str, Value]], state: Any,
                   who: str) -> list[tuple[Value, float]]:
    """Pair every parameter with its new value, or raise ValueError saying what is wrong."""
    if not isinstance(state, Mapping):
        raise ValueError(f"{who}: expected a mapping of parameter names to numbers, "
                         f"got {type(state).__name__}")
    names = [name for name, _ in named]
    expected, given = set(names), set(state)
    missing = [name for name in names if name not in given]
    unexpected = [name for name in state if name not in expected]
    if missing or unexpected:
        parts = [f"the model has {len(names)} parameters, the state has {len(state)}"]
        if missing:
            parts.append(f"missing {_some(missing)}")
        if unexpected:
            parts.append(f"unexpected {_some(unexpected)}")
        raise ValueError(f"{who}: parameter names do not match: " + "; ".join(parts))
    pairs = []
    for name, p in named:
        try:
            pairs.append((p, real(state[name], who, f"parameter {name}")))
        except (TypeError, OverflowError) as error:  # a state is data: all of it ValueError
            raise ValueError(str(error)) from None
    return pairs


def _some(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
