"""The server's side of a view: which runs it needs, which are cached, and running the rest.

Every simulation is kept under the hash of its resolved scenario (seed included), so an
identical request is answered from memory, and the baseline of a county is simulated once
and then reused by every reform shown against it. Replicate seeds are those of
``countysim run --replicates``: common random numbers, so replicate r of the baseline and of
the reform share their seed and the differences between them are paired.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from countysim.config import resolved_dict
from countysim.config.schema import Scenario
from countysim.experiments.seeds import run_seed
from countysim.explore.levers import Plan, ReformPath, View, plan, reform_paths
from countysim.explore.worker import RunOrder, Worker
from countysim.provenance import scenario_hash
from countysim.results import Results

#: Simulations kept in memory (a run of a 20,000-person county takes about 2 MB).
CACHE_RUNS = 200


@dataclass(eq=False)  # compared by identity (the page memoizes on it): it holds DataFrames
class RunSet:
    """The results of a view: replicates of the baseline and, if levers are on, the reform
    (and, if asked, each lever on its own)."""

    plan: Plan
    seeds: list[int]
    baseline: list[Results]
    reform: list[Results] | None
    seconds: float
    simulated: int  # runs simulated for this view; the others came from the cache
    singles: dict[str, list[Results]] = field(default_factory=dict)  # each lever alone

    @property
    def complete(self) -> bool:
        return self.plan.reform is None or self.reform is not None


class ResultCache:
    """Results by the hash of their resolved scenario, least recently used dropped first."""

    def __init__(self, capacity: int = CACHE_RUNS) -> None:
        self.capacity = capacity
        self._runs: OrderedDict[str, Results] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Results | None:
        with self._lock:
            if key in self._runs:
                self._runs.move_to_end(key)
            return self._runs.get(key)

    def put(self, key: str, results: Results) -> None:
        with self._lock:
            self._runs[key] = results
            self._runs.move_to_end(key)
            while len(self._runs) > self.capacity:
                self._runs.popitem(last=False)

    def __len__(self) -> int:
        return len(self._runs)


def seeded(scenario: Scenario, seed: int) -> tuple[str, Scenario]:
    """A scenario with one replicate's seed, and its cache key (the hash of all of it)."""
    sc = scenario.model_copy(update={"seed": seed})
    return scenario_hash(resolved_dict(sc)), sc


class Explorer:
    """What all browser sessions of one server share: reform definitions, cache, worker."""

    def __init__(self, scenarios_dir: Path, worker: Worker | None = None) -> None:
        self.scenarios_dir = Path(scenarios_dir)
        self.paths: dict[str, ReformPath] = reform_paths(self.scenarios_dir)
        self.cache = ResultCache()
        self._worker = worker
        self._worker_lock = threading.Lock()

    @property
    def worker(self) -> Worker:
        with self._worker_lock:
            if self._worker is None:
                self._worker = Worker()
            return self._worker

    def start(self) -> None:
        """Start the simulation process ahead of the first run (it imports the model)."""
        self.worker  # noqa: B018 - the property starts it

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()

    def plan(self, view: View) -> Plan:
        return plan(view, self.paths)

    def run(
        self,
        plan: Plan,
        *,
        on_progress: Callable[[float, str], None],
        on_baseline: Callable[[RunSet], None],
        stop: threading.Event,
        time_cap: float,
    ) -> RunSet:
        """The view's runs: from the cache where possible, else simulated in the worker,
        baseline first. ``on_baseline`` gets the baseline alone as soon as it is complete,
        if a reform is still to come."""
        t0 = time.perf_counter()
        resolved = resolved_dict(plan.baseline)
        seeds = [run_seed(resolved, r) for r in range(plan.view.replicates)]
        groups = [("baseline", plan.baseline)] + ([("reform", plan.reform)] if plan.reform else [])
        groups += [(f"alone:{name}", sc) for name, sc in plan.singles.items()]
        keyed = {name: [seeded(sc, seed) for seed in seeds] for name, sc in groups}
        todo = [
            RunOrder(key, sc)
            for name, _ in groups
            for key, sc in keyed[name]
            if self.cache.get(key) is None
        ]
        labels = {order.key: order.scenario.name for order in todo}
        years = plan.baseline.years.end - plan.baseline.years.start + 1
        finished: list[str] = []

        def collect(name: str) -> list[Results] | None:
            found = [self.cache.get(key) for key, _ in keyed.get(name, [])]
            return found if found and all(r is not None for r in found) else None

        def runset(reform: list[Results] | None) -> RunSet:
            singles = {n: collect(f"alone:{n}") for n in plan.singles} if reform else {}
            return RunSet(
                plan=plan,
                seeds=seeds,
                baseline=collect("baseline") or [],
                reform=reform,
                seconds=time.perf_counter() - t0,
                simulated=len(finished),
                singles={n: r for n, r in singles.items() if r is not None},
            )

        def on_year(key: str, year: int) -> None:
            done = len(finished) + (year - plan.baseline.years.start + 1) / years
            on_progress(done / len(todo), f"{labels[key]}: {year}")

        def on_done(key: str, results: Results) -> None:
            self.cache.put(key, results)
            finished.append(key)
            on_progress(len(finished) / len(todo), f"{len(finished)} of {len(todo)} runs done")
            if plan.reform is not None and key in {k for k, _ in keyed["baseline"]}:
                if collect("baseline") is not None and collect("reform") is None:
                    on_baseline(runset(None))

        if plan.reform is not None and collect("baseline") and collect("reform") is None:
            on_baseline(runset(None))
        self.worker.run(todo, on_year=on_year, on_done=on_done, stop=stop, time_cap=time_cap)
        return runset(collect("reform"))


_shared: dict[Path, Explorer] = {}
_shared_lock = threading.Lock()


def shared_explorer(scenarios_dir: Path) -> Explorer:
    """The server's one Explorer for a scenarios folder (made on first use)."""
    key = Path(scenarios_dir).resolve()
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Explorer(key)
        return _shared[key]


def close_shared() -> None:
    with _shared_lock:
        for explorer in _shared.values():
            explorer.close()
        _shared.clear()
