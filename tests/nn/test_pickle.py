"""Every nn module and optimiser pickles and deep-copies, before and after training; the
copy is independent and computes the same outputs (so multiprocessing can take a model)."""

import concurrent.futures
import copy
import multiprocessing
import pickle

import pytest

import nn
from autograd import Value

X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8]]
Y = [1, -1, 1]


def _models():
    for activation in nn.ACTIVATIONS:
        yield f"MLP-{activation}", nn.MLP(2, [4, 3, 1], activation=activation,
                                          output_activation=activation, seed=3)
    for init in nn.INITS:
        yield f"MLP-init-{init}", nn.MLP(2, [3, 1], init=init, seed=4)
    yield "Layer", nn.Layer(2, 3, activation="tanh", seed=5)
    yield "Layer-1", nn.Layer(2, 1, seed=5)
    yield "Neuron", nn.Neuron(2, activation="sigmoid", seed=6)
    yield "Neuron-micrograd", nn.Neuron(2, nonlin=False, seed=7)


MODELS = list(_models())
OPTIMIZERS = [
    ("SGD", lambda p: nn.SGD(p, lr=0.05)),
    ("SGD-momentum-nesterov", lambda p: nn.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                weight_decay=1e-3)),
    ("Adam", lambda p: nn.Adam(p, lr=0.01, weight_decay=1e-3)),
]


def _scores(model):
    out = []
    for x in X:
        y = model(x)
        out.append([v.data for v in y] if isinstance(y, list) else y.data)
    return out


def _loss(model):
    outs = [model(x) for x in X]
    outs = [o if isinstance(o, Value) else o[0] for o in outs]
    return nn.hinge(outs, Y)


def _train(model, optimizer, steps=3):
    for _ in range(steps):
        optimizer.zero_grad()
        _loss(model).backward()
        optimizer.step()


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
@pytest.mark.parametrize("name, model", MODELS, ids=[m[0] for m in MODELS])
def test_every_module_copies_and_the_copy_is_independent(name, model, how):
    clone = pickle.loads(pickle.dumps(model)) if how == "pickle" else copy.deepcopy(model)
    assert type(clone) is type(model) and repr(clone) == repr(model)
    assert _scores(clone) == _scores(model)
    assert clone.state_dict() == model.state_dict()
    before = model.state_dict()
    for p in clone.parameters():
        p.data += 1.0  # changing the copy leaves the original alone
    assert model.state_dict() == before
    assert not set(map(id, clone.parameters())) & set(map(id, model.parameters()))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("opt_name, make", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_model_and_optimiser_copied_after_training_train_on_identically(opt_name, make,
                                                                        protocol):
    model = nn.MLP(2, [4, 1], activation="relu", seed=11)
    optimizer = make(model)
    _train(model, optimizer)  # state inside the optimiser (momenta, Adam's moments, t)
    clone_model, clone_opt = pickle.loads(pickle.dumps((model, optimizer), protocol))
    deep_model, deep_opt = copy.deepcopy((model, optimizer))
    for m, o in ((clone_model, clone_opt), (deep_model, deep_opt)):
        assert o.params == m.parameters()  # the optimiser updates the copied model
        assert _scores(m) == _scores(model)
    _train(model, optimizer)
    for m, o in ((clone_model, clone_opt), (deep_model, deep_opt)):
        assert _scores(m) != _scores(model)  # the copies did not move with the original
        _train(m, o)
        assert m.state_dict() == model.state_dict()  # same steps, same numbers


def test_a_wide_deep_model_pickles_at_the_default_recursion_limit():
    model = nn.MLP(1, [1] * 3000, activation="tanh", seed=1)
    clone = pickle.loads(pickle.dumps(model))
    assert copy.deepcopy(model).state_dict() == clone.state_dict() == model.state_dict()
    assert clone([0.3]).data == model([0.3]).data


def _predict(model):
    return _scores(model)


def test_a_process_pool_takes_models():
    models = [nn.MLP(2, [3, 1], activation=a, seed=2) for a in ("relu", "sigmoid", "tanh")]
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        found = list(pool.map(_predict, models))
    assert found == [_scores(m) for m in models]
