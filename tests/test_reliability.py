"""Reliability: hostile file targets, bounded loads, optimiser overflow, a CLI that never
prints a traceback. Every file test works in pytest's temp dirs only."""

import contextlib
import json
import math
import os
import socket
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import nn
from autograd import Value, viz
from autograd import draw as draw_cli
from autograd.files import atomic_write


# ---- files: every writer, every hostile target -----------------------------------------------
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
        status = draw_cli.main(["x*x", "x=1", "-o", str(path)])
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


# ---- Module.load: size limit, duplicate keys, non-regular files ------------------------------
def _state_file(tmp_path):
    model = nn.MLP(2, [2, 1], seed=0)
    model.save(tmp_path / "m.json")
    return model, tmp_path / "m.json"


def test_load_refuses_files_over_max_bytes_and_reads_at_most_that_much(tmp_path, monkeypatch):
    model, path = _state_file(tmp_path)
    before = model.state_dict()
    size = path.stat().st_size
    with pytest.raises(ValueError, match=f"load: .*m.json has {size} bytes, over "
                                         f"max_bytes={size - 1}"):
        model.load(path, max_bytes=size - 1)
    model.load(path, max_bytes=size)
    model.load(path, max_bytes=None)
    assert model.state_dict() == before
    assert nn.state.MAX_LOAD_BYTES == 64 * 2**20
    for bad, error in [(0, ValueError), (-1, ValueError), (1.5, TypeError), ("9", TypeError)]:
        with pytest.raises(error, match="load: max_bytes must be"):
            model.load(path, max_bytes=bad)
    # a file that claims size 0 but has more (as /proc files do): the read itself is bounded
    reads = []
    real_fdopen = os.fdopen

    def spy(fd, mode):
        f = real_fdopen(fd, mode)
        return _SpyReader(f, reads)

    monkeypatch.setattr(nn.state.os, "fstat", lambda fd: os.stat_result(
        (stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 0, 0, 0, 0)))
    monkeypatch.setattr(nn.state.os, "stat", lambda p: os.stat_result(
        (stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 0, 0, 0, 0)))
    monkeypatch.setattr(nn.state.os, "fdopen", spy)
    with pytest.raises(ValueError, match="has more than max_bytes=100 bytes"):
        model.load(path, max_bytes=100)
    assert reads == [101]


class _SpyReader:
    def __init__(self, f, reads):
        self.f, self.reads = f, reads

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    def read(self, n=-1):
        self.reads.append(n)
        return self.f.read(n)


@pytest.mark.parametrize("target, match", [
    ("/dev/zero", "it is a character device, not a regular file"),
    ("/dev/null", "it is a character device, not a regular file"),
    ("fifo", "it is a FIFO"),
    ("socket", "it is a socket"),
    ("dir", "it is a directory"),
])
def test_load_refuses_non_regular_files_without_blocking(tmp_path, target, match):
    model, _ = _state_file(tmp_path)
    before = model.state_dict()
    os.mkfifo(tmp_path / "fifo")  # no writer: opening it for reading would block forever
    _socket(tmp_path).rename(tmp_path / "socket")
    (tmp_path / "dir").mkdir()
    path = target if target.startswith("/") else tmp_path / target
    outcome = []

    def load():
        try:
            model.load(path)
        except OSError as error:
            outcome.append(error)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), f"load({target}) blocked"
    assert len(outcome) == 1 and match in str(outcome[0]) and "load: cannot read" in str(
        outcome[0])
    assert model.state_dict() == before


@pytest.mark.parametrize("where", ["top", "parameters"])
def test_load_rejects_duplicate_keys_at_any_level_naming_the_key(tmp_path, where):
    model, path = _state_file(tmp_path)
    before = model.state_dict()
    text = path.read_text()
    if where == "top":
        text = text.replace('"format"', '"version": 2, "format"', 1)
        key = "version"
    else:
        key = next(iter(before))
        text = text.replace(f'"{key}":', f'"{key}": 123.0, "{key}":', 1)
    path.write_text(text)
    with pytest.raises(ValueError, match=f"load: .*m.json gives the key '{key}' twice"):
        model.load(path)
    assert model.state_dict() == before
    # written with an escape it is the same key
    path.write_text('{"format": "seedgrad.nn.state", "\\u0066ormat": 1}')
    with pytest.raises(ValueError, match="gives the key 'format' twice"):
        model.load(path)


