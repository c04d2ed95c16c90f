"""The walkthrough page: one HTML file with inline SVG, CSS and JS (no network, no fonts).

Laid out for a classroom screen (1400×900 and up): a header with the controls, the drawing
in a stage that pans and zooms to follow the active node at a readable size (the SVG's
viewBox is animated; the page itself never scrolls), and a fixed panel below with the
caption, the colour legend and the derivation of the clicked node. The frames come from
`autograd.viz.frames`, which builds them from the engine's own backward reports.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from autograd.viz.dot import LEGEND

_CSS = """
html, body { margin: 0; height: 100%; overflow: hidden; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       background: #fafafa; display: flex; flex-direction: column; }
header { display: flex; gap: 0.6em; align-items: center; padding: 0.45em 1em;
         background: #fff; border-bottom: 1px solid #ddd; flex: none; }
header h1 { font-size: 1.05em; margin: 0; flex: 1; white-space: nowrap; overflow: hidden;
            text-overflow: ellipsis; }
button { font-size: 0.95em; padding: 0.25em 0.8em; cursor: pointer; }
#counter { font-variant-numeric: tabular-nums; min-width: 7.5em; text-align: center; }
#stage { flex: 1; min-height: 0; position: relative; overflow: hidden; background: #fff;
         cursor: grab; }
#stage svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
#panel { flex: none; height: 30vh; min-height: 200px; display: flex; gap: 0;
         border-top: 2px solid #7b3294; background: #fff; }
#caption-box { flex: 1; overflow: auto; padding: 0.5em 1em; }
#caption { white-space: pre-wrap; margin: 0;
           font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace;
           font-size: 15px; line-height: 1.35; }
#side { width: 400px; flex: none; overflow: auto; border-left: 1px solid #ddd;
        padding: 0.4em 0.8em; font-size: 13px; }
#legend { list-style: none; margin: 0 0 0.5em; padding: 0; }
#legend li { display: flex; align-items: center; gap: 0.5em; margin: 0.15em 0; }
#legend .swatch { width: 1.6em; height: 0.95em; flex: none; border: 1px solid #999;
                  border-radius: 3px; }
#derivation { white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace;
              font-size: 12px; margin: 0; }
.hint { color: #777; font-size: 0.85em; }
#exercise { display: none; background: #f3ecf7; border-left: 4px solid #7b3294;
            padding: 0.5em 0.8em; margin-bottom: 0.5em; font-size: 15px; }
