"""The stages of a calibration as sweeps: each stage's parameter sets are the points of a
list design, run through the sweep machinery into a sweep store of their own.

So a calibration gets, for free, what sweeps have: any executor (process pool, Dask,
serial), seeds that do not depend on where or in which order runs execute, and crash-safe
Parquet stores that a killed calibration resumes from. A stage's points are fixed when its
store is made (they are in the store's manifest), so a resumed calibration reads them back
instead of drawing them again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countysim.experiments.calibration import CalibrationPlan
from countysim.experiments.calibration_panel import (
    PANEL_COUNTY,
    PanelCalibrationModel,
    expand_points,
    panel_statistics,
    parameter_sets,
)
from countysim.experiments.design import make_design
from countysim.experiments.execution import OK, RunTask, run_id
from countysim.experiments.scenario_model import ScenarioModel
from countysim.experiments.seeds import replicate_seed
from countysim.experiments.store import MANIFEST, SweepStore
from countysim.experiments.sweep import SweepPlan
from countysim.experiments.sweep_runner import run_sweep
from countysim.experiments.sweep_schema import SweepFile
from countysim.provenance import scenario_hash

#: Stage numbers keep the random streams of stages apart (they go into every run's seed).
STAGE_NUMBERS = {"synthetic": 0, "screening": 1, "ensemble": 99}
#: Design points per stage at most, so that (stage, point) keys never collide.
_POINTS_PER_STAGE = 10**7


def stage_number(stage: str) -> int:
    """``synthetic`` 0, ``screening`` 1, ``wave-k`` 1 + k, ``ensemble`` 99."""
    if stage.startswith("wave-"):
        return 1 + int(stage.removeprefix("wave-"))
    return STAGE_NUMBERS[stage]


def stage_plan(
    plan: CalibrationPlan, stage: str, points: Sequence[Mapping[str, float]], replicates: int
) -> SweepPlan:
    """The sweep that runs a stage's parameter sets, ``replicates`` runs each (and with a
    panel, each set's panel counties too: the design's points are then (set, county))."""
    if not points:
        raise ValueError(f"stage {stage} has no parameter sets to run")
    points = [dict(point) for point in points]
    if plan.panel is not None:
        points = expand_points(points, plan.panel.codes)
    target = next(t for t in plan.targets.values() if t.model is not None)
    first, last = min(target.years), max(target.years)
    outputs = {
        "first_target_column": {
            "column": target.model.numerator[0],
            "stat": "mean",
            "years": [first, last],
        }
    }
    spec = SweepFile.model_validate(
        {
            "name": f"{plan.name}.{stage}",
            "description": f"stage {stage} of calibration {plan.name}",
            "base": str(plan.spec.scenario),
            "set": plan.spec.overrides,
            "design": {"kind": "list", "points": points},
            "replicates": replicates,
            "outputs": outputs,
            "execution": plan.spec.execution.model_dump(),
        }
    )
    design = make_design("list", points=points)
    number = stage_number(stage)
    runs = tuple(
        RunTask(run_id(index, r), index, r, _seed(plan, number, index, values, r), values)
        for index, values in enumerate(design.point_values())
        for r in range(replicates)
    )
    config: dict[str, Any] = {
        "name": spec.name,
        "calibration_hash": plan.config_hash,
        "base_scenario": plan.base,
        "design": design.to_dict(),
        "replicates": replicates,
        "streams": "independent",
        "outputs": outputs,
    }
    section_hashes = {section: scenario_hash({section: value}) for section, value in config.items()}
    return SweepPlan(
        name=spec.name,
        source=plan.source,
        spec=spec,
        base=plan.base,
        design=design,
        runs=runs,
        model=_model(plan, dict(spec.outputs)),
        config=config,
        config_hash=scenario_hash(config),
        section_hashes=section_hashes,
    )


def _seed(plan: CalibrationPlan, number: int, index: int, values: Mapping, r: int) -> int:
    """A run's seed: from the stage and the design point; a panel county's from the stage
    and the county alone (common random numbers across the stage's sets)."""
    if plan.panel is None:
        return replicate_seed(plan.base["seed"], r, number * _POINTS_PER_STAGE + index)
    group = 1 + len(plan.panel.codes)
    county = index % group
    if county == 0:  # the scenario's own county: keyed by its set, as without a panel
        key = number * _POINTS_PER_STAGE + index // group
    else:  # keys above every set's: sets stay far below half of _POINTS_PER_STAGE
        key = number * _POINTS_PER_STAGE + _POINTS_PER_STAGE // 2 + county
    return replicate_seed(plan.base["seed"], r, key)


def _model(plan: CalibrationPlan, outputs: Mapping[str, Any]):
    model = ScenarioModel(plan.base, outputs)
    if plan.panel is None:
        return model
    return PanelCalibrationModel(model, plan.panel.base, plan.panel.start, plan.panel.end)


def set_of_point(plan: CalibrationPlan, point: int | np.ndarray) -> int | np.ndarray:
    """The parameter set of a stage's design point (the same number without a panel)."""
    return point if plan.panel is None else point // (1 + len(plan.panel.codes))


def stored_points(directory: Path) -> list[dict[str, float]] | None:
    """The parameter sets of a stage whose store exists already (None if it does not)."""
    if not (directory / MANIFEST).exists():
        return None
    return parameter_sets(SweepStore.open(directory).design().point_values())


def run_stage(
    plan: CalibrationPlan,
    stage: str,
    points: Sequence[Mapping[str, float]],
    replicates: int,
    directory: Path,
    executor: Executor,
    in_flight: int,
    progress: bool,
) -> pd.DataFrame:
    """Run (or finish) a stage into its store and return its table of parameter sets:
    one row per point, the parameter values, each target's statistic (mean over the
    point's successful replicates) and the number of successful runs (``runs_ok``)."""
    sweep = stage_plan(plan, stage, points, replicates)
    run_sweep(
        sweep,
        directory,
        executor=executor,
        max_in_flight=in_flight,
        resume=True,
        progress=progress,
    )
    return stage_table(plan, SweepStore.open(directory))


def stage_table(plan: CalibrationPlan, store: SweepStore) -> pd.DataFrame:
    """Per parameter set of a stage's store: parameters, target statistics and the
    successful runs of the scenario's own county (``runs_ok``). Panel targets aggregate the
    set's county runs (``calibration_panel.panel_statistics``)."""
    points = pd.DataFrame(parameter_sets(store.design().point_values()))
    series_targets = [name for name, t in plan.targets.items() if t.model is not None]
    per_run = target_values(plan, store)
    if per_run.empty:
        means = pd.DataFrame(index=points.index, columns=series_targets, dtype=float)
        counts = pd.Series(0, index=points.index)
    else:
        grouped = per_run.assign(set=set_of_point(plan, per_run["point"])).groupby("set")
        means = grouped[series_targets].mean().reindex(points.index)
        counts = grouped.size().reindex(points.index, fill_value=0)
    table = pd.concat([points, means], axis=1)
    if plan.panel is not None:
        panel_targets = {n: t for n, t in plan.targets.items() if t.model is None}
        runs = store.runs()
        if not runs.empty:
            runs = runs[(runs["status"] == OK) & (runs[PANEL_COUNTY] != "")]
        runs = runs.assign(set=set_of_point(plan, runs["point"])) if not runs.empty else runs
        found = panel_statistics(panel_targets, plan.panel, runs) if not runs.empty else None
        for name in panel_targets:
            table[name] = np.nan if found is None else found[name].reindex(points.index)
    table = table[[*points.columns, *plan.targets]]
    table["runs_ok"] = counts.to_numpy()
    return table.rename_axis("point").reset_index()


def target_values(plan: CalibrationPlan, store: SweepStore) -> pd.DataFrame:
    """Each successful run's target statistics: ``run_id, point, replicate`` and one column
    per target (NaN where a statistic is undefined, e.g. a ratio over zero)."""
    series = store.series()
    if series.empty:
        return pd.DataFrame(columns=["run_id", "point", "replicate", *plan.targets])
    rows = []
    for (run, point, replicate), county in series.groupby(["run_id", "point", "replicate"]):
        row = {"run_id": run, "point": point, "replicate": replicate}
        for name, target in plan.targets.items():
            if target.model is None:
                continue  # a panel target, from the panel's county runs
            try:
                row[name] = target.simulate(county)
            except (LookupError, ValueError, FloatingPointError):
                row[name] = np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def failed_runs(store: SweepStore) -> int:
    runs = store.runs()
    return 0 if runs.empty else int((runs["status"] != OK).sum())
