"""seedgrad's benchmark: peers side by side in one process, medians and paired ratios.

    python benchmarks/run.py                  # full run: table, results/latest.{json,md}
    python benchmarks/run.py --update-readme  # ... and the table in README.md
    python benchmarks/run.py --quick          # tiny sizes, < 30 s: a smoke test for CI

Sections: `train` (one training step of micrograd's demo network, six peers), `nodes`
(forward/backward ns and bytes per graph node), `depth` (a 10⁶-op chain), `scaling`
(per-node cost from 10⁴ to 10⁶ nodes) and `memory` (peak RSS, each workload measured in
a subprocess of this script, since RSS is process-wide).

Robustness on a busy machine: every peer runs in each round, rounds rotate the order,
a ratio is the median over rounds of (peer ÷ seedgrad) timed in the same round, and a
`gc.collect()` (untimed) between peers keeps one peer's garbage out of another's time.
Before timing, every peer's loss and gradients must agree with the hand-written
backprop to 1e-9 (relative), or the run stops with exit status 1.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import sysconfig
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any, Protocol

from handwritten import ListBackprop, NumpyBackprop, Problem, flat

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE.parent / "README.md"
TABLE_START, TABLE_END = "<!-- bench-table -->", "<!-- /bench-table -->"
OPTIONAL = ("micrograd", "torch", "numpy")  # peers that may be missing: reported, not fatal
TOLERANCE = 1e-9
BIG_STACK = 512 * 2**20  # micrograd's recursive toposort needs a deep C stack past 10⁴ nodes


class MismatchError(Exception):
    """Two peers computed different numbers: timing them against each other is meaningless."""


# ---- configuration ------------------------------------------------------------------------
@dataclass
class Config:
    """Sizes and repeat counts of one run."""

    quick: bool = False
    problem: Problem = field(default_factory=Problem)
    train_rounds: int = 5
    train_block: int = 3  # consecutive timed steps per round (GC work lands in some of them)
    node_products: int = 100_000  # terms of s = s + x·w: 2 graph nodes each
    node_rounds: int = 5
    depth_ops: int = 1_000_000
    depth_rounds: int = 3
    scaling_nodes: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])
    scaling_rounds: int = 3
    compile_rounds: int = 5
    compile_nodes: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])
    memory_train_peers: list[str] = field(default_factory=lambda: [
        "seedgrad", "micrograd", "micrograd-gc-off", "torch", "handwritten", "numpy"])
    memory_node_peers: list[str] = field(default_factory=lambda: [
        "seedgrad", "micrograd", "micrograd-gc-off"])

    @classmethod
    def tiny(cls) -> Config:
        """The --quick configuration: every code path, tiny sizes."""
        return cls(quick=True, problem=Problem(sizes=[2, 8, 8, 1], points=20), train_rounds=2,
                   train_block=1, node_products=2_000, node_rounds=2, depth_ops=20_000,
                   depth_rounds=1, scaling_nodes=[2_000, 20_000], scaling_rounds=1,
                   compile_rounds=1, compile_nodes=[1_000, 4_000],
                   memory_train_peers=["seedgrad", "micrograd"],
                   memory_node_peers=["seedgrad", "micrograd"])

    def with_rounds(self, rounds: int) -> Config:
        """The same sizes with every section repeated `rounds` times."""
        self.train_rounds = self.node_rounds = self.depth_rounds = rounds
        self.scaling_rounds = self.compile_rounds = rounds
        return self


# ---- helpers ------------------------------------------------------------------------------
@contextmanager
def recursion_limit(limit: int) -> Iterator[None]:
    """Raise the recursion limit to at least `limit` inside the block, then restore it."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def in_big_stack(fn: Callable[[], Any]) -> Any:
    """Run `fn` in a thread with a 512 MiB stack (for micrograd's deep recursion)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as error:  # handed back to the caller's thread
            outcome["error"] = error

    previous = threading.stack_size(BIG_STACK)
    try:
        thread = threading.Thread(target=target, name="big-stack")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def close(a: float, b: float) -> bool:
    """a and b agree to TOLERANCE (relative), with a tiny absolute floor near zero."""
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=1e-12)


def median(xs: list[float]) -> float:
    """The median, or nan for no data."""
    return statistics.median(xs) if xs else math.nan


def rotations(names: list[str], rounds: int) -> Iterator[list[str]]:
    """The peer order of each round, rotated so no peer always runs first or last."""
    for r in range(rounds):
        k = r % len(names)
        yield names[k:] + names[:k]


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Move every object alive now (imports, torch's modules) out of the GC's reach.

    Full collections then cost what they would in a script that imported one engine, so
    GC-heavy peers are not charged for the other peers' modules.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def missing_module(error: ImportError) -> str | None:
    """The optional package behind an ImportError, or None if it is a real error."""
    name = (getattr(error, "name", None) or "").split(".")[0]
    return name if name in OPTIONAL else None


# ---- 1. train step: the peers -------------------------------------------------------------
class Peer(Protocol):
    """One implementation of the train step."""

    def step(self) -> float:
        """Forward, backward and SGD update on the whole batch; the loss before the update."""

    def gradients(self) -> list[float]:
        """∂loss/∂parameters of the last step, in `handwritten.flat` order."""

    def settle(self) -> None:
        """Untimed work between two timed steps (a GC-off peer collects here)."""


class SeedgradPeer:
    """seedgrad as a user writes it: `nn.MLP` (one `dot` node per neuron), engine ops."""

    def __init__(self, problem: Problem, fused: bool = False):
        """Build the MLP and load the problem's initial parameters into it."""
        import autograd
        import nn

        self.nn, self.total, self.fused = nn, autograd.sum, fused
        sizes = problem.sizes
        self.model = nn.MLP(sizes[0], sizes[1:], activation="relu", output_activation="linear")
        self.params = self.model.parameters()
        load(self.params, problem, "seedgrad")
        self.xs, self.ys = problem.data()
        self.alpha, self.lr = problem.alpha, problem.lr

    def step(self) -> float:
        """One training step of micrograd's demo, in seedgrad."""
        model, params, total = self.model, self.params, self.total
        scores = [model(x) for x in self.xs]
        if self.fused:  # the loss as two nodes, from nn's loss library
            loss = self.nn.hinge(scores, self.ys) + self.nn.l2_penalty(params, self.alpha)
        else:
            losses = [(1.0 - y * s).relu() for y, s in zip(self.ys, scores)]
            data_loss = total(losses) * (1.0 / len(losses))
            loss = data_loss + self.alpha * total([p * p for p in params])
        for p in params:
            p.grad = 0.0
        loss.backward()
        lr = self.lr
        for p in params:
            p.data -= lr * p.grad
        return loss.data

    def gradients(self) -> list[float]:
        """The parameters' `.grad`."""
        return [p.grad for p in self.params]

    def settle(self) -> None:
        """Nothing: the graph was freed when `loss` went out of scope."""


