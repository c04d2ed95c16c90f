"""The trust boundary of generated code: every name and every value it mentions.

Generated source is built only from text this module hands out: identifiers from one
allocator (`Namespace.name`: ASCII letters, digits and `_`, never a keyword, builtin or
name given before), literals of plain finite floats and ints the compiler made itself
(`literal`), and names of objects bound in the namespace the code runs in
(`Namespace.bind`). User text (labels, op names, argument names, static arguments,
guard operands, reprs) can shape a readable identifier but never appears as itself, so
the source always parses and nothing in it runs but what the compiler wrote.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from typing import Any

_UNSAFE = re.compile(r"[^0-9A-Za-z_]+")  # ASCII ranges: no Unicode letter or digit gets through
_SAFE = re.compile(r"[A-Za-z](?:[0-9A-Za-z_]{0,38}[0-9A-Za-z])?\Z")  # sanitise(h) is h
_MAX_HINT = 40
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(
    dir(builtins)) | {"math"}
_EXACT_INT = 2**53  # ints beyond this are bound, not written (repr of a huge int can fail)


def sanitise(hint: Any) -> str:
    """An identifier-shaped fragment of `hint` (any object, read with `str`), maybe ''.

    Runs of other characters become one `_`; leading and trailing `_` are dropped (names
    the compiler writes itself start with `_`, so a user's never collides with them)."""
    if type(hint) is str and _SAFE.match(hint):
        return hint  # most hints (z_1_0, dC_dw_2_0_1) need nothing done
    try:
        text = hint if isinstance(hint, str) else str(hint)
    except Exception:  # a hostile __str__: the hint only shapes a name, so drop it
        return ""
    name = _UNSAFE.sub("_", text[:4 * _MAX_HINT]).strip("_")[:_MAX_HINT].rstrip("_")
    if name[:1].isdigit():
        name = "v" + name
    return name


class Namespace:
    """One generated module's names: allocated identifiers and bound objects.

    `name(hint)` gives a fresh identifier shaped by `hint`; `bind(obj)` gives the name of a
    global of the generated code holding `obj`. Both remember what they gave out, so no
    two things ever share a name (numeric suffixes are counted per base: no search loop).
    """

    def __init__(self, globals_: dict[str, Any] | None = None):
        self.globals: dict[str, Any] = dict(globals_ or {})
        self._used: set[str] = set(RESERVED) | set(self.globals)
        self._next: dict[str, int] = {}
        self._bound: dict[int, str] = {}

    def reserve(self, *names: str) -> None:
        """Names the compiler writes itself (`_P`, `_seed`, ...): never given out."""
        for name in names:
            if not name.isidentifier() or not name.isascii():
                raise ValueError(f"Namespace.reserve: {name!r} is not an ASCII identifier")
            self._used.add(name)

    def name(self, hint: Any = "", default: str = "t", prefix: str = "") -> str:
        """A new identifier: `prefix` (compiler text) + `hint` (any text) made safe."""
        base = prefix + (sanitise(hint) or default)
        if not base.isidentifier() or keyword.iskeyword(base):
            base = "v_" + base
        name = base
        while name in self._used:  # the counter only grows, so this ends
            k = self._next.get(base, 1) + 1
            self._next[base] = k
            name = f"{base}_{k}"
        self._used.add(name)
        return name

    def taken(self, name: str) -> bool:
        return name in self._used

    def bind(self, obj: Any, hint: str = "k") -> str:
        """The name of a global of the generated code that holds `obj` (one per object)."""
        found = self._bound.get(id(obj))
        if found is not None and self.globals[found] is obj:
            return found
        name = self.name(hint, prefix="_")
        self.globals[name] = obj
        self._bound[id(obj)] = name
        return name

    def value(self, x: Any) -> str:
        """Source text for a number or object: a literal for a plain float or int, else a
        bound name (an int subclass such as an IntEnum member, numpy scalars, anything)."""
        kind = type(x)
        if kind is float:
            return literal(x)
        if kind is int and -_EXACT_INT <= x <= _EXACT_INT:
            return repr(x)
        return self.bind(x)


def literal(x: float) -> str:
    """A float as source text that evaluates to exactly `x` (inf and nan as names)."""
    x = float(x)
    if x != x:
        return "_nan"
    if x in (math.inf, -math.inf):
        return "_inf" if x > 0 else "(-_inf)"
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


def _finite(values: tuple[float, ...]) -> bool:
    """Every value finite (generated code asks only after their sum was not)."""
    return all(map(math.isfinite, values))


CODE_GLOBALS = {"_inf": math.inf, "_nan": math.nan, "_isfinite": math.isfinite,
                "_finite": _finite, "_copysign": math.copysign}
