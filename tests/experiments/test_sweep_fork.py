"""Forked sweeps: runs that share their first years compute them once, and every stored
table equals that of the sweep run from scratch; runs that share nothing are not forked."""

from __future__ import annotations

import os

import mesa
import pandas as pd
import pytest
from sweep_helpers import LHS_SWEEP, assert_same_results, write_sweep

from countysim.cli import main
from countysim.config.schedule import value_at
from countysim.experiments import SweepStore, load_sweep, run_sweep
from countysim.experiments.execution import RunTask
from countysim.experiments.fork import MAX_FORK_CHUNK, ForkGroup, fork_chunks, fork_groups
from countysim.experiments.scenario_model import scenario_for
from countysim.model import CountyModel
from countysim.state import continue_in_memory, state_in_memory

#: A land reform from 2014 at four strengths (the tiny county runs 2012-2015), two
#: replicates: for each replicate the four design points are the same run up to 2013.
LEVER_SWEEP = """\
design:
  kind: grid
parameters:
  land.contract_extension.steps[1][1]: {values: [0.0, 0.4, 0.8, 1.0]}
replicates: 2
outputs:
  urbanization_2015: {column: urbanization_resident, year: 2015}
  mean_ratio: {column: income_ratio, stat: mean, years: [2012, 2015]}
"""
#: The base's schedule whose value from 2014 the sweep sets.
REFORM = "  land.contract_extension: {steps: [[2012, 0.0], [2014, 0.5]]}\n"
RUNS = 8