class GcScopePeer(SeedgradPeer):
    """seedgrad's eager step inside `autograd.gc_scope()` (the GC's thresholds raised)."""

    def step(self) -> float:
        """One eager training step with the young-generation GC threshold raised."""
        import autograd

        with autograd.gc_scope():
            return super().step()


class CompiledPeer:
    """seedgrad in compiled mode: the per-sample hinge loss compiled once and run with
    `batch` each step, plus the compiled `nn.l2_penalty` (one node for all parameters)."""

    def __init__(self, problem: Problem):
        """Build the MLP, load the initial parameters, compile the loss (untimed)."""
        import autograd
        import nn

        sizes = problem.sizes
        self.model = model = nn.MLP(sizes[0], sizes[1:], activation="relu",
                                    output_activation="linear")
        self.params = params = model.parameters()
        load(params, problem, "seedgrad compiled")
        self.xs, self.ys = problem.data()
        alpha = self.alpha = problem.alpha
        self.lr = problem.lr
        self.hinge = autograd.compile(lambda x, y: (1.0 - y * model(x)).relu(),
                                      self.xs[0], self.ys[0])
        self.l2 = autograd.compile(lambda: nn.l2_penalty(params, alpha))

    def step(self) -> float:
        """Zero the grads, one generated loop over the batch, the L2 term, SGD."""
        params = self.params
        for p in params:
            p.grad = 0.0
        loss = self.hinge.batch(self.xs, self.ys, reduction="mean") + self.l2()
        lr = self.lr
        for p in params:
            p.data -= lr * p.grad
        return loss

    def gradients(self) -> list[float]:
        """The parameters' `.grad`."""
        return [p.grad for p in self.params]

    def settle(self) -> None:
        """Nothing: no graph is built per step."""


class MicrogradPeer:
    """micrograd 0.1.0 running its own demo's step (its MLP, its loss code)."""

    def __init__(self, problem: Problem, gc_off: bool = False):
        """Build micrograd's MLP and load the problem's initial parameters into it."""
        from micrograd.engine import Value
        from micrograd.nn import MLP

        self.Value, self.gc_off = Value, gc_off
        self.model = MLP(problem.sizes[0], problem.sizes[1:])
        self.params = self.model.parameters()
        load(self.params, problem, "micrograd")
        self.xs, self.ys = problem.data()
        self.alpha, self.lr = problem.alpha, problem.lr
        # Its recursive toposort goes as deep as the longest path (the Σp² chain and more).
        self.depth = 4 * (len(self.params) + problem.points + sum(problem.sizes)) + 1000

    def step(self) -> float:
        """One training step, as in micrograd's demo.ipynb (GC off: collected in settle)."""
        if self.gc_off:
            gc.disable()
        try:
            Value, model, params = self.Value, self.model, self.params
            inputs = [list(map(Value, x)) for x in self.xs]
            scores = list(map(model, inputs))
            losses = [(1 + -y * s).relu() for y, s in zip(self.ys, scores)]
            data_loss = sum(losses) * (1.0 / len(losses))
            reg_loss = self.alpha * sum(p * p for p in params)
            loss = data_loss + reg_loss
            model.zero_grad()
            with recursion_limit(self.depth):
                loss.backward()
            lr = self.lr
            for p in params:
                p.data -= lr * p.grad
            return loss.data
        except BaseException:
            gc.enable()
            raise

    def gradients(self) -> list[float]:
        """The parameters' `.grad`."""
        return [float(p.grad) for p in self.params]

    def settle(self) -> None:
        """GC off: free the step's cyclic garbage now, outside the timing."""
        if self.gc_off:
            gc.collect()
            gc.enable()


