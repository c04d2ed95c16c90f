"""Jupyter shows a `Value` as the drawing of its graph.

The engine knows nothing of drawings: this module, loaded by `autograd/__init__.py`, gives
`Value` its `_repr_mimebundle_`, which imports `autograd.viz` (and graphviz) only when a
notebook actually displays a Value. There is no `_repr_svg_`: IPython would send its SVG as
a second copy of the drawing next to the HTML.
"""

from __future__ import annotations

from typing import Any

from autograd.engine import Value

JUPYTER_MAX_NODES = 400
"""Graphs with more nodes are shown as text in Jupyter (draw them with collapse=True)."""


def _repr_mimebundle_(self: Value, include: Any = None, exclude: Any = None,
                      **_: Any) -> dict[str, str]:
    """Jupyter: the drawing scaled to the cell (click to zoom), or how to draw a big graph."""
    from autograd.viz import RenderError, to_svg
    from autograd.viz.jupyter import bundle

    def draw() -> str:
        return to_svg(self, max_nodes=JUPYTER_MAX_NODES)

    def fallback(error: RenderError) -> str:
        if error.nodes is None:  # Graphviz failed: say so
            return f"{self!r}, not drawn: {error}"
        return (f"{self!r}\nNot drawn: its graph has {error.nodes} nodes, over the notebook "
                f"limit of {JUPYTER_MAX_NODES}. Draw a network as one box per neuron with "
                "autograd.viz.to_dot(value, collapse=True), or write every node to a file with "
                "autograd.viz.save_svg(value, 'graph.svg', max_nodes=None).")

    return bundle(draw, fallback, include, exclude)


Value._repr_mimebundle_ = _repr_mimebundle_  # type: ignore[attr-defined]
