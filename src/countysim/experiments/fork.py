"""Forking a sweep: runs that would be identical up to a year compute that beginning once.

With common random numbers (the default) replicate r has the same seed at every design
point, so two design points that differ only in lever schedules acting from year Y on give,
for each replicate, the same run up to the end of Y - 1: the same county, spin-up and
years. Such runs form a group (``fork_groups``): the last run of the group is simulated to
the end of its fork year, its state is kept in memory (``state.state_in_memory``), every
other run of the group continues a copy of that state under its own scenario
(``state.continue_in_memory``), and the last run simply goes on. A continued run equals
the run from scratch row for row (``state.py``), so results do not change. The state is
kept as the bytes a state folder holds rather than as a deep copy of the model: restoring
them is the path saved states are tested on (Mesa's place agents and id counter made
afresh for each run), and it is as fast: for the baseline county at scale 20 (7 MB),
about 5 ms to write and 5 ms to read, against 8 ms for a deep copy and one to two seconds
for the rest of a run.

Which runs may share a state is ``state.py``'s own rule, not a copy of it: the same fixed
settings (``state.fixed_settings``: everything but lever schedules, ``years.end`` and the
name; the seed included), and the fork year is the year before the first in which any
lever of the group differs from those of the group's last run
(``state.lever_differences``), and before every run's last year. Nothing is shared where
runs differ in anything else (behavioural parameters, the county, the scale: a calibration
or an LHS over ``choice.*``), where levers differ from the first year (their first-year
values act on the spin-up too), or with independent streams (every design point has its
own seeds): those runs go as they always did.

A group goes to one worker as one piece of work (``fork_chunks``), so the state never
travels between processes; a group that is large, or that would leave workers idle, is cut
into a few pieces, each of which computes the beginning again. A worker finds the groups of
its piece itself (``run_forked_chunk``), so a piece of any make-up is run right: a shard, or
a resumed sweep with some runs of a group already stored, forks what it has to do.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from threadpoolctl import threadpool_limits

from countysim.config import ScenarioError
from countysim.config.schema import Scenario
from countysim.experiments.execution import (
    MAX_CHUNK,
    RunOutput,
    RunRecord,
    RunTask,
    Sink,
    chunk_sizes,
    failed_record,
    forget_models_made,
    models_known,
    run_chunk,
    run_task,
)
from countysim.experiments.scenario_model import ScenarioModel, scenario_for
from countysim.model import CountyModel
from countysim.provenance import scenario_hash
from countysim.runner import simulate
from countysim.state import (
    FREE_KEYS,
    MemoryState,
    continue_in_memory,
    fixed_settings,
    lever_differences,
    state_in_memory,
)

#: Most runs of one group handed to a worker in one piece: a piece reaches the store only
#: when all its runs are done, and each further piece of a group costs one more beginning.
MAX_FORK_CHUNK = 2 * MAX_CHUNK


@dataclass(frozen=True)
class ForkGroup:
    """Runs that share their beginning up to the end of ``fork_year`` (``None``: a run on
    its own, or runs that share nothing). The last run's scenario makes the beginning."""

    tasks: tuple[RunTask, ...]
    fork_year: int | None

    @property
    def forked(self) -> bool:
        return self.fork_year is not None and len(self.tasks) > 1


def fork_groups(base: Mapping[str, Any], tasks: Sequence[RunTask]) -> list[ForkGroup]:
    """The runs of ``tasks`` (runs of the resolved scenario ``base`` with their parameters
    and seeds) grouped by the beginning they share.

    Runs can only share one if they have the same seed and the same values of every design
    parameter that is not a lever or a free key, nor a lever set to a number (a constant
    from the first year): that cheap test comes first, so that designs of behavioural
    parameters or of constant levers cost nothing here. The candidates are then checked as
    whole scenarios (``state.fixed_settings``), and their fork year found."""
    probe = _lever_probe(base)
    levers = probe.policy.schedules
    shared = (*levers, *FREE_KEYS)
    candidates: dict[tuple[int, str], list[RunTask]] = {}
    for task in tasks:
        fixed = {
            k: v
            for k, v in task.parameters.items()
            if not _under(k, shared) or (k in levers and isinstance(v, int | float))
        }
        text = json.dumps(fixed, sort_keys=True, default=str)
        candidates.setdefault((task.seed, text), []).append(task)
    groups = []
    for runs in candidates.values():
        if len(runs) == 1:
            groups.append(ForkGroup(tuple(runs), None))
        else:
            groups += _check(base, probe, runs)
    return groups


def _under(path: str, roots: Sequence[str]) -> bool:
    """Whether the dotted ``path`` is one of ``roots`` or lies below one."""
    return any(path == root or path.startswith((f"{root}.", f"{root}[")) for root in roots)


def _check(base: Mapping[str, Any], probe: CountyModel, runs: list[RunTask]) -> list[ForkGroup]:
    """Candidate runs grouped by their whole scenarios' fixed settings, with fork years."""
    scenarios: dict[str, Scenario | None] = {}
    members: dict[object, list[tuple[RunTask, Scenario | None]]] = {}
    for task in runs:
        text = json.dumps(dict(task.parameters), sort_keys=True, default=str)
        if text not in scenarios:
            try:
                scenarios[text] = scenario_for(base, task.parameters)
            except ScenarioError:  # the run itself fails with this error, on its own
                scenarios[text] = None
        scenario = scenarios[text]
        if scenario is None:
            members[task.run_id] = [(task, scenario)]
            continue
        fixed = fixed_settings(scenario, probe.policy.schedules)
        fixed.pop("seed", None)  # the run's own seed is task.seed
        members.setdefault(scenario_hash(fixed), []).append((task, scenario))
    return [_group(probe, group) for group in members.values()]


