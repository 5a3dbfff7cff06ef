"""Running a planned sweep into its store: resume, retry, shards, and the dry run.

``run_sweep`` opens (or makes) the store, works out which of the sweep's runs this process
should do (its shard, minus the runs already stored unless they failed and ``retry_failed``
is set), runs them through an executor and stores each record as it arrives: the workers of
a process pool or of a local Dask cluster store their chunks themselves, and this process
stores the records that come back from elsewhere (serial runs, a remote cluster, a lost
worker). Runs that are the same run up to a year (levers that differ only later) go out
together and compute that beginning once (``fork.py``; ``fork=False`` or ``--no-fork`` runs
each from scratch, with the same results). ``dry_run`` counts the runs and times one of
them, in this process, to estimate the whole.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from countysim.experiments.execution import (
    OK,
    ExecutorKind,
    RunTask,
    available_cpus,
    execute,
    open_executor,
    run_task,
    select_shard,
)
from countysim.experiments.fork import fork_chunks, fork_groups, run_forked_chunk
from countysim.experiments.scenario_model import ScenarioModel
from countysim.experiments.store import StoreError, SweepStore
from countysim.experiments.sweep import SweepPlan


def default_store(plan: SweepPlan) -> Path:
    """Where a sweep's results go unless told otherwise: ``results/sweeps/<name>``."""
    return Path("results") / "sweeps" / plan.name


@dataclass(frozen=True)
class SweepOutcome:
    """What one call of ``run_sweep`` did."""

    store: SweepStore
    selected: int  # runs of this shard (all runs without sharding)
    skipped: int  # already stored, not run again
    ran: int
    failed: int  # of those run now
    seconds: float
    forked: int = 0  # runs of those that continued a beginning shared with others
    beginnings: int = 0  # the groups of those runs (each computed its beginning once)

    def format(self) -> str:
        rate = self.ran / self.seconds * 60 if self.seconds > 0 else 0.0
        shared = (
            f"; {self.forked} runs forked from {_count(self.beginnings, 'shared beginning')}"
            if self.forked
            else ""
        )
        return (
            f"{self.store.name}: ran {self.ran} of {self.selected} runs "
            f"({self.skipped} already stored), {self.failed} failed{shared}; "
            f"{self.seconds:.0f} s, {rate:.1f} runs/min; results in {self.store.directory}"
        )


def runs_to_do(
    plan: SweepPlan,
    store: SweepStore,
    shard: tuple[int, int] | None = None,
    *,
    retry_failed: bool = False,
) -> tuple[list[RunTask], list[RunTask]]:
    """This shard's runs, and those of them still to do (not stored; or failed, on retry)."""
    selected = select_shard(plan.runs, *shard) if shard else list(plan.runs)
    finished = store.finished()
    todo = [
        task
        for task in selected
        if task.run_id not in finished or (retry_failed and finished[task.run_id] != OK)
    ]
    return selected, todo


def run_sweep(
    plan: SweepPlan,
    out: str | os.PathLike | None = None,
    *,
    executor: ExecutorKind | Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    max_in_flight: int | None = None,
    shard: tuple[int, int] | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    fork: bool | None = None,
) -> SweepOutcome:
    """Run a sweep (or one shard of it) and store every run.

    ``executor`` is an executor kind (``"process"``, ``"dask"``, ``"serial"``) or any
    ``concurrent.futures.Executor``; it, ``workers``, ``scheduler`` and ``fork`` default to
    the sweep file's ``execution`` settings. ``resume`` continues a store of the same sweep,
    skipping stored runs; ``retry_failed`` (which implies ``resume``) runs the failed ones
    again. A run that raises is stored as failed and the others go on. With ``fork``, runs
    that are identical up to a year compute that beginning once (``fork.py``; the same
    results); ``fork=False`` runs each from scratch.
    """
    started = time.perf_counter()
    store = SweepStore.create(out or default_store(plan), plan, resume=resume or retry_failed)
    selected, todo = runs_to_do(plan, store, shard, retry_failed=retry_failed)
    failed = forked = beginnings = 0
    if todo:
        settings = plan.spec.execution
        kind = executor or settings.executor
        count = workers or settings.workers or available_cpus()
        scheduler = scheduler or settings.scheduler
        chunks = None
        if _forks(plan, fork):
            groups = fork_groups(plan.model.base, todo)
            chunks = fork_chunks(groups, count)
            forked = sum(len(g.tasks) for g in groups if g.forked)
            beginnings = sum(g.forked for g in groups)
        with (
            _executor(kind, count, scheduler, max_in_flight) as (pool, in_flight),
            store.writer(
                flush_runs=settings.flush_runs, flush_seconds=settings.flush_seconds
            ) as writer,
        ):
            # Workers on this machine write their chunks' parts themselves; the records of
            # other executors (a remote cluster, the caller's own) come back to be written here.
            local = isinstance(kind, str) and kind != "serial" and scheduler is None
            for record in execute(
                todo,
                plan.model,
                pool,
                max_in_flight=in_flight,
                progress=progress,
                label=plan.name,
                chunk_for=count if local else None,
                sink=writer.part_writer(todo) if local else None,
                # A group's runs go out together, whichever the executor: one piece, one state.
                chunks=chunks,
                run=run_forked_chunk if chunks is not None else None,
            ):
                if not record.stored:
                    writer.add(record)
                failed += not record.ok
    return SweepOutcome(
        store=store,
        selected=len(selected),
        skipped=len(selected) - len(todo),
        ran=len(todo),
        failed=failed,
        seconds=time.perf_counter() - started,
        forked=forked,
        beginnings=beginnings,
    )


