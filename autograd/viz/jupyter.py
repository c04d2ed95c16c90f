"""How Jupyter shows a `Value` or a `Diagram`: the drawing scaled to the cell, click to zoom.

A drawing of a few hundred nodes is thousands of points wide; shown at its own size it
overflows the cell. The HTML form fits the cell width (never enlarged past its own size)
and a click toggles actual size with scrolling (CSS only, so it also works where output
scripts are not trusted). Over the node limit nothing is rendered: the text says how to
draw the graph instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection
from typing import Any

from autograd.viz.render import RenderError

_SVG = "image/svg+xml"
_HTML = "text/html"
_TEXT = "text/plain"
_ROOT = re.compile(r'<svg\s+width="([\d.]+)pt"\s+height="([\d.]+)pt"')
_ids = itertools.count()


def scalable(svg: str) -> str:
    """The SVG inside HTML that fits the cell width; a click shows it at actual size."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    match = _ROOT.search(body)
    if match is None:
        return f'<div style="overflow:auto">{body}</div>'
    width = match.group(1)
    body = _ROOT.sub(f'<svg style="width:100%;height:auto;max-width:{width}pt"', body, count=1)
    key = f"seedgrad-zoom-{next(_ids)}"
    return (
        f'<div class="seedgrad-drawing"><style>#{key}:checked + label svg '
        f'{{width:{width}pt !important;max-width:none !important}}</style>'
        f'<input type="checkbox" id="{key}" style="display:none">'
        f'<label for="{key}" title="click: actual size / fit the cell" '
        f'style="display:block;overflow:auto;max-height:85vh;cursor:zoom-in">{body}</label>'
        '<div style="font-size:smaller;color:#777">click the drawing to switch between '
        'fitting the cell and actual size</div></div>'
    )


def bundle(draw: Callable[[], str], fallback: Callable[[RenderError], str],
           include: Collection[str] | None, exclude: Collection[str] | None) -> dict[str, str]:
    """The mime bundle: HTML (scaled) and SVG, or text saying why it was not drawn.

    `draw()` returns SVG or raises RenderError; `fallback(error)` is the text shown then.
    `include`/`exclude` are Jupyter's mime filters.
    """
    def wanted(kind: str) -> bool:
        return (not include or kind in include) and not (exclude and kind in exclude)

    if not (wanted(_HTML) or wanted(_SVG)):
        return {}
    try:
        svg = draw()
    except RenderError as error:
        return {_TEXT: fallback(error)}
    found: dict[str, str] = {}
    if wanted(_HTML):
        found[_HTML] = scalable(svg)
    if wanted(_SVG):
        found[_SVG] = svg
    return found


def value_bundle(root: Any, max_nodes: int, include: Collection[str] | None = None,
                 exclude: Collection[str] | None = None) -> dict[str, str]:
    """What Jupyter shows for a `Value`: its graph, or how to draw a graph too big to show."""
    from autograd.viz import to_svg

    def draw() -> str:
        return to_svg(root, max_nodes=max_nodes)

    def fallback(error: RenderError) -> str:
        if error.nodes is None:  # Graphviz failed: say so
            return f"{root!r}, not drawn: {error}"
        return (f"{root!r}\nNot drawn: its graph has {error.nodes} nodes, over the notebook "
                f"limit of {max_nodes}. Draw a network as one box per neuron with "
                "autograd.viz.to_dot(value, collapse=True), or write every node to a file with "
                "autograd.viz.save_svg(value, 'graph.svg', max_nodes=None).")

    return bundle(draw, fallback, include, exclude)