def lever_sweep(directory, body: str = LEVER_SWEEP, reform: str = REFORM):
    path = write_sweep(directory, body)
    path.write_text(path.read_text().replace("set:\n", "set:\n" + reform), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def unforked_store(tmp_path_factory):
    """The lever sweep with every run from scratch: what every forked way must match."""
    path = lever_sweep(tmp_path_factory.mktemp("unforked"))
    outcome = run_sweep(
        load_sweep(path), path.parent / "store", executor="serial", fork=False, progress=False
    )
    assert outcome.failed == 0 and outcome.forked == 0
    return outcome.store


def test_the_groups_are_the_replicates_and_fork_before_the_reform(tmp_path):
    plan = load_sweep(lever_sweep(tmp_path))
    groups = fork_groups(plan.model.base, plan.runs)
    assert [g.fork_year for g in groups] == [2013, 2013]
    assert [sorted({t.replicate for t in g.tasks}) for g in groups] == [[0], [1]]
    assert sorted(t.run_id for g in groups for t in g.tasks) == sorted(t.run_id for t in plan.runs)


@pytest.mark.parametrize("executor, workers", [("serial", 1), ("process", 2)])
def test_a_forked_sweep_stores_the_same_tables_as_runs_from_scratch(
    executor, workers, unforked_store, tmp_path
):
    plan = load_sweep(lever_sweep(tmp_path))
    outcome = run_sweep(
        plan, tmp_path / "store", executor=executor, workers=workers, progress=False
    )
    assert (outcome.failed, outcome.forked, outcome.beginnings) == (0, RUNS, 2)
    assert "8 runs forked from 2 shared beginnings" in outcome.format()
    assert_same_results(outcome.store, unforked_store)
    # The reform acts: the forked runs did continue under their own levers.
    runs = outcome.store.runs()
    assert runs["urbanization_2015"].nunique() > 2


def test_the_dask_executor_forks_to_the_same_tables(unforked_store, tmp_path):
    pytest.importorskip("distributed")
    plan = load_sweep(lever_sweep(tmp_path))
    outcome = run_sweep(plan, tmp_path / "store", executor="dask", workers=2, progress=False)
    assert outcome.forked == RUNS
    assert_same_results(outcome.store, unforked_store)


def test_shards_and_a_resume_fork_what_they_have_to_do(unforked_store, tmp_path):
    """Shard 0 of 3 forks its own runs; the resume forks only the runs still missing."""
    plan = load_sweep(lever_sweep(tmp_path))
    out = tmp_path / "store"
    first = run_sweep(plan, out, executor="serial", shard=(0, 3), progress=False)
    assert first.ran == 3 and first.forked == 2  # p0-r0 and p3-r0 fork; p1-r1 is alone
    assert first.beginnings == 1
    rest = run_sweep(plan, out, executor="serial", resume=True, progress=False)
    assert (rest.skipped, rest.ran, rest.forked, rest.beginnings) == (3, 5, 5, 2)
    assert SweepStore.open(out).attempts()["run_id"].is_unique
    assert_same_results(rest.store, unforked_store)


def test_the_command_line_turns_forking_off(capsys, unforked_store, tmp_path):
    path = lever_sweep(tmp_path)
    out = tmp_path / "store"
    argv = ["sweep", path, "--out", out, "--executor", "serial", "--quiet", "--no-fork"]
    assert main([os.fspath(a) for a in argv]) == 0
    stdout = capsys.readouterr().out
    assert "ran 8 of 8 runs" in stdout and "forked" not in stdout
    assert_same_results(SweepStore.open(out), unforked_store)
    fresh = tmp_path / "fresh"
    assert main([os.fspath(a) for a in ["sweep", path, "--out", fresh, "--dry-run"]]) == 0
    assert "8 runs fork from 2 shared beginnings (to the end of 2013)" in capsys.readouterr().out
    assert not fresh.exists()


def test_behavioural_parameters_and_independent_streams_share_nothing(tmp_path):
    """An LHS over the location choice acts from the start; independent streams give every
    design point its own seeds; a lever that differs from the first year acts on the
    spin-up. None of them forks, and their sweeps run as before."""
    behavioural = load_sweep(write_sweep(tmp_path, LHS_SWEEP, name="lhs"))
    assert not any(g.fork_year for g in fork_groups(behavioural.model.base, behavioural.runs))
    independent = load_sweep(
        lever_sweep(tmp_path, LEVER_SWEEP.replace("replicates: 2", "streams: independent"))
    )
    assert not any(g.forked for g in fork_groups(independent.model.base, independent.runs))
    body = LEVER_SWEEP.replace("steps[1][1]", "steps[0][1]")
    from_the_start = load_sweep(
        lever_sweep(tmp_path, body, reform="  land.contract_extension: {steps: [[2012, 0.5]]}\n")
    )
    assert not any(g.forked for g in fork_groups(from_the_start.model.base, from_the_start.runs))
    assert fork_chunks(fork_groups(behavioural.model.base, behavioural.runs), 2) is None


def test_runs_that_differ_in_their_last_year_fork_before_the_earlier_one(tmp_path):
    body = """\
design:
  kind: list
  points:
    - {years.end: 2015, choice.income_weight: 1.5}
    - {years.end: 2014, choice.income_weight: 1.5}
replicates: 1
outputs:
  ratio_2014: {column: income_ratio, year: 2014}
"""
    plan = load_sweep(write_sweep(tmp_path, body))
    (group,) = fork_groups(plan.model.base, plan.runs)
    assert group.fork_year == 2013 and len(group.tasks) == 2


def _tasks(count: int, replicate: int) -> tuple[RunTask, ...]:
    return tuple(RunTask(f"p{i}-r{replicate}", i, replicate, replicate) for i in range(count))


def test_fork_chunks_keep_groups_together_and_cut_them_only_to_fill_workers():
    groups = [ForkGroup(_tasks(6, r), 2019) for r in range(2)] + [ForkGroup(_tasks(1, 9), None)]
    chunks = fork_chunks(groups, workers=2)
    assert [len(c) for c in chunks] == [6, 6, 1]
    assert {t.replicate for t in chunks[0]} == {0} and {t.replicate for t in chunks[1]} == {1}
    # Four workers: each group is cut in two, so that no worker waits.
    assert sorted(len(c) for c in fork_chunks(groups, workers=4)) == [1, 3, 3, 3, 3]
    # A large group goes out in pieces of at most MAX_FORK_CHUNK runs.
    large = [ForkGroup(_tasks(3 * MAX_FORK_CHUNK, 0), 2019)]
    assert [len(c) for c in fork_chunks(large, workers=1)] == [MAX_FORK_CHUNK] * 3


def test_every_lever_changed_later_continues_the_shared_state_as_a_run_from_scratch(tmp_path):
    """What forking relies on, for each lever of every module: a run whose lever changes
    from 2014 on equals, in every recorded table, the run that continues the state of
    2013 shared with the unchanged scenario. A module that read a lever's later values
    before the change (e.g. when it is set up) would fail here."""
    base = load_sweep(lever_sweep(tmp_path)).model.base
    beginning = CountyModel(scenario_for(base, {}))
    while beginning.year < 2013:
        beginning.step()
    state = state_in_memory(beginning)
    for path, schedule in beginning.policy.schedules.items():
        before = [value_at(schedule, year) for year in (2012, 2013, 2014)]
        changed = before[2] / 2 if before[2] else 0.5
        steps = [[2012, before[0]], [2013, before[1]], [2014, changed]]
        scenario = scenario_for(base, {path: {"steps": steps}})
        from_scratch = _forget(CountyModel(scenario).run()).recorder.tables()
        continued = _forget(continue_in_memory(state, scenario).run()).recorder.tables()
        for name, table in from_scratch.items():
            pd.testing.assert_frame_equal(continued[name], table, check_exact=True, obj=path)
    _forget(beginning)


def _forget(model):
    """The model, with Mesa's id counter of it dropped (as sweeps do after each run)."""
    mesa.Agent._ids.pop(model, None)
    return model


def test_a_beginning_that_raises_fails_every_run_of_its_group(monkeypatch, tmp_path):
    """Each run would have met the error on its own: all are recorded as failed with it."""
    import countysim.experiments.fork as fork

    class Failing(CountyModel):
        def step(self):
            if self.year == 2012:
                raise FloatingPointError("the beginning broke in 2013")
            super().step()

    plan = load_sweep(lever_sweep(tmp_path))
    monkeypatch.setattr(fork, "CountyModel", Failing)
    records = fork.run_forked_chunk(plan.model, plan.runs[::2])  # replicate 0: one group
    assert len(records) == 4 and not any(r.ok for r in records)
    assert {r.error for r in records} == {"FloatingPointError: the beginning broke in 2013"}
    assert all("FloatingPointError" in r.traceback for r in records)


def test_a_forked_chunk_leaves_no_models_behind(tmp_path):
    """As ``run_chunk``: Mesa's id counters of the runs' models (the beginning, the
    continued ones) are dropped; only the process's lever probe may stay."""
    from countysim.experiments.execution import models_known
    from countysim.experiments.fork import run_forked_chunk

    plan = load_sweep(lever_sweep(tmp_path))
    known = models_known()
    records = run_forked_chunk(plan.model, plan.runs)
    assert len(records) == RUNS and all(r.ok for r in records)
    assert len(models_known() - known) <= 1
