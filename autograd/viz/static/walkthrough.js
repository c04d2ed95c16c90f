// The walkthrough page's script (autograd.viz.page inlines it into each page). It reads
// its data from the JSON in <script id="frames"> (frames, derivations, the page's words
// and the blank fills) and steps through the frames with the keys and buttons.
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
      var blank = g.classList.contains("const") ? data.blank.constant : data.blank.value;
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
