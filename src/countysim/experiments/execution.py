"""Running many independent model runs through any ``concurrent.futures`` executor.

A run is a ``RunTask`` (design point, replicate, seed, parameter values) given to a model, a
picklable callable ``model(parameters, seed)``. ``execute`` sends tasks to an executor, keeps
a bounded number in flight, shows one progress bar with the failures counted, and yields a
``RunRecord`` per finished run in the order they finish. A run that raises becomes a failed
record with its error text and the others go on.

Results do not depend on the executor or on the number of workers: a run's seed comes from
its design point and replicate only (``seeds.py``), and every run starts from scratch, or
from a state it shares with other runs of its chunk whose beginning is the same run
(``fork.py``; the same result).

Workers are started once per executor and reused for every run: each imports Mesa and the
model once, as it starts (``prepare_worker``). For sweeps, runs go out in chunks that shrink
towards the end (``chunk_sizes``), and a worker can store its chunk's records itself (a
``sink``, e.g. the sweep store's part writer), so the parent only counts what finished.

Executors (``open_executor``):

- ``process``: a process pool on this machine. Workers are started with ``spawn`` (``import
  mesa`` makes spawn the default anyway, and fork is unsafe with threads), so they import
  countysim afresh; scripts that start sweeps need an ``if __name__ == "__main__":`` guard.
  Workers get single-threaded numerical libraries (``WORKER_ENVIRONMENT``), as Dask's do.
  Mesa keeps a per-model agent-id counter for the life of a process; ``run_chunk`` drops
  those of the models each run made, so long-lived workers do not accumulate models.
- ``dask``: a Dask distributed cluster (``pip install countysim[dask]``): a ``LocalCluster``
  of single-threaded worker processes, or an existing scheduler given by its address.
- ``serial``: every run in this process, one after the other (debugging, tiny models).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from multiprocessing import get_context
from typing import Any, Literal

import pandas as pd
from tqdm.auto import tqdm

ExecutorKind = Literal["process", "dask", "serial"]
EXECUTOR_KINDS: tuple[ExecutorKind, ...] = ("process", "dask", "serial")

OK, FAILED = "ok", "failed"

#: Environment of pool workers, unless the user set these: one thread per numerical library.
#: A run gains nothing from OpenBLAS threads (measured: same wall time, twice the CPU time),
#: whose spinning would take the cores that other workers need.
WORKER_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class RunTask:
    """One run of a model: which design point and replicate it is, its seed and inputs."""

    run_id: str
    point: int
    replicate: int
    seed: int
    parameters: Mapping[str, Any] = field(default_factory=dict)


def run_id(point: int, replicate: int) -> str:
    """The name of a run in stores and messages, e.g. ``p17-r2``."""
    return f"p{point}-r{replicate}"


@dataclass
class RunOutput:
    """What a model returns: summary numbers and, optionally, tables (e.g. the yearly series)."""

    outputs: dict[str, float]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


#: ``model(parameters, seed)``; a plain mapping of output numbers is fine too.
Model = Callable[[Mapping[str, Any], int], RunOutput | Mapping[str, float]]


@dataclass
class RunRecord:
    """The outcome of one run: its outputs and tables, or the error it raised."""

    task: RunTask
    status: Literal["ok", "failed"]
    outputs: dict[str, float]
    tables: dict[str, pd.DataFrame]
    error: str | None
    traceback: str | None
    wall_seconds: float
    finished_utc: str
    host: str
    stored: bool = False  # written to the sweep store by the worker that ran it

    @property
    def ok(self) -> bool:
        return self.status == OK

    def slim(self) -> RunRecord:
        """This record without its tables, marked as stored: what a worker that wrote the
        record itself sends back."""
        return replace(self, tables={}, stored=True)


#: Most runs handed to a worker in one piece: a chunk's runs reach the store together, so a
#: chunk should stay short next to a sweep, but long enough to make the cost of handing it
#: out (a few milliseconds) and of writing its part negligible.
MAX_CHUNK = 8

#: ``sink(records)``: called in the worker with a finished chunk's records; it may store them
#: and return them slimmed (``RunRecord.slim``), so that tables do not travel to the parent.
Sink = Callable[[list["RunRecord"]], list["RunRecord"]]


def run_task(model: Model, task: RunTask) -> RunRecord:
    """Run one task, turning an exception into a failed record (this runs in the worker)."""
    started = time.perf_counter()
    try:
        result = model(task.parameters, task.seed)
    except Exception as exc:  # any error of the model fails this run, not the sweep
        return _record(task, started, error=exc, trace=traceback.format_exc())
    if not isinstance(result, RunOutput):
        result = RunOutput(dict(result))
    outputs = {name: float(value) for name, value in result.outputs.items()}
    return _record(task, started, outputs=outputs, tables=result.tables)


def run_chunk(model: Model, tasks: Sequence[RunTask], sink: Sink | None = None) -> list[RunRecord]:
    """Run ``tasks`` one after the other in this (worker) process and hand the records to
    ``sink``. After each run, Mesa's id counters of the models it made are dropped: Mesa keeps
    one per model for the life of the process, which would keep every model of a long-lived
    worker in memory."""
    records = []
    for task in tasks:
        known = models_known()
        records.append(run_task(model, task))
        forget_models_made(known)
    return sink(records) if sink is not None else records


#: ``run(model, tasks, sink)``: runs a piece of work in the worker (``run_chunk``, or one that
#: shares work between the runs of the piece, such as ``fork.run_forked_chunk``).
ChunkRunner = Callable[[Model, Sequence[RunTask], Sink | None], list[RunRecord]]


def models_known() -> set:
    """The models Mesa keeps id counters for now (see ``forget_models_made``)."""
    return set(_mesa_model_ids())


def forget_models_made(since: set) -> None:
    """Drop Mesa's id counters of the models made since ``since = models_known()``, as
    ``run_chunk`` does after each run."""
    ids = _mesa_model_ids()
    for made in [m for m in ids if m not in since]:
        del ids[made]


def failed_record(task: RunTask, started: float, error: BaseException, trace: str) -> RunRecord:
    """The record of a run that raised ``error`` (``started``: its ``perf_counter`` start)."""
    return _record(task, started, error=error, trace=trace)


def _mesa_model_ids() -> dict:
    """Mesa's per-model agent-id counters (empty if Mesa is not imported yet)."""
    agent = sys.modules.get("mesa.agent")
    return agent.Agent._ids if agent is not None else {}


