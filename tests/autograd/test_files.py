"""Atomic writes (`autograd.files`) through every writer: nn.Module.save, viz.save_svg,
viz.walkthrough, autograd.draw. A bad target or a failed write raises naming the writer
and the path, leaves the old file and no temp file; hostile targets are refused."""

import contextlib
import json
import os
import socket
import stat
import tempfile
from pathlib import Path

import pytest

import nn
from autograd import Value, draw, viz
from autograd.files import atomic_write
from tests._graphs import small_graph
from tests.autograd.test_draw import _run_cli


# ---- bad paths and failed writes: the old file stays, no temp file ------------------------------
def _model():
    return nn.MLP(2, [3, 1], seed=0)


_WRITERS = {
    "save": (lambda path: _model().save(path), "save"),
    "save_svg": (lambda path: viz.save_svg(small_graph(), path), "save_svg"),
    "walkthrough": (lambda path: viz.walkthrough(small_graph(), path), "walkthrough"),
    "draw .dot": (lambda path: draw.main(["x*x", "x=1", "-o", str(path)]), "autograd.draw"),
}


@pytest.mark.parametrize("writer", ["save", "save_svg", "walkthrough"])
@pytest.mark.parametrize("path, error, match", [
    (None, TypeError, "path must be a str or os.PathLike, got NoneType None"),
    (1.5, TypeError, "path must be a str or os.PathLike, got float 1.5"),
])
def test_writers_reject_non_paths(writer, path, error, match):
    write, who = _WRITERS[writer]
    with pytest.raises(error, match=f"{who}: {match}"):
        write(path)


@pytest.mark.parametrize("writer", ["save", "save_svg", "walkthrough"])
def test_writing_to_a_directory_or_a_missing_directory_fails_clearly(tmp_path, writer):
    write, who = _WRITERS[writer]
    with pytest.raises(IsADirectoryError, match=f"{who}: .* is a directory, give a file name"):
        write(tmp_path)
    with pytest.raises(FileNotFoundError, match=f"{who}: cannot write '.*nowhere.*'"):
        write(tmp_path / "nowhere" / "out.file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", _WRITERS)
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, writer):
    write, who = _WRITERS[writer]
    suffix = {"save": ".json", "save_svg": ".svg", "walkthrough": ".html"}.get(writer, ".dot")
    target = tmp_path / f"out{suffix}"
    target.write_text("the old contents\n", encoding="utf-8")

    def failing_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    if writer == "draw .dot":
        assert write(target) == 1  # the command line reports it and exits with 1
    else:
        with pytest.raises(PermissionError, match=f"{who}: cannot write '.*out.*'"):
            write(target)
    assert target.read_text(encoding="utf-8") == "the old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left


def test_atomic_write_accepts_bytes_and_str(tmp_path):
    atomic_write(tmp_path / "a", b"\x00\x01", "test")
    atomic_write(tmp_path / "b", "é", "test")
    assert (tmp_path / "a").read_bytes() == b"\x00\x01"
    assert (tmp_path / "b").read_text(encoding="utf-8") == "é"
    with pytest.raises(ValueError, match="test: path must be a non-empty file name"):
        atomic_write("", "x", "test")


# ---- hostile targets, permissions, links, interrupts --------------------------------------------
def _graph():
    x = Value(0.5, label="x")
    y = (x * 2).tanh()
    y.backward()
    return y


WRITERS = {
    "atomic_write": lambda path: atomic_write(path, "data\n", "atomic_write"),
    "save": lambda path: nn.MLP(2, [1], seed=0).save(path),
    "save_svg": lambda path: viz.save_svg(_graph(), path, backend="wasm"),
    "walkthrough": lambda path: viz.walkthrough(_graph(), path, backend="wasm"),
    "autograd.draw": lambda path: _draw_or_raise(path),
}


def _draw_or_raise(path):
    """The command line reports a failed write as exit 1; turn that back into the OSError."""
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = draw.main(["x*x", "x=1", "-o", str(path)])
    if status:
        raise OSError(err.getvalue())
    return path


def _fifo(d):
    os.mkfifo(d / "target.dot")
    return d / "target.dot"


def _device(d):
    try:
        os.mknod(d / "target.dot", 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    except PermissionError:
        pytest.skip("mknod is not permitted here")
    return d / "target.dot"


def _socket(d):
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(d / "target.dot"))
    s.close()
    return d / "target.dot"


def _directory(d):
    (d / "target.dot").mkdir()
    return d / "target.dot"


def _symlink_to_fifo(d):
    os.mkfifo(d / "pipe")
    (d / "target.dot").symlink_to("pipe")
    return d / "target.dot"


def _hard_linked(d):
    (d / "target.dot").write_text("old\n")
    os.link(d / "target.dot", d / "other-name")
    return d / "target.dot"


HOSTILE = {"FIFO": (_fifo, "a FIFO"), "device node": (_device, "a character device"),
           "socket": (_socket, "a socket"), "directory": (_directory, "is a directory"),
           "symlink to a FIFO": (_symlink_to_fifo, "a FIFO"),
           "hard-linked file": (_hard_linked, "has 2 hard links")}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("hostile", HOSTILE)
def test_writers_refuse_targets_a_rename_would_damage(tmp_path, writer, hostile):
    make, reason = HOSTILE[hostile]
    target = make(tmp_path)
    before = {p.name: os.lstat(p) for p in tmp_path.iterdir()}
    with pytest.raises(OSError, match=reason) as info:
        WRITERS[writer](target)
    assert str(target) in str(info.value) and "Traceback" not in str(info.value)
    after = {p.name: os.lstat(p) for p in tmp_path.iterdir()}
    assert after.keys() == before.keys()  # nothing replaced, no temp file left
    for name, old in before.items():
        assert (after[name].st_ino, after[name].st_mode) == (old.st_ino, old.st_mode)


