"""Is `autograd` seedgrad's? Another PyPI project (HIPS autograd) installs a package of the
same name over it, and then every `from autograd import Value` fails with a bare ImportError.

Importing this module runs `check()`; `nn/__init__.py` imports it first, so `import nn` (and
the `seedgrad` command) turns that into one ImportError naming seedgrad, the other package
and what to do.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import NoReturn

_FIX = ("The PyPI projects 'seedgrad' and 'autograd' (HIPS autograd) both install a package "
        "named `autograd`, so they cannot share an environment. Use a separate virtual "
        "environment for each, or here: pip uninstall autograd seedgrad, then "
        "pip install seedgrad.")


def _owner() -> str:
    """Which installed distribution owns `autograd/__init__.py`, for the message."""
    try:
        from importlib.metadata import distribution

        other = distribution("autograd")
        return f"the PyPI project 'autograd' {other.version} (HIPS autograd)"
    except Exception:  # no metadata (a copied folder, a broken install): say what was found
        return "another package named autograd"


def _found(module: ModuleType) -> str:
    where = getattr(module, "__file__", None)
    if where is None:
        paths = ", ".join(getattr(module, "__path__", []) or ["?"])
        return (f"a folder without seedgrad's autograd/__init__.py at {paths} (left behind "
                "when another 'autograd' that had overwritten it was uninstalled)")
    return f"{_owner()} at {where}"


def check() -> None:
    """Raise ImportError if `import autograd` is not seedgrad's engine (nothing else changes).

    seedgrad's `autograd/__init__.py` sets `__seedgrad__`; anything else under that name
    (HIPS autograd, or the namespace package its uninstall leaves) fails here. In the
    `seedgrad` command (whose entry point imports `nn` before any of its code runs) the same
    message is one `seedgrad: error:` line and exit status 1, not a traceback.
    """
    try:
        module = sys.modules.get("autograd") or importlib.import_module("autograd")
    except ImportError as error:
        _refuse(f"`import autograd` failed ({error})", error)
    else:
        if getattr(module, "__seedgrad__", False) is not True:
            _refuse(f"`import autograd` found {_found(module)}", None)


def _refuse(what: str, cause: BaseException | None) -> NoReturn:
    message = f"nn is part of seedgrad and needs seedgrad's `autograd` package, but {what}. {_FIX}"
    if Path(sys.argv[0] if sys.argv else "").name in ("seedgrad", "seedgrad.exe"):
        print(f"seedgrad: error: {message}", file=sys.stderr)
        raise SystemExit(1)
    raise ImportError(message) from cause


check()
