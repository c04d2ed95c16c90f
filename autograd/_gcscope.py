"""`gc_scope()`: raise the cyclic garbage collector's thresholds while big graphs are built.

CPython's cyclic GC runs a young-generation collection every 700 new container objects and,
every so often, a full one that walks every live object. Building a graph of 10⁶ nodes
makes ~2·10⁶ containers, so collections run thousands of times over an ever larger live
graph: the per-node cost grows with the graph. seedgrad's graphs hold no reference cycles
(reference counting frees them), so those collections find nothing. Inside `gc_scope()`
the young-generation threshold is raised so they run rarely; on leaving, the thresholds the
process had are put back.

Use it around building and differentiating a big graph (10⁵ nodes and more), or around
`autograd.compile` of one. It is not needed for small graphs, and it keeps collecting (less
often), so code that does make cycles (`backward(create_graph=True)` storing differentiable
`.grad`s) stays safe.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["gc_scope"]

YOUNG_THRESHOLD = 100_000  # new containers between young collections (CPython default: 700)

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, ...] | None = None


@contextlib.contextmanager
def gc_scope() -> Iterator[None]:
    """Collect rarely inside the block; nested and concurrent scopes share one raise.

    Refcounted and thread-safe: the first scope to enter raises the thresholds, the last
    to leave restores the ones it found (even on an exception).
    """
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            young, *older = _saved
            if young:  # 0 means the GC is disabled: leave it that way
                gc.set_threshold(max(young, YOUNG_THRESHOLD), *older)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
