"""Optional dependencies: a missing one raises an ImportError that names the extra to install.

Public so that `nn` (and a user's own extension) names a missing extra the same way
`autograd.testing` and `autograd.viz` do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["extra_needed"]


@contextmanager
def extra_needed(package: str, extra: str, who: str) -> Iterator[None]:
    """Turn "No module named `package`" inside the block into an ImportError naming `extra`.

    Args:
        package: the top-level module the block imports (directly or not), e.g. "hypothesis".
        extra: the seedgrad extra that installs it, e.g. "testing".
        who: what needs it, for the message (e.g. "autograd.testing.values").

    Raises:
        ImportError: when `package` (or one of its submodules) is not installed; other import
            errors, including a missing module of another name, pass through unchanged.
    """
    try:
        yield
    except ModuleNotFoundError as error:
        if error.name is None or error.name.partition(".")[0] != package:
            raise
        raise ImportError(
            f"{who} needs {package}, which is not installed: pip install 'seedgrad[{extra}]' "
            f"(from a clone of the repository: pip install -e '.[{extra}]')",
            name=error.name) from error
