"""The walkthrough page: one HTML file with inline SVG, CSS and JS (no network, no fonts).

The script and the style are package data (`static/walkthrough.js`, `static/walkthrough.css`),
read once and inlined into every page; the data goes in through `script_json`.

Laid out for a classroom screen (1400×900 and up): a header with the controls, the drawing
in a stage that pans and zooms to follow the active node at a readable size (the SVG's
viewBox is animated; the page itself never scrolls), and a fixed panel below with the
caption, the colour legend and the derivation of the clicked node. The frames come from
`autograd.viz.frames`, which builds them from the engine's own backward reports.
"""

from __future__ import annotations

import functools
import html
import json
import re
from importlib import resources
from typing import Any

from autograd.viz.dot import ACTIVE, CONSTANT, LEGEND, WHITE
from autograd.viz.graph import visible
from autograd.viz.i18n import Words

_STATIC = "static"  # the folder of walkthrough.js and walkthrough.css (package data)


@functools.cache
def static_text(name: str) -> str:
    """A file of the page's package data (its script or style), to inline into the page.

    Raises:
        ValueError: the file could end the <script> or <style> element it goes into.
    """
    text = resources.files("autograd.viz").joinpath(_STATIC).joinpath(name).read_text("utf-8")
    if "</" in text:  # "</script" or "</style" would close the element early
        raise ValueError(f"static_text: {name} holds '</', which would end its element")
    return text


def style() -> str:
    """The page's CSS: the active step's purple from `ACTIVE` (the legend's), then the file."""
    return f":root {{ --active: {ACTIVE}; }}\n" + static_text("walkthrough.css")


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
    data = {**data, "ui": {key: words.table[key] for key in _UI},  # JS fills in the {k}s
            "blank": {"constant": CONSTANT, "value": WHITE}}  # a box's fill before its step
    text = script_json(data)
    title = visible(title)
    note_html = f'<p class="hint">{html.escape(note)}</p>' if note else ""
    e = html.escape
    return (
        f"<!DOCTYPE html>\n<html lang=\"{words('html_lang')}\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{e(title)}</title>\n<style>\n{style()}</style>\n</head>\n<body>\n"
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
        f"<script>\n{static_text('walkthrough.js')}</script>\n</body>\n</html>\n"
    )


_GROUP = re.compile(r'<g id="([ve][\d_]+)" class="(?:node value|edge chain)[^"]*">(.*?)</g>',
                    re.DOTALL)
_TEXT_TAG = re.compile(r"<text ")


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

        body = _TEXT_TAG.sub(mark, body)
        return match.group(0)[:match.start(2) - match.start(0)] + body + "</g>"

    svg = _GROUP.sub(tag, svg)
    return svg[svg.index("<svg"):]
