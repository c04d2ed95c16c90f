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
from autograd.viz.graph import visible
from autograd.viz.i18n import Words

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
           font-size: clamp(13px, 1.7vh, 15px); line-height: 1.35; }
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
#tolerance { margin: 0.3em 0 0; color: #555; font-size: 13px; }
#verdict { margin: 0 0 0.3em; font-size: 15px; font-weight: bold; color: #555; }
#verdict:empty { display: none; }
#verdict.right { color: #1a7f37; }
#score { color: #54278f; font-size: 13px; margin: 0 0 0.4em; }
#score:empty { display: none; }
g.value > path, g.value > polygon { transition: fill 0.2s; }
g.value.active > path, g.value.active > polygon { stroke: #7b3294; stroke-width: 4; }
g.value text.grad.known { font-weight: bold; }
g.value text.grad.partial { font-style: italic; fill: #8c510a; }
g.value text.grad.skipped { font-weight: normal; fill: #777; }
g.edge.chain text { visibility: hidden; }
g.edge.used text { visibility: visible; opacity: 0.85; }
g.edge.flow text { visibility: visible; }
g.edge.flow > path { stroke: #7b3294; stroke-width: 3; }
g.edge.flow > polygon { stroke: #7b3294; fill: #7b3294; }
g.edge.flow text { opacity: 1; fill: #54278f; font-weight: bold; }
g.op.active > ellipse { fill: #e7d4e8; stroke: #7b3294; stroke-width: 2; }
g.value { cursor: pointer; }
body.exercise.asking g.edge.flow text.sends { visibility: hidden; }
.swatch.partial { background: #fff; border: 1px solid #999; font-style: italic; color: #8c510a;
                  font-size: 11px; text-align: center; line-height: 0.95em; }
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("frames").textContent);
  var frames = data.frames, derivations = data.derivations || {}, ui = data.ui;
  var exercise = !!data.exercise;
  var stage = document.getElementById("stage");
  var svg = stage.querySelector("svg");
  var scene = svg.querySelector("g.graph") || svg;
  var READABLE = 1.3, MAX_SCALE = 2.0, PAD = 16;  // screen px per SVG unit; margin in px
  var full = svg.viewBox.baseVal;
  full = {x: full.x, y: full.y, w: full.width, h: full.height};
  var view = {x: full.x, y: full.y, w: full.w, h: full.h};
  var zoom = 1, fitAll = false, k = 0, state = {}, anim = null, boxes = {};
  svg.setAttribute("data-full", [full.x, full.y, full.w, full.h].join(" "));
  document.body.classList.toggle("exercise", exercise);  // edge labels wait for answers
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  function byId(id) { return document.getElementById(id); }
  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }
  function has(o, key) { return Object.prototype.hasOwnProperty.call(o, key); }
  function say(key, fields) {  // a message of the page's language, {k} filled in
    return ui[key].replace(/\{(\w+)\}/g, function (m, name) {
      return has(fields || {}, name) ? String(fields[name]) : m;
    });
  }
  function setView(v) {
    view = v;
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }
  function boxOf(id) {  // an element's box in SVG units, whatever the view and stage size
    if (has(boxes, id)) { return boxes[id]; }
    var el = byId(id);
    if (!el || !el.getBBox) { boxes[id] = null; return null; }
    var b = el.getBBox(), m = scene.transform && scene.transform.baseVal.consolidate();
    var dx = m ? m.matrix.e : 0, dy = m ? m.matrix.f : 0;
    boxes[id] = {x: b.x + dx, y: b.y + dy, w: b.width, h: b.height};
    return boxes[id];
  }
  function boxesOf(ids) { return ids.map(boxOf).filter(Boolean); }
  function union(list) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    list.forEach(function (b) {
      x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h);
    });
    return {x: x0, y: y0, w: x1 - x0, h: y1 - y0};
  }
  function fits(box, s, W, H) {
    return box.w * s + 2 * PAD <= W && box.h * s + 2 * PAD <= H;
  }
  // The view: the active node and every node it sends to, whole, at a readable size when
  // they fit, else zoomed out until they do; the edges too when there is room.
  function target(active, recipients, around) {
    var W = stage.clientWidth, H = stage.clientHeight;
    var fit = Math.min((W - 2 * PAD) / full.w, (H - 2 * PAD) / full.h);
    if (fitAll || !active.length) {
      return centred(full, fit, W, H);
    }
    var s = Math.min(Math.max(fit, READABLE * zoom), MAX_SCALE * zoom);
    var must = union(active.concat(recipients));
    if (zoom <= 1 && !fits(must, s, W, H)) {
      s = Math.min((W - 2 * PAD) / must.w, (H - 2 * PAD) / must.h);
    }
    var focus = must;
    if (zoom <= 1 && !fits(focus, s, W, H)) { focus = union(active); }
    var wide = union([focus].concat(around));
    if (around.length && fits(wide, s, W, H)) { focus = wide; }
    return centred(focus, s, W, H);
  }
  function centred(focus, s, W, H) {
    var w = W / s, h = H / s, pad = PAD / s;
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
    moveTo(target(boxesOf(frame.a), boxesOf(frame.r), boxesOf(frame.e)));
  }
  function fitPanel() {  // tall enough for the whole caption, up to 45% of the window
    var panel = byId("panel");
    var need = byId("caption").scrollHeight + byId("verdict").offsetHeight +
      byId("exercise").offsetHeight + 24;
    var low = Math.max(180, 0.28 * window.innerHeight), high = 0.42 * window.innerHeight;
    panel.style.height = Math.round(Math.min(high, Math.max(low, need))) + "px";
  }
  function asking() {
    return exercise && frames[k].q && state[k] !== "right" && state[k] !== "shown";
  }
  function score() {
    var counts = {right: 0, shown: 0, skipped: 0, open: 0};
    frames.forEach(function (f, j) {
      if (f.q) { counts[has(state, j) ? state[j] : "open"] += 1; }
    });
    return say("score", counts);
  }
  function show(i) {
    if (asking() && i !== k && !has(state, k)) { state[k] = "skipped"; }
    k = Math.max(0, Math.min(frames.length - 1, i));
    each(".active, .flow, .used", function (el) {
      el.classList.remove("active", "flow", "used");
    });
    var grads = {}, notes = {}, fills = {}, skipped = {}, now = asking();
    for (var j = 0; j <= k; j++) {
      var f = frames[j];
      if (j === k && now) { break; }
      for (var id in f.g) { grads[id] = f.g[id]; notes[id] = f.p[id] || ""; }
      for (var b in f.f) { fills[b] = f.f[b]; }
      if (f.q && state[j] === "skipped") {
        f.q.hide.forEach(function (h) { skipped[h] = true; });
      }
      if (j < k) {
        f.e.forEach(function (e) { var el = byId(e); if (el) { el.classList.add("used"); } });
      }
    }
    if (now) { frames[k].q.hide.forEach(function (h) { delete grads[h]; }); }
    each("text.grad", function (t) {
      var node = t.getAttribute("data-node"), known = has(grads, node);
      var text = ui.grad + " " + (known ? grads[node] : ui.unknown);
      var partial = known && notes[node] !== "";
      if (partial) { text += " (" + notes[node] + ")"; }
      else if (known && skipped[node]) { text += " (" + ui.skipped + ")"; }
      t.textContent = text;
      t.classList.toggle("known", known && !partial);
      t.classList.toggle("partial", partial);
      t.classList.toggle("skipped", known && !partial && !!skipped[node]);
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
    var verdict = "";
    if (exercise && frame.q) {
      var named = {name: frame.q.n, value: frame.q.s};
      if (state[k] === "right") { verdict = say("correct", named); }
      else if (state[k] === "shown") { verdict = say("shown", named); }
      else if (state[k] === "skipped") { verdict = say("skipped_verdict", named); }
    }
    byId("verdict").textContent = verdict;
    byId("verdict").className = state[k] === "right" ? "right" : "";
    byId("score").textContent = exercise ? score() : "";
    document.body.classList.toggle("asking", !!now);
    if (now) {
      byId("question").textContent = frame.q.n + " = ?";
      byId("answer").value = "";
      byId("feedback").textContent = "";
    }
    fitPanel();
    byId("counter").textContent = say("counter", {k: k, n: frames.length - 1});
    byId("prev").disabled = k === 0;
    byId("next").disabled = k === frames.length - 1;
    document.body.setAttribute("data-frame", String(k));
    follow();
  }
  // Right: within 0.5 % of the true value (an exact 0 needs 0), as the page says.
  function close(x, v) { return Math.abs(x - v) <= 0.005 * Math.abs(v); }
  function check() {
    var q = frames[k].q;
    var text = byId("answer").value.trim().replace(/\u2212/g, "-").replace(",", ".");
    var x = Number(text);
    if (text === "" || !isFinite(x)) {
      byId("feedback").textContent = ui.type_a_number;
      return;
    }
    if (close(x, q.v)) { state[k] = "right"; show(k); return; }
    var why = null;
    q.h.forEach(function (hint) { if (why === null && close(x, hint[0])) { why = hint[1]; } });
    byId("feedback").textContent = ui.not_yet + (why || q.f);
  }
  byId("check").addEventListener("click", check);
  byId("reveal").addEventListener("click", function () { state[k] = "shown"; show(k); });
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
    byId("fit").textContent = fitAll ? ui.follow : ui.whole;
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
      byId("derivation").textContent = text || say("no_derivation",
                                                   {limit: data.derivation_limit});
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


def legend_html(words: Words | None = None) -> str:
    """The colour legend as an HTML list (the same meanings as the SVG drawings')."""
    words = words or Words("en")
    items = []
    for k, (colour, how, _, _) in enumerate(LEGEND):
        style = f"background:{colour}"
        if how == "border":
            style = f"background:#fff;border:3px solid {colour}"
        elif how == "dashed":
            style = f"background:{colour};border:1px dashed #666"
        items.append(f'<li><span class="swatch" style="{style}"></span>'
                     f'{html.escape(words(f"legend_{k}"))}</li>')
    items.append('<li><span class="swatch partial">1/2</span>'
                 f'{html.escape(words("legend_partial"))}</li>')
    return '<ul id="legend">' + "".join(items) + "</ul>"


_UI = ("counter", "score", "correct", "shown", "skipped_verdict", "skipped", "type_a_number",
       "not_yet", "no_derivation", "grad", "unknown", "whole", "follow")


def script_json(data: Any) -> str:
    """`data` as JSON safe inside a <script> element: no NaN or Infinity (JSON.parse rejects
    them: write them as text first), `<` and the JS line separators escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def page(svg: str, data: dict[str, Any], title: str, note: str = "",
         words: Words | None = None) -> str:
    """The whole page in the language of `words`; `data` goes in through `script_json`."""
    words = words or Words("en")
    data = {**data, "ui": {key: words.table[key] for key in _UI}}  # JS fills in the {k}s
    text = script_json(data)
    title = visible(title)
    note_html = f'<p class="hint">{html.escape(note)}</p>' if note else ""
    e = html.escape
    return (
        f"<!DOCTYPE html>\n<html lang=\"{words('html_lang')}\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(title)}</h1>"
        f"<button id=\"prev\" type=\"button\">{e(words('back'))}</button>"
        "<span id=\"counter\"></span>"
        f"<button id=\"next\" type=\"button\">{e(words('next'))}</button>"
        f"<button id=\"zoomout\" type=\"button\" title=\"{e(words('zoom_out'))}\">"
        "&minus;</button>"
        f"<button id=\"zoomin\" type=\"button\" title=\"{e(words('zoom_in'))}\">+</button>"
        f"<button id=\"fit\" type=\"button\">{e(words('whole'))}</button>"
        f"<span class=\"hint\">{e(words('keys'))}</span></header>\n"
        f"<div id=\"stage\">\n{svg}</div>\n"
        "<div id=\"panel\"><div id=\"caption-box\">"
        f"<div id=\"exercise\"><strong>{e(words('your_turn'))}</strong> "
        "<span id=\"question\"></span> "
        "<input id=\"answer\" type=\"text\" inputmode=\"decimal\" autocomplete=\"off\"> "
        f"<button id=\"check\" type=\"button\">{e(words('check'))}</button> "
        f"<button id=\"reveal\" type=\"button\">{e(words('show_me'))}</button>"
        f"<p id=\"tolerance\">{e(words('tolerance'))}</p>"
        "<p id=\"feedback\"></p></div>"
        "<p id=\"verdict\"></p>"
        "<pre id=\"caption\"></pre></div>"
        f"<div id=\"side\"><p id=\"score\"></p>{legend_html(words)}{note_html}"
        f"<pre id=\"derivation\">{e(words('click_node'))}</pre></div></div>\n"
        f"<script type=\"application/json\" id=\"frames\">{text}</script>\n"
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )


_GROUP = re.compile(r'<g id="([ve][\d_]+)" class="(?:node value|edge chain)[^"]*">(.*?)</g>',
                    re.DOTALL)
_TEXT = re.compile(r"<text ")


def tag_grads(svg: str, grad_texts: dict[str, list[tuple[int, str]]]) -> str:
    """Mark the texts the page rewrites, by position (one <text> per record field, in order;
    labels are never read): each box's grad fields with the node they belong to, and the
    last line of each chain-rule edge (what it sends), which exercise mode hides.
    """
    def tag(match: re.Match[str]) -> str:
        box, body = match.group(1), match.group(2)
        if box.startswith("e"):
            last = body.rfind("<text ")
            if last < 0 or body.count("<text ") < 2:
                return match.group(0)
            body = body[:last] + '<text class="sends" ' + body[last + len("<text "):]
            return match.group(0)[:match.start(2) - match.start(0)] + body + "</g>"
        owners = dict(grad_texts.get(box, []))
        count = iter(range(10**9))

        def mark(_: re.Match[str]) -> str:
            at = next(count)
            if at in owners:
                return f'<text class="grad" data-node="{owners[at]}" '
            return "<text "

        body = _TEXT.sub(mark, body)
        return match.group(0)[:match.start(2) - match.start(0)] + body + "</g>"

    svg = _GROUP.sub(tag, svg)
    return svg[svg.index("<svg"):]
