"""Drawings that teach: a `Value` graph as DOT/SVG with the chain rule on its edges.

Every value node shows its name, `data` and `grad`; every op shows the op as written.
The edge from a parent into an op carries the local derivative ∂out/∂parent (the op
table's display text) and what the backward pass sends along it (upstream grad × local).
A node used several times gets one edge per use, and its box writes out the sum of those
contributions (the seed's ∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀). `walkthrough` writes one
self-contained HTML page that steps through the engine's own backward pass.

The package: `graph` (the model: names, uses, local derivatives), `dot` (DOT text),
`render` (SVG without a system Graphviz), `page` (the walkthrough). Only this package
imports graphviz.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from autograd._io import atomic_write, checked_path
from autograd.engine import Value
from autograd.viz.dot import MAX_NODES, Diagram, _build, _Options, _options
from autograd.viz.graph import Graph, pretty
from autograd.viz.page import frames as page_frames
from autograd.viz.page import page, steps_of, tag_grads
from autograd.viz.render import RenderError, render

__all__ = ["MAX_NODES", "Diagram", "RenderError", "pretty", "render", "save_svg", "to_dot",
           "to_svg", "walkthrough"]


# ---- public API ----------------------------------------------------------------------------
def to_dot(root: Value, *, max_nodes: int | None = None, **options: Any) -> Diagram:
    """The graph of `root` as a `graphviz.Digraph` (no node limit unless `max_nodes`).

    Options: rankdir ('LR' or 'TB'), show_grads, show_local (chain rule on the edges),
    show_constants, color (fill by gradient sign and size), collapse (one box per neuron of
    an `nn` graph), clusters (boxes per layer and neuron; None: only when collapsed),
    precision (significant digits).
    """
    return _build(root, _options("to_dot", root, options, max_nodes), "to_dot")


def to_svg(root: Value, *, max_nodes: int | None = MAX_NODES, backend: str = "auto",
           **options: Any) -> str:
    """The graph of `root` as SVG text; options as for `to_dot`."""
    return _svg("to_svg", root, max_nodes, backend, options)


def _svg(fn: str, root: Value, max_nodes: Any, backend: str, options: dict[str, Any]) -> str:
    dot = _build(root, _options(fn, root, options, max_nodes), fn)
    return render(dot.source, "svg", backend).decode("utf-8")


def save_svg(root: Value, path: str | os.PathLike[str], *, max_nodes: int | None = MAX_NODES,
             backend: str = "auto", **options: Any) -> Path:
    """Write the SVG drawing of `root` to `path` (atomically: temp file, then rename)."""
    checked_path(path, "save_svg")
    svg = _svg("save_svg", root, max_nodes, backend, options)
    return Path(atomic_write(path, svg, "save_svg"))


def walkthrough(root: Value, path: str | os.PathLike[str], *, max_nodes: int | None = MAX_NODES,
                backend: str = "auto", title: str | None = None, **options: Any) -> Path:
    """Write one self-contained HTML page that steps through the backward pass of `root`.

    Gradients are those of a fresh `root.backward()` (the `.grad` fields are not used or
    changed). Frame k highlights the node being processed and the edges it sends along.
    The file is written atomically (temp file, then rename).
    """
    checked_path(path, "walkthrough")
    opts = _options("walkthrough", root, options, max_nodes)
    if opts.collapse:
        raise ValueError("walkthrough: collapse=True is not supported (each step is one node); "
                         "use to_svg(root, collapse=True) for the neuron-level picture")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"walkthrough: title must be a str, got {type(title).__name__}")
    graph = Graph(root, opts.precision, fn="walkthrough")
    grads, steps = steps_of(graph)
    graph.grads = grads
    plain = _Options(**{**opts.__dict__, "color": False, "show_grads": True})
    dot = _build(root, plain, "walkthrough", graph=graph, sums=False)
    svg = render(dot.source, "svg", backend).decode("utf-8")
    frames = page_frames(graph, steps)
    heading = title if title is not None else f"Backward pass of {graph.root_name}"
    return Path(atomic_write(path, page(tag_grads(svg), frames, heading), "walkthrough"))



def _jupyter_svg(root: Value, max_nodes: int) -> str | None:
    """The SVG Jupyter shows for a Value, or None (then it shows the repr) if too big."""
    try:
        return to_svg(root, max_nodes=max_nodes)
    except RenderError:
        return None
