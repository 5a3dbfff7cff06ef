"""Replicates of one scenario: R runs that differ only in their random numbers.

``simulate_replicates`` runs them (through the executors of ``execution.py``), stacks each
result table with a ``replicate`` column in front, and summarizes every county indicator by
year as the mean and the 5% and 95% quantiles across replicates. The figures of a
``ReplicateResults`` show the mean with a 90% band (``plots.py`` draws bands whenever a
table has a ``replicate`` column).

Seeds follow ``seeds.py``: with common random numbers (the default) replicate r of any
scenario gets the same seed, so two scenarios run with the same number of replicates are
paired run by run; ``streams="independent"`` gives every scenario its own streams.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pandas as pd

from countysim.config import resolved_dict
from countysim.config.schema import Scenario
from countysim.experiments.execution import (
    ExecutorKind,
    RunRecord,
    RunTask,
    available_cpus,
    execute,
    open_executor,
    run_id,
)
from countysim.experiments.scenario_model import ScenarioModel
from countysim.experiments.seeds import Streams, run_seed
from countysim.figures.style import BAND_QUANTILES
from countysim.provenance import manifest
from countysim.results import TABLES, Results


class ReplicateError(RuntimeError):
    """Some replicates failed; their errors are in the message."""


@dataclass(repr=False)  # the short summary of Results, not every table
class ReplicateResults(Results):
    """Results of several replicates of one scenario.

    Every table of ``Results`` has a ``replicate`` column in front; ``summary`` has one row
    per county indicator and year with the ``mean``, ``p05`` and ``p95`` across replicates;
    ``manifest["replicates"]`` lists the seeds.
    """

    summary: pd.DataFrame

    table_names: ClassVar[tuple[str, ...]] = (*TABLES, "summary")


def replicate_summary(county: pd.DataFrame) -> pd.DataFrame:
    """Mean and 90% band (``plots.BAND_QUANTILES``) of every county indicator per year.

    ``county`` holds the county tables of several replicates with a ``replicate`` column.
    Returns columns ``indicator, year, mean, p05, p95`` (long format: one row per indicator
    and year).
    """
    indicators = [c for c in county.columns if c not in ("replicate", "year")]
    long = county.melt(id_vars=["year"], value_vars=indicators, var_name="indicator")
    grouped = long.groupby(["indicator", "year"], sort=False)["value"]
    summary = grouped.mean().rename("mean").to_frame()
    for q in BAND_QUANTILES:
        summary[f"p{round(100 * q):02d}"] = grouped.quantile(q)
    return summary.reset_index()


def simulate_replicates(
    scenario: Scenario,
    replicates: int,
    *,
    streams: Streams = "common",
    executor: ExecutorKind = "process",
    workers: int | None = None,
    progress: bool = False,
    parameter_sets: Sequence[Mapping[str, float]] | None = None,
) -> ReplicateResults:
    """Run ``replicates`` replicates of ``scenario`` and collect them.

    Seeds come from the scenario's seed and the replicate number (``seeds.run_seed``); the
    scenario's own seed is only their root. ``parameter_sets`` (one per replicate, dotted
    scenario keys to values, e.g. drawn from a calibration's posterior) make the bands show
    parameter uncertainty as well as chance. Raises ``ReplicateError`` if any run fails.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if parameter_sets is not None and len(parameter_sets) != replicates:
        raise ValueError(f"{len(parameter_sets)} parameter sets for {replicates} replicates")
    sets = [dict(p) for p in parameter_sets] if parameter_sets is not None else [{}] * replicates
    started, t0 = datetime.now(UTC), time.perf_counter()
    resolved = resolved_dict(scenario)
    tasks = [
        RunTask(run_id(0, r), 0, r, run_seed(resolved, r, streams), sets[r])
        for r in range(replicates)
    ]
    model = ScenarioModel(resolved, tables=TABLES)
    count = min(workers or available_cpus(), replicates)
    with open_executor(executor, workers=count) as (pool, slots):
        records = list(
            execute(tasks, model, pool, max_in_flight=slots, progress=progress, label=scenario.name)
        )
    failed = [r for r in records if not r.ok]
    if failed:
        details = "\n".join(f"  replicate {r.task.replicate}: {r.error}" for r in failed)
        raise ReplicateError(f"{len(failed)} of {replicates} replicates failed:\n{details}")
    tables = {name: _stack(records, name) for name in TABLES}
    info = manifest(resolved, seconds=time.perf_counter() - t0, started=started)
    info["replicates"] = {
        "count": replicates,
        "streams": streams,
        "seeds": [task.seed for task in tasks],
    }
    if parameter_sets is not None:
        info["replicates"]["parameter_sets"] = sets
    return ReplicateResults(**tables, manifest=info, summary=replicate_summary(tables["county"]))


def _stack(records: list[RunRecord], table: str) -> pd.DataFrame:
    """One table of every replicate, in replicate order, with a ``replicate`` column first."""
    parts = [
        record.tables[table].assign(replicate=record.task.replicate)
        for record in sorted(records, key=lambda r: r.task.replicate)
    ]
    stacked = pd.concat(parts, ignore_index=True)
    return stacked[["replicate", *(c for c in stacked.columns if c != "replicate")]]
