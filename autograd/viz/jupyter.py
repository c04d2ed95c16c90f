"""How Jupyter shows a `Value` or a `Diagram`: one drawing, scaled to the cell, click to zoom.

A drawing of a few hundred nodes is thousands of points wide; shown at its own size it
overflows the cell. The HTML form fits the cell width (never enlarged past its own size)
and a click toggles actual size with scrolling (CSS only, so it also works where output
scripts are not trusted). Over the node limit nothing is rendered: the text says how to
draw the graph instead.

A notebook stores every output it shows, so the drawing is sent once (HTML holding the
SVG, or the SVG alone when HTML is filtered out; there is no `_repr_svg_`, which IPython
would add as a second copy) and compacted: what Graphviz repeats on every text goes on the
root once, titles and comments go, coordinates keep one decimal (0.05 pt, invisible).
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Collection

from autograd.viz.render import RenderError

_SVG_MIME = "image/svg+xml"
_HTML_MIME = "text/html"
_PLAIN_MIME = "text/plain"
_NS = "http://www.w3.org/2000/svg"
_PREFIX = "{" + _NS + "}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Inherited attributes Graphviz writes on every <text>: set once on <svg> where all agree.
_INHERITED = (_XML_SPACE, "font-family", "font-size", "text-anchor")
_COORDINATES = ("d", "points", "x", "y", "cx", "cy", "rx", "ry")
_DECIMALS = re.compile(r"-?\d+\.\d\d+")
_ids = itertools.count()


def _shorter(match: re.Match[str]) -> str:
    """A coordinate with one decimal: `-88.56` -> `-88.6`, `12.04` -> `12`."""
    text = f"{round(float(match.group(0)), 1):.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _lines(path: str) -> str:
    """A Graphviz path with its straight pieces as lines (`L`) instead of flat cubics.

    Graphviz writes every path as `M p C c1 c2 q ...`; a cubic whose first control point
    is its start and second its end is the straight line to its end (same pixels, same
    dashes). Any other path is returned as it was.
    """
    match = re.fullmatch(r"M(\S+)C(.*)", path.strip(), re.DOTALL)
    if match is None:
        return path
    points = [match.group(1), *match.group(2).split()]
    if (len(points) - 1) % 3 or not all(re.fullmatch(r"-?[\d.]+,-?[\d.]+", p) for p in points):
        return path
    out, current, kind = [f"M{points[0]}"], points[0], ""
    for i in range(1, len(points), 3):
        c1, c2, end = points[i:i + 3]
        if c1 == current and c2 == end:
            out.append(("" if kind == "L" else "L") + end)
            kind = "L"
        else:
            out.append(("" if kind == "C" else "C") + f"{c1} {c2} {end}")
            kind = "C"
        current = end
    return " ".join(out).replace(" L", "L").replace(" C", "C")


def compact(svg: str) -> ET.Element:
    """The drawing as an element tree that renders the same with fewer bytes.

    Graphviz writes `xml:space`, `font-family`, `font-size` and `text-anchor` on every
    text: each goes on the root once (the most common value; texts keep other values),
    when every text has it and no group in between sets it. Titles (tooltips naming
    internal node ids), comments, ids and the XML prolog are dropped.
    """
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")  # as HTML parsers read it
    root = ET.fromstring(svg)
    for element in root.iter():  # SVG names without the namespace (it is declared below)
        if isinstance(element.tag, str) and element.tag.startswith(_PREFIX):
            element.tag = element.tag[len(_PREFIX):]
    root.set("xmlns", _NS)
    texts: list[ET.Element] = []
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    shadowed = False  # a group between the root and some text sets an inherited attribute
    while stack:  # iterative: no recursion limit on deep drawings
        element, inside_setter = stack.pop()
        for child in list(element):
            if child.tag == "title":
                element.remove(child)
                continue
            if child.tag == "text":
                texts.append(child)
                shadowed = shadowed or inside_setter
                continue
            child.attrib.pop("id", None)
            child.tail = None  # whitespace between shapes (never inside a <text>)
            for name in _COORDINATES:
                if name in child.attrib:
                    child.set(name, _DECIMALS.sub(_shorter, child.attrib[name]))
            if "d" in child.attrib:
                child.set("d", _lines(child.attrib["d"]))
            sets = any(name in child.attrib for name in _INHERITED)
            stack.append((child, inside_setter or sets))
    for text in texts:
        for name in ("x", "y"):
            if name in text.attrib:
                text.set(name, _DECIMALS.sub(_shorter, text.attrib[name]))
    if texts and not shadowed:
        for name in _INHERITED:
            values = [text.get(name) for text in texts]
            if None in values or name in root.attrib:
                continue
            common = Counter(values).most_common(1)[0][0]
            root.set(name, str(common))
            for text in texts:
                if text.get(name) == common:
                    del text.attrib[name]
    return root


def _svg_text(root: ET.Element) -> str:
    """The element as SVG text."""
    return ET.tostring(root, encoding="unicode")


def _natural_width(root: ET.Element) -> str | None:
    """The drawing's own width in points ('1502' for width="1502pt"), None if not in pt."""
    match = re.fullmatch(r"([\d.]+)pt", root.get("width", ""))
    return match.group(1) if match else None


def scalable(svg: str) -> str:
    """The SVG inside HTML that fits the cell width; a click shows it at actual size."""
    root = compact(svg)
    width = _natural_width(root)
    if width is None:
        return f'<div style="overflow:auto">{_svg_text(root)}</div>'
    del root.attrib["width"]
    root.attrib.pop("height", None)
    root.set("style", f"width:100%;height:auto;max-width:{width}pt")
    body = _svg_text(root)
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
    """The mime bundle: one drawing (HTML, scaled; or SVG), or text saying why it was not drawn.

    `draw()` returns SVG or raises RenderError; `fallback(error)` is the text shown then.
    `include`/`exclude` are Jupyter's mime filters; HTML is preferred, SVG is sent only
    when HTML is filtered out.
    """
    def wanted(kind: str) -> bool:
        return (not include or kind in include) and not (exclude and kind in exclude)

    if not (wanted(_HTML_MIME) or wanted(_SVG_MIME)):
        return {}
    try:
        svg = draw()
    except RenderError as error:
        return {_PLAIN_MIME: fallback(error)}
    if wanted(_HTML_MIME):
        return {_HTML_MIME: scalable(svg)}
    return {_SVG_MIME: _svg_text(compact(svg))}