def test_dev_null_is_never_replaced():
    before = os.stat("/dev/null")
    with pytest.raises(OSError, match="save: refusing to write '/dev/null': it is a "
                                      "character device"):
        nn.MLP(2, [1], seed=0).save("/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_a_replaced_file_keeps_its_permission_bits(tmp_path, mode):
    target = tmp_path / "model.json"
    target.write_text("old")
    os.chmod(target, mode)
    nn.MLP(2, [1], seed=0).save(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == mode
    assert json.loads(target.read_text())["format"] == "seedgrad.nn.state"


def test_a_new_file_gets_the_mode_open_would_give(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new", "x", "test")
        with open(tmp_path / "by-open", "w"):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o640
    assert os.stat(tmp_path / "new").st_mode == os.stat(tmp_path / "by-open").st_mode


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    nn.MLP(2, [1], seed=0).save(link)
    assert link.is_symlink() and os.readlink(link) == real.name
    assert json.loads(real.read_text())["format"] == "seedgrad.nn.state"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    dangling = tmp_path / "dangling"
    dangling.symlink_to("created-by-write")  # open() would create the target: so do we
    atomic_write(dangling, "new", "test")
    assert (tmp_path / "created-by-write").read_text() == "new" and dangling.is_symlink()
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    with pytest.raises(OSError, match="test: cannot write .*loop.*symbolic links"):
        atomic_write(loop, "x", "test")


def test_a_hard_linked_file_is_refused_and_both_names_keep_the_old_contents(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("old")
    os.link(a, b)
    with pytest.raises(OSError, match="has 2 hard links"):
        atomic_write(a, "new", "test")
    assert a.read_text() == b.read_text() == "old" and os.stat(a).st_ino == os.stat(b).st_ino


@pytest.mark.parametrize("length", [200, 250, 255])
def test_long_file_names_that_open_accepts_work(tmp_path, length):
    target = tmp_path / ("n" * (length - 5) + ".json")
    with open(target, "w"):  # open() accepts it, so must we
        pass
    nn.MLP(2, [1], seed=0).save(target)
    nn.MLP(2, [1], seed=0).load(target)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    with pytest.raises(OSError, match="File name too long"):
        atomic_write(tmp_path / ("n" * 256), "x", "test")  # what open() refuses, we refuse


@contextlib.contextmanager
def _as_nobody():
    """Drop to uid/gid 65534 for permission checks (root ignores permission bits)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_read_only_files_and_directories_are_refused_like_open_would():
    with tempfile.TemporaryDirectory() as name:  # pytest's tmp_path is not reachable by nobody
        _check_read_only_targets(Path(name))


def _check_read_only_targets(tmp_path):
    os.chmod(tmp_path, 0o777)
    (tmp_path / "ro-dir").mkdir(mode=0o555)
    os.chmod(tmp_path / "ro-dir", 0o555)
    ro_file = tmp_path / "ro-file"
    ro_file.write_text("old")
    os.chmod(ro_file, 0o444)
    with _as_nobody():
        with pytest.raises(PermissionError, match="test: cannot write .*ro-dir/x.*directory, "
                                                  "which must be writable"):
            atomic_write(tmp_path / "ro-dir" / "x", "new", "test")
        with pytest.raises(PermissionError, match="test: cannot write .*ro-file.*read-only"):
            atomic_write(ro_file, "new", "test")
    assert ro_file.read_text() == "old" and os.listdir(tmp_path / "ro-dir") == []
    assert sorted(os.listdir(tmp_path)) == ["ro-dir", "ro-file"]


@pytest.mark.parametrize("where", ["os.open", "write", "fsync", "os.replace"])
def test_keyboard_interrupt_at_any_point_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch,
                                                                         where):
    target = tmp_path / "model.json"
    target.write_text("old")
    real_open = os.open

    def interrupt(*args, **kwargs):
        if where == "os.open":  # as if SIGINT arrived just as os.open returned
            real_open(*args, **kwargs)
        raise KeyboardInterrupt

    if where == "write":
        monkeypatch.setattr(os, "fdopen", lambda fd, mode: _InterruptingFile(fd))
    else:
        monkeypatch.setattr(os, where.removeprefix("os."), interrupt)
    with pytest.raises(KeyboardInterrupt):
        nn.MLP(2, [1], seed=0).save(target)
    monkeypatch.undo()
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["model.json"]


class _InterruptingFile:
    def __init__(self, fd):
        self.fd = fd

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        os.close(self.fd)

    def fileno(self):
        return self.fd

    def write(self, data):
        os.write(self.fd, data[: len(data) // 2])
        raise KeyboardInterrupt


@pytest.mark.parametrize("name, match", [("a\0b", "must not contain a NUL"),
                                         ("\ud800.json", "cannot be encoded as a file name")])
def test_impossible_file_names_are_refused_by_every_reader_and_writer(tmp_path, name, match):
    for who, call in [("load", lambda p: nn.MLP(2, [1], seed=0).load(p)), *WRITERS.items()]:
        if who == "autograd.draw":
            status, err = _run_cli(["x", "x=1"], str(tmp_path / name) + ".dot")
            assert status == 1 and match in err, err
            continue
        with pytest.raises(ValueError, match=f"{who}: path .*{match}"):
            call(str(tmp_path / name))
    assert list(tmp_path.iterdir()) == []

