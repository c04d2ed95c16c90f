"""The compiled callable: runs generated code, traces again when it must, falls back to
eager mode where eager mode decides (an inf or nan, an exception), and says so otherwise."""

from __future__ import annotations

import itertools
import math
import operator
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd import engine
from autograd._compile.emit import Program
from autograd._compile.names import sanitise
from autograd._compile.trace import (
    Miss,
    NonFinite,
    Probes,
    Trace,
    TraceError,
    argument_float,
    run_traced,
)
from autograd._gcscope import gc_scope
from autograd.engine import Value

MAX_TRACES = 64  # per compiled function: the least recently used trace is dropped beyond this
"""Traces kept per compiled function; beyond this the least recently used is dropped."""
VERIFY_TOLERANCE = 1e-12
_SEEDS = {"sum": 1.0, "mean": None}  # batch's reductions (None: 1/count)
_SEQUENCES = {list, tuple}
_NUMBERS = {float, int}
_KINDS = ("call", "forward", "batch")


class Compiled:
    """`fn` compiled: call it, `.forward` it, `.batch` it over rows; `.source` is the code.

    Attributes:
        fn: the function that was compiled (traced again when a guard fails).
        retrace: whether a failed guard traces again (else `TraceError`).
        nargs: the number of arguments `fn` takes.
        names: the argument names used in the generated code.
        fn_name: `fn`'s name as used in the generated code.
    """

    def __init__(self, fn: Callable[..., Any], example_args: tuple[Any, ...], retrace: bool):
        self.fn = fn
        self.retrace = retrace
        self.nargs = len(example_args)
        self.names = _argument_names(fn, self.nargs)
        self.fn_name = sanitise(getattr(fn, "__name__", "") or "") or "fn"
        if self.fn_name == "lambda":
            self.fn_name = "fn"
        self._lock = threading.RLock()
        self._cache: OrderedDict[Any, list[Program]] = OrderedDict()  # least recent first
        self._static: frozenset[int] = frozenset()
        self._lifted: frozenset[int] = frozenset()  # static floats taken as inputs
        self._warned: set[str] = set()
        args = [_from_numpy(a) for a in example_args]
        with gc_scope():  # tracing and code generation make many objects, no cycles
            trace, self._static = self._first_trace(args)
            program = self._lift(args)
            if program is None:
                program = self._program(trace)
            self._last = self._add(self._key(args), program)

    # -- public ----------------------------------------------------------------------------
    def __call__(self, *args: Any) -> float | list[float]:
        """Forward and backward: ADD ∂output/∂p to every parameter's `.grad`; the output.

        Like `fn(*args).backward()` (for a list output, every output's backward), as floats.
        """
        if engine.observing() is not None:  # observed (another trace): be `fn` itself
            return self.fn(*args)
        checked = self._check(args)
        if not engine.is_grad_enabled():
            return self.forward(*checked)
        outs, grads, input_grads, single = self._run(checked, 1.0)
        for arg, gs in zip(checked, input_grads):
            if gs is None:
                continue
            if isinstance(arg, Value):
                grads[arg] = grads.get(arg, 0.0) + gs
            elif isinstance(arg, (list, tuple)):
                for v, g in zip(arg, gs):
                    if isinstance(v, Value):
                        grads[v] = grads.get(v, 0.0) + g
        engine._accumulate(grads)
        return outs[0] if single else list(outs)

    def forward(self, *args: Any) -> float | list[float]:
        """The output only (no gradients), as floats."""
        checked = self._check(args)
        outs, _, _, single = self._run(checked, None)
        return outs[0] if single else list(outs)

    def verify(self, *args: Any) -> None:
        """Run compiled code and eager mode on `args` and compare; no `.grad` changes.

        Call it once on new code: a trace records one run of `fn`, so a function that is
        not a pure function of its arguments and parameters (`random.random()`, a global
        that changes, a branch on `.data`) gives compiled results that differ from eager's.

        Raises:
            TraceError: an output or a parameter gradient differs by more than 1e-12
                (relative), naming the first that does.
        """
        checked = self._check(args)
        outs, grads, input_grads, _ = self._run(checked, 1.0)
        want_outs, want_grads, want_inputs = self._eager(checked, 1.0)
        where = f"compiled {self.fn_name}: verify"
        advice = ("fn is not a pure function of its arguments and parameters (random "
                  "numbers, a global that changes, a branch on .data?): compiled code "
                  "replays the trace")
        if len(outs) != len(want_outs):
            raise TraceError(f"{where}: compiled code gives {len(outs)} outputs, eager mode "
                             f"{len(want_outs)}; {advice}")
        for k, (got, want) in enumerate(zip(outs, want_outs)):
            if not _close(got, want, abs(want)):
                raise TraceError(f"{where}: output {k} is {got!r} compiled but {want!r} in "
                                 f"eager mode; {advice}")
        scale = max([abs(g) for g in want_grads.values() if math.isfinite(g)] + [0.0])
        for k, p in enumerate(dict.fromkeys([*want_grads, *grads])):
            got, want = grads.get(p, 0.0), want_grads.get(p, 0.0)
            if not _close(got, want, scale):
                raise TraceError(f"{where}: the gradient of parameter {_describe(p, k)} is "
                                 f"{got!r} compiled but {want!r} in eager mode; {advice}")
        for i, (got, want) in enumerate(zip(input_grads, want_inputs)):
            if got is None:  # a static argument
                continue
            pairs = zip(got, want) if isinstance(got, list) else [(got, want)]
            for j, (a, b) in enumerate(pairs):
                if not _close(a, b, scale):
                    raise TraceError(f"{where}: the gradient of argument {self.names[i]} "
                                     f"(item {j}) is {a!r} compiled but {b!r} in eager "
                                     f"mode; {advice}")

    def batch(self, *arg_lists: Any, reduction: str = "sum") -> float | list[float]:
        """Run over rows (`arg_lists[i][n]` is argument i of row n) in one generated loop.

        Returns Σₙ fn(rowₙ) (`reduction="sum"`, the seed's L = Σₙ Cⁿ) or its mean, and adds
        that reduced output's gradient to every parameter's `.grad`, all at once.

        Raises:
            TypeError: wrong number of argument lists, or a row holds a non-number.
            ValueError: the lists differ in length, are empty, `reduction` is unknown, or
                rows give outputs of different shapes (they cannot be summed).
        """
        columns, count = _columns(arg_lists, self.nargs, reduction)
        seed = _SEEDS[reduction] or 1.0 / count
        grad_on = engine.is_grad_enabled()
        fast = self._fast_rows(columns)
        if fast is not None:  # one shape, no static arguments: one group, rows ready
            groups = {fast[0]: list(range(count))}
        else:
            groups = {}
            for n in range(count):
                groups.setdefault(self._key([c[n] for c in columns]), []).append(n)
        run = _BatchRun(count)
        for key, members in groups.items():
            program = self._program_for(key, [c[members[0]] for c in columns])
            redo = list(range(len(members)))
            if grad_on:
                flat_rows = fast[1] if fast is not None else [
                    self._flat([c[n] for c in columns]) for n in members]
                redo = run.generated(program, members, flat_rows, seed, fast is not None)
            for k in redo:  # eager mode decides these rows, one by one
                found, row_grads, _, single = self._run([c[members[k]] for c in columns],
                                                        seed if grad_on else None)
                run.eager(members[k], found, row_grads, single)
        for failure in run.gave_up:  # eager mode ran those rows without an error
            self._note(failure)
        grads = run.gradients()
        if grads:
            engine._accumulate(grads)
        single, width = run.shapes.pop()
        totals = [_total([out[i] for out in run.outs]) for i in range(width)]
        if reduction == "mean":
            totals = [t * (1.0 / count) for t in totals]
        return totals[0] if single else totals

    def prepare(self, *kinds: str) -> None:
        """Run Python's compile() on the generated code now instead of at first use.

        `kinds`: 'call', 'forward', 'batch' (default: all three).

        Raises:
            ValueError: an unknown kind.
        """
        for kind in kinds or _KINDS:
            if kind not in _KINDS:
                raise ValueError(f"prepare: kind must be 'call', 'forward' or 'batch', "
                                 f"got {kind!r}")
            self._last.function(kind)

    @property
    def source(self) -> str:
        """The generated Python of every trace (one function per trace, forward + backward)."""
        with self._lock:
            programs = [p for ps in self._cache.values() for p in ps]
        return "\n\n".join(program.sources["call"] for program in programs)

    @property
    def batch_source(self) -> str:
        """The generated loop `batch` runs (of the most recent trace)."""
        return self._last.sources["batch"]

    @property
    def parameters(self) -> list[Value]:
        """The parameters the most recent trace reads (Value leaves that are not arguments)."""
        return list(self._last.params)

    @property
    def traces(self) -> int:
        """How many traces are cached (more than one after guards or static values changed;
        at most `MAX_TRACES`, the least recently used dropped first)."""
        with self._lock:
            return sum(len(p) for p in self._cache.values())

    def __repr__(self) -> str:
        return f"<autograd.compile {self.fn_name}: {self.traces} trace(s)>"

    # -- machinery -------------------------------------------------------------------------
    def _check(self, args: tuple[Any, ...]) -> list[Any]:
        if len(args) != self.nargs:
            raise TypeError(f"compiled {self.fn_name}: takes {self.nargs} arguments, "
                            f"got {len(args)}")
        return [_from_numpy(a) for a in args]

    def _first_trace(self, args: list[Any]) -> tuple[Trace, frozenset[int]]:
        """Trace with every argument as Values; on a TypeError try one static argument (the
        last first), then more; with all of them static, fn's own errors are raised."""
        n = self.nargs
        tries: list[frozenset[int]] = [frozenset()] + [frozenset({i}) for i in reversed(range(n))]
        tries += [frozenset(range(n - k, n)) for k in range(2, n)]
        for static in tries:
            try:
                return run_traced(self.fn, args, static, self.names), static
            except TypeError:
                continue  # fn refused a Value somewhere: specialise on other arguments
        static = frozenset(range(self.nargs))  # plain numbers: fn's own errors are raised
        return run_traced(self.fn, args, static, self.names), static

    def _lift(self, args: list[Any]) -> Program | None:
        """Floats `fn` refuses as Values (a loss target) become inputs of the generated code
        where `fn` hands them unchanged to an op; checked by a run noting any arithmetic on
        them in Python and by a run at other values against eager mode. If a check fails,
        they stay static (one trace per value) and a warning says why. The program, or None.
        """
        lifted = frozenset(i for i in self._static if _floats(args[i]))
        if not lifted:
            return None
        self._lifted = lifted
        reason = ""
        try:
            program = self._program(run_traced(self.fn, args, self._static, self.names,
                                               lifted=lifted))
            probes = Probes()
            run_traced(self.fn, args, self._static, self.names, check=False, lifted=lifted,
                       probe=probes)
            if probes.uses:
                reason = f"fn computes with it in Python ({probes.uses[0]})"
            else:
                for how in _MOVES:  # another value fn accepts (a ±1 label takes only -v)
                    moved = [_moved(a, how) if i in lifted else a for i, a in enumerate(args)]
                    try:
                        want_outs, want_grads, _ = self._eager(moved, 1.0)
                        break
                    except (ArithmeticError, ValueError, TypeError):
                        continue
                else:
                    raise ValueError("fn accepts no other value")
                outs, grads, _ = program.function("call")(program.params, *self._flat(moved),
                                                          1.0)
                want = [*want_outs, *(want_grads.get(p, 0.0) for p in program.params)]
                got = [*outs, *grads]
                scale = max([abs(x) for x in want if math.isfinite(x)] + [0.0])
                if len(got) != len(want) or not all(map(_close, got, want, [scale] * len(got))):
                    reason = "at another value compiled code and eager mode differ"
        except Exception as error:  # noqa: BLE001 (any failure of a check run: stay static)
            reason = f"a check run at another value failed ({type(error).__name__})"
        if not reason:
            return program
        self._lifted = frozenset()
        which = ", ".join(self.names[i] for i in sorted(lifted))
        self._warn(f"argument {which} is a float fn refuses as a Value, and {reason}: compiled "
                   f"code is specialised on its value (one trace per distinct value, at most "
                   f"{MAX_TRACES} kept); pass it as a Value for one trace")
        return None

    def _fast_rows(self, columns: list[list[Any]]
                   ) -> tuple[Any, list[tuple[Any, ...]]] | None:
        """(key, flat rows of floats) if no argument is static and every row has the first
        row's shape and holds only floats and ints; else None (the general path)."""
        if self._static - self._lifted or not columns:
            return None
        first = [c[0] for c in columns]
        key = self._key(first)
        per_row: list[Iterable[tuple[Any, ...]]] = []  # each column as one tuple per row
        for column, arg in zip(columns, first):
            kinds = set(map(type, column))  # the checks and the flattening all run in C
            if type(arg) in _SEQUENCES:
                if not kinds <= _SEQUENCES or set(map(len, column)) != {len(arg)}:
                    return None
                per_row.append(map(tuple, column))
            elif kinds & _SEQUENCES:
                return None
            else:
                per_row.append(zip(column))
        joined = per_row[0]
        for more in per_row[1:]:
            joined = map(operator.add, joined, more)
        rows: list[tuple[Any, ...]] = list(joined)
        kinds = set(map(type, itertools.chain.from_iterable(rows)))
        if not kinds <= _NUMBERS:
            return None
        if int in kinds:
            rows = [tuple(map(float, row)) for row in rows]
        return key, rows

    def _key(self, args: Sequence[Any]) -> tuple[Any, ...]:
        key = []
        for i, arg in enumerate(args):
            if i in self._static and i not in self._lifted:
                key.append(_static_key(arg))
            elif isinstance(arg, (list, tuple)):
                key.append(len(arg))
            else:
                key.append(None)
        return tuple(key)

    def _flat(self, args: Sequence[Any]) -> list[float]:
        flat: list[float] = []
        for i, arg in enumerate(args):
            if i in self._static and i not in self._lifted:
                continue
            if isinstance(arg, (list, tuple)):
                flat += [v if type(v) is float else argument_float(v, i) for v in arg]
            else:
                flat.append(arg if type(arg) is float else argument_float(arg, i))
        return flat

    def _program(self, trace: Trace) -> Program:
        return Program(trace, self.fn_name)

    def _add(self, key: Any, program: Program, why: str = "") -> Program:
        """Cache a new trace: first in its key's list, the key most recently used; beyond
        `MAX_TRACES` the least recently used traces are dropped."""
        with self._lock:
            programs = self._cache.setdefault(key, [])
            programs.insert(0, program)
            self._cache.move_to_end(key)
            total = sum(len(p) for p in self._cache.values())
            if total > MAX_TRACES:
                self._warn(f"more than {MAX_TRACES} traces were needed (guards or static "
                           f"arguments keep changing; the latest: {why}); the "
                           f"least recently used are dropped and traced again when needed")
            while total > MAX_TRACES:
                oldest = next(iter(self._cache))
                dropped = self._cache[oldest].pop()
                total -= 1
                if not self._cache[oldest]:
                    del self._cache[oldest]
                del dropped
            self._last = program
        return program

    def _forget(self, key: Any, program: Program) -> None:
        with self._lock:
            programs = self._cache.get(key, [])
            if program in programs:
                programs.remove(program)
            if not programs:
                self._cache.pop(key, None)
            if self._last is program:
                self._last = next((p for ps in reversed(self._cache.values()) for p in ps),
                                  program)

    def _programs(self, key: Any) -> list[Program]:
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                return []
            self._cache.move_to_end(key)
            return list(found)

    def _program_for(self, key: Any, args: Sequence[Any]) -> Program:
        found = self._programs(key)
        return found[0] if found else self._retrace(key, args, None)

    def _retrace(self, key: Any, args: Sequence[Any], miss: tuple[Program, int] | None
                 ) -> Program:
        if not self.retrace:
            if miss is not None:
                program, k = miss
                raise TraceError(f"compiled {self.fn_name}: guard failed: traced, "
                                 f"{program.said[k]}; this call differs (retrace=False)")
            raise TraceError(f"compiled {self.fn_name}: these arguments need a new trace "
                             f"(a new value of a static argument, or a new list length: "
                             f"{_short(key)}); retrace=False")
        why = f"a guard failed: traced, {miss[0].said[miss[1]]}" if miss is not None else \
            f"new static arguments {_short(key)}"
        with gc_scope():
            trace = run_traced(self.fn, args, self._static, self.names, lifted=self._lifted)
            return self._add(key, self._program(trace), why)

    def _run(self, args: Sequence[Any], seed: float | None
             ) -> tuple[tuple[float, ...], dict[Value, float], list[Any], bool]:
        """(outputs, {parameter: gradient}, input gradients per argument, single output?)
        for one call; `seed` None: the forward only. Tries the cached traces of these
        arguments, traces again on a guard miss, and hands inf/nan and errors to eager."""
        flat = self._flat(args)
        key = self._key(args)
        kind = "forward" if seed is None else "call"
        fresh: Program | None = None
        while True:
            miss = None
            for program in ([fresh] if fresh is not None else self._programs(key)):
                try:
                    if seed is None:
                        outs = program.function(kind)(program.params, *flat)
                        return outs, {}, [], program.single
                    outs, grads, input_grads = program.function(kind)(program.params, *flat,
                                                                      seed)
                    if not (_finite(grads) and _finite(input_grads)):
                        raise NonFinite  # gradients too: where eager's are finite, these are
                except Miss as error:
                    miss = (program, error.args[0])
                    continue
                except Exception as error:
                    outs, found, inputs = self._eager(args, seed)
                    self._note(error)
                    return outs, found, inputs, program.single
                return (outs, dict(zip(program.params, grads)),
                        self._unflatten(args, input_grads), program.single)
            if fresh is not None and miss is not None:  # traced on these very arguments
                self._warn("a guard of a trace made on these very arguments failed (fn "
                           f"reads a Value's number in a way compiled code cannot replay: "
                           f"{fresh.said[miss[1]]}); such calls run in eager mode")
                self._forget(key, fresh)  # it cannot serve the arguments it was made for
                outs, found, inputs = self._eager(args, seed)
                return outs, found, inputs, fresh.single
            fresh = self._retrace(key, args, miss)

    def _note(self, error: Exception) -> None:
        """After eager mode redid a call the generated code gave up on: an inf/nan or an
        error eager mode also raises is eager's business; anything else is said once."""
        if not isinstance(error, NonFinite):
            self._warn(f"generated code raised {type(error).__name__} ({_clip(error)}) where "
                       f"eager mode did not; those calls run in eager mode")

    def _warn(self, reason: str) -> None:
        if reason not in self._warned:
            self._warned.add(reason)
            warnings.warn(f"compiled {self.fn_name}: {reason}", RuntimeWarning, stacklevel=4)

    def _unflatten(self, args: Sequence[Any], flat: Sequence[float]) -> list[Any]:
        out: list[Any] = []
        k = 0
        for i, arg in enumerate(args):
            if i in self._static:
                out.append(None)
            elif isinstance(arg, (list, tuple)):
                out.append(list(flat[k:k + len(arg)]))
                k += len(arg)
            else:
                out.append(flat[k])
                k += 1
        return out

    def _eager(self, args: Sequence[Any], seed: float | None
               ) -> tuple[tuple[float, ...], dict[Value, float], list[Any]]:
        """Run `fn` in eager mode: its exceptions, its numbers (the fallback of any doubt)."""
        trace = run_traced(self.fn, args, self._static, self.names, check=False)
        outs = tuple(o.data for o in trace.outputs)
        if seed is None:
            return outs, {}, []
        found: dict[Value, Any] = {}
        for out in trace.outputs:
            for node, g in engine.backprop(out, seed).items():
                found[node] = found[node] + g if node in found else g
        inputs = set(trace.inputs)
        grads = {}
        for node, g in found.items():
            fn = node._fn
            if node.is_leaf and node not in inputs and (fn is None or not fn.constant):
                grads[node] = g
        flat = [found.get(v, 0.0) for v in trace.inputs]
        return outs, grads, self._unflatten(args, flat)