def _group(probe: CountyModel, runs: list[tuple[RunTask, Scenario | None]]) -> ForkGroup:
    tasks = tuple(task for task, _ in runs)
    last = runs[-1][1]
    if len(runs) == 1 or last is None:
        return ForkGroup(tasks, None)
    fork_year = min(scenario.years.end for _, scenario in runs) - 1
    for _, scenario in runs[:-1]:
        differences = lever_differences(probe, last, scenario)
        if differences:
            fork_year = min(fork_year, min(differences.values()) - 1)
    # The first year's lever values act on the spin-up as well: no state before its end.
    return ForkGroup(tasks, fork_year if fork_year >= last.years.start else None)


_PROBE: CountyModel | None = None
#: The coarsest scale the scenario schema allows (persons per row).
_COARSEST_SCALE = 1000


def _lever_probe(base: Mapping[str, Any]) -> CountyModel:
    """A model whose modules say which levers there are (``state.lever_differences``): a
    coarse copy of ``base`` without spin-up, built once per process (a module's levers
    depend on the scenario it is asked about, not on the model)."""
    global _PROBE
    if _PROBE is None:
        coarse: dict[str, Any] = {"simulation.spinup_years": 0}
        scale, generated = base["simulation"]["scale"], base["county"].get("generate")
        if generated is not None:  # a few thousand rows of persons
            scale = max(scale, generated["registered_population"] // 2000)
        elif base["county"].get("census") is not None:
            scale = max(scale, _COARSEST_SCALE)
        coarse["simulation.scale"] = min(scale, _COARSEST_SCALE)
        _PROBE = CountyModel(scenario_for(base, coarse))
    return _PROBE


def fork_chunks(groups: Sequence[ForkGroup], workers: int) -> list[list[RunTask]] | None:
    """Pieces of work for ``workers`` workers that keep each group together (cut into
    pieces of at most ``MAX_FORK_CHUNK`` runs, and into more where workers would otherwise
    wait), largest first, then the runs that share nothing, chunked as usual. ``None`` when
    no runs share a beginning: the sweep is chunked as it always was."""
    shared = [list(g.tasks) for g in groups if g.forked]
    if not shared:
        return None
    pieces = [len(g) for g in shared]
    parts = [math.ceil(n / MAX_FORK_CHUNK) for n in pieces]
    # One more piece for the group with the largest pieces, while a worker would be idle:
    # another beginning costs less than a worker doing nothing.
    while sum(parts) < workers:
        widest = max(range(len(shared)), key=lambda i: pieces[i] / parts[i])
        if pieces[widest] / parts[widest] < 2:
            break
        parts[widest] += 1
    chunks = [piece for runs, k in zip(shared, parts, strict=True) for piece in _split(runs, k)]
    chunks.sort(key=len, reverse=True)
    alone = [task for g in groups if not g.forked for task in g.tasks]
    for size in chunk_sizes(len(alone), workers):
        chunks.append(alone[:size])
        alone = alone[size:]
    return chunks


def _split(runs: list[RunTask], parts: int) -> list[list[RunTask]]:
    """``runs`` in ``parts`` consecutive pieces of (nearly) equal size."""
    bounds = [round(i * len(runs) / parts) for i in range(parts + 1)]
    return [runs[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def run_forked_chunk(
    model: ScenarioModel, tasks: Sequence[RunTask], sink: Sink | None = None
) -> list[RunRecord]:
    """Run a piece of work in the worker (an execution ``ChunkRunner``): each group of
    runs that share a beginning from one state, the other runs as ``run_chunk`` does."""
    records: list[RunRecord] = []
    for group in fork_groups(model.base, tasks):
        if group.forked:
            records += _run_group(model, group)
        else:
            records += run_chunk(model, group.tasks)
    return sink(records) if sink is not None else records


def _run_group(model: ScenarioModel, group: ForkGroup) -> list[RunRecord]:
    """The group's beginning once, then every run from it; each run's wall time includes an
    equal share of the beginning. If the beginning fails, every run of the group fails with
    its error (each would have met it on its own)."""
    *others, last = group.tasks
    started = time.perf_counter()
    known = models_known()
    try:
        beginning = CountyModel(scenario_for(model.base, last.parameters, last.seed))
        with threadpool_limits(CountyModel.threads):
            while beginning.year < group.fork_year:
                beginning.step()
        state = state_in_memory(beginning)
    except Exception as exc:  # as run_task: an error of the model fails these runs only
        trace = traceback.format_exc()
        forget_models_made(known)
        return [failed_record(task, started, exc, trace) for task in group.tasks]
    share = (time.perf_counter() - started) / len(group.tasks)
    records = [run_task(_Continuation(model, state=state), task) for task in others]
    records.append(run_task(_Continuation(model, beginning=beginning), last))
    forget_models_made(known)
    for record in records:
        record.wall_seconds += share
    return records


@dataclass(frozen=True)
class _Continuation:
    """A run of ``model`` (called as ``model(parameters, seed)``) that continues a state in
    memory, or the model that made it (the group's last run, whose scenario it has)."""

    model: ScenarioModel
    state: MemoryState | None = None
    beginning: CountyModel | None = None

    def __call__(self, parameters: Mapping[str, Any], seed: int) -> RunOutput:
        scenario = scenario_for(self.model.base, parameters, seed)
        if self.beginning is not None:
            start = self.beginning
        else:
            start = continue_in_memory(self.state, scenario)
        results = simulate(scenario, model=start)
        # What ScenarioModel returns for a run from scratch.
        summary = {name: spec.evaluate(results.county) for name, spec in self.model.outputs.items()}
        return RunOutput(summary, {name: results.to_df(name) for name in self.model.tables})
