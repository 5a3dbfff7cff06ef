"""Gaussian-process emulators of the targets and the implausibility of parameter sets.

One emulator per target, fitted with scikit-learn (``pip install 'countysim[calibrate]'``)
on the unit-cube coordinates of the active parameters (see ``calibration_priors``): a
constant times an anisotropic squared-exponential kernel (one length scale per parameter)
plus a white-noise term, which absorbs the model's own randomness and the inert
parameters' effects. Its predictive variance therefore includes that noise: it is the
variance of a new run's statistic, not only of the emulator's mean.

The implausibility of a parameter set x for target t is

    I_t(x) = |z_t - E[f_t(x)]| / sqrt(Var[f_t(x)] + V_t),

with z_t the observed value and V_t its error variance; a set is implausible when its
largest I_t exceeds the cut-off (3, by the three-sigma rule: at least 95% of any unimodal
distribution lies within 3 sd of its mean).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from countysim.experiments.calibration_targets import Target


def _gp_module():
    try:
        from sklearn import gaussian_process
        from sklearn.gaussian_process import kernels
    except ImportError:
        raise ImportError(
            "calibration needs scikit-learn: pip install 'countysim[calibrate]'"
        ) from None
    return gaussian_process, kernels


@dataclass
class Emulator:
    """A fitted Gaussian process for one target over the active parameters' unit cube."""

    target: str
    process: object
    training_points: int

    @classmethod
    def fit(cls, target: str, x: np.ndarray, y: np.ndarray, seed: int) -> Emulator:
        gaussian_process, kernels = _gp_module()
        d = x.shape[1]
        kernel = kernels.ConstantKernel(1.0, (1e-3, 1e3)) * kernels.RBF(
            length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2)
        ) + kernels.WhiteKernel(1e-2, (1e-8, 1e1))
        process = gaussian_process.GaussianProcessRegressor(
            kernel=kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
        )
        with warnings.catch_warnings():
            # Bounds reached by a length scale mean the target hardly depends on that
            # parameter here: the fit is still right, so the convergence warning is noise.
            warnings.simplefilter("ignore")
            process.fit(x, y)
        return cls(target, process, len(y))

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and variance (of a new run's statistic) at rows of ``x``."""
        mean, sd = self.process.predict(x, return_std=True)
        return mean, sd**2

    def describe(self) -> dict[str, object]:
        return {
            "target": self.target,
            "training_points": self.training_points,
            "kernel": str(self.process.kernel_),
        }


def fit_emulators(
    x: np.ndarray, values: Mapping[str, np.ndarray], seed: int
) -> dict[str, Emulator]:
    """One emulator per target from inputs ``x`` and each target's simulated statistics;
    rows where a statistic is undefined are left out of that target's fit."""
    emulators = {}
    for index, (name, y) in enumerate(values.items()):
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(y)
        if ok.sum() < 3:
            raise ValueError(f"target {name}: fewer than 3 runs with a value to fit an emulator")
        emulators[name] = Emulator.fit(name, x[ok], y[ok], seed + index)
    return emulators


def implausibility(
    emulators: Mapping[str, Emulator], targets: Mapping[str, Target], x: np.ndarray
) -> np.ndarray:
    """Each row's largest implausibility over the targets (rows of ``x``, one per set)."""
    worst = np.zeros(len(x))
    for name, emulator in emulators.items():
        target = targets[name]
        mean, variance = emulator.predict(x)
        score = np.abs(target.observed - mean) / np.sqrt(variance + target.variance)
        worst = np.maximum(worst, score)
    return worst


def not_implausible(
    waves: Sequence[Mapping[str, Emulator]],
    targets: Mapping[str, Target],
    x: np.ndarray,
    cutoff: float,
) -> np.ndarray:
    """Which rows of ``x`` no wave's emulators rule out (the non-implausible region)."""
    keep = np.ones(len(x), dtype=bool)
    for emulators in waves:
        if keep.any():
            keep[keep] = implausibility(emulators, targets, x[keep]) <= cutoff
    return keep


def coverage(
    emulators: Mapping[str, Emulator], x: np.ndarray, values: Mapping[str, np.ndarray]
) -> dict[str, float]:
    """Share of new runs whose statistic lies within 3 predictive sd of an emulator's mean:
    a check of the emulators of one wave on the runs of the next (about 0.99 if right)."""
    shares = {}
    for name, emulator in emulators.items():
        y = np.asarray(values[name], dtype=float)
        ok = np.isfinite(y)
        mean, variance = emulator.predict(x[ok])
        shares[name] = float(np.mean(np.abs(y[ok] - mean) <= 3 * np.sqrt(variance)))
    return shares