def _forks(plan: SweepPlan, fork: bool | None) -> bool:
    """Whether runs of ``plan`` may fork: asked for (``fork``, else the sweep file's
    setting), and runs of scenarios (a ``ScenarioModel``, whose runs ``fork.py`` continues).
    A panel's model builds each census county from its parameters, so it is not forked."""
    wanted = plan.spec.execution.fork if fork is None else fork
    return wanted and type(plan.model) is ScenarioModel


@contextlib.contextmanager
def _executor(
    executor: ExecutorKind | Executor,
    workers: int | None,
    scheduler: str | None,
    max_in_flight: int | None,
) -> Iterator[tuple[Executor, int]]:
    if isinstance(executor, Executor):  # the caller's: used as it is, and left open
        yield executor, max_in_flight or 2 * (workers or available_cpus())
        return
    with open_executor(executor, workers=workers, scheduler=scheduler) as (pool, in_flight):
        yield pool, max_in_flight or in_flight


@dataclass(frozen=True)
class DryRun:
    """The size of a sweep and how long it should take, from one timed pilot run."""

    name: str
    points: int
    replicates: int
    runs: int
    selected: int
    to_do: int
    workers: int
    pilot_seconds: float
    pilot_error: str | None
    forked: int = 0  # runs to do that continue a beginning shared with others
    beginnings: int = 0
    fork_years: tuple[int, ...] = ()  # the years those beginnings end in

    @property
    def estimate_seconds(self) -> float:
        return self.to_do * self.pilot_seconds / self.workers

    def format(self) -> str:
        lines = [
            f"{self.name}: {self.points} design points x {_count(self.replicates, 'replicate')} = "
            f"{self.runs} runs"
            + (f"; this shard {self.selected}" if self.selected < self.runs else "")
        ]
        if self.to_do < self.selected:
            lines.append(f"  {self.selected - self.to_do} already stored, {self.to_do} to do")
        if self.pilot_error is not None:
            lines.append(
                f"  the pilot run failed after {self.pilot_seconds:.1f} s: {self.pilot_error}"
            )
        else:
            lines.append(
                f"  pilot run {self.pilot_seconds:.1f} s; about {_duration(self.estimate_seconds)} "
                f"on {_count(self.workers, 'worker')} "
                f"({_duration(self.to_do * self.pilot_seconds)} on one), plus worker start-up"
            )
        if self.forked:
            years = sorted(set(self.fork_years))
            ending = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
            lines.append(
                f"  {self.forked} runs fork from {_count(self.beginnings, 'shared beginning')} "
                f"(to the end of {ending}): faster than this estimate for runs from scratch"
            )
        return "\n".join(lines)


def dry_run(
    plan: SweepPlan,
    out: str | os.PathLike | None = None,
    *,
    executor: ExecutorKind | None = None,
    workers: int | None = None,
    shard: tuple[int, int] | None = None,
    retry_failed: bool = False,
    fork: bool | None = None,
) -> DryRun:
    """Count the runs (of this shard, not yet stored at ``out``), and those that would fork
    from a shared beginning, and time the first run of the sweep in this process. Nothing
    is written."""
    selected = select_shard(plan.runs, *shard) if shard else list(plan.runs)
    todo = selected
    directory = Path(out or default_store(plan))
    if directory.exists():
        try:
            store = SweepStore.open(directory)
        except StoreError:
            store = None  # not a store yet: everything is to do
        if store is not None:
            store.check_same_sweep(plan)
            selected, todo = runs_to_do(plan, store, shard, retry_failed=retry_failed)
    settings = plan.spec.execution
    kind = executor or settings.executor
    count = 1 if kind == "serial" else workers or settings.workers or available_cpus()
    pilot = run_task(plan.model, plan.runs[0])
    groups = []
    if _forks(plan, fork):
        groups = [g for g in fork_groups(plan.model.base, todo) if g.forked]
    return DryRun(
        name=plan.name,
        points=len(plan.design),
        replicates=plan.spec.replicates,
        runs=len(plan.runs),
        selected=len(selected),
        to_do=len(todo),
        workers=count,
        pilot_seconds=pilot.wall_seconds,
        pilot_error=pilot.error,
        forked=sum(len(g.tasks) for g in groups),
        beginnings=len(groups),
        fork_years=tuple(g.fork_year for g in groups),
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
