"""The viz writers take a path exactly as open() does: same file, or the same exception."""

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, viz

PARTS = ["dir", "missing", "..", ".", "f.svg", "link", "file", "loop", ""]


def _tree(root: Path) -> None:
    (root / "dir").mkdir()
    (root / "file").write_text("x")
    (root / "link").symlink_to("dir")
    (root / "loop").symlink_to("loop")


def _outcome(root: Path, write, path: str):
    before = {p.relative_to(root) for p in root.rglob("*")}
    try:
        write(path)
    except OSError as error:
        result = type(error).__name__
    else:
        result = "wrote"
    after = {p.relative_to(root) for p in root.rglob("*")}
    return result, sorted(map(str, after - before))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PARTS), min_size=1, max_size=5), st.booleans())
def test_save_svg_and_walkthrough_resolve_paths_as_open_does(parts, slash):
    path = "/".join(parts) + ("/" if slash else "")
    if not path.strip("/"):
        return
    L = Value(1.0, label="L")
    cwd = os.getcwd()
    results = []
    for write in (lambda p: open(p, "w").close(), lambda p: viz.save_svg(L, p),
                  lambda p: viz.walkthrough(L, p)):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            _tree(root)
            os.chdir(root)
            try:
                results.append(_outcome(root, write, path))
            finally:
                os.chdir(cwd)
    opened, svg, page = results
    assert svg == opened, f"save_svg({path!r}): {svg}, open(): {opened}"
    assert page == opened, f"walkthrough({path!r}): {page}, open(): {opened}"


def test_a_missing_directory_before_dotdot_is_an_error_not_a_shortcut(tmp_path):
    (tmp_path / "dir").mkdir()
    target = tmp_path / "dir" / "missing" / ".." / "b.svg"
    try:
        viz.save_svg(Value(1.0, label="L"), str(target))
    except FileNotFoundError as error:
        assert "save_svg" in str(error)
    else:
        raise AssertionError("save_svg wrote through a missing directory")
    assert not (tmp_path / "dir" / "b.svg").exists()
