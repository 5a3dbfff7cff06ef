"""Running a planned panel into its directory, and the tables it writes.

The runs go to the sweep runner (``sweep_runner.run_sweep``): the same executors (process
pool, Dask, serial), shards and crash-safe store, kept in ``<out>/store``. A county whose run
fails is stored as failed and the others go on; ``resume`` continues after a crash or a
kill. Once every run of the panel is stored (not after a single shard of several), the
results are written next to the store:

    counties.csv      one row per county: identity, run status, and per scored quantity the
                      model's prediction, the census value and the error
    predictions.csv   the 2010 and target-year values of every quantity, per county and
                      source (model, census, each null model)
    scores.csv        RMSE, MAE, bias, correlation and right-sign share per quantity, for
                      the model and the null models on the same counties
    figures/          predicted against actual, errors by region and size, error distribution
    report.html       one self-contained page with all of it and the provenance
    manifest.json     provenance: version, commit, panel file, resolved scenario, seeds, data
                      files with their SHA-256
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countysim.config import dump_yaml
from countysim.experiments.execution import OK, ExecutorKind
from countysim.experiments.panel import PanelPlan, shown_path
from countysim.experiments.panel_model import COUNTY_PARAMETER
from countysim.experiments.panel_quantities import QUANTITIES, SCORED
from countysim.experiments.panel_scores import (
    covariates,
    null_predictions,
    score_table,
    scored_values,
    start_end,
)
from countysim.experiments.store import StoreError, SweepStore, write_atomically
from countysim.experiments.sweep_runner import run_sweep
from countysim.provenance import environment

STORE = "store"
#: What a panel directory holds; anything else means it is not one.
OUTPUTS = {STORE, "counties.csv", "predictions.csv", "scores.csv", "figures", "report.html",
           "manifest.json", "panel.yaml"}  # fmt: skip


def default_directory(plan: PanelPlan) -> Path:
    return Path("results") / "panels" / plan.name


@dataclass(frozen=True)
class PanelOutcome:
    """What one call of ``run_panel`` did."""

    directory: Path
    counties: int
    ran: int
    skipped: int
    failed: int  # counties whose latest run failed, over the whole store
    complete: bool  # every run stored, so the outputs were written
    seconds: float

    def format(self) -> str:
        text = (
            f"panel: {self.counties} counties; ran {self.ran} runs ({self.skipped} already "
            f"stored) in {self.seconds:.0f} s; {self.failed} counties failed"
        )
        if self.complete:
            return f"{text}; results in {self.directory}"
        return f"{text}; runs stored in {self.directory / STORE}, outputs after the last shard"


def run_panel(
    plan: PanelPlan,
    out: str | os.PathLike | None = None,
    *,
    executor: ExecutorKind | Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    shard: tuple[int, int] | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
) -> PanelOutcome:
    """Run a panel (or one shard of it) into ``out`` (default ``results/panels/<name>``) and,
    once all its runs are stored, write its tables, scores, figures and report there."""
    started = time.perf_counter()
    directory = Path(out) if out is not None else default_directory(plan)
    _check_directory(directory, resume or retry_failed)
    outcome = run_sweep(
        plan,
        directory / STORE,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        shard=shard,
        resume=resume,
        retry_failed=retry_failed,
        progress=progress,
    )
    store = outcome.store
    status = store.status()
    complete = status.missing == 0
    if complete:
        write_outputs(plan, store, directory)
    return PanelOutcome(
        directory=directory,
        counties=len(plan.codes),
        ran=outcome.ran,
        skipped=outcome.skipped,
        failed=len(failed_counties(store)),
        complete=complete,
        seconds=time.perf_counter() - started,
    )


def _check_directory(directory: Path, resume: bool) -> None:
    """A panel writes into a new or empty directory, or (resuming) into its own."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise StoreError(f"{directory} exists and is not a directory")
    strays = sorted(p.name for p in directory.iterdir() if p.name not in OUTPUTS)
    if strays:
        raise StoreError(f"{directory} exists and is not a panel directory (it holds {strays[0]})")
    if not resume and any(directory.iterdir()):
        raise StoreError(
            f"{directory} already holds a panel; pass --resume to continue it, or choose "
            "another --out"
        )


def model_predictions(plan: PanelPlan, store: SweepStore) -> pd.DataFrame:
    """The model's ``<q>_start``/``<q>_end`` per county: the mean over its successful
    replicates, indexed by code (counties with no successful run are left out)."""
    runs = store.runs()
    columns = [f"{q.name}_{s}" for q in QUANTITIES for s in ("start", "end")]
    if runs.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="code"))
    ok = runs[runs["status"] == OK]
    table = ok.groupby(COUNTY_PARAMETER)[columns].mean().rename_axis("code")
    return table.reindex([c for c in plan.codes if c in table.index])


def failed_counties(store: SweepStore) -> pd.DataFrame:
    """Counties none of whose replicates succeeded: code and the first error."""
    runs = store.runs()
    if runs.empty:
        return pd.DataFrame(columns=["code", "error"])
    succeeded = runs.groupby(COUNTY_PARAMETER)["status"].agg(lambda s: bool((s == OK).any()))
    failed = runs[runs[COUNTY_PARAMETER].isin(succeeded.index[~succeeded])]
    first = failed.groupby(COUNTY_PARAMETER, sort=False)["error"].first()
    return first.rename_axis("code").reset_index()