# ---- optimisers: every overflow is all or nothing --------------------------------------------
OPTIMISERS = {
    "SGD": lambda ps: nn.SGD(ps, lr=0.1),
    "SGD momentum": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1),
    "SGD nesterov decay": lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, nesterov=True,
                                            weight_decay=0.5),
    "Adam": lambda ps: nn.Adam(ps, lr=0.1),
    "Adam decay": lambda ps: nn.Adam(ps, lr=0.1, weight_decay=0.5),
}


def _snapshot(opt):
    """Settings, per-parameter state and every parameter's data and grad (not repr: a Value
    holding a 5000-digit int cannot be printed)."""
    fields = {name: ({id(k): v for k, v in x.items()} if isinstance(x, dict) else
                     list(x) if isinstance(x, list) else x) for name, x in vars(opt).items()}
    return fields, [(p.data, p.grad) for p in opt.params if isinstance(p, Value)]


@pytest.mark.parametrize("scale", [1e150, 1e200, 1e300, 8.5e307])  # |g| up to 1.7e308
def test_adam_with_a_huge_finite_gradient_steps_as_it_would_at_scale_1(scale):
    """Adam is scale-invariant: g·1e300 must give the steps g gives (v used to become inf,
    and the parameter silently froze)."""
    grads = [0.5, -2.0, 1.25, 0.75, -0.1]
    runs = []
    for k in (1.0, scale):
        p = Value(1.0, label="p")
        opt = nn.Adam([p], lr=0.1, eps=1e-300)
        path = []
        for g in grads:
            p.grad = g * k
            opt.step()
            path.append(p.data)
        runs.append(path)
    assert runs[1] == pytest.approx(runs[0], rel=1e-12)
    assert len(set(runs[1])) == len(grads)  # it moved at every step


_HUGE = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                  st.sampled_from([1.7e308, -1.7e308, 1e200, -1e200, 1e-320, 0.0]),
                  st.integers(min_value=-10**6, max_value=10**6),
                  st.sampled_from([10**400, -(10**5000)]))


@settings(max_examples=300, deadline=None)
@given(make=st.sampled_from(sorted(OPTIMISERS)),
       first=st.lists(st.floats(-10, 10), min_size=3, max_size=3),
       grads=st.lists(_HUGE, min_size=3, max_size=3),
       data=st.lists(st.one_of(st.floats(-1e308, 1e308), st.sampled_from([1.7e308])),
                     min_size=3, max_size=3),
       lr=st.one_of(st.floats(1e-6, 1.0), st.sampled_from([1e300, 1.7e308])))
def test_every_step_either_succeeds_with_finite_state_or_changes_nothing(make, first, grads,
                                                                        data, lr):
    ps = [Value(1.0, label=f"p{i}") for i in range(3)]
    opt = OPTIMISERS[make](ps)
    for p, g in zip(ps, first):
        p.grad = g
    opt.step()  # momentum buffers and moments in use
    opt.lr = lr
    for p, g, x in zip(ps, grads, data):
        p.grad, p.data = g, x
    before = _snapshot(opt)
    try:
        opt.step()
    except (ValueError, OverflowError) as error:
        assert str(error).startswith(make.split()[0] + ".step: ")
        assert "no parameter was changed" in str(error) and "params[" in str(error)
        assert _snapshot(opt) == before
        kinds = ["too large for a float", "the gradient of", "holds", "overflows", "would become"]
        event("refused: " + next(kind for kind in kinds if kind in str(error)))
        return
    event("stepped")
    state = [x for name, buf in vars(opt).items() if isinstance(buf, dict)
             for x in buf.values()]
    assert all(math.isfinite(p.data) for p in ps) and all(map(math.isfinite, state))


@pytest.mark.parametrize("make", OPTIMISERS)
def test_parameters_appended_after_a_step_are_updated_with_fresh_state(make):
    a, b = Value(1.0, label="a"), Value(-2.0, label="b")
    opt = OPTIMISERS[make]([a])
    for _ in range(3):
        a.grad = 0.5
        opt.step()
    opt.params.append(b)
    alone_b = Value(-2.0)
    alone = OPTIMISERS[make]([alone_b])
    for _ in range(3):
        b.grad = alone_b.grad = -1.5
        a.grad = 0.5
        opt.step()
        alone.step()
        assert b.data == alone_b.data  # b behaves as a fresh optimiser on b alone
    assert b.data != -2.0


