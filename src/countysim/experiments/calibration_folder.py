"""A calibration's folder, from start to finish: made new or resumed, the stages run into
it, and the posterior written.

Layout::

    manifest.json     provenance and the calibration's hash (marks a calibration folder)
    calibration.yaml  the calibration file as validated
    stages/<stage>/   one sweep store per stage (synthetic, screening, wave-k, ensemble)
    posterior/        the results (``calibration_report``), written all at once

A new calibration never writes into an existing folder of the user's or over earlier
results (``atomic.check_output``); ``--resume`` continues a folder made by the same
calibration (same hash), skipping every run already stored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from countysim.atomic import check_output
from countysim.config import dump_yaml
from countysim.experiments.calibration import CalibrationPlan
from countysim.experiments.calibration_report import provenance, write_outputs
from countysim.experiments.calibration_run import Calibration, utc_now, write_json
from countysim.experiments.execution import ExecutorKind, open_executor
from countysim.experiments.store import MANIFEST, StoreError, write_atomically


def default_folder(plan: CalibrationPlan) -> Path:
    """Where a calibration goes unless told otherwise: ``results/calibrations/<name>``."""
    return Path("results") / "calibrations" / plan.name


@dataclass(frozen=True)
class CalibrationOutcome:
    directory: Path
    posterior: Path
    ensemble: int
    effective_sample_size: float

    def format(self) -> str:
        return (
            f"posterior of {self.ensemble} parameter sets (effective sample size "
            f"{self.effective_sample_size:.0f}) in {self.posterior}"
        )


def open_folder(plan: CalibrationPlan, out: str | os.PathLike, *, resume: bool) -> Path:
    """The calibration folder at ``out``: made (new) or checked (resume); ``StoreError`` or
    ``atomic.OutputExistsError`` (exit status 2) if it may not be used."""
    directory = Path(out)
    manifest = directory / MANIFEST
    if resume:
        if not manifest.exists():
            raise StoreError(f"{directory} holds no calibration to resume (no {MANIFEST})")
        stored = json.loads(manifest.read_text(encoding="utf-8"))
        if stored.get("calibration_hash") != plan.config_hash:
            raise StoreError(
                f"{directory} holds calibration {stored.get('calibration', '?')} with another "
                f"configuration (hash {str(stored.get('calibration_hash'))[:12]}, now "
                f"{plan.config_hash[:12]}); run the original file or choose another --out"
            )
        return directory
    if manifest.exists():
        try:
            stored = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        if "calibration_hash" in stored:
            raise StoreError(
                f"{directory} holds calibration {stored.get('calibration')}; pass --resume to "
                "continue it, or choose another --out"
            )
    check_output(directory)  # refuses a user's folder, a file, or earlier results
    (directory / "stages").mkdir(parents=True, exist_ok=True)
    write_atomically(directory / "calibration.yaml", lambda p: dump_yaml(plan.spec_data(), p))
    info = provenance(plan, directory) | {"created_utc": utc_now(), "config": plan.config}
    write_json(manifest, info)  # last: it marks a whole calibration folder
    return directory


def calibrate(
    plan: CalibrationPlan,
    out: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    executor: ExecutorKind | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    log=print,
) -> CalibrationOutcome:
    """Run a calibration (or finish a resumed one) and write its posterior."""
    directory = open_folder(plan, out or default_folder(plan), resume=resume)
    settings = plan.spec.execution
    kind = executor or ("dask" if scheduler else settings.executor)
    with open_executor(
        kind, workers=workers or settings.workers, scheduler=scheduler or settings.scheduler
    ) as (pool, in_flight):
        state = Calibration(plan, directory, pool, in_flight, progress=progress, log=log).run()
    posterior = write_outputs(plan, state, directory)
    weights = state.ensemble["weight"].to_numpy()
    return CalibrationOutcome(
        directory=directory,
        posterior=posterior,
        ensemble=len(weights),
        effective_sample_size=float(1.0 / (weights**2).sum()),
    )