def _columns(arg_lists: tuple[Any, ...], nargs: int, reduction: str
             ) -> tuple[list[list[Any]], int]:
    """`batch`'s arguments checked: one list of rows per argument, all of one length."""
    if reduction not in _SEEDS:
        raise ValueError(f"batch: reduction must be 'sum' or 'mean', got {reduction!r}")
    if len(arg_lists) != nargs:
        raise TypeError(f"batch: fn takes {nargs} arguments, got {len(arg_lists)} "
                        f"argument lists")
    columns = [_column(c, i) for i, c in enumerate(arg_lists)]
    count = len(columns[0]) if columns else 0
    for i, column in enumerate(columns):
        if len(column) != count:
            raise ValueError(f"batch: argument list 0 has {count} rows but argument list "
                             f"{i} has {len(column)}")
    if count == 0:
        raise ValueError("batch: needs at least one row, got none")
    return columns, count


class _BatchRun:
    """What one `batch` call collects over its groups of rows: each row's outputs, the
    output shapes met, and the parameter gradients (from generated code and eager rows)."""

    def __init__(self, count: int):
        self.outs: list[Any] = [None] * count
        self.gave_up: list[Exception] = []  # errors of generated code that eager mode redid
        self.shapes: set[tuple[bool, int]] = set()
        self.grads: dict[Value, float] = {}  # from rows eager mode ran
        self.sums: list[tuple[list[Value], list[float]]] = []  # per distinct parameter list

    def generated(self, program: Program, members: list[int], flat_rows: list[Any],
                  seed: float, all_rows: bool) -> list[int]:
        """Run the generated loop on a group's rows; the rows (positions in `members`) it
        left to eager mode: a guard failed, or all of them on an inf, nan or exception."""
        try:
            found, gs, redo = program.function("batch")(program.params, flat_rows, seed)
            if not _finite(gs):
                raise NonFinite
        except Exception as error:  # eager mode decides, row by row
            found, gs, redo = [], (), list(range(len(members)))
            self.gave_up.append(error)
        self.shapes.add((program.single, program.width))
        if not redo and all_rows:
            self.outs = found
        else:
            done = set(redo)
            for k, out in zip((k for k in range(len(members)) if k not in done), found):
                self.outs[members[k]] = out
        if gs:
            for known, total in self.sums:  # traces of one fn usually read the same parameters
                if known is program.params or known == program.params:
                    total[:] = map(operator.add, total, gs)
                    break
            else:
                self.sums.append((program.params, list(gs)))
        return redo

    def eager(self, row: int, found: tuple[float, ...], row_grads: dict[Value, float],
              single: bool) -> None:
        """A row eager mode ran: its outputs and its parameter gradients."""
        self.shapes.add((single, len(found)))
        for p, g in row_grads.items():
            self.grads[p] = self.grads[p] + g if p in self.grads else g
        self.outs[row] = found

    def gradients(self) -> dict[Value, float]:
        """Every parameter's gradient summed over the rows (or a ValueError, no `.grad`
        changed, if rows gave outputs of different shapes)."""
        if len(self.shapes) > 1:
            raise ValueError(f"batch: rows give outputs of different shapes ("
                             f"{', '.join(_shape(s) for s in sorted(self.shapes))}), which "
                             f"cannot be summed; no .grad was changed. Batch rows of one shape "
                             f"together")
        if len(self.sums) == 1 and not self.grads:  # the usual case: one trace, no row redone
            return dict(zip(*self.sums[0]))
        grads = self.grads
        for params, total in self.sums:
            for p, g in zip(params, total):
                grads[p] = grads[p] + g if p in grads else g
        return grads