def chunk_sizes(runs: int, workers: int, max_chunk: int = MAX_CHUNK) -> list[int]:
    """How many runs each chunk of a sweep gets, in order: a share of the runs not yet handed
    out (half of their share per worker), at most ``max_chunk`` and at least one. Chunks thus
    shrink towards the end, so workers finish together; the sizes depend only on the counts,
    not on timing."""
    sizes = []
    while runs > 0:
        size = max(1, min(max_chunk, runs // (2 * max(workers, 1))))
        sizes.append(size)
        runs -= size
    return sizes


def prepare_worker() -> None:
    """Import in a fresh worker what every run needs (Mesa, the model and its modules, the
    store's Parquet writer), once, as the worker starts rather than in its first run."""
    import pyarrow.parquet  # noqa: F401

    import countysim.experiments.scenario_model  # noqa: F401
    import countysim.model  # noqa: F401


def _record(
    task: RunTask,
    started: float,
    *,
    outputs: dict[str, float] | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    error: BaseException | None = None,
    trace: str | None = None,
) -> RunRecord:
    return RunRecord(
        task=task,
        status=FAILED if error is not None else OK,
        outputs=outputs or {},
        tables=tables or {},
        error=None if error is None else f"{type(error).__name__}: {error}",
        traceback=trace,
        wall_seconds=time.perf_counter() - started,
        finished_utc=datetime.now(UTC).isoformat(timespec="milliseconds"),
        host=f"{socket.gethostname()}:{os.getpid()}",
    )


def execute(
    tasks: Sequence[RunTask],
    model: Model,
    executor: Executor,
    *,
    max_in_flight: int,
    progress: bool = True,
    label: str = "runs",
    chunk_for: int | None = None,
    sink: Sink | None = None,
    chunks: Sequence[Sequence[RunTask]] | None = None,
    run: ChunkRunner | None = None,
) -> Iterator[RunRecord]:
    """Run ``tasks`` on ``executor`` and yield their records as they finish.

    At most ``max_in_flight`` pieces of work are submitted at a time, so records stream back
    (and can be stored) while the rest run, and nothing piles up in memory. A piece is one
    task, or with ``chunk_for`` (the number of workers) a chunk of tasks sized by
    ``chunk_sizes``, or one of the given ``chunks`` (which hold ``tasks`` between them);
    ``run`` runs a piece in the worker (default ``run_chunk``); ``sink`` is called there
    with each piece's records (see ``Sink``). A piece whose worker dies is recorded as
    failed with the executor's error. Stopping the iteration cancels the pieces not yet
    started.
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    if chunks is None:
        sizes = chunk_sizes(len(tasks), chunk_for) if chunk_for else [1] * len(tasks)
        ends = itertools.accumulate(sizes)
        chunks = [tasks[end - size : end] for size, end in zip(sizes, ends, strict=True)]
    waiting = iter([list(chunk) for chunk in chunks])
    running: dict[Future, list[RunTask]] = {}
    failed = 0
    bar = tqdm(total=len(tasks), desc=label, unit="run", disable=not progress, smoothing=0.1)
    submit = functools.partial(_submit, executor, run or run_chunk, model, sink)
    try:
        submit(waiting, running, max_in_flight)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                for record in _results(future, running.pop(future)):
                    failed += not record.ok
                    bar.set_postfix(failed=failed, refresh=False)
                    bar.update()
                    yield record
            submit(waiting, running, max_in_flight)
    finally:
        for future in running:
            future.cancel()
        bar.close()


def _submit(
    executor: Executor,
    run: ChunkRunner,
    model: Model,
    sink: Sink | None,
    waiting: Iterator[list[RunTask]],
    running: dict[Future, list[RunTask]],
    max_in_flight: int,
) -> None:
    while len(running) < max_in_flight and (chunk := next(waiting, None)) is not None:
        running[executor.submit(run, model, chunk, sink)] = chunk


def _results(future: Future, chunk: list[RunTask]) -> list[RunRecord]:
    """The records a finished future holds; failed records if the executor itself failed."""
    try:
        return future.result()
    except Exception as exc:  # e.g. a worker process killed by the system
        return [_record(task, time.perf_counter(), error=exc) for task in chunk]


class InlineExecutor(Executor):
    """An executor that runs each call in the calling process as soon as it is submitted:
    the ``serial`` choice, with exactly the code path of the parallel ones."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def available_cpus() -> int:
    """CPUs this process may use (respects affinity masks, e.g. a SLURM allocation)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextlib.contextmanager
def open_executor(
    kind: ExecutorKind = "process", *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[tuple[Executor, int]]:
    """An executor of the given kind and how many tasks to keep in flight on it.

    ``workers`` defaults to every available CPU (``process``, local ``dask``); ``scheduler``
    is the address of a running Dask scheduler (``dask`` only), e.g. ``tcp://10.0.0.5:8786``.
    Everything started here is shut down on exit, pending tasks cancelled.
    """
    if kind not in EXECUTOR_KINDS:
        raise ValueError(f"unknown executor {kind!r}; choose from {', '.join(EXECUTOR_KINDS)}")
    if scheduler is not None and kind != "dask":
        raise ValueError("a scheduler address needs the dask executor")
    if kind == "serial":
        yield InlineExecutor(), 1
        return
    if kind == "process":
        count = workers or available_cpus()
        # Workers are spawned as tasks arrive and inherit the environment at that moment.
        with _environment_defaults(WORKER_ENVIRONMENT):
            pool = ProcessPoolExecutor(
                max_workers=count, mp_context=get_context("spawn"), initializer=prepare_worker
            )
            try:
                yield pool, 2 * count  # one running and one queued per worker
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        return
    with _dask_client(workers, scheduler) as client:
        # Everything at once: the scheduler balances the work, also over workers that join.
        yield client.get_executor(pure=False), 1 << 30


@contextlib.contextmanager
def _environment_defaults(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables that are not set yet, for as long as the block runs."""
    added = [name for name in values if name not in os.environ]
    os.environ.update({name: values[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


@contextlib.contextmanager
def _dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError(
            "the dask executor needs dask.distributed: pip install 'countysim[dask]'"
        ) from None
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    count = workers or available_cpus()
    with (
        _environment_defaults(WORKER_ENVIRONMENT),
        LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(prepare_worker)  # on every worker at once, before the first run
        yield client


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` → (I, N): this process runs shard I (0-based) of N, e.g. a job-array task."""
    index, sep, count = text.partition("/")
    try:
        shard = int(index), int(count)
    except ValueError:
        shard = None
    if not sep or shard is None or not 0 <= shard[0] < shard[1]:
        raise ValueError(f"a shard is I/N with 0 <= I < N, e.g. 0/8; got {text!r}")
    return shard


def select_shard(tasks: Iterable[RunTask], index: int, count: int) -> list[RunTask]:
    """Every ``count``-th task starting at ``index``: shards are disjoint, cover all tasks,
    and mix cheap and expensive design points alike."""
    return list(tasks)[index::count]
