"""Jupyter shows a `Value` as the drawing of its graph.

The engine knows nothing of drawings: this module, loaded by `autograd/__init__.py`, gives
`Value` its `_repr_svg_`, which imports `autograd.viz` (and graphviz) only when a notebook
actually displays a Value.
"""

from __future__ import annotations

from autograd.engine import Value

JUPYTER_MAX_NODES = 400
"""Graphs with more nodes are shown as text in Jupyter (draw them with collapse=True)."""


def _repr_svg_(self: Value) -> str | None:
    """Jupyter shows a Value as the SVG drawing of its graph (text if it is too big)."""
    from autograd.viz import _jupyter_svg

    return _jupyter_svg(self, JUPYTER_MAX_NODES)


Value._repr_svg_ = _repr_svg_  # type: ignore[attr-defined]