def _finite(values: Sequence[float]) -> bool:
    """No inf or nan among `values`: their sum tells at C speed, and only a sum that is not
    finite (an inf, a nan, or finite values beyond the float range) is looked into."""
    return math.isfinite(sum(values)) or all(map(math.isfinite, values))


def _floats(arg: Any) -> bool:
    """A float, or a non-empty list or tuple of floats (what may become an input)."""
    if type(arg) in _SEQUENCES:
        return bool(arg) and all(type(v) is float for v in arg)
    return type(arg) is float


def _inward(v: float) -> float:
    step = 1e-3 * (abs(v) + 1.0)
    return v + step if v <= 0 else v - step


_MOVES: tuple[Callable[[float], float], ...] = (_inward, operator.neg, lambda v: 1.0 - v)


def _moved(arg: Any, move: Callable[[float], float]) -> Any:
    """The argument at another value: nearby towards the inside of [0, 1] and of ±1, or
    its negative, or 1 − it (targets a loss accepts)."""
    return type(arg)(map(move, arg)) if type(arg) in _SEQUENCES else move(arg)


def _total(terms: list[float]) -> float:
    """Σ of the rows' outputs, correctly rounded (inf where the sum overflows)."""
    try:
        return math.fsum(terms)
    except OverflowError:
        return sum(terms)


