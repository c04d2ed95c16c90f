"""autograd.detect_anomaly(): the first inf or nan an op makes, forward or backward, raises
naming the op, its inputs and (backward) the node; per thread and task, like no_grad."""

import asyncio
import math
import threading

import pytest

import autograd
from autograd import Value


def test_outside_the_block_inf_and_nan_pass_silently_as_before():
    assert (Value(1e308) * 10).data == math.inf
    assert math.isnan((Value(math.inf) - Value(math.inf)).data)


def test_forward_overflow_names_the_op_and_inputs():
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"^detect_anomaly: op '\*' made inf "
                                                     r"from inputs \(1e\+308, 10\.0\)$"):
            Value(1e308) * 10
        with pytest.raises(FloatingPointError, match=r"op '-' made nan from inputs "
                                                     r"\(inf, inf\)"):
            Value(math.inf) - Value(math.inf)
        with pytest.raises(FloatingPointError, match=r"op 'dot' made inf from inputs "
                                                     r"\(1e\+308, 1e\+308, 2\.0, 2\.0\)"):
            autograd.dot([Value(1e308), Value(1e308)], [Value(2.0), Value(2.0)])
        with pytest.raises(FloatingPointError, match=r"op 'sigmoid' made nan from inputs "
                                                     r"\(nan\)"):
            Value(math.nan).sigmoid()
        assert (Value(2.0) * 3).data == 6.0  # finite results are untouched


def test_forward_under_no_grad_is_checked_too_and_errors_of_ops_stay_theirs():
    with autograd.detect_anomaly(), autograd.no_grad():
        with pytest.raises(FloatingPointError, match=r"op '\*' made inf"):
            Value(1e200) * Value(1e200)
    with autograd.detect_anomaly():
        with pytest.raises(OverflowError, match="exp: overflow"):
            Value(1000.0).exp()


def test_backward_nan_names_the_op_node_inputs_and_upstream_gradient():
    a, b = Value(-2.0, label="a"), Value(2.0, label="b")
    loss = a ** b  # finite forward; ∂/∂b = out·ln a is nan for a < 0
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=(
                r"^detect_anomaly: backward of op '\*\*' at node Value\(data=4\.0, grad=0\.0\) "
                r"sent nan as the gradient of its input 1 \(inputs \(-2\.0, 2\.0\), upstream "
                r"gradient 1\.0\)$")):
            loss.backward()
    assert (a.grad, b.grad) == (0.0, 0.0)  # nothing half-changed
    loss.backward()  # outside: nan, as before
    assert math.isnan(b.grad)


def test_backward_inf_from_a_fan_out_sum_names_the_node():
    m = Value(-1.0, label="m")
    n = m.relu()
    loss = n * 1e308 + n * 1e308  # finite forward (0); n's consumers send 1e308 each
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"the gradient of node Value\(data=0\.0, "
                                                     r"grad=0\.0\) \(op 'relu'\), summed over its "
                                                     r"consumers, is inf"):
            autograd.backprop(loss)


def test_backward_under_create_graph_names_the_node_being_differentiated():
    a, b = Value(-2.0), Value(2.0)
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"backward of '\*\*' at node "
                                                     r"Value\(data=4\.0.*made nan"):
            autograd.grad(a ** b, [a, b], create_graph=True)
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match="the gradient given to backward is inf"):
            (a * b).backward(math.inf)


def test_a_user_on_step_still_runs_and_its_errors_stay_its_own():
    x = Value(2.0)
    seen = []
    with autograd.detect_anomaly():
        autograd.backprop(x * x + x, on_step=lambda node, g, sends: seen.append(node.op))
    assert seen == ["+", "*"]

    def fails(node, g, sends):
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        autograd.backprop(x * x, on_step=fails)


def test_anomaly_mode_is_per_thread():
    inside = threading.Event()
    done = threading.Event()
    found = []

    def other():
        inside.wait()
        found.append((Value(1e308) * 10).data)  # this thread is not in the block
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with autograd.detect_anomaly():
        inside.set()
        done.wait()
        with pytest.raises(FloatingPointError):
            Value(1e308) * 10
    t.join()
    assert found == [math.inf]


def test_anomaly_mode_is_per_task_and_a_decorator():
    async def checked():
        with autograd.detect_anomaly():
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            try:
                Value(1e308) * 10
            except FloatingPointError:
                return "raised"
            return "silent"

    async def unchecked():
        await asyncio.sleep(0)
        return (Value(1e308) * 10).data

    async def both():
        return await asyncio.gather(checked(), unchecked())

    assert asyncio.run(both()) == ["raised", math.inf]

    @autograd.detect_anomaly()
    def f():
        return Value(1e308) * 10

    with pytest.raises(FloatingPointError):
        f()
    assert (Value(1e308) * 10).data == math.inf


def test_a_generator_paused_inside_the_block_does_not_check_its_caller():
    def gen():
        with autograd.detect_anomaly():
            yield 1

    g = gen()
    next(g)
    assert (Value(1e308) * 10).data == math.inf
    g.close()


def test_compiled_code_under_anomaly_mode_raises_as_eager_mode_does():
    step = autograd.compile(lambda x: x * 10.0, 1.0)
    assert step(2.0) == 20.0
    with autograd.detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"op '\*' made inf from inputs "
                                                     r"\(1e\+308, 10\.0\)"):
            step(1e308)
    assert step(1e308) == math.inf  # outside the block: as before