body.asking #exercise { display: block; }
body.asking #caption { display: none; }
#answer { font-size: 1em; width: 9em; }
#feedback { white-space: pre-wrap; margin: 0.4em 0 0; color: #a50f15; }
g.value > path, g.value > polygon { transition: fill 0.2s; }
g.value.active > path, g.value.active > polygon { stroke: #7b3294; stroke-width: 4; }
g.value text.grad.known { font-weight: bold; }
g.edge.chain text { opacity: 0.25; }
g.edge.used text { opacity: 0.85; }
g.edge.flow > path { stroke: #7b3294; stroke-width: 3; }
g.edge.flow > polygon { stroke: #7b3294; fill: #7b3294; }
g.edge.flow text { opacity: 1; fill: #54278f; font-weight: bold; }
g.op.active > ellipse { fill: #e7d4e8; stroke: #7b3294; stroke-width: 2; }
g.value { cursor: pointer; }
body.exercise g.edge text.sends { visibility: hidden; }
body.exercise g.edge.used text.sends,
body.exercise:not(.asking) g.edge.flow text.sends { visibility: visible; }
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("frames").textContent);
  var frames = data.frames, derivations = data.derivations || {};
  var exercise = !!data.exercise;
  var stage = document.getElementById("stage");
  var svg = stage.querySelector("svg");
  var READABLE = 1.3, MAX_SCALE = 2.0;   // screen px per SVG unit (Graphviz points)
  var full = svg.viewBox.baseVal;
  full = {x: full.x, y: full.y, w: full.width, h: full.height};
  var view = {x: full.x, y: full.y, w: full.w, h: full.h};
  var zoom = 1, fitAll = false, k = 0, answered = {}, anim = null;
  svg.setAttribute("data-full", [full.x, full.y, full.w, full.h].join(" "));
  document.body.classList.toggle("exercise", exercise);  // edge labels wait for answers
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  function byId(id) { return document.getElementById(id); }
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  function mark(id, name) { var el = byId(id); if (el) { el.classList.add(name); } }
  function has(o, key) { return Object.prototype.hasOwnProperty.call(o, key); }
  function setView(v) {
    view = v;
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }
  function boxOf(el) {  // an element's box in SVG units (the view fills the stage exactly)
    var s = svg.getBoundingClientRect(), r = el.getBoundingClientRect();
    var f = view.w / s.width;
    return {x: view.x + (r.left - s.left) * f, y: view.y + (r.top - s.top) * f,
            w: r.width * f, h: r.height * f};
  }
  function union(boxes) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    boxes.forEach(function (b) {
      x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h);
    });
    return {x: x0, y: y0, w: x1 - x0, h: y1 - y0};
  }
  function target(active, around) {
    var W = stage.clientWidth, H = stage.clientHeight;
    var pad = 24;
    var fit = Math.min(W / (full.w + 2 * pad), H / (full.h + 2 * pad));
    var s = fitAll ? fit : Math.min(Math.max(fit, READABLE * zoom), MAX_SCALE * zoom);
    var focus = active.length ? union(active) : {x: full.x, y: full.y, w: full.w, h: full.h};
    if (!fitAll && ((focus.w + 2 * pad) * s > W || (focus.h + 2 * pad) * s > H)) {
      s = Math.min(W / (focus.w + 2 * pad), H / (focus.h + 2 * pad));  // a whole layer
    } else if (around.length) {
      var wide = union(active.concat(around));
      if ((wide.w + 2 * pad) * s <= W && (wide.h + 2 * pad) * s <= H) { focus = wide; }
    }
    var w = W / s, h = H / s;
    if (fitAll) { focus = full; }
    var cx = focus.x + focus.w / 2, cy = focus.y + focus.h / 2;
    function place(c, size, lo, span) {
      if (size >= span) { return lo + (span - size) / 2; }
      return Math.min(Math.max(c - size / 2, lo), lo + span - size);
    }
    return {x: place(cx, w, full.x - pad, full.w + 2 * pad),
            y: place(cy, h, full.y - pad, full.h + 2 * pad), w: w, h: h};
  }
  function moveTo(to) {
    if (anim) { cancelAnimationFrame(anim); }
    var from = view, t0 = null, ms = 350;
    document.body.setAttribute("data-moving", "1");
    function tick(now) {
      if (t0 === null) { t0 = now; }
      var t = Math.min(1, (now - t0) / ms), e = t * t * (3 - 2 * t);
      setView({x: from.x + (to.x - from.x) * e, y: from.y + (to.y - from.y) * e,
               w: from.w + (to.w - from.w) * e, h: from.h + (to.h - from.h) * e});
      if (t < 1) { anim = requestAnimationFrame(tick); return; }
      anim = null;
      document.body.setAttribute("data-moving", "0");
    }
    if (document.hidden || !window.requestAnimationFrame) {
      setView(to); document.body.setAttribute("data-moving", "0"); return;
    }
    anim = requestAnimationFrame(tick);
  }
  function follow() {
    var frame = frames[k];
    var active = frame.a.map(byId).filter(Boolean).map(boxOf);
    var around = frame.e.map(byId).filter(Boolean).map(boxOf);
    moveTo(target(active, around));
  }
  function fitPanel() {  // tall enough for the whole caption, up to 45% of the window
    var panel = byId("panel");
    var need = byId("caption").scrollHeight + byId("exercise").offsetHeight + 24;
    var low = Math.max(200, 0.3 * window.innerHeight), high = 0.45 * window.innerHeight;
    panel.style.height = Math.round(Math.min(high, Math.max(low, need))) + "px";
  }
  function asking() { return exercise && frames[k].q && !answered[k]; }
  function show(i) {
    k = Math.max(0, Math.min(frames.length - 1, i));
    each(".active, .flow, .used", function (el) {
      el.classList.remove("active", "flow", "used");
    });
    var grads = {}, fills = {};
    for (var j = 0; j <= k; j++) {
      var f = frames[j];
      if (j === k && asking()) { break; }
      for (var id in f.g) { grads[id] = f.g[id]; }
      for (var b in f.f) { fills[b] = f.f[b]; }
      if (j < k) { f.e.forEach(function (e) { mark(e, "used"); }); }
    }
    if (asking()) { frames[k].q.hide.forEach(function (id) { delete grads[id]; }); }
    each("text.grad", function (t) {
      var known = has(grads, t.getAttribute("data-node"));
      t.textContent = "grad " + (known ? grads[t.getAttribute("data-node")] : "?");
      t.classList.toggle("known", known);
    });
    each("g.value", function (g) {
      var blank = g.classList.contains("const") ? "#eeeeee" : "#ffffff";
      var fill = has(fills, g.id) ? fills[g.id] : blank;
      var shape = g.querySelector("path, polygon");
      if (shape) { shape.setAttribute("fill", fill); }
    });
    var frame = frames[k];
    frame.a.forEach(function (id) {
      var el = byId(id); if (el) { el.classList.add("active"); }
      var op = byId("op" + id.slice(1)); if (op && k > 0) { op.classList.add("active"); }
    });
    frame.e.forEach(function (e) { var el = byId(e); if (el) { el.classList.add("flow"); } });
    byId("caption").textContent = frame.c;
    document.body.classList.toggle("asking", !!asking());
    fitPanel();
    if (asking()) {
      byId("question").textContent = frame.q.n + " = ?";
      byId("answer").value = "";
      byId("feedback").textContent = "";
    }
    byId("counter").textContent = "step " + k + " of " + (frames.length - 1);
    byId("prev").disabled = k === 0;
    byId("next").disabled = k === frames.length - 1;
    document.body.setAttribute("data-frame", String(k));
    follow();
  }
  function close(x, v) { return Math.abs(x - v) <= Math.max(5e-4, 0.005 * Math.abs(v)); }
  function check() {
    var q = frames[k].q;
    var text = byId("answer").value.trim().replace(/\u2212/g, "-").replace(",", ".");
    var x = Number(text);
    if (text === "" || !isFinite(x)) {
      byId("feedback").textContent = "Type a number, e.g. -0.0123.";
      return;
    }
    if (close(x, q.v)) { answered[k] = true; show(k); return; }
    var why = null;
    q.h.forEach(function (hint) { if (why === null && close(x, hint[0])) { why = hint[1]; } });
    byId("feedback").textContent = "Not yet. " + (why || q.f);
  }
  byId("check").addEventListener("click", check);
  byId("reveal").addEventListener("click", function () { answered[k] = true; show(k); });
  byId("answer").addEventListener("keydown", function (event) {
    event.stopPropagation();
    if (event.key === "Enter") { check(); }
  });
  byId("prev").addEventListener("click", function () { show(k - 1); });
  byId("next").addEventListener("click", function () { show(k + 1); });
  function zoomBy(f) { fitAll = false; zoom *= f; follow(); }
  byId("zoomin").addEventListener("click", function () { zoomBy(1.25); });
  byId("zoomout").addEventListener("click", function () { zoomBy(0.8); });
  byId("fit").addEventListener("click", function () {
    fitAll = !fitAll; zoom = 1;
    byId("fit").textContent = fitAll ? "follow" : "whole graph";
    follow();
  });
  var drag = null;
  stage.addEventListener("mousedown", function (event) {
    drag = {x: event.clientX, y: event.clientY, view: view};
  });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (event) {
    if (!drag) { return; }
    var f = view.w / stage.clientWidth;
    setView({x: drag.view.x - (event.clientX - drag.x) * f,
             y: drag.view.y - (event.clientY - drag.y) * f, w: view.w, h: view.h});
  });
  each("g.value", function (g) {
    g.addEventListener("click", function () {
      var text = derivations[g.id];
      byId("derivation").textContent = text ||
        "No derivation stored for this node (the page stores them for graphs up to " +
        data.derivation_limit + " nodes); call autograd.viz.derivation(root, node).";
    });
  });
  document.addEventListener("keydown", function (event) {
    var keys = {ArrowRight: k + 1, ArrowDown: k + 1, " ": k + 1, ArrowLeft: k - 1,
                ArrowUp: k - 1, Home: 0, End: frames.length - 1};
    if (has(keys, event.key)) {
      event.preventDefault();
      show(keys[event.key]);
    }
  });
  window.addEventListener("resize", function () { fitPanel(); follow(); });
  setView(view);
  show(0);
})();
"""


def legend_html() -> str:
    """The colour legend as an HTML list (the same meanings as the SVG drawings')."""
    items = []
    for colour, how, text, _ in LEGEND:
        style = f"background:{colour}"
        if how == "border":
            style = f"background:#fff;border:3px solid {colour}"
        elif how == "dashed":
            style = f"background:{colour};border:1px dashed #666"
        items.append(f'<li><span class="swatch" style="{style}"></span>{html.escape(text)}</li>')
    return '<ul id="legend">' + "".join(items) + "</ul>"


def page(svg: str, data: dict[str, Any], title: str, note: str = "") -> str:
    """The whole page; data goes in as JSON with `<` escaped, so no label can end a script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    note_html = f'<p class="hint">{html.escape(note)}</p>' if note else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>"
        "<button id=\"prev\" type=\"button\">&larr; back</button>"
        "<span id=\"counter\"></span>"
        "<button id=\"next\" type=\"button\">next &rarr;</button>"
        "<button id=\"zoomout\" type=\"button\" title=\"zoom out\">&minus;</button>"
        "<button id=\"zoomin\" type=\"button\" title=\"zoom in\">+</button>"
        "<button id=\"fit\" type=\"button\">whole graph</button>"
        "<span class=\"hint\">arrow keys step, Home/End jump, drag to pan</span></header>\n"
        f"<div id=\"stage\">\n{svg}</div>\n"
        "<div id=\"panel\"><div id=\"caption-box\">"
        "<div id=\"exercise\"><strong>Your turn.</strong> <span id=\"question\"></span> "
        "<input id=\"answer\" type=\"text\" inputmode=\"decimal\" autocomplete=\"off\"> "
        "<button id=\"check\" type=\"button\">check</button> "
        "<button id=\"reveal\" type=\"button\">show me</button>"
        "<p id=\"feedback\"></p></div>"
        "<pre id=\"caption\"></pre></div>"
        f"<div id=\"side\">{legend_html()}{note_html}"
        "<pre id=\"derivation\">Click a node for the chain-rule derivation of its "
        "gradient.</pre></div></div>\n"
        f"<script type=\"application/json\" id=\"frames\">{text}</script>\n"
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )


_VALUE_GROUP = re.compile(r'(<g id="(v\d+)" class="node value[^"]*">)(.*?)(</g>)', re.DOTALL)
_GRAD_TEXT = re.compile(r"<text ([^>]*)>grad ")
_SENDS_TEXT = re.compile(r"<text ([^>]*)>sends ")


def tag_grads(svg: str, members: dict[str, list[str]]) -> str:
    """Mark each `grad …` text of every value box with the node it belongs to (and each
    edge's `sends …` line, which exercise mode hides until the step is answered).

    `members` maps a drawn box id to the ids of the nodes whose rows it shows, in order
    (one for a plain node; z, a, b, w… for a neuron box).
    """
    def tag(match: re.Match[str]) -> str:
        owners = iter(members.get(match.group(2), [match.group(2)]))

        def mark(text: re.Match[str]) -> str:
            node = next(owners, "")
            return f'<text class="grad" data-node="{node}" {text.group(1)}>grad '

        return match.group(1) + _GRAD_TEXT.sub(mark, match.group(3)) + match.group(4)

    svg = _VALUE_GROUP.sub(tag, svg)
    svg = _SENDS_TEXT.sub(r'<text class="sends" \1>sends ', svg)  # what an edge carries
    return svg[svg.index("<svg"):]