def _close(got: float, want: float, scale: float) -> bool:
    if got == want or (got != got and want != want):
        return True
    return abs(got - want) <= VERIFY_TOLERANCE * max(abs(want), scale)


def _describe(p: Value, k: int) -> str:
    if p.label:
        return f"{k} (label {p.label!r}, data {p.data!r})"
    if p.role is not None:
        return f"{k} ({p.role.kind} of layer {p.role.layer}, unit {p.role.unit})"
    return f"{k} (data {p.data!r})"


def _shape(shape: tuple[bool, int]) -> str:
    return "one output" if shape[0] else f"a list of {shape[1]}"


def _clip(error: Exception) -> str:
    return str(error)[:200]


def _short(key: Any) -> str:
    try:
        text = repr(key)
    except Exception:  # noqa: BLE001 (an argument's hostile __repr__: say less)
        return "(an argument whose repr fails)"
    return text if len(text) <= 200 else text[:200] + "..."


def _from_numpy(arg: Any) -> Any:
    """numpy arrays and scalars as Python lists and numbers."""
    if not isinstance(arg, Value) and hasattr(arg, "tolist") and hasattr(arg, "ndim"):
        return arg.tolist()
    return arg


def _column(values: Any, i: int) -> list[Any]:
    values = _from_numpy(values)
    if isinstance(values, (str, bytes, Value)) or not isinstance(values, Iterable):
        raise TypeError(f"batch: argument list {i} must be a sequence of rows, got "
                        f"{type(values).__name__} {values!r}")
    return [_from_numpy(row) for row in values]  # a list of numpy rows works as a 2-D array


def _static_key(arg: Any) -> Any:
    if isinstance(arg, (list, tuple)):
        return (type(arg).__name__, tuple(_static_key(a) for a in arg))
    try:
        hash(arg)
    except TypeError:
        return ("id", id(arg))
    return (type(arg), arg)


def _argument_names(fn: Callable[..., Any], count: int) -> list[str]:
    """Hints for the arguments' variable names: fn's parameter names where it has them
    (made safe and unique by the generated code's namespace)."""
    import inspect  # only when compiling: keeps `import autograd` light

    names: list[str] = []
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    for p in parameters:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(sanitise(p.name) or f"arg{len(names)}")
    while len(names) < count:
        names.append(f"x{len(names)}")
    return names[:count]
