"""The walkthrough page: one HTML file with inline SVG, CSS and JS (no network, no fonts).

Its steps are the engine's own: `backprop(..., on_step=...)` reports each node processed,
its upstream gradient and what it sends to each parent; the page replays those reports.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from autograd.engine import Value, backprop
from autograd.viz.graph import Graph, neuron_of

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
       color: #222; background: #fafafa; }
header { display: flex; gap: 1em; align-items: center; padding: 0.6em 1em;
         background: #fff; border-bottom: 1px solid #ddd; position: sticky; top: 0; }
header h1 { font-size: 1.1em; margin: 0; flex: 1; }
button { font-size: 1em; padding: 0.3em 0.9em; cursor: pointer; }
#counter { font-variant-numeric: tabular-nums; min-width: 8em; text-align: center; }
#caption { white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace;
           font-size: 0.95em; background: #fffbe6; border-left: 4px solid #e6550d;
           margin: 0.8em 1em; padding: 0.6em 0.9em; min-height: 3.5em; }
#drawing { overflow: auto; padding: 0 1em 1em; }
#drawing svg { max-width: 100%; height: auto; }
#drawing.actual svg { max-width: none; }
.hint { color: #777; font-size: 0.85em; }
g.value > path, g.value > polygon { fill: #ffffff; }
g.value.done > path, g.value.done > polygon { fill: #dbeafe; }
g.value.active > path, g.value.active > polygon { fill: #fdd0a2; stroke: #e6550d;
                                                  stroke-width: 3; }
g.value text.grad { fill: #999; }
g.value.done text.grad { fill: #08519c; font-weight: bold; }
g.edge.chain text { opacity: 0.2; }
g.edge.used text { opacity: 0.85; }
g.edge.used > path { stroke: #3182bd; }
g.edge.used > polygon { stroke: #3182bd; fill: #3182bd; }
g.edge.flow > path { stroke: #e6550d; stroke-width: 3; }
g.edge.flow > polygon { stroke: #e6550d; fill: #e6550d; }
g.edge.flow text { opacity: 1; fill: #a63603; font-weight: bold; }
g.op.active > ellipse { fill: #fdd0a2; stroke: #e6550d; stroke-width: 2; }
"""

_JS = """
(function () {
  "use strict";
  var frames = JSON.parse(document.getElementById("frames").textContent);
  var values = Array.prototype.slice.call(document.querySelectorAll("g.value"));
  var k = 0;
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  function byId(id) { return document.getElementById(id); }
  function mark(id, name) { var el = byId(id); if (el) { el.classList.add(name); } }
  function show(i) {
    k = Math.max(0, Math.min(frames.length - 1, i));
    each(".active, .flow, .used, .done", function (el) {
      el.classList.remove("active", "flow", "used", "done");
    });
    var grads = {};
    for (var j = 0; j <= k; j++) {
      var f = frames[j];
      for (var id in f.g) { grads[id] = f.g[id]; }
      if (j < k) { f.e.forEach(function (e) { mark(e, "used"); }); }
    }
    values.forEach(function (g) {
      var text = g.querySelector("text.grad");
      var known = Object.prototype.hasOwnProperty.call(grads, g.id);
      if (text) { text.textContent = "grad " + (known ? grads[g.id] : "?"); }
      if (known) { g.classList.add("done"); }
    });
    var frame = frames[k];
    var active = byId(frame.a);
    if (active) { active.classList.add("active"); }
    var op = byId("op" + frame.a.slice(1));
    if (op && k > 0) { op.classList.add("active"); }
    frame.e.forEach(function (e) { mark(e, "flow"); });
    byId("caption").textContent = frame.c;
    byId("counter").textContent = "step " + k + " of " + (frames.length - 1);
    byId("prev").disabled = k === 0;
    byId("next").disabled = k === frames.length - 1;
    document.body.setAttribute("data-frame", String(k));
    if (active && active.scrollIntoView && k > 0) {
      active.scrollIntoView({block: "nearest", inline: "nearest"});
    }
  }
  byId("prev").addEventListener("click", function () { show(k - 1); });
  byId("next").addEventListener("click", function () { show(k + 1); });
  byId("zoom").addEventListener("click", function () {
    var actual = byId("drawing").classList.toggle("actual");
    byId("zoom").textContent = actual ? "zoom: 100%" : "zoom: fit";
  });
  document.addEventListener("keydown", function (event) {
    var keys = {ArrowRight: k + 1, ArrowDown: k + 1, " ": k + 1, ArrowLeft: k - 1,
                ArrowUp: k - 1, Home: 0, End: frames.length - 1};
    if (Object.prototype.hasOwnProperty.call(keys, event.key)) {
      event.preventDefault();
      show(keys[event.key]);
    }
  });
  show(0);
})();
"""


