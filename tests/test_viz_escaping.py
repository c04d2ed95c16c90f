"""Every generated text parses whatever the labels: SVG as XML, LaTeX rows with mathtext."""

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, viz

# All of Unicode, lone surrogates, NUL, U+FFFE and the other characters XML forbids included.
labels = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)


@settings(max_examples=40, deadline=None)
@given(labels, labels, labels, st.booleans())
def test_svg_is_well_formed_xml_whatever_the_labels(first, second, root, collapse):
    a, b = Value(2.0, label=first), Value(-1.0, label=second)
    c = a * b + a.tanh()
    c.label = root
    svg = viz.to_svg(c, collapse=collapse)
    tree = ET.fromstring(svg)  # raises ParseError on a character XML does not allow
    assert tree.tag.endswith("svg")


def test_characters_xml_forbids_are_drawn_as_the_replacement_character():
    a = Value(1.0, label="x\ufffe\x00\ud800y")
    svg = viz.to_svg(a * 2)
    ET.fromstring(svg)
    assert "x\ufffd \ufffdy" in svg
