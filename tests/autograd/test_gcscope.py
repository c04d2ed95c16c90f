"""`autograd.gc_scope()`: raises the young-generation GC threshold, restores it on exit."""

import gc
import threading

import pytest

import autograd
from autograd import _gcscope


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_scope_raises_the_young_threshold_and_restores_it(thresholds):
    with autograd.gc_scope():
        assert gc.get_threshold() == (_gcscope.YOUNG_THRESHOLD, 10, 10)
        assert gc.isenabled()
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_scopes_restore_only_when_the_last_one_leaves(thresholds):
    with autograd.gc_scope():
        with autograd.gc_scope():
            pass
        assert gc.get_threshold()[0] == _gcscope.YOUNG_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)


def test_an_exception_still_restores(thresholds):
    with pytest.raises(ZeroDivisionError):
        with autograd.gc_scope():
            raise ZeroDivisionError("inside the scope")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_disabled_threshold_stays_disabled():
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with autograd.gc_scope():
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_overlapping_scopes_in_threads_restore_once_all_have_left(thresholds):
    inside, release = threading.Barrier(5), threading.Event()

    def work():
        with autograd.gc_scope():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    inside.wait()
    assert gc.get_threshold()[0] == _gcscope.YOUNG_THRESHOLD
    release.set()
    for t in threads:
        t.join()
    assert gc.get_threshold() == (700, 10, 10)


def test_graphs_built_inside_are_freed_by_reference_counting(thresholds):
    import weakref

    with autograd.gc_scope():
        x = autograd.Value(1.0)
        y = x
        for _ in range(1000):
            y = y * 1.0 + 0.0
        probe = weakref.ref(y)
        y.backward()
        del y
        assert probe() is None