@pytest.mark.parametrize("make", OPTIMISERS)
@pytest.mark.parametrize("bad, error, match", [
    (1.5, TypeError, r"params\[1\] is a float, not a Value"),
    ("a", ValueError, "a parameter appears more than once"),
])
def test_a_bad_appended_parameter_is_refused_at_step_and_nothing_changes(make, bad, error,
                                                                         match):
    a = Value(1.0, label="a")
    opt = OPTIMISERS[make]([a])
    a.grad = 0.5
    opt.step()
    opt.params.append(a if bad == "a" else bad)
    before = _snapshot(opt)
    with pytest.raises(error, match=f"{make.split()[0]}.step: {match}"):
        opt.step()
    assert _snapshot(opt) == before


@pytest.mark.parametrize("make", OPTIMISERS)
@pytest.mark.parametrize("field, digits", [("grad", 400), ("grad", -5000), ("data", 400)])
def test_an_integer_too_large_for_a_float_names_the_optimiser_and_parameter(make, field, digits):
    value = 10 ** abs(digits) * (1 if digits > 0 else -1)  # over 4300 digits repr() raises
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    opt = OPTIMISERS[make]([a, b])
    a.grad = b.grad = 0.5
    opt.step()
    setattr(b, field, value)
    before = _snapshot(opt)
    with pytest.raises(OverflowError, match=rf"{make.split()[0]}.step: the \.{field} of "
                                            rf"params\[1\] \(b\) is an integer of about \d+ digits,"
                                            " too large for a float; no parameter was changed"):
        opt.step()
    assert _snapshot(opt) == before


@pytest.mark.parametrize("make, setting", [
    ("SGD", "lr"), ("Adam", "lr"), ("SGD momentum", "momentum"),
    ("SGD nesterov decay", "weight_decay"), ("Adam", "eps"), ("Adam decay", "weight_decay"),
])
def test_settings_too_large_for_a_float_are_refused_by_name(make, setting):
    a = Value(1.0, label="a")
    opt = OPTIMISERS[make]([a])
    a.grad = 0.5
    opt.step()
    before = _snapshot(opt)
    with pytest.raises(OverflowError, match=f"{setting} is an integer of about 401 digits"):
        setattr(opt, setting, 10**400)
        opt.step()
    if setting != "lr":  # a plain attribute: refused at the step, which changed nothing
        assert _snapshot(opt)[1] == before[1]


# ---- losses: an overflow names the loss ------------------------------------------------------
@pytest.mark.parametrize("who, make", [
    ("mse", lambda: nn.mse([Value(1e200)], [0.0])),                     # float ** raises
    ("mse", lambda: nn.mse([Value(1e154)] * 2, [0.0, 0.0])),            # fsum raises
    ("mse", lambda: nn.mse([Value(1.7e308)], [-1.7e308])),              # o − y is inf
    ("seed_cost", lambda: nn.seed_cost([Value(1e200)], [0.0])),
    ("hinge", lambda: nn.hinge([Value(1.7e308)], [-1.0], margin=1.7e308)),
    ("bce_with_logits", lambda: nn.bce_with_logits([Value(1.7e308)] * 2, [0.0, 0.0],
                                                   reduction="sum")),
    ("softmax_cross_entropy", lambda: nn.softmax_cross_entropy([Value(1.7e308),
                                                                Value(-1.7e308)], 1)),
    ("l2_penalty", lambda: nn.l2_penalty([Value(1e200)])),
])
def test_a_loss_that_overflows_names_itself(who, make):
    with pytest.raises(OverflowError, match=f"^{who}: overflow: the loss is too large"):
        make()


def test_a_loss_derivative_that_overflows_names_the_loss():
    loss = nn.l2_penalty([Value(0.9)], alpha=1.7e308)  # α·p² is finite, 2·α·p is not
    with pytest.raises(OverflowError, match="l2_penalty: overflow: the gradient sent to "
                                            "input 0"):
        loss.backward()


