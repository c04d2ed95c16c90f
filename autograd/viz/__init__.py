"""Drawings that teach: a `Value` graph as DOT/SVG with the chain rule on its edges.

Every value node shows its name, `data` and `grad`; every op shows the op as written.
The edge from a parent into an op carries the local derivative ∂out/∂parent (the op
table's display text) and what the backward pass sends along it (upstream grad × local).
A node used several times gets one edge per use, and its box writes out the sum of those
contributions (the seed's ∂C/∂a₁₀ = ∂C/∂z₂₀·w₀₀ + ∂C/∂z₂₁·w₁₀). `walkthrough` writes one
self-contained HTML page that steps through the engine's own backward pass.

The package: `graph` (the model: names, uses, local derivatives), `dot` (DOT text),
`render` (SVG without a system Graphviz), `page` (the walkthrough's HTML), `walk` (the
walkthrough assembled from those). Only this package
imports graphviz.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd.engine import Value
from autograd.files import atomic_write, check_target
from autograd.viz.derivation import derivation, latex_label
from autograd.viz.dot import MAX_NODES, Diagram, DrawOptions, check_options, diagram, with_options
from autograd.viz.graph import pretty
from autograd.viz.i18n import LANGUAGES
from autograd.viz.render import RenderError, render
from autograd.viz.walk import walkthrough_page

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["LANGUAGES", "MAX_NODES", "Diagram", "DrawOptions", "RenderError", "derivation",
           "latex_label", "pretty", "render", "save_svg", "to_dot", "to_svg", "walkthrough"]


# ---- public API ----------------------------------------------------------------------------
@with_options
def to_dot(root: Value, *, max_nodes: int | None = None,
           **options: Unpack[DrawOptions]) -> Diagram:
    """The graph of `root` as a `graphviz.Digraph` (no node limit unless `max_nodes`).

    Args:
        root: the output whose graph is drawn.
        max_nodes: refuse graphs with more boxes (None: no limit).
        **options: see `DrawOptions`: rankdir ('LR' or 'TB'), show_grads, show_local (chain
            rule on the edges), show_constants, color (fill by gradient sign and size),
            collapse (one box per neuron of an `nn` graph), clusters (boxes per layer and
            neuron; None: only when collapsed), precision (significant digits).

    Raises:
        TypeError: `root` is not a Value, or an option is unknown or of the wrong type.
        ValueError: an option's value is out of range.
        RenderError: the graph has more than `max_nodes` boxes.
    """
    return diagram(root, check_options("to_dot", root, options, max_nodes), "to_dot")


@with_options
def to_svg(root: Value, *, max_nodes: int | None = MAX_NODES, backend: str = "auto",
           **options: Unpack[DrawOptions]) -> str:
    """The graph of `root` as SVG text; options as for `to_dot`."""
    return _svg("to_svg", root, max_nodes, backend, options)


def _svg(fn: str, root: Value, max_nodes: Any, backend: str, options: DrawOptions) -> str:
    dot = diagram(root, check_options(fn, root, options, max_nodes), fn)
    return render(dot.source, "svg", backend).decode("utf-8")


@with_options
def save_svg(root: Value, path: str | os.PathLike[str], *, max_nodes: int | None = MAX_NODES,
             backend: str = "auto", **options: Unpack[DrawOptions]) -> Path:
    """Write the SVG drawing of `root` to `path` (atomically: temp file, then rename)."""
    check_target(path, "save_svg")  # a FIFO or device is refused before any rendering
    svg = _svg("save_svg", root, max_nodes, backend, options)
    return Path(atomic_write(path, svg, "save_svg"))


@with_options
def walkthrough(root: Value, path: str | os.PathLike[str], *, max_nodes: int | None = MAX_NODES,
                backend: str = "auto", title: str | None = None, exercise: bool = False,
                **options: Unpack[DrawOptions]) -> Path:
    """Write one self-contained HTML page that steps through the backward pass of `root`.

    The steps are the engine's own (`backprop(..., on_step=...)` reports); gradients are
    those of a fresh pass (the `.grad` fields are not used or changed). The view pans and
    zooms to follow the active node at a readable size; the caption, a colour legend and
    the derivation of a clicked node sit in a fixed panel. With `collapse=True` an `nn`
    network is walked neuron by neuron, layer by layer, in the seed's formulas. With
    `exercise=True` the page asks for each gradient before revealing it. Options as for
    `to_dot`; `lang='zh'` writes every word of the page in Chinese. The file is written
    atomically (temp file, then rename).
    """
    check_target(path, "walkthrough")
    opts = check_options("walkthrough", root, options, max_nodes)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"walkthrough: title must be a str, got {type(title).__name__}")
    if not isinstance(exercise, bool):
        raise TypeError(f"walkthrough: exercise must be True or False, got {exercise!r}")
    text = walkthrough_page(root, opts, backend=backend, title=title, exercise=exercise)
    return Path(atomic_write(path, text, "walkthrough"))
