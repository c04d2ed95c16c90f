"""Layout of generated statements: long sums, tuples and unpackings over lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

CHUNK = 50  # terms per statement of a long sum (Python's compiler recurses on nested +)
_SIMPLE = re.compile(r"\(?-?[A-Za-z0-9_.]+\)?\Z")


def sum_lines(target: str, terms: Sequence[str], indent: str) -> list[str]:
    """`target = t0 + t1 + ...`: statements of at most `CHUNK` terms (same order of
    additions), each wrapped at about 100 columns."""
    lines: list[str] = []
    for start in range(0, len(terms), CHUNK):
        head = f"{indent}{target} = " + (f"{target} + " if start else "")
        lines += wrap(head, terms[start:start + CHUNK], " + ", "")
    return lines


def items(texts: Sequence[str], indent: str, width: int = 96) -> list[str]:
    """Tuple items, each followed by a comma, over lines of about `width` columns."""
    lines, line = [], indent
    for item in texts:
        if len(line) + len(item) + 2 > width and line != indent:
            lines.append(line.rstrip())
            line = indent
        line += item + ", "
    if line != indent:
        lines.append(line.rstrip())
    return lines


def unpack(names: Sequence[str], value: str) -> list[str]:
    """`(a, b, ...) = value` over lines, one statement however many names (compiles fast)."""
    if not names:
        return []
    return ["(", *items(names, "    "), f") = {value}"]


def wrap(head: str, texts: Sequence[str], separator: str, tail: str,
         width: int = 96) -> list[str]:
    """`head + separator.join(texts) + tail`, in parentheses over lines if it is long."""
    text = head + separator.join(texts) + tail
    if len(text) <= width or len(texts) < 2:
        return [text]
    indent = " " * (len(head) - len(head.lstrip()) + 4)
    lines, line = [], head + "("
    for k, item in enumerate(texts):
        piece = item + (separator.rstrip() if k < len(texts) - 1 else "")
        if len(line) + len(piece) + 1 > width and line.strip() not in ("", "(") and \
                not line.endswith("("):
            lines.append(line)
            line = indent + piece
        else:
            line += ("" if line.endswith("(") else " ") + piece
    lines.append(line + ")" + tail)
    return lines


def times(g: str, local: str) -> str:
    """g times a local derivative, as text: g, -g, g * b or g * (expression)."""
    if local == "1.0":
        return g
    if local == "-1.0":
        return f"-{g}"
    if _SIMPLE.match(local) or (local.startswith("(") and _closes_at_end(local)):
        return f"{g} * {local}"
    return f"{g} * ({local})"


def _closes_at_end(text: str) -> bool:
    """True if the parenthesis opening `text` is the one closing it: `(a) * (b)` is not."""
    depth = 0
    for k, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return k == len(text) - 1
    return False


def render(lines: list[tuple[str, Any]], inputs: bool) -> list[str]:
    """Backward lines as text; without `inputs`, the sends to inputs are left out."""
    out = []
    for text, extra in lines:
        if isinstance(extra, list):
            body = [line for line, is_input in extra if inputs or not is_input]
            if body:
                out += [text, *body]
        elif inputs or not extra:
            out.append(text)
    return out
