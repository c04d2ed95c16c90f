"""Switches that change how ops record nodes: `no_grad`/`enable_grad`, `detect_anomaly`, and
the observer a tool (`autograd.compile`) installs to be told what a function does.

Each is a per-thread, per-task stack (a context variable). The engine looks at them only
while at least one block is open anywhere (`blocks_open`), so none of them costs anything
per node outside its blocks. Nothing here knows `Value`: the engine imports this module.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

# A stack of the open no_grad/enable_grad blocks: (enabled, frame of a generator block or
# None); empty: recording is on.
grad_mode: contextvars.ContextVar[tuple[tuple[bool, Any], ...]] = contextvars.ContextVar(
    "grad_mode", default=())
# The same for `detect_anomaly` blocks (any open one turns the checks on).
anomaly_mode: contextvars.ContextVar[tuple[tuple[bool, Any], ...]] = contextvars.ContextVar(
    "anomaly_mode", default=())
# The innermost observer (see `observe`), or None.
current_observer: contextvars.ContextVar[Any] = contextvars.ContextVar("observer", default=None)

# inspect.CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR (fixed code-object flags; importing
# inspect would double the time `import autograd` takes)
_SUSPENDABLE = 0x20 | 0x80 | 0x200

# How many blocks (of any kind above) are open, in all threads and tasks together: while it
# is 0 no context can be inside one. Listeners (the engine) keep a copy in a global of their
# own, so the per-node test is one global read.
_blocks_open = 0
_blocks_lock = threading.Lock()
_listeners: list[Callable[[int], None]] = []


def on_blocks_open(listener: Callable[[int], None]) -> None:
    """Call `listener(count)` now and whenever the number of open blocks changes."""
    with _blocks_lock:
        _listeners.append(listener)
        listener(_blocks_open)


def _count(change: int) -> None:
    global _blocks_open
    with _blocks_lock:
        _blocks_open += change
        for listener in _listeners:
            listener(_blocks_open)


def recording(mode: tuple[tuple[bool, Any], ...]) -> bool:
    """The innermost open block decides, skipping blocks of suspended generators."""
    for enabled, frame in reversed(mode):
        if frame is None or frame.f_back is not None:  # not a generator paused at a yield
            return enabled
    return True


class _GradMode(contextlib.ContextDecorator):
    """`with no_grad():` / `with enable_grad():` (also usable as decorators).

    Each block is one entry of a per-thread, per-task stack. Leaving a block removes its
    own entry, so blocks left out of order still end in the right state; a block inside a
    generator paused at a `yield` does not apply to the code that resumed the caller.
    """

    def __init__(self, enabled: bool, mode: contextvars.ContextVar[Any] = grad_mode):
        self.enabled = enabled
        self._mode = mode  # the stack this kind of block lives on
        self._entries: list[tuple[bool, Any]] = []

    def __enter__(self) -> None:
        caller = sys._getframe(1)
        frame = caller if caller.f_code.co_flags & _SUSPENDABLE else None
        entry = (self.enabled, frame)
        _count(+1)
        self._entries.append(entry)
        self._mode.set((*self._mode.get(), entry))

    def _recreate_cm(self) -> _GradMode:
        return _GradMode(self.enabled, self._mode)  # a decorated function: a fresh block

    def __exit__(self, *exc: Any) -> None:
        entry = self._entries.pop()
        mode = self._mode.get()
        for i in range(len(mode) - 1, -1, -1):
            if mode[i] is entry:
                self._mode.set(mode[:i] + mode[i + 1:])
                break
        _count(-1)


def no_grad() -> _GradMode:
    """Inside this block ops build no graph (results are leaves); per thread and task."""
    return _GradMode(False)


def enable_grad() -> _GradMode:
    """Turn graph recording back on inside a `no_grad` block."""
    return _GradMode(True)


def detect_anomaly() -> _GradMode:
    """Inside this block the first inf or nan an op makes raises `FloatingPointError`.

    Forward: naming the op and its inputs; backward: naming the op, the node whose
    gradient was being sent back, its inputs and the upstream gradient. Per thread and
    task, like `no_grad`; outside any such block nothing is checked and nothing is slower.
    """
    return _GradMode(True, anomaly_mode)


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside `no_grad`)."""
    mode = grad_mode.get()
    return not mode or recording(mode)


def anomaly_on() -> bool:
    """True inside a `detect_anomaly` block of this thread and task."""
    return any(frame is None or frame.f_back is not None for _, frame in anomaly_mode.get())


def anomaly(message: str) -> FloatingPointError:
    """The error `detect_anomaly` raises (marked so a backward pass adds the node to it)."""
    error = FloatingPointError(f"detect_anomaly: {message}")
    error._anomaly = True  # type: ignore[attr-defined]
    return error


@contextlib.contextmanager
def observe(observer: Any) -> Iterator[Any]:
    """Tell `observer` what the code inside this block does with Values (see
    `autograd.engine.observe` for what it is told); the innermost observer is told."""
    token = current_observer.set(observer)
    _count(+1)
    try:
        yield observer
    finally:
        _count(-1)
        current_observer.reset(token)
