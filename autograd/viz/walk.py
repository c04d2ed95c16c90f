"""The walkthrough page assembled: the engine's steps as frames over one drawing.

`autograd.viz.walkthrough` checks its arguments and writes the file; this module makes the
page's text from the pieces the other modules provide: the drawing (`dot`), the frames
(`frames`, from the engine's own backward reports), the derivations (`derivation`) and the
HTML around them (`page`).
"""

from __future__ import annotations

import dataclasses

from autograd.engine import Value
from autograd.viz.derivation import Derivation, write
from autograd.viz.dot import WHITE, Options, colour_scale, diagram, grad_fill, neuron_boxes
from autograd.viz.frames import Frames, steps_of
from autograd.viz.graph import Graph, is_const
from autograd.viz.i18n import Words
from autograd.viz.page import page, tag_grads
from autograd.viz.render import render

DERIVATION_LIMIT = 120
"""The walkthrough stores a derivation per node for graphs up to this many nodes."""


def walkthrough_page(root: Value, opts: Options, *, backend: str, title: str | None,
                     exercise: bool) -> str:
    """The HTML of the page that steps through the backward pass of `root`.

    Args:
        root: the output whose backward pass the page walks (its `.grad`s are not used).
        opts: the checked drawing options (`dot.check_options`).
        backend: the renderer of the drawing (`render`'s backend).
        title: the page's heading; None: "Backward pass of <root>" in the page's language.
        exercise: ask for each gradient before revealing it.

    Raises:
        RenderError: Graphviz could not render the drawing.
    """
    words = Words(opts.lang)
    graph = Graph(root, opts.precision, fn="walkthrough")
    grads, steps = steps_of(root)
    graph.grads = {node: grads.get(node, 0.0) for node in graph.order}
    owner, members = neuron_boxes(graph) if opts.collapse else ({}, {})
    plain = dataclasses.replace(opts, color=False, show_grads=True)
    partial = {n: words("partial", k=len(graph.uses[n]) - 1, n=len(graph.uses[n]))
               for n in graph.order if len(graph.uses[n]) > 1}  # the widest note it shows
    dot = diagram(root, plain, "walkthrough", graph=graph, sums=False, partial=partial)
    svg = render(dot.source, "svg", backend).decode("utf-8")
    scale = colour_scale(graph)
    frames = Frames(graph, steps, lambda g: grad_fill(g, scale) if scale else WHITE,
                    owner, members, words=words, exercise=exercise).build()
    derivations = {}
    if len(graph.order) <= DERIVATION_LIMIT:
        explain = Derivation(graph, words)
        drawn = dict.fromkeys(owner.get(n, n) for n in graph.order)  # in graph order
        derivations = {f"v{graph.index[n]}": write(explain, n, "text")
                       for n in drawn if not is_const(n)}
    data = {"frames": frames, "derivations": derivations, "exercise": exercise,
            "derivation_limit": DERIVATION_LIMIT}
    heading = title if title is not None else words("title", root=graph.root_name)
    note = words("notation") if members else ""
    return page(tag_grads(svg, dot.grad_texts), data, heading, note, words)