# ---- the draw command line: any input ends in one error line, never a traceback --------------
def _run_cli(args, out):
    """main(args) in process: (exit status, stderr)."""
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = draw_cli.main(["-o", str(out), *args])  # before a "--" in args
        except SystemExit as stop:  # argparse's parser.error
            status = stop.code
    return status, err.getvalue()


def _assert_clean(status, err, allowed=(0, 2)):
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert status in allowed, (status, err[-2000:])
    if status:
        last = err.rstrip("\n").splitlines()[-1]
        assert last.startswith("python -m autograd.draw: error: ") and len(last) < 800, last


_ATOMS = st.one_of(
    st.sampled_from(["x", "y", "z", "tanh", "sqrt", "f", "__import__", "True", "None", "...",
                     "0", "0.0", "1e400", "-0.0", "1e-320", "10**400", "0x" + "f" * 300,
                     "2", "3.5", "'s'", "b''", "[]", "{}", "lambda: x", "x.real", "x[0]"]),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
_UNARY = ["-", "+", "~", "not ", "tanh", "sigmoid", "relu", "exp", "log", "sqrt", "abs", "f",
          "lambda: ", "await ", "*"]
_BINARY = ["+", "-", "*", "/", "**", "%", "//", "@", "<", "==", " and ", " if x else ", ",",
           ".", "[", "(", ":="]


def _expressions():
    def extend(inner):
        unary = st.tuples(st.sampled_from(_UNARY), inner).map(
            lambda t: f"{t[0]}({t[1]})" if t[0].isalpha() and t[0] != "not " else t[0] + t[1])
        binary = st.tuples(inner, st.sampled_from(_BINARY), inner).map("".join)
        paren = inner.map(lambda e: f"({e})")
        return st.one_of(unary, binary, paren)
    grammar = st.recursive(_ATOMS, extend, max_leaves=40)
    noise = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                    max_size=60)
    return st.one_of(grammar, grammar, noise)


_VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 1e-308, 710.0]),
                    st.floats(-1e3, 1e3))


@settings(max_examples=400, deadline=None)
@given(expression=_expressions(), x=_VALUES, y=_VALUES)
def test_the_command_line_never_prints_a_traceback(tmp_path_factory, expression, x, y):
    out = tmp_path_factory.getbasetemp() / "fuzz.dot"
    status, err = _run_cli(["--", expression, f"x={x!r}", f"y={y!r}"]
                           if expression.startswith("-") else [expression, f"x={x!r}",
                                                               f"y={y!r}"], out)
    event(f"exit {status}")
    _assert_clean(status, err)


def _nested(kind, n):
    return {"attribute": "x" + ".a" * n, "subscript": "x" + "[0]" * n, "call": "f" + "()" * n,
            "calls of tanh": "tanh(" * n + "x" + ")" * n, "parentheses": "(" * n + "x" + ")" * n,
            "unary minus": "-" * n + "x", "invert": "~" * n + "x", "not": "not " * n + "x",
            "power tower": "x" + "**x" * n, "sum": "x" + "+x" * n, "lists": "[" * n + "]" * n,
            "lambdas": "lambda:" * n + "x", "conditionals": "x if x else " * n + "x",
            "keyword calls": "f(a=" * n + "x" + ")" * n}[kind]


@pytest.mark.parametrize("kind", ["attribute", "subscript", "call", "calls of tanh",
                                  "parentheses", "unary minus", "invert", "not", "power tower",
                                  "sum", "lists", "lambdas", "conditionals", "keyword calls"])
def test_deep_nesting_and_long_inputs_give_one_error_line(tmp_path, kind):
    import time
    worst = 0.0
    for n in (400, 1000, 2_000, 2_900, 10_000, 33_000):
        expression = _nested(kind, n)[:100_000]
        start = time.perf_counter()
        status, err = _run_cli(["--", expression, "x=0.5"], tmp_path / "g.dot")
        worst = max(worst, time.perf_counter() - start)
        _assert_clean(status, err)
    assert worst < 10


