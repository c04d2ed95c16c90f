"""state_dict / load_state_dict / save / load: exact round trips, atomic writes, and corrupt
input rejected with the model left untouched."""

import json
import math
import os
import stat
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nn
from tests.autograd.test_files import _socket
from tests.nn.test_optim import _Trap


def seed_network(seed=0):
    return nn.MLP(2, [3, 2, 2], activation="sigmoid", output_activation="sigmoid", seed=seed)


def snapshot(model):
    return [p.data for p in model.parameters()]


def test_state_dict_names_and_values():
    model = seed_network()
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert list(state.values()) == snapshot(model)


def test_load_state_dict_round_trip():
    source, target = seed_network(1), seed_network(2)
    target.load_state_dict(source.state_dict())
    assert snapshot(target) == snapshot(source)
    assert target([0.3, 0.1])[0].data == source([0.3, 0.1])[0].data


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=23, max_size=23))
def test_save_load_round_trip_is_exact(tmp_path_factory, numbers):
    path = tmp_path_factory.mktemp("state") / "model.json"
    model = seed_network()
    for p, x in zip(model.parameters(), numbers):
        p.data = x
    model.save(path)
    other = seed_network(5)
    other.load(path)
    assert snapshot(other) == [float(x) for x in numbers]  # bit for bit, -0.0 included
    assert all(math.copysign(1, a) == math.copysign(1, b)
               for a, b in zip(snapshot(other), numbers))


def test_file_format(tmp_path):
    path = tmp_path / "model.json"
    model = seed_network()
    model.save(str(path))  # str and PathLike both work
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "seedgrad.nn.state" and document["version"] == 1
    assert document["model"] == repr(model)
    assert document["parameters"] == model.state_dict()


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    model = seed_network()
    model.save(path)
    before = path.read_bytes()

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    for p in model.parameters():
        p.data += 1.0
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before  # the old file is intact
    assert sorted(os.listdir(tmp_path)) == ["model.json"]  # the temp file is gone


def test_saved_file_respects_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        seed_network().save(tmp_path / "model.json")
    finally:
        os.umask(old)
    assert (tmp_path / "model.json").stat().st_mode & 0o777 == 0o644


def test_save_refuses_non_finite_parameters(tmp_path):
    model = seed_network()
    model.layers[1].neurons[0].b.data = math.nan
    with pytest.raises(ValueError, match="layers.1.neurons.0.b is nan"):
        model.save(tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()


def write_state(path, parameters, **overrides):
    document = {"format": "seedgrad.nn.state", "version": 1, "model": "x",
                "parameters": parameters, **overrides}
    path.write_text(json.dumps(document), encoding="utf-8")


def good_state():
    return seed_network(9).state_dict()


def missing_key():
    state = good_state()
    del state["layers.2.neurons.1.w.0"]
    return state


def extra_key():
    return {**good_state(), "layers.3.neurons.0.b": 0.0}


def wrong_shape():
    return nn.MLP(2, [3, 3, 2], activation="sigmoid", seed=0).state_dict()


def with_value(value):
    state = good_state()
    state["layers.0.neurons.2.w.1"] = value
    return state


@pytest.mark.parametrize("state, message", [
    (missing_key(), "missing 'layers.2.neurons.1.w.0'"),
    (extra_key(), "unexpected 'layers.3.neurons.0.b'"),
    (wrong_shape(), "the model has 23 parameters, the state has 29"),
    (with_value("0.5"), "layers.0.neurons.2.w.1 must be a real number, got str"),
    (with_value(None), "must be a real number, got NoneType"),
    (with_value(True), "must be a real number, got bool"),
    (with_value([0.5]), "must be a real number, got list"),
    (with_value(math.inf), "layers.0.neurons.2.w.1 must be finite, got inf"),
    ([0.1] * 23, "expected a mapping"),
])
def test_load_state_dict_rejects_and_changes_nothing(state, message):
    model = seed_network()
    before = snapshot(model)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert snapshot(model) == before


def test_load_rejects_nan_written_by_others(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"format": "seedgrad.nn.state", "version": 1,
                                "parameters": with_value(math.nan)}), encoding="utf-8")
    assert "NaN" in path.read_text(encoding="utf-8")
    model = seed_network()
    before = snapshot(model)
    with pytest.raises(ValueError, match="non-finite number NaN"):
        model.load(path)
    assert snapshot(model) == before


