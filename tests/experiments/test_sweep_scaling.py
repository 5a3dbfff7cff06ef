"""Sweeps on reused workers: runs handed out in chunks, parts written by the workers, Mesa's
id counters dropped between runs, and the same numbers whatever the number of workers."""

from __future__ import annotations

from concurrent.futures import Executor, Future

import mesa
import pytest
from sweep_helpers import LHS_SWEEP, assert_same_results, write_sweep

from countysim.experiments import load_sweep, run_sweep
from countysim.experiments.execution import (
    MAX_CHUNK,
    InlineExecutor,
    RunTask,
    chunk_sizes,
    execute,
    run_chunk,
)
from countysim.experiments.store import RUNS, SweepStore

SWEEP_RUNS = 12  # LHS_SWEEP: 6 design points x 2 replicates


@pytest.mark.parametrize(("runs", "workers"), [(1, 1), (12, 3), (500, 2), (500, 16), (37, 64)])
def test_chunks_cover_every_run_and_shrink_towards_the_end(runs, workers):
    sizes = chunk_sizes(runs, workers)
    assert sum(sizes) == runs
    assert all(1 <= size <= MAX_CHUNK for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    # The last chunk of every worker is a single run, so they finish close together.
    assert sizes[-min(workers, len(sizes)) :] == [1] * min(workers, len(sizes))


def test_workers_write_their_chunks_and_any_worker_count_gives_the_same_store(tmp_path):
    path = write_sweep(tmp_path, LHS_SWEEP)
    plan = load_sweep(path)
    reference = run_sweep(plan, tmp_path / "serial", executor="serial", progress=False).store
    outcome = run_sweep(plan, tmp_path / "three", executor="process", workers=3, progress=False)
    assert outcome.failed == 0
    assert_same_results(outcome.store, reference)
    # One part per chunk, each written by the worker that ran it (the parent writes none).
    parts = sorted((outcome.store.directory / RUNS).glob("part-*.parquet"))
    assert len(parts) == len(chunk_sizes(SWEEP_RUNS, 3))
    hosts = outcome.store.runs().groupby("batch")["host"].nunique()
    assert (hosts == 1).all()


def _make_a_model(parameters, seed):
    """A model whose run leaves a Mesa model behind (it makes one and raises if asked)."""
    model = mesa.Model(rng=seed)
    mesa.Agent(model)
    if parameters.get("fail"):
        raise RuntimeError("asked to fail")
    return {"agents": float(len(model.agents))}


def test_run_chunk_drops_the_id_counters_of_the_models_its_runs_made():
    mine = mesa.Model(rng=1)
    mesa.Agent(mine)
    before = set(mesa.Agent._ids)
    tasks = [RunTask("p0-r0", 0, 0, 5), RunTask("p1-r0", 1, 0, 6, {"fail": True})]
    records = run_chunk(_make_a_model, tasks)
    assert [r.status for r in records] == ["ok", "failed"]
    # The runs' models are forgotten (also the one of the run that raised); the caller's
    # own model keeps its counter, so its next agent does not reuse an id.
    assert set(mesa.Agent._ids) == before and mine in mesa.Agent._ids
    assert mesa.Agent(mine).unique_id == 2


class _DyingExecutor(Executor):
    """An executor whose every piece of work is lost, as when a worker process is killed."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_exception(RuntimeError("worker died"))
        return future


def test_a_lost_chunk_fails_each_of_its_runs_and_leaves_them_to_the_parent():
    tasks = [RunTask(f"p{i}-r0", i, 0, i) for i in range(5)]
    sink_calls = []
    records = list(
        execute(
            tasks,
            _make_a_model,
            _DyingExecutor(),
            max_in_flight=2,
            progress=False,
            chunk_for=1,
            sink=sink_calls.append,
        )
    )
    assert sorted(r.task.run_id for r in records) == sorted(t.run_id for t in tasks)
    assert all(not r.ok and not r.stored and "worker died" in r.error for r in records)
    assert not sink_calls


def test_a_retried_run_written_by_a_worker_is_its_next_attempt(tmp_path):
    path = write_sweep(tmp_path, LHS_SWEEP)
    plan = load_sweep(path)
    out = tmp_path / "store"
    run_sweep(plan, out, executor="serial", progress=False)
    store = SweepStore.open(out)
    with store.writer() as writer:
        sink = writer.part_writer(plan.runs[:2])
        assert sink.attempts == {plan.runs[0].run_id: 1, plan.runs[1].run_id: 1}
        records = list(
            execute(
                plan.runs[:2],
                plan.model,
                InlineExecutor(),
                max_in_flight=1,
                progress=False,
                chunk_for=1,
                sink=sink,
            )
        )
    assert all(r.stored and not r.tables for r in records)
    attempts = store.attempts().groupby("run_id")["attempt"].max()
    assert attempts[plan.runs[0].run_id] == 2 and attempts[plan.runs[2].run_id] == 1
    assert len(store.series()) == len(SweepStore.open(out).series())