def test_a_derivative_that_fails_is_an_error_line_not_a_traceback(tmp_path):
    for expression in ["sqrt(x)", "x**0.5", "sqrt(x*x)", "abs(x)**0.5"]:
        status, err = _run_cli([expression, "x=0"], tmp_path / "g.dot")
        assert status == 2 and "backward of" in err, err
        _assert_clean(status, err)
    assert not (tmp_path / "g.dot").exists()


def test_a_bug_is_one_internal_error_line_with_status_70_and_interrupt_is_130(tmp_path,
                                                                             monkeypatch):
    def broken(*args):
        raise RuntimeError("an engine bug")

    monkeypatch.setattr(draw_cli, "build", broken)
    status, err = _run_cli(["x", "x=1"], tmp_path / "g.dot")
    assert status == 70 and "Traceback" not in err
    assert err.startswith("python -m autograd.draw: internal error: RuntimeError: 'an engine "
                          "bug' (at test_reliability.py:") and err.count("\n") == 1

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(draw_cli, "build", interrupted)
    status, err = _run_cli(["x", "x=1"], tmp_path / "g.dot")
    assert status == 130 and "interrupted" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, status, message", [
    (["x" + ".a" * 500, "x=1"], 2, "Attribute is not allowed"),
    (["sqrt(x)", "x=0"], 2, "backward of 'sqrt'"),
    (["--", "-" * 100_000 + "x", "x=1"], 2, "nested too deeply"),
    (["--", "-" * 300 + "x", "x=1"], 0, ""),
    (["(" * 5000 + "x" + ")" * 5000, "x=1"], 2, "cannot parse"),
    (["x", "x=1", "-o", "{tmp}/fifo.svg"], 1, "refusing to write"),
])
def test_real_command_line_runs(tmp_path, args, status, message):
    import subprocess
    import sys
    os.mkfifo(tmp_path / "fifo.svg")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args = ["-o", str(tmp_path / "g.dot"), *args]
    result = subprocess.run([sys.executable, "-m", "autograd.draw", *args], capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == status, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and message in result.stderr
    assert len(result.stderr) < 2000


def test_the_command_line_refuses_a_bad_target_before_building_or_rendering(tmp_path,
                                                                            monkeypatch):
    os.mkfifo(tmp_path / "g.svg")
    monkeypatch.setattr(draw_cli, "build", lambda *a: pytest.fail("built for a FIFO target"))
    status, err = _run_cli(["x*x", "x=1"], tmp_path / "g.svg")
    assert status == 1 and "refusing to write" in err and "a FIFO" in err
    assert stat.S_ISFIFO(os.lstat(tmp_path / "g.svg").st_mode)


# ---- an interrupt while parameters are being set puts them all back -----------------------
_DATA = Value.data  # the slot descriptor


class _Trap(Value):
    """A Value whose next `.data` assignment raises KeyboardInterrupt (once)."""

    __slots__ = ()
    armed = False

    @property
    def data(self):
        return _DATA.__get__(self)

    @data.setter
    def data(self, x):
        if _Trap.armed:
            _Trap.armed = False
            raise KeyboardInterrupt
        _DATA.__set__(self, x)


@pytest.mark.parametrize("make", OPTIMISERS)
def test_an_interrupt_while_a_step_is_written_leaves_the_step_undone(make):
    ps = [Value(float(i), label=f"p{i}") for i in range(4)]
    opt = OPTIMISERS[make](ps)
    for p in ps:
        p.grad = 0.5
    opt.step()
    ps[2].__class__ = _Trap  # the third assignment of the next step is interrupted
    before = _snapshot(opt)
    _Trap.armed = True
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert _snapshot(opt) == before
    opt.step()  # and the step can be taken again
    assert _snapshot(opt) != before


@pytest.mark.parametrize("how", ["load", "load_state_dict"])
def test_an_interrupt_while_a_model_loads_leaves_every_parameter_as_it_was(tmp_path, how):
    model, path = _state_file(tmp_path)
    state = {name: x + 1.0 for name, x in model.state_dict().items()}
    path.write_text(json.dumps({"format": "seedgrad.nn.state", "version": 1,
                                "parameters": state}))
    before = model.state_dict()
    model.parameters()[3].__class__ = _Trap
    _Trap.armed = True
    with pytest.raises(KeyboardInterrupt):
        model.load(path) if how == "load" else model.load_state_dict(state)
    assert model.state_dict() == before


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
