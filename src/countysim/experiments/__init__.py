"""Experiments at scale: replicates of a scenario, parameter sweeps, sensitivity analysis.

One module per job:

- ``seeds``: a run's seed from its scenario and replicate (common or independent streams);
- ``design``: design points (grid, list, Latin hypercube, Sobol, Morris) of any parameters;
- ``outputs``: the summary numbers kept from each run (``{column, year}`` and friends);
- ``sweep_schema``: what a sweep file may hold; ``sweep``: reading, checking and planning it;
- ``scenario_model``: a countysim scenario as a function of (parameters, seed);
- ``execution``: running tasks through process pools, Dask or serially, with progress;
- ``store``: the crash-safe Parquet result directory of a sweep;
- ``sweep_runner``: running, resuming, sharding and dry-running a sweep into its store;
- ``fork``: runs that share their first years (levers that differ later) compute them once;
- ``sensitivity``: Sobol indices and Morris effects; ``figures``: their plots;
- ``sweep_analysis``: what ``countysim analyze`` writes;
- ``replicates``: R replicates of one scenario with mean and 90% bands;
- ``commands``: the command-line side of all this.

Names in ``__all__`` can be imported from here; their modules load on first use, so worker
processes (which only need ``execution`` and ``scenario_model``) start quickly.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "replicate_seed": "seeds",
    "run_seed": "seeds",
    "stream_key": "seeds",
    "Design": "design",
    "Parameter": "design",
    "make_design": "design",
    "OutputSpec": "outputs",
    "InlineExecutor": "execution",
    "RunOutput": "execution",
    "RunRecord": "execution",
    "RunTask": "execution",
    "execute": "execution",
    "open_executor": "execution",
    "run_task": "execution",
    "ScenarioModel": "scenario_model",
    "scenario_for": "scenario_model",
    "SweepFile": "sweep_schema",
    "SweepError": "sweep",
    "SweepPlan": "sweep",
    "load_sweep": "sweep",
    "StoreError": "store",
    "SweepStore": "store",
    "dry_run": "sweep_runner",
    "run_sweep": "sweep_runner",
    "AnalysisError": "sensitivity",
    "morris_effects": "sensitivity",
    "point_means": "sensitivity",
    "sobol_indices": "sensitivity",
    "analyze_store": "sweep_analysis",
    "ReplicateError": "replicates",
    "ReplicateResults": "replicates",
    "replicate_summary": "replicates",
    "simulate_replicates": "replicates",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