def page(svg: str, frames: list[dict[str, Any]], title: str) -> str:
    """The whole page; frames go in as JSON with `<` escaped, so no label can end a script."""
    data = json.dumps(frames, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>"
        "<button id=\"prev\" type=\"button\">&larr; back</button>"
        "<span id=\"counter\"></span>"
        "<button id=\"next\" type=\"button\">next &rarr;</button>"
        "<button id=\"zoom\" type=\"button\">zoom: fit</button>"
        "<span class=\"hint\">arrow keys step, Home/End jump</span></header>\n"
        "<div id=\"caption\"></div>\n"
        f"<div id=\"drawing\">\n{svg}</div>\n"
        f"<script type=\"application/json\" id=\"frames\">{data}</script>\n"
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )


def steps_of(graph: Graph) -> tuple[dict[Value, float], list[tuple[Value, list[float]]]]:
    """A fresh backward pass with seed 1, as the engine reports it: gradients and steps."""
    steps: list[tuple[Value, list[float]]] = []
    grads = backprop(graph.root, 1.0,
                     on_step=lambda node, g, sends: steps.append((node, [float(d) for d in sends])))
    return {node: float(grads.get(node, 0.0)) for node in graph.order}, steps


# ---- walkthrough frames --------------------------------------------------------------------
_VALUE_GROUP = re.compile(r'(<g id="v\d+" class="node value[^"]*">)(.*?)(</g>)', re.DOTALL)


def tag_grads(svg: str) -> str:
    """Mark the grad field (the last text) of every value node so the page can update it."""
    def tag(match: re.Match[str]) -> str:
        body = match.group(2)
        at = body.rfind("<text ")
        if at >= 0:
            body = body[:at] + '<text class="grad" ' + body[at + len("<text "):]
        return match.group(1) + body + match.group(3)

    svg = _VALUE_GROUP.sub(tag, svg)
    return svg[svg.index("<svg"):]


def frames(graph: Graph, steps: list[tuple[Value, list[float]]]) -> list[dict[str, Any]]:
    """One frame per backward step: active node, edges used, gradients set, caption."""
    num, R = graph.num, graph.root_name
    received = {node: 0 for node in graph.order}
    so_far = {node: 0.0 for node in graph.order}
    so_far[graph.root] = 1.0
    root_id = f"v{graph.index[graph.root]}"
    frames = [{"a": root_id, "e": [], "g": {root_id: "1"},
               "c": f"Start: ∂{R}/∂{R} = 1. The backward pass now visits the nodes from the "
                    f"output back to the inputs; each node is processed once every node that "
                    f"uses it has sent its share."}]
    total = len(steps)
    for k, (node, sent) in enumerate(steps, 1):
        i, name = graph.index[node], graph.names[node]
        d_name = graph.wrapped(node)  # ∂f/∂(x*w+b), not ∂f/∂x*w+b
        g = so_far[node]
        op = node.op_info.text() if node.op_info else "?"
        lines = [f"Step {k} of {total}: {name} (op {op}) has ∂{R}/∂{d_name} = {num(g)}"
                 + _delta_note(node) + "; it sends to each input:"]
        changed: dict[str, str] = {}
        for pos, (parent, d) in enumerate(zip(node.parents, sent)):
            p = graph.wrapped(parent)
            local = graph.locals[node][pos]
            symbol = graph.symbol(node, pos)
            why = f" (∂{d_name}/∂{p} = {symbol})" if symbol and symbol != num(local) else ""
            if pos < 6 or pos == len(sent) - 1:
                lines.append(f"  ∂{R}/∂{p} += ∂{R}/∂{d_name} · ∂{d_name}/∂{p} = {num(g)} × "
                             f"{num(local)} = {num(d)}{why}")
            elif pos == 6:
                lines.append(f"  … ({len(sent) - 7} more inputs)")
            received[parent] += 1
            so_far[parent] += d
            changed[f"v{graph.index[parent]}"] = num(so_far[parent])
            n_uses = len(graph.uses[parent])
            if n_uses > 1 and received[parent] == n_uses:
                symbolic, numeric = graph.sum_terms(parent) if graph.grads else ("", "")
                lines.append(f"  {p} is used {n_uses} times, so its gradient is the sum of "
                             f"what each use sent: {symbolic} {numeric}")
        edges = [f"e{i}_{pos}" for pos in range(len(sent))] + [f"o{i}"]
        frames.append({"a": f"v{i}", "e": edges, "g": changed, "c": "\n".join(lines)})
    return frames


def _delta_note(node: Value) -> str:
    info = neuron_of(node)
    if info and info.kind == "z":
        return f", the δ of neuron {info.unit} in layer {info.layer}"
    return ""


