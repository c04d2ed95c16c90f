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
    from autograd.viz.jupyter import value_bundle

    return value_bundle(self, JUPYTER_MAX_NODES, include, exclude)


Value._repr_mimebundle_ = _repr_mimebundle_  # type: ignore[attr-defined]