@pytest.mark.parametrize("prepare, message", [
    (lambda p: p.write_text(p.read_text(encoding="utf-8")[:-40], encoding="utf-8"),
     "not valid JSON"),
    (lambda p: p.write_text("", encoding="utf-8"), "not valid JSON"),
    (lambda p: p.write_text("[1, 2]", encoding="utf-8"), "holds a list"),
    (lambda p: write_state(p, good_state(), format="other"), "not a seedgrad state file"),
    (lambda p: write_state(p, good_state(), version=2), "has version 2"),
    (lambda p: p.write_text('{"format": "seedgrad.nn.state", "version": 1}',
                            encoding="utf-8"), "has no 'parameters'"),
    (lambda p: write_state(p, missing_key()), "missing 'layers.2.neurons.1.w.0'"),
    (lambda p: write_state(p, wrong_shape()), "parameter names do not match"),
    (lambda p: write_state(p, with_value("nan")), "must be a real number, got str"),
])
def test_load_rejects_corrupt_files_and_changes_nothing(tmp_path, prepare, message):
    path = tmp_path / "model.json"
    seed_network(9).save(path)
    prepare(path)
    model = seed_network()
    before = snapshot(model)
    with pytest.raises(ValueError, match=message) as info:
        model.load(path)
    assert snapshot(model) == before
    if "JSON" in message:
        assert str(path) in str(info.value)


def test_load_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        seed_network().load(tmp_path / "nope.json")


# ---- corrupt, huge, odd or hostile files: refused, the model untouched --------------------------
def _model():
    return nn.MLP(2, [3, 1], seed=0)


def _corrupt_files(tmp_path, state):
    files = {
        "binary": b"\xff\xfe\x00 not text",
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "version_true": json.dumps({"format": "seedgrad.nn.state", "version": True,
                                    "parameters": state}).encode(),
        "huge_int": json.dumps({"format": "seedgrad.nn.state", "version": 1,
                                "parameters": {**state, next(iter(state)): 10**400}}).encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize("name, error, match", [
    ("binary", ValueError, "load: .*binary is not a text file"),
    ("deep", ValueError, "load: .*deep is not valid JSON .*nested too deeply"),
    ("version_true", ValueError, "load: .*version_true has version True"),
    ("huge_int", ValueError,
     "load .*parameter layers.0.neurons.0.w.0 is an integer of about .* digits, too large"),
    ("missing", FileNotFoundError, "load: cannot read '.*missing'"),
    (".", IsADirectoryError, "load: cannot read"),
])
def test_load_of_a_bad_file_changes_no_parameter(tmp_path, name, error, match):
    model = _model()
    before = model.state_dict()
    _corrupt_files(tmp_path, before)
    with pytest.raises(error, match=match):
        model.load(tmp_path / name)
    assert model.state_dict() == before


@pytest.mark.parametrize("path, error, match", [
    (None, TypeError, "load: path must be a str or os.PathLike, got NoneType None"),
    (3, TypeError, "load: path must be a str or os.PathLike, got int 3"),
])
def test_load_rejects_non_paths(path, error, match):
    with pytest.raises(error, match=match):
        _model().load(path)


def test_load_state_dict_with_a_huge_int_changes_nothing():
    model = _model()
    before = model.state_dict()
    with pytest.raises(ValueError,
                       match="load_state_dict: parameter .* integer of about .* digits, too large"):
        model.load_state_dict({**before, "layers.1.neurons.0.b": 10**400})
    assert model.state_dict() == before


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