class TorchPeer:
    """PyTorch with one 0-d float64 tensor per scalar: micrograd's graph, op for op."""

    def __init__(self, problem: Problem):
        """Make every weight and bias a 0-d tensor that requires grad."""
        import torch

        torch.set_num_threads(1)  # scalar ops never use threads; keep the busy machine calm
        self.torch = torch
        weights, biases = problem.parameters()

        def leaf(v: float) -> Any:
            return torch.tensor(v, dtype=torch.float64, requires_grad=True)

        self.layers = [[([leaf(w) for w in row], leaf(b)) for row, b in zip(wl, bl)]
                       for wl, bl in zip(weights, biases)]
        self.params = [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
        self.xs, self.ys = problem.data()
        self.alpha, self.lr = problem.alpha, problem.lr

    def step(self) -> float:
        """One training step with micrograd's neuron code written in tensors."""
        torch, params, last = self.torch, self.params, len(self.layers) - 1
        scores = []
        for x in self.xs:
            a = [torch.tensor(v, dtype=torch.float64) for v in x]
            for i, layer in enumerate(self.layers):
                a = [sum((w * ai for w, ai in zip(ws, a)), b) for ws, b in layer]
                if i < last:
                    a = [z.relu() for z in a]
            scores.append(a[0])
        losses = [(1 + -y * s).relu() for y, s in zip(self.ys, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + self.alpha * sum(p * p for p in params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= self.lr * p.grad
        return loss.item()

    def gradients(self) -> list[float]:
        """The parameters' `.grad`."""
        return [p.grad.item() for p in self.params]

    def settle(self) -> None:
        """Nothing: autograd frees its graph after backward."""


def load(params: list[Any], problem: Problem, who: str) -> None:
    """Overwrite the parameters' data with the problem's initial weights (flat order)."""
    values = flat(*problem.parameters())
    if len(params) != len(values):
        raise MismatchError(f"{who}: {len(params)} parameters, expected {len(values)}")
    for p, v in zip(params, values):
        p.data = v


TRAIN_PEERS: dict[str, tuple[str, Callable[[Problem], Peer]]] = {
    "seedgrad": ("seedgrad", SeedgradPeer),
    "seedgrad-fused": ("seedgrad, nn.hinge + nn.l2_penalty",
                       lambda p: SeedgradPeer(p, fused=True)),
    "seedgrad-gc-scope": ("seedgrad, inside autograd.gc_scope()", GcScopePeer),
    "seedgrad-compiled": ("seedgrad, autograd.compile + batch", CompiledPeer),
    "micrograd": ("micrograd 0.1.0 (as shipped)", MicrogradPeer),
    "micrograd-gc-off": ("micrograd 0.1.0, GC off", lambda p: MicrogradPeer(p, gc_off=True)),
    "torch": ("PyTorch, 0-d tensors", TorchPeer),
    "handwritten": ("hand-written backprop (lists)", ListBackprop),
    "numpy": ("numpy (vectorised)", NumpyBackprop),
}


def make_peers(problem: Problem, names: list[str]) -> tuple[dict[str, Peer], dict[str, str]]:
    """Instantiate the peers; optional ones that are not installed get a status instead."""
    peers: dict[str, Peer] = {}
    status: dict[str, str] = {}
    for name in names:
        try:
            peers[name] = TRAIN_PEERS[name][1](problem)
        except ImportError as error:
            module = missing_module(error)
            if module is None:
                raise
            status[name] = f"not installed ({module})"
    return peers, status


def verify(peers: dict[str, Peer], problem: Problem) -> None:
    """Two steps of every peer must match the hand-written backprop (losses, gradients)."""
    reference = ListBackprop(problem)
    expected_losses = [reference.step()]
    expected_grads = reference.gradients()
    expected_losses.append(reference.step())
    for name, peer in peers.items():
        for i, expected in enumerate(expected_losses):
            loss = peer.step()
            if not close(loss, expected):
                raise MismatchError(f"{name}: loss {loss!r} at step {i + 1}, "
                                    f"hand-written backprop says {expected!r}")
            if i == 0:
                grads = peer.gradients()
                if len(grads) != len(expected_grads):
                    raise MismatchError(f"{name}: {len(grads)} gradients, "
                                        f"expected {len(expected_grads)}")
                for k, (g, e) in enumerate(zip(grads, expected_grads)):
                    if not close(g, e):
                        raise MismatchError(f"{name}: gradient {k} is {g!r}, "
                                            f"hand-written backprop says {e!r}")
            peer.settle()
        gc.collect()


def time_block(peer: Peer, steps: int) -> float:
    """Mean seconds per step over `steps` consecutive steps, in a steady state.

    An untimed warm-up step first leaves its graph behind as a training loop would (for a
    GC-on micrograd, garbage that the timed steps collect); the last timed step's garbage
    is collected untimed, so each timed step pays for exactly one graph.
    """
    peer.step()
    peer.settle()
    total = 0.0
    for _ in range(steps):
        start = perf_counter()
        peer.step()
        total += perf_counter() - start
        peer.settle()
    gc.collect()
    return total / steps


def bench_train(config: Config, names: list[str] | None = None) -> dict[str, Any]:
    """Section 1: verify, then time the train step of every peer, interleaved."""
    problem = config.problem
    names = names or list(TRAIN_PEERS)
    peers, status = make_peers(problem, names)
    if "seedgrad" not in peers:
        raise RuntimeError("train: the seedgrad peer is required (ratios are against it)")
    samples: dict[str, list[float]] = {name: [] for name in peers}
    with frozen_heap():
        verify(peers, problem)
        for order in rotations(list(peers), config.train_rounds):
            for name in order:
                samples[name].append(time_block(peers[name], config.train_block))
    rows = {}
    for name in names:
        row: dict[str, Any] = {"label": TRAIN_PEERS[name][0], "status": status.get(name, "ok")}
        if name in peers:
            paired = [t / s for t, s in zip(samples[name], samples["seedgrad"])]
            row.update(median_s=median(samples[name]), min_s=min(samples[name]),
                       max_s=max(samples[name]), ratio=median(paired), samples_s=samples[name])
        rows[name] = row
    config_out = asdict(problem) | {"rounds": config.train_rounds, "block": config.train_block}
    return {"config": config_out, "peers": rows}


# ---- 2-4. graph nodes: per-node cost, depth, scaling --------------------------------------
@dataclass
class Engine:
    """A scalar engine for the node benchmarks."""

    key: str
    label: str
    Value: Any
    recursive: bool = False  # its backward recurses: needs a big stack and a high limit
    gc_off: bool = False  # GC disabled while building and differentiating
    scope: bool = False  # built and differentiated inside autograd.gc_scope()


ENGINE_LABELS = {"seedgrad": "seedgrad", "seedgrad-gc-off": "seedgrad, GC off",
                 "micrograd": "micrograd 0.1.0 (as shipped)",
                 "micrograd-gc-off": "micrograd 0.1.0, GC off"}
NODE_ENGINES = ["seedgrad", "seedgrad-gc-off", "micrograd", "micrograd-gc-off"]


def engines(keys: list[str]) -> tuple[dict[str, Engine], dict[str, str]]:
    """The node-benchmark engines among `keys`; missing optional ones get a status."""
    found: dict[str, Engine] = {}
    status: dict[str, str] = {}
    for key in keys:
        if key.startswith("seedgrad"):
            from autograd import Value

            found[key] = Engine(key, ENGINE_LABELS[key], Value, gc_off=key.endswith("gc-off"))
            continue
        try:
            from micrograd.engine import Value as MicroValue
        except ImportError as error:
            if missing_module(error) is None:
                raise
            status[key] = "not installed (micrograd)"
            continue
        found[key] = Engine(key, ENGINE_LABELS[key], MicroValue, recursive=True,
                            gc_off=key == "micrograd-gc-off")
    return found, status


def leaves(engine: Engine, n: int, seed: int = 3) -> tuple[list[Any], list[Any]]:
    """n inputs and n weights of the sum of products, as the engine's leaves."""
    rng = random.Random(seed)
    Value = engine.Value
    return ([Value(rng.uniform(-1, 1)) for _ in range(n)],
            [Value(rng.uniform(-1, 1)) for _ in range(n)])


def sum_of_products(zero: Any, xs: list[Any], ws: list[Any]) -> Any:
    """s = s + x[i]·w[i]: 2 nodes per term, a chain as deep as the sum is long."""
    s = zero
    for x, w in zip(xs, ws):
        s = s + x * w
    return s


def run_graph(engine: Engine, n: int) -> dict[str, float]:
    """Build, differentiate and free one sum of n products; seconds per phase, checked.

    The leaves are made for this run only, so no engine's GC walks another's leaves.
    """
    xs, ws = leaves(engine, n)
    zero = engine.Value(0.0)
    gc.collect()
    if engine.gc_off:
        gc.disable()
    scope = ExitStack()
    if engine.scope:
        import autograd

        scope.enter_context(autograd.gc_scope())
    try:
        start = perf_counter()
        s = sum_of_products(zero, xs, ws)
        built = perf_counter()
        if engine.recursive:
            with recursion_limit(4 * len(xs) + 10_000):
                s.backward()
        else:
            s.backward()
        done = perf_counter()
        expected = math.fsum(x.data * w.data for x, w in zip(xs, ws))
        for i in (0, len(xs) // 2, -1):  # ∂s/∂xᵢ = wᵢ and ∂s/∂wᵢ = xᵢ
            if xs[i].grad != ws[i].data or ws[i].grad != xs[i].data:
                raise MismatchError(f"{engine.label}: wrong gradient at term {i}")
        if not math.isclose(s.data, expected, rel_tol=1e-9, abs_tol=1e-9):
            raise MismatchError(f"{engine.label}: sum {s.data!r}, expected {expected!r}")
        del s
        if engine.recursive:  # micrograd's nodes sit in reference cycles: only the GC frees
            gc.collect()
        freed = perf_counter()
    finally:
        scope.close()
        if engine.gc_off:
            gc.enable()
    return {"forward": built - start, "backward": done - built, "free": freed - done}


def graph_bytes(engine: Engine, n: int) -> float:
    """Bytes allocated per graph node while building a sum of n products (tracemalloc)."""
    xs, ws = leaves(engine, n)
    zero = engine.Value(0.0)
    gc.collect()
    gc.disable()  # nothing in the graph is garbage yet; keep collections out of the count
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        s = sum_of_products(zero, xs, ws)
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del s
    finally:
        gc.enable()
    gc.collect()
    return (after - before) / (2 * n)


def bench_nodes(config: Config) -> dict[str, Any]:
    """Section 2: forward/backward ns per node and bytes per node, seedgrad vs micrograd."""
    n = config.node_products
    found, status = engines(NODE_ENGINES)

    def measure() -> dict[str, list[dict[str, float]]]:
        runs: dict[str, list[dict[str, float]]] = {key: [] for key in found}
        for order in rotations(list(found), config.node_rounds):
            for key in order:
                runs[key].append(run_graph(found[key], n))
        return runs

    with frozen_heap():  # every engine in the same thread, for the same conditions
        runs = in_big_stack(measure)
    nodes = 2 * n
    rows: dict[str, Any] = {}
    seed_totals = [r["forward"] + r["backward"] for r in runs["seedgrad"]]
    for key in NODE_ENGINES:
        if key not in found:
            rows[key] = {"label": ENGINE_LABELS[key], "status": status[key]}
            continue
        engine = found[key]
        totals = [r["forward"] + r["backward"] for r in runs[key]]
        rows[key] = {
            "label": engine.label,
            "status": "ok",
            "forward_ns": median([r["forward"] for r in runs[key]]) / nodes * 1e9,
            "backward_ns": median([r["backward"] for r in runs[key]]) / nodes * 1e9,
            "total_ns": median(totals) / nodes * 1e9,
            "free_ns": median([r["free"] for r in runs[key]]) / nodes * 1e9,
            "seedgrad_ratio": median([s / t for s, t in zip(seed_totals, totals)]),
            "samples": runs[key],
        }
    for key, row in rows.items():
        if row["status"] == "ok" and not key.endswith("gc-off"):  # same bytes with GC off
            row["bytes_per_node"] = graph_bytes(found[key], n)
    for key in ("seedgrad", "micrograd"):
        if "bytes_per_node" in rows.get(key, {}) and rows[f"{key}-gc-off"]["status"] == "ok":
            rows[f"{key}-gc-off"]["bytes_per_node"] = rows[key]["bytes_per_node"]
    if rows["micrograd-gc-off"]["status"] == "ok":  # both GC off: the engines alone
        pairs = zip(runs["seedgrad-gc-off"], runs["micrograd-gc-off"])
        rows["seedgrad-gc-off"]["vs_micrograd_gc_off"] = median(
            [(s["forward"] + s["backward"]) / (m["forward"] + m["backward"]) for s, m in pairs])
    return {"config": {"products": n, "nodes": nodes, "rounds": config.node_rounds},
            "engines": rows}


def chain(zero: Any, a: Any, b: Any, ops: int) -> Any:
    """y = y·a + b repeated: `ops` nodes, each the child of the one before."""
    y = zero
    for _ in range(ops // 2):
        y = y * a + b
    return y


def bench_depth(config: Config) -> dict[str, Any]:
    """Section 3: a chain of `depth_ops` ops, forward + backward, at the default limit."""
    from autograd import Value

    ops, limit = config.depth_ops, sys.getrecursionlimit()
    steps = ops // 2
    expected_db = (1 - 0.5**steps) / (1 - 0.5)  # ∂y/∂b = Σₖ aᵏ
    runs = []
    with frozen_heap():  # as in the other sections
        for _ in range(config.depth_rounds):
            x, a, b = Value(1.0), Value(0.5), Value(1.0)
            gc.collect()
            start = perf_counter()
            y = chain(x, a, b, ops)
            built = perf_counter()
            y.backward()
            done = perf_counter()
            if not close(b.grad, expected_db):
                raise MismatchError(f"depth: ∂y/∂b is {b.grad!r}, expected {expected_db!r}")
            del y
            runs.append({"forward": built - start, "backward": done - built,
                         "free": perf_counter() - done})
    seed = {"status": "ok", "forward_s": median([r["forward"] for r in runs]),
            "backward_s": median([r["backward"] for r in runs]),
            "free_s": median([r["free"] for r in runs]), "samples": runs}
    return {"config": {"ops": 2 * steps, "recursion_limit": limit},
            "engines": {"seedgrad": seed, "micrograd": micrograd_depth(ops, limit)}}


def micrograd_depth(ops: int, limit: int) -> dict[str, Any]:
    """Try micrograd's backward on the same chain at the current limit; report the error."""
    try:
        from micrograd.engine import Value
    except ImportError as error:
        if missing_module(error) is None:
            raise
        return {"status": "not installed (micrograd)"}
    gc.collect()
    gc.disable()  # building is not what is measured here; keep it quick
    try:
        y = chain(Value(1.0), Value(0.5), Value(1.0), ops)
        try:
            y.backward()
            outcome = {"status": "ok"}
        except RecursionError as error:
            outcome = {"status": "cannot", "error": f"RecursionError at the default "
                       f"recursion limit ({limit}): {error}"}
        del y
    finally:
        gc.enable()
    gc.collect()
    return outcome


def bench_scaling(config: Config) -> dict[str, Any]:
    """Section 4: seedgrad's per-node cost as the graph grows: GC on as shipped, and
    inside `autograd.gc_scope()` (the two interleaved, same sizes)."""
    found, _ = engines(["seedgrad"])
    shipped = found["seedgrad"]
    scoped = Engine(shipped.key, shipped.label, shipped.Value, scope=True)
    sizes = config.scaling_nodes
    runs: dict[tuple[bool, int], list[dict[str, float]]] = {
        (scope, nodes): [] for scope in (False, True) for nodes in sizes}
    with frozen_heap():
        for _ in range(config.scaling_rounds):
            for nodes in sizes:
                for engine in (shipped, scoped):
                    runs[engine.scope, nodes].append(run_graph(engine, nodes // 2))
    out: dict[str, Any] = {"config": {"rounds": config.scaling_rounds}}
    for scope, key in ((False, "rows"), (True, "scope_rows")):
        rows = []
        for nodes in sizes:
            done = runs[scope, nodes]
            per = {phase: median([r[phase] for r in done]) / nodes * 1e9
                   for phase in ("forward", "backward", "free")}
            total = median([r["forward"] + r["backward"] for r in done]) / nodes * 1e9
            rows.append({"nodes": nodes, "forward_ns": per["forward"],
                         "backward_ns": per["backward"], "total_ns": total,
                         "free_ns": per["free"]})
        for row in rows:
            row["vs_smallest"] = row["total_ns"] / rows[0]["total_ns"]
        out[key] = rows
    return out


# ---- 5. compile: trace + code generation time, compiled cost per node ----------------------
def compile_moons(problem: Problem) -> dict[str, float]:
    """Seconds to trace, generate and compile() the train step's two functions."""
    import autograd
    import nn

    sizes = problem.sizes
    model = nn.MLP(sizes[0], sizes[1:], activation="relu", output_activation="linear")
    params = model.parameters()
    load(params, problem, "compile")
    xs, ys = problem.data()
    alpha = problem.alpha
    start = perf_counter()
    hinge = autograd.compile(lambda x, y: (1.0 - y * model(x)).relu(), xs[0], ys[0])
    l2 = autograd.compile(lambda: nn.l2_penalty(params, alpha))
    traced = perf_counter()
    hinge.prepare("batch")  # what the first batch() call would compile
    l2.prepare("call")
    done = perf_counter()
    return {"trace_codegen": traced - start, "python_compile": done - traced,
            "total": done - start}


def compiled_graph(n: int) -> dict[str, Any]:
    """The sum of n products compiled (inputs as an argument, weights as parameters)."""
    import autograd
    from autograd import TraceError, Value

    rng = random.Random(3)
    ws = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    xs = [rng.uniform(-1, 1) for _ in range(n)]

    def products(xs: list[Any]) -> Any:
        return sum_of_products(Value(0.0), xs, ws)

    gc.collect()
    start = perf_counter()
    try:
        step = autograd.compile(products, xs)
        step.prepare("call")
    except TraceError as error:
        return {"status": "refused", "message": str(error).split(";")[0]}
    built = perf_counter() - start
    calls = []
    for _ in range(3):
        for w in ws:
            w.grad = 0.0
        begin = perf_counter()
        out = step(xs)
        calls.append(perf_counter() - begin)
    expected = math.fsum(x * w.data for x, w in zip(xs, ws))
    if not math.isclose(out, expected, rel_tol=1e-9, abs_tol=1e-9) or ws[-1].grad != xs[-1]:
        raise MismatchError(f"compiled sum of {n} products: {out!r}, expected {expected!r}")
    return {"status": "ok", "compile_s": built, "call_s": median(calls)}


def bench_compile(config: Config) -> dict[str, Any]:
    """Section 5: trace + codegen + compile() of the train step; compiled cost per node."""
    setups = []
    with frozen_heap():
        for _ in range(config.compile_rounds):
            setups.append(compile_moons(config.problem))
            gc.collect()
    setup = {key: median([s[key] for s in setups]) for key in setups[0]}
    rows = []
    found, _ = engines(["seedgrad"])
    for nodes in config.compile_nodes:
        row: dict[str, Any] = {"nodes": nodes}
        with frozen_heap():
            row.update(compiled_graph(nodes // 2))
            eager = run_graph(found["seedgrad"], nodes // 2)
        row["eager_ns"] = (eager["forward"] + eager["backward"]) / nodes * 1e9
        if row["status"] == "ok":
            row["compile_us"] = row["compile_s"] / nodes * 1e6
            row["call_ns"] = row["call_s"] / nodes * 1e9
            row["eager_over_compiled"] = row["eager_ns"] / row["call_ns"]
        rows.append(row)
        gc.collect()
    return {"config": {"rounds": config.compile_rounds}, "setup": setup, "rows": rows}


# ---- 6. memory: peak RSS of one workload per subprocess -----------------------------------
def rss_kib() -> int:
    """This process's peak resident set so far, in KiB.

    Linux: VmHWM, since ru_maxrss survives exec and would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def rss_probe(kind: str, peer: str, config: Config) -> dict[str, Any]:
    """Run one workload in this (fresh) process: peak RSS before and after it."""
    if kind == "train":
        peers, status = make_peers(config.problem, [peer])
        if peer not in peers:
            return {"status": status[peer]}
        baseline = rss_kib()
        for _ in range(2):
            peers[peer].step()
            peers[peer].settle()
    else:
        found, status = engines([peer])
        if peer not in found:
            return {"status": status[peer]}
        baseline = rss_kib()  # the leaves count: a graph needs inputs
        in_big_stack(lambda: run_graph(found[peer], config.node_products))
    return {"status": "ok", "baseline_kib": baseline, "peak_kib": rss_kib()}


def bench_memory(config: Config) -> dict[str, Any]:
    """Section 5: each (workload, peer) in its own subprocess of this script."""
    out: dict[str, Any] = {}
    for kind, peers in (("train", config.memory_train_peers),
                        ("nodes", config.memory_node_peers)):
        out[kind] = {}
        for peer in peers:
            command = [sys.executable, str(Path(__file__).resolve()), "--rss", "--only", kind,
                       "--peer", peer] + (["--quick"] if config.quick else [])
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                raise RuntimeError(f"memory probe {kind}/{peer} failed:\n{done.stderr}")
            row = json.loads(done.stdout.strip().splitlines()[-1])
            if row["status"] == "ok":
                row["peak_mib"] = row["peak_kib"] / 1024
                row["growth_mib"] = (row["peak_kib"] - row["baseline_kib"]) / 1024
            out[kind][peer] = row
    return out


# ---- targets and reports ------------------------------------------------------------------
def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets as rows: measured value, goal, PASS / FAIL / n/a."""
    train = results.get("train", {}).get("peers", {})
    nodes = results.get("nodes", {}).get("engines", {})
    scaling = results.get("scaling", {}).get("rows", [])
    scaling_scope = results.get("scaling", {}).get("scope_rows", [])
    depth = results.get("depth", {}).get("engines", {})

    def paired(rows: dict[str, Any], key: str, other: str) -> float | None:
        """Median over rounds of key's time ÷ other's time in the same round."""
        a, b = rows.get(key, {}), rows.get(other, {})
        if a.get("status") != "ok" or b.get("status") != "ok":
            return None
        return median([x / y for x, y in zip(a["samples_s"], b["samples_s"])])

    def ratio(rows: dict[str, Any], key: str, field_: str) -> float | None:
        row = rows.get(key, {})
        return row.get(field_) if row.get("status") == "ok" else None

    hand = ratio(train, "handwritten", "ratio")
    compiled = ratio(train, "seedgrad-compiled", "ratio")
    compiled_hand = paired(train, "seedgrad-compiled", "handwritten")
    setup = results.get("compile", {}).get("setup", {}).get("total")
    micro_bytes = ratio(nodes, "micrograd", "bytes_per_node")
    seed_bytes = ratio(nodes, "seedgrad", "bytes_per_node")
    ns_gc_off = ratio(nodes, "micrograd-gc-off", "seedgrad_ratio")
    ns_both_off = ratio(nodes, "seedgrad-gc-off", "vs_micrograd_gc_off")
    deep = depth.get("seedgrad", {}).get("status")
    rows = [
        ("train step: micrograd (as shipped) ÷ seedgrad", ratio(train, "micrograd", "ratio"),
         ">=", 30.0),
        ("train step: micrograd (GC off) ÷ seedgrad", ratio(train, "micrograd-gc-off", "ratio"),
         ">=", 5.0),
        ("train step: seedgrad ÷ hand-written backprop", 1 / hand if hand else None, "<=", 2.0),
        ("train step: seedgrad inside gc_scope() ÷ hand-written backprop",
         paired(train, "seedgrad-gc-scope", "handwritten"), "<=", 2.5),
        ("train step: seedgrad compiled ÷ hand-written backprop", compiled_hand, "<=", 0.6),
        ("train step: seedgrad eager ÷ seedgrad compiled", 1 / compiled if compiled else None,
         ">=", 7.0),
        ("trace + codegen + compile() of the train step, ms", setup * 1e3 if setup else None,
         "<=", 50.0),
        ("per node fwd+bwd: seedgrad ÷ micrograd (GC off)", ns_gc_off, "<=", 0.6),
        ("per node fwd+bwd, both GC off: seedgrad ÷ micrograd", ns_both_off, "<=", 0.6),
        ("bytes per node: seedgrad ÷ micrograd",
         seed_bytes / micro_bytes if seed_bytes and micro_bytes else None, "<=", 0.4),
        ("per node fwd+bwd: largest ÷ smallest graph (scaling)",
         scaling[-1]["vs_smallest"] if len(scaling) > 1 else None, "<=", 1.3),
        ("per node fwd+bwd inside gc_scope(): largest ÷ smallest graph (scaling)",
         scaling_scope[-1]["vs_smallest"] if len(scaling_scope) > 1 else None, "<=", 1.3),
        ("seedgrad: the depth chain at the default recursion limit (1 = done)",
         1.0 if deep == "ok" else (0.0 if deep else None), ">=", 1.0),
    ]
    out = []
    for name, measured, sense, goal in rows:
        if measured is None:
            verdict = "n/a"
        else:
            verdict = "PASS" if (measured >= goal if sense == ">=" else measured <= goal) \
                else "FAIL"
        out.append({"target": name, "measured": measured, "goal": f"{sense} {goal:g}",
                    "result": verdict})
    return out


def fmt(x: Any) -> str:
    """A number for a table: 3 significant digits, whole numbers from 100 up."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def render_environment(meta: dict[str, Any]) -> str:
    """One line: where and when the numbers were measured."""
    load = " → ".join(f"{x:.1f}" for x in (meta["load_start"], meta.get("load_end", math.nan)))
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    mode = " **--quick (tiny sizes: not results)**" if meta["quick"] else ""
    build = meta.get("interpreter")
    if build:
        flags = [("shared library" if build["shared"] else "static") + " build",
                 build["compiler"]] + [name for name in ("optimizations", "lto") if build[name]]
        interp = f"{build['implementation']} {build['version']} ({', '.join(flags)})"
    else:
        interp = f"Python {meta['python']}"
    return (f"{meta['date']}, {interp} on {meta['platform']}, "
            f"{meta['cpus']} CPUs, 1-min load {load}; {versions}.{mode}")


# ---- tables: one renderer, each table a caption, its rows and its columns -------------------
Row = dict[str, Any]
Cell = Callable[[Row], str]


@dataclass(frozen=True)
class Column:
    """One column: its header, its cell for a measured row, and (if any) for a row whose
    status is not ok (a peer not installed, a depth the engine cannot reach)."""

    header: str
    cell: Cell
    numeric: bool = True  # right-aligned
    failed: Cell | None = None  # None: blank in a failed row


@dataclass(frozen=True)
class Table:
    """A section's table: the caption above it, how to list its rows, its columns."""

    caption: Callable[[dict[str, Any]], str] | str | None
    rows: Callable[[dict[str, Any]], list[Row]]
    columns: tuple[Column, ...]
    ok: Callable[[Row], bool] = lambda row: row.get("status", "ok") == "ok"


def number(key: str, scale: float = 1.0) -> Cell:
    """A cell showing row[key] × scale, formatted by `fmt` (None or missing: –)."""
    def cell(row: Row) -> str:
        value = row.get(key)
        return fmt(value if value is None or scale == 1.0 else value * scale)
    return cell


def text(key: str) -> Cell:
    """A cell showing row[key] as it is."""
    return lambda row: str(row[key])


def count(key: str) -> Cell:
    """A cell showing a whole number with thousands separators."""
    return lambda row: f"{row[key]:,}"


def label(key: str, header: str = "") -> Column:
    """A text column, shown in measured and failed rows alike."""
    return Column(header or key, text(key), numeric=False, failed=text(key))


def render_table(table: Table, section: dict[str, Any]) -> str:
    """Caption, header and one line per row; a failed row shows only its failed cells."""
    caption = table.caption(section) if callable(table.caption) else table.caption
    lines = [caption, ""] if caption else []
    lines += [markdown_row([c.header for c in table.columns]),
              markdown_row(["---:" if c.numeric else "---" for c in table.columns])]
    for row in table.rows(section):
        if table.ok(row):
            lines.append(markdown_row([c.cell(row) for c in table.columns]))
        else:
            lines.append(markdown_row([c.failed(row) if c.failed else ""
                                       for c in table.columns]))
    return "\n".join(lines)


def markdown_row(cells: list[str]) -> str:
    """| a | b | with a blank cell written `| |`."""
    return "|" + "".join(f" {cell} |" if cell else " |" for cell in cells)


def status(row: Row) -> str:
    """A failed row's reason."""
    return str(row["status"])


def train_caption(section: dict[str, Any]) -> str:
    """What the train-step table measures."""
    c = section["config"]
    return (f"Train step: MLP({c['sizes'][0]}, {c['sizes'][1:]}), {c['points']} two-moons "
            f"points, hinge + {c['alpha']:g}·L2, forward + backward + SGD; median of "
            f"{c['rounds']} rounds × {c['block']} steps. Modules imported before the run are "
            "frozen (gc.freeze), so collections walk only the benchmark's objects; micrograd "
            "GC off collects between steps, untimed.")


def nodes_caption(section: dict[str, Any]) -> str:
    """What the per-node table measures."""
    c = section["config"]
    return (f"Per node: s = s + x[i]·w[i] over {c['products']:,} terms ({c['nodes']:,} "
            f"nodes), median of {c['rounds']} rounds; bytes from tracemalloc "
            "(graph only); free: seedgrad drops the output (reference counting), micrograd "
            "needs a gc.collect() (its nodes sit in cycles).")


def depth_caption(section: dict[str, Any]) -> str:
    """What the depth table measures."""
    c = section["config"]
    return (f"Depth: y = y·a + b, {c['ops']:,} ops in one chain, at the default recursion "
            f"limit ({c['recursion_limit']}).")


def compile_caption(section: dict[str, Any]) -> str:
    """What the compile table measures, with the one-off cost of compiling the train step."""
    setup = section["setup"]
    return (f"Compile: `autograd.compile` of the train step's per-sample hinge loss and its "
            f"L2 term (`nn.l2_penalty`), then Python's compile() of the generated batch loop "
            f"and call: {fmt(setup['total'] * 1e3)} ms (trace + code generation "
            f"{fmt(setup['trace_codegen'] * 1e3)} ms, compile() "
            f"{fmt(setup['python_compile'] * 1e3)} ms), median of "
            f"{section['config']['rounds']}. Below: s = s + x[i]·w[i] compiled as one "
            "function (x an argument, w parameters) against the eager graph.")


def depth_result(row: Row) -> str:
    """ok, or why not: "cannot: RecursionError at the default recursion limit (1000)"."""
    if row["status"] == "ok" and "forward_s" in row:
        return "ok"
    return row["status"] + (": " + row["error"].split(":")[0] if "error" in row else "")


FORWARD_BACKWARD_NS = (Column("forward ns", number("forward_ns"), failed=status),
                       Column("backward ns", number("backward_ns")),
                       Column("fwd + bwd ns", number("total_ns")))

TABLES: dict[str, Table] = {
    "train": Table(
        train_caption, lambda s: list(s["peers"].values()),
        (label("label", "peer"),
         Column("ms / step (median)", number("median_s", 1e3), failed=status),
         Column("min – max", lambda r: f"{fmt(r['min_s'] * 1e3)} – {fmt(r['max_s'] * 1e3)}"),
         Column("× seedgrad's time", number("ratio")))),
    "nodes": Table(
        nodes_caption, lambda s: list(s["engines"].values()),
        (label("label", "engine"), *FORWARD_BACKWARD_NS,
         Column("seedgrad ÷ this", number("seedgrad_ratio")),
         Column("free ns", number("free_ns")),
         Column("bytes / node", number("bytes_per_node")))),
    "depth": Table(
        depth_caption, lambda s: [{"engine": key, **row} for key, row in s["engines"].items()],
        (label("engine"),
         Column("forward s", number("forward_s")),
         Column("backward s", number("backward_s")),
         Column("free s", number("free_s")),
         Column("result", depth_result, numeric=False, failed=depth_result)),
        ok=lambda row: row["status"] == "ok" and "forward_s" in row),
    "scaling": Table(
        "Scaling: seedgrad's per-node cost as the graph grows, GC on as shipped and inside "
        "`autograd.gc_scope()` (the two interleaved).",
        lambda s: [{"GC": gc_mode, **row}
                   for key, gc_mode in (("rows", "as shipped"), ("scope_rows", "gc_scope()"))
                   for row in s.get(key, [])],
        (Column("nodes", count("nodes")), label("GC"), *FORWARD_BACKWARD_NS,
         Column("free ns", number("free_ns")),
         Column("vs smallest", number("vs_smallest")))),
    "compile": Table(
        compile_caption, lambda s: s["rows"],
        (Column("nodes", count("nodes"), failed=count("nodes")),
         Column("compile µs / node", number("compile_us"),
                failed=lambda r: f"{r['status']}: {r['message']}"),
         Column("compiled call ns / node", number("call_ns")),
         Column("eager ns / node", number("eager_ns"), failed=number("eager_ns")),
         Column("eager ÷ compiled", number("eager_over_compiled")))),
    "memory": Table(
        "Memory: peak RSS of one workload per subprocess (train: two steps; nodes: one graph, "
        "forward + backward); growth = peak − peak before the workload.",
        lambda s: [{"workload": kind, "peer": peer, **row}
                   for kind, rows in s.items() for peer, row in rows.items()],
        (label("workload"), label("peer"),
         Column("peak RSS MiB", number("peak_mib"), failed=status),
         Column("growth MiB", number("growth_mib")))),
}
TARGETS = Table(None, lambda rows: rows,
                (label("target"), Column("measured", number("measured")),
                 Column("goal", text("goal")), Column("result", text("result"), numeric=False)))


def render(results: dict[str, Any], summary: bool = False) -> str:
    """Markdown of a run: environment, targets, then each section (summary: train only)."""
    parts = [render_environment(results["meta"]), render_table(TARGETS, results["targets"])]
    for name, table in TABLES.items():
        if name in results and (not summary or name == "train"):
            parts.append(render_table(table, results[name]))
    return "\n\n".join(parts) + "\n"


def update_readme(path: Path, block: str) -> None:
    """Replace the text between the bench-table markers of `path` with `block`."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"{path}: no {TABLE_START} … {TABLE_END} markers")
    head = text[: start + len(TABLE_START)]
    path.write_text(f"{head}\n{block.strip()}\n{text[end:]}", encoding="utf-8")


def interpreter() -> dict[str, Any]:
    """The interpreter build: ratios to pure-Python peers are only comparable within one."""
    config_args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    return {"implementation": platform.python_implementation(),
            "version": platform.python_version(),
            "shared": bool(sysconfig.get_config_var("Py_ENABLE_SHARED")),
            "compiler": platform.python_compiler(),
            "optimizations": "--enable-optimizations" in config_args,
            "lto": "--with-lto" in config_args}


def metadata(quick: bool) -> dict[str, Any]:
    """Where the run happens: versions, CPUs, load."""
    from importlib import metadata as md

    versions = {}
    for dist in ("seedgrad", "micrograd", "torch", "numpy"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            versions[dist] = "not installed"
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "python": platform.python_version(), "platform": platform.platform(terse=True),
            "interpreter": interpreter(),
            "cpus": os.cpu_count(), "load_start": os.getloadavg()[0], "quick": quick,
            "versions": versions}


SECTIONS: dict[str, Callable[[Config], dict[str, Any]]] = {
    "train": bench_train, "nodes": bench_nodes, "depth": bench_depth,
    "scaling": bench_scaling, "compile": bench_compile, "memory": bench_memory,
}


def run(config: Config, only: list[str] | None = None) -> dict[str, Any]:
    """Run the sections (all, or `only`) and return the results with their targets."""
    results: dict[str, Any] = {"meta": metadata(config.quick)}
    for name in only or list(SECTIONS):
        print(f"… {name}", file=sys.stderr, flush=True)
        results[name] = SECTIONS[name](config)
    results["meta"]["load_end"] = os.getloadavg()[0]
    results["targets"] = targets(results)
    return results


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes (< 30 s): a smoke test, numbers mean nothing")
    parser.add_argument("--only", action="append", choices=list(SECTIONS),
                        help="run only this section (repeatable)")
    parser.add_argument("--rounds", type=int, help="repeat count of every section")
    parser.add_argument("--out", type=Path,
                        help=f"write latest.json and latest.md here (default: {RESULTS} "
                        "after a full run, nowhere after --quick or --only)")
    parser.add_argument("--update-readme", action="store_true",
                        help="rewrite README.md's table (full runs only)")
    parser.add_argument("--rss", action="store_true",
                        help="internal: measure peak RSS of one --only train|nodes --peer")
    parser.add_argument("--peer", help="internal: the peer of an --rss probe")
    args = parser.parse_args(argv)
    if args.update_readme and (args.quick or args.only):
        parser.error("--update-readme needs a full run (no --quick, no --only)")
    if args.rss and (not args.peer or not args.only or len(args.only) != 1
                     or args.only[0] not in ("train", "nodes")):
        parser.error("--rss needs --only train|nodes and --peer")
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be ≥ 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write the results; 1 if peers disagree."""
    args = parse(argv)
    config = Config.tiny() if args.quick else Config()
    if args.rounds:
        config.with_rounds(args.rounds)
    if args.rss:
        print(json.dumps(rss_probe(args.only[0], args.peer, config)))
        return 0
    try:
        results = run(config, args.only)
    except MismatchError as error:
        print(f"error: peers disagree, nothing was timed against each other: {error}",
              file=sys.stderr)
        return 1
    text = render(results)
    print(text)
    if results["meta"]["load_start"] > 0.5 * (os.cpu_count() or 1):
        print("note: the machine was busy; ratios are paired per round, absolute times are "
              "noisy", file=sys.stderr)
    out = args.out or (None if args.quick or args.only else RESULTS)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "latest.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        (out / "latest.md").write_text(f"# seedgrad benchmark\n\n{text}", encoding="utf-8")
        print(f"wrote {out / 'latest.json'} and {out / 'latest.md'}", file=sys.stderr)
    if args.update_readme:
        update_readme(README, render(results, summary=True)
                      + "\nAll sections: [benchmarks/results/latest.md]"
                      "(benchmarks/results/latest.md).")
        print(f"updated {README}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