@dataclass(frozen=True)
class PanelTables:
    """Everything a panel's outputs are made of."""

    counties: pd.DataFrame
    predictions: pd.DataFrame
    scores: pd.DataFrame
    errors: dict[str, pd.DataFrame]  # per source: error per county and scored quantity


def panel_tables(plan: PanelPlan, store: SweepStore) -> PanelTables:
    """The county table, predictions of every source, and scores of a finished panel."""
    actual = start_end(plan.census, plan.targets)
    model = model_predictions(plan, store)
    fit = actual[actual.filter(like="_end").notna().any(axis=1)]
    folds = min(plan.spec.null_models.folds, len(fit))
    nulls = null_predictions(
        fit, covariates(plan.census), folds=folds, seed=plan.spec.null_models.seed
    )
    scores = score_table(model, nulls, actual)
    sources = {"model": model, "census": actual.reindex(plan.codes)} | {
        kind: table.reindex([c for c in plan.codes if c in table.index])
        for kind, table in nulls.items()
    }
    predictions = pd.concat(
        [table.assign(source=name) for name, table in sources.items()]
    ).rename_axis("code")
    errors = {}
    want, _ = scored_values(actual)
    for name, table in sources.items():
        if name != "census":
            got, _ = scored_values(table)
            errors[name] = got - want.reindex(got.index)
    return PanelTables(
        counties=county_table(plan, store, model, actual),
        predictions=predictions.reset_index()[["code", "source", *model.columns]],
        scores=scores,
        errors=errors,
    )


def county_table(
    plan: PanelPlan, store: SweepStore, model: pd.DataFrame, actual: pd.DataFrame
) -> pd.DataFrame:
    """One row per county: code, name, province, region, unit type, 2010 residents, run
    status and error; then predicted, actual and error of every scored quantity."""
    census = plan.census.set_index("code").reindex(list(plan.codes))
    table = census[["name", "province_en", "region", "unit_type", "residents"]].rename(
        columns={"province_en": "province", "residents": "residents_2010"}
    )
    runs = store.runs()
    status = pd.Series("not run", index=table.index, name="status", dtype=object)
    error = pd.Series("", index=table.index, name="error", dtype=object)
    if not runs.empty:
        tried = runs.groupby(COUNTY_PARAMETER)["status"].agg(lambda s: bool((s == OK).any()))
        status.loc[tried.index] = np.where(tried.to_numpy(), OK, "failed")
        failed = runs[runs["status"] != OK].groupby(COUNTY_PARAMETER)["error"].first()
        error.loc[failed.index] = failed.astype(str).to_numpy()
    got, _ = scored_values(model.reindex(table.index))
    want, _ = scored_values(actual.reindex(table.index))
    parts = [table, status, error]
    for name in SCORED:
        parts.append(
            pd.DataFrame(
                {
                    f"{name}_predicted": _natural(name, got[name]),
                    f"{name}_actual": _natural(name, want[name]),
                    f"{name}_error": got[name] - want[name],
                }
            )
        )
    return pd.concat(parts, axis=1).rename_axis("code").reset_index()


def _natural(name: str, values: pd.Series) -> pd.Series:
    """Residents back in persons (they are scored in logs; their error stays in log points)."""
    return np.exp(values) if name == "residents" else values


def write_outputs(plan: PanelPlan, store: SweepStore, directory: Path) -> PanelTables:
    """Write the tables, figures, report and manifest of a finished panel."""
    from countysim.experiments.panel_figures import save_panel_figures
    from countysim.experiments.panel_report import write_panel_report

    tables = panel_tables(plan, store)
    for name in ("counties", "predictions", "scores"):
        frame = getattr(tables, name)
        write_atomically(directory / f"{name}.csv", lambda p, f=frame: f.to_csv(p, index=False))
    write_atomically(directory / "panel.yaml", lambda p: dump_yaml(plan.spec_data(), p))
    manifest = panel_manifest(plan, store)
    text = json.dumps(manifest, indent=1, default=str) + "\n"
    write_atomically(directory / "manifest.json", lambda p: p.write_text(text, encoding="utf-8"))
    figures = save_panel_figures(plan, tables, directory / "figures")
    write_panel_report(plan, tables, manifest, figures, directory / "report.html")
    return tables


def panel_manifest(plan: PanelPlan, store: SweepStore) -> dict[str, Any]:
    """What produced a panel's outputs."""
    status = store.status()
    return {
        "name": plan.name,
        "description": plan.spec.description,
        "panel_file": shown_path(plan.source),
        "written_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        **environment(),  # of the process writing these outputs
        "runs_environment": store.manifest.get("provenance", {}),  # of the one starting the runs
        "config_hash": plan.config_hash,
        "scenario": plan.base,
        "scale": plan.spec.scale,
        "replicates": plan.spec.replicates,
        "streams": plan.spec.streams,
        "years": plan.spec.years.model_dump(),
        "counties": len(plan.codes),
        "runs": {"planned": status.planned, "ok": status.ok, "failed": status.failed},
        "run_seconds": status.run_seconds,
        "null_models": plan.spec.null_models.model_dump()
        | {"fitted_on": "every county of the targets file, k-fold cross-validated"},
        "data_files": {
            "census_2010": _file_info(plan.census_file),
            "targets": _file_info(plan.targets_file),
        },
        "seeds": {
            "base_seed": plan.base["seed"],
            "rule": store.manifest["seeds"]["rule"],
            "runs": [[t.run_id, t.parameters[COUNTY_PARAMETER], t.seed] for t in plan.runs],
        },
    }


def _file_info(path: Path) -> dict[str, str]:
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {"path": shown_path(path), "sha256": digest}
