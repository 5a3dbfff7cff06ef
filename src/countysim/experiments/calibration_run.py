"""The staged calibration procedure: synthetic data, screening, history matching, ensemble.

1. ``synthetic`` (only with ``synthetic:`` in the file): the model at the true parameter
   values makes the observed numbers.
2. ``screening``: a Morris design (SALib, through ``sensitivity.morris_effects``) over the
   prior quantiles. A parameter whose mu* on every target is below ``threshold`` target
   error sds is inert: still drawn from its prior, but not an input of the emulators.
3. ``wave-1`` ... ``wave-W``: history matching. Each wave runs a space-filling design
   (greedy maximin among prior draws) inside the region that earlier waves' emulators do
   not rule out (implausibility at most the cut-off, 3), then fits one Gaussian-process
   emulator per target (``calibration_emulator``) on every wave's runs so far.
4. ``ensemble``: parameter sets drawn from the prior and kept where no wave rules them out
   (so they are draws from the prior restricted to the final non-implausible region), each
   run ``replicates`` times and weighted by the likelihood of the targets given their error
   models; normalized, these are importance weights of the posterior. The likelihood is by
   default that of emulators refitted with the ensemble's runs (``weighting: emulator``:
   smooth weights, the run-to-run noise in the emulators' variance), or that of each set's
   own runs (``weighting: runs``: exact in expectation, but noisy weights).

Every stage is a sweep store under ``<calibration>/stages/`` (``calibration_stages``);
designs come from the calibration's seed, so a resumed calibration repeats the same draws,
and a stage whose store exists reads its points back from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from countysim.experiments.calibration import CalibrationPlan
from countysim.experiments.calibration_emulator import (
    Emulator,
    coverage,
    fit_emulators,
    not_implausible,
)
from countysim.experiments.calibration_priors import (
    maximin_subset,
    prior_sample,
    to_unit,
    to_values,
)
from countysim.experiments.calibration_stages import run_stage, stage_number, stored_points
from countysim.experiments.design import Parameter, make_design
from countysim.experiments.sensitivity import morris_effects

#: Rounds of prior draws tried to find enough non-implausible candidates.
_MAX_DRAW_ROUNDS = 20


class CalibrationFailed(RuntimeError):
    """The calibration cannot go on (e.g. every parameter set is implausible)."""


@dataclass
class CalibrationState:
    """What the stages found: targets' observed values, active parameters, emulators per
    wave, the runs of every stage, and diagnostics for the report."""

    targets: dict
    active: list[str]
    screening: pd.DataFrame | None = None
    waves: list[dict[str, Emulator]] = field(default_factory=list)
    runs: dict[str, pd.DataFrame] = field(default_factory=dict)
    wave_log: list[dict[str, object]] = field(default_factory=list)
    ensemble: pd.DataFrame | None = None
    final_emulators: dict[str, Emulator] | None = None


class Calibration:
    """Runs the stages of a calibration plan into ``directory`` on an executor."""

    def __init__(
        self,
        plan: CalibrationPlan,
        directory: Path,
        executor: Executor,
        in_flight: int,
        *,
        progress: bool = True,
        log=print,
    ) -> None:
        self.plan = plan
        self.directory = Path(directory)
        self.executor = executor
        self.in_flight = in_flight
        self.progress = progress
        self.log = log
        self.budget = plan.spec.budget

    def _rng(self, stage: str) -> np.random.Generator:
        """The random numbers of one stage's design: from the calibration's seed and the
        stage alone, so a resumed calibration draws exactly what an uninterrupted one would."""
        return np.random.default_rng([self.plan.spec.seed, stage_number(stage)])

    # ------------------------------------------------------------------ stages

    def run(self) -> CalibrationState:
        state = CalibrationState(targets=dict(self.plan.targets), active=self.plan.names)
        if self.plan.spec.synthetic is not None:
            self._synthetic(state)
        if self.budget.screening is not None and len(self.plan.priors) > 1:
            self._screen(state)
        for wave in range(1, self.budget.waves + 1):
            self._wave(state, wave)
        self._ensemble(state)
        return state

    def _stage(self, stage: str, points_if_new, replicates: int) -> pd.DataFrame:
        """Run a stage: its stored points if it was started before, else new ones."""
        directory = self.directory / "stages" / stage
        points = stored_points(directory)
        if points is None:
            points = points_if_new()
        self.log(f"{self.plan.name}: stage {stage}, {len(points)} parameter sets")
        table = run_stage(
            self.plan,
            stage,
            points,
            replicates,
            directory,
            self.executor,
            self.in_flight,
            self.progress,
        )
        if not (table["runs_ok"] > 0).any():
            raise CalibrationFailed(f"every run of stage {stage} failed; see {directory}")
        return table

    def _synthetic(self, state: CalibrationState) -> None:
        truth = self.plan.spec.synthetic
        table = self._stage("synthetic", lambda: [dict(truth.parameters)], truth.replicates)
        undefined = [name for name in self.plan.targets if not np.isfinite(table.loc[0, name])]
        if undefined:
            raise CalibrationFailed(
                f"the model at the true values gives no value for {', '.join(undefined)}"
            )
        state.targets = {
            name: target.with_observed(table.loc[0, name])
            for name, target in self.plan.targets.items()
        }
        state.runs["synthetic"] = table

    def _screen(self, state: CalibrationState) -> None:
        settings = self.budget.screening
        cube = [Parameter(name, bounds=(0.0, 1.0)) for name in self.plan.names]
        design = make_design(
            "morris",
            cube,
            samples=settings.trajectories,
            levels=settings.levels,
            seed=self.plan.spec.seed,
        )
        table = self._stage(
            "screening", lambda: to_values(self.plan.priors, design.unit), self.budget.replicates
        )
        effects = []
        for name, target in state.targets.items():
            values = table[name].rename(name)
            if values.isna().any() or np.ptp(values) == 0:
                continue  # undefined somewhere or constant: no effect to measure
            found = morris_effects(design, values, seed=self.plan.spec.seed)
            found["mu_star_in_sd"] = found["mu_star"] / target.scale
            effects.append(found)
        state.runs["screening"] = table
        if not effects:
            return
        effects = pd.concat(effects, ignore_index=True)
        strongest = effects.groupby("parameter")["mu_star_in_sd"].max()
        active = [
            name for name in self.plan.names if strongest.get(name, 0.0) >= settings.threshold
        ]
        state.screening = effects
        state.active = active or self.plan.names  # all inert: keep all rather than none
        inert = [name for name in self.plan.names if name not in state.active]
        self.log(
            f"{self.plan.name}: screening leaves {len(state.active)} active parameters"
            + (f"; inert: {', '.join(inert)}" if inert else "")
        )

    def _wave(self, state: CalibrationState, wave: int) -> None:
        stage = f"wave-{wave}"
        rng = self._rng(stage)
        candidates, share = self._non_implausible(state, self.budget.runs_per_wave, rng)

        def design() -> list[dict[str, float]]:
            chosen = maximin_subset(self._active(state, candidates), self.budget.runs_per_wave, rng)
            return to_values(self.plan.priors, candidates[chosen])

        table = self._stage(stage, design, self.budget.replicates)
        x_new = self._active(state, to_unit(self.plan.priors, self._points(table)))
        entry: dict[str, object] = {"wave": wave, "runs": len(table), "non_implausible": share}
        if state.waves:  # the last emulators, checked on runs they have not seen
            entry["emulator_coverage"] = coverage(
                state.waves[-1], x_new, self._values(state, table)
            )
        state.runs[stage] = table
        history = pd.concat([state.runs[s] for s in state.runs if s.startswith("wave-")])
        x = self._active(state, to_unit(self.plan.priors, self._points(history)))
        try:
            emulators = fit_emulators(x, self._values(state, history), self.plan.spec.seed + wave)
        except ValueError as exc:  # too few runs with a value to emulate a target
            raise CalibrationFailed(f"wave {wave}: {exc}") from None
        state.waves.append(emulators)
        entry["emulators"] = [emulator.describe() for emulator in emulators.values()]
        state.wave_log.append(entry)
        self.log(f"{self.plan.name}: wave {wave}: {share:.1%} of the prior not implausible")

    def _ensemble(self, state: CalibrationState) -> None:
        size = self.budget.ensemble
        rng = self._rng("ensemble")
        candidates, share = self._non_implausible(state, size, rng)

        def draws() -> list[dict[str, float]]:
            chosen = rng.choice(len(candidates), size=min(size, len(candidates)), replace=False)
            return to_values(self.plan.priors, candidates[np.sort(chosen)])

        table = self._stage("ensemble", draws, self.budget.replicates)
        state.runs["ensemble"] = table
        state.wave_log.append({"wave": "ensemble", "runs": len(table), "non_implausible": share})
        if self.budget.weighting == "emulator":
            log_likelihood = self._emulated_log_likelihood(state, table)
        else:
            log_likelihood = simulated_log_likelihood(state.targets, table)
        table = table.copy()
        table["log_likelihood"] = log_likelihood
        table["weight"] = normalized_weights(log_likelihood)
        if not np.isfinite(log_likelihood).any():
            raise CalibrationFailed(
                "no ensemble run matches the targets within their error models; widen a "
                "tolerance or sd, or add waves"
            )
        state.ensemble = table

    def _emulated_log_likelihood(self, state: CalibrationState, table: pd.DataFrame) -> np.ndarray:
        """Each set's likelihood under emulators refitted on every wave's runs and the
        ensemble's own: the Gaussian error model convolved with the emulator's predictive
        distribution (which holds the model's run-to-run noise), so a set's weight does not
        hang on the luck of its one run."""
        history = pd.concat([state.runs[s] for s in state.runs if s.startswith("wave-")] + [table])
        x = self._active(state, to_unit(self.plan.priors, self._points(history)))
        try:
            final = fit_emulators(x, self._values(state, history), self.plan.spec.seed + 99)
        except ValueError as exc:
            raise CalibrationFailed(f"ensemble: {exc}") from None
        x_sets = self._active(state, to_unit(self.plan.priors, self._points(table)))
        log_likelihood = np.zeros(len(table))
        for name, emulator in final.items():
            mean, variance = emulator.predict(x_sets)
            log_likelihood += state.targets[name].expected_log_likelihood(mean, variance)
        state.final_emulators = final
        return log_likelihood

    # ------------------------------------------------------------------ helpers

    def _non_implausible(
        self, state: CalibrationState, wanted: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, float]:
        """Prior draws (unit cube) that no wave rules out, and their share of all draws."""
        kept, drawn = [], 0
        for _ in range(_MAX_DRAW_ROUNDS):
            unit = prior_sample(self.budget.candidates, len(self.plan.priors), rng)
            drawn += len(unit)
            if state.waves:
                unit = unit[
                    not_implausible(
                        state.waves,
                        state.targets,
                        self._active(state, unit),
                        self.plan.spec.implausibility_cutoff,
                    )
                ]
            kept.append(unit)
            if sum(len(k) for k in kept) >= wanted:
                break
        candidates = np.concatenate(kept)
        if len(candidates) == 0:
            raise CalibrationFailed(
                f"no parameter set in {drawn} prior draws is within implausibility "
                f"{self.plan.spec.implausibility_cutoff:g} of every target: the model cannot "
                "match the targets under these priors and error models"
            )
        return candidates, len(candidates) / drawn

    def _active(self, state: CalibrationState, unit: np.ndarray) -> np.ndarray:
        columns = [self.plan.names.index(name) for name in state.active]
        return unit[:, columns]

    def _points(self, table: pd.DataFrame) -> list[dict[str, float]]:
        return table[self.plan.names].to_dict("records")

    @staticmethod
    def _values(state: CalibrationState, table: pd.DataFrame) -> dict[str, np.ndarray]:
        return {name: table[name].to_numpy(dtype=float) for name in state.targets}


def simulated_log_likelihood(targets: Mapping, table: pd.DataFrame) -> np.ndarray:
    """Each set's likelihood from its own runs' statistics (mean over its replicates)."""
    log_likelihood = np.zeros(len(table))
    for name, target in targets.items():
        simulated = table[name].to_numpy(dtype=float)
        log_likelihood += np.where(
            np.isfinite(simulated), target.log_likelihood(np.nan_to_num(simulated)), -np.inf
        )
    return log_likelihood


def normalized_weights(log_likelihood: np.ndarray) -> np.ndarray:
    """Weights proportional to exp(log likelihood), summing to 1 (zero where -inf)."""
    finite = np.isfinite(log_likelihood)
    weights = np.zeros(len(log_likelihood))
    if finite.any():
        shifted = log_likelihood[finite] - log_likelihood[finite].max()
        weights[finite] = np.exp(shifted)
        weights /= weights.sum()
    return weights


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalized weights, 1 / sum(w^2)."""
    total = float(np.sum(np.square(weights)))
    return 1.0 / total if total > 0 else 0.0


def write_json(path: Path, data: Mapping) -> None:
    """A small JSON file (for the calibration's manifest and diagnostics)."""
    from countysim.experiments.store import write_atomically

    text = json.dumps(data, indent=1, default=str) + "\n"
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
