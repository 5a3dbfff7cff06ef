"""Emulators and implausibility on a function whose answer is known."""

import numpy as np
import pandas as pd

from countysim.experiments.calibration_emulator import (
    coverage,
    fit_emulators,
    implausibility,
    not_implausible,
)
from countysim.experiments.calibration_schema import Ratio
from countysim.experiments.calibration_targets import Target


def _noisy(x, rng, noise=0.02):
    return np.sin(3 * x[:, 0]) + 0.5 * x[:, 1] + noise * rng.standard_normal(len(x))


def _target(observed, sd):
    return Target("y", "value", Ratio(numerator=["y"]), "mean", (2012,), observed, sd=sd,
                  data=pd.DataFrame(columns=["year", "value"]))  # fmt: skip


def test_emulator_predicts_new_runs_within_its_bands():
    rng = np.random.default_rng(0)
    x = rng.random((40, 2))
    emulators = fit_emulators(x, {"y": _noisy(x, rng)}, seed=1)
    fresh = rng.random((200, 2))
    assert coverage(emulators, fresh, {"y": _noisy(fresh, rng)})["y"] > 0.95
    mean, variance = emulators["y"].predict(fresh)
    truth = np.sin(3 * fresh[:, 0]) + 0.5 * fresh[:, 1]
    assert np.sqrt(np.mean((mean - truth) ** 2)) < 0.05
    assert np.all(variance > 0)


def test_implausibility_keeps_the_truth_and_cuts_most_of_the_cube():
    rng = np.random.default_rng(1)
    x = rng.random((40, 2))
    emulators = fit_emulators(x, {"y": _noisy(x, rng)}, seed=2)
    true_x = np.array([[0.3, 0.6]])
    observed = float(np.sin(0.9) + 0.3)
    targets = {"y": _target(observed, 0.01)}
    assert implausibility(emulators, targets, true_x)[0] < 3
    cube = rng.random((4000, 2))
    kept = not_implausible([emulators], targets, cube, 3.0)
    assert 0.02 < kept.mean() < 0.5  # a band around the level set, not the whole cube
    # A second wave only ever removes more.
    assert not (not_implausible([emulators, emulators], targets, cube, 3.0) & ~kept).any()


def test_tolerance_likelihoods():
    band = Target("y", "value", Ratio(numerator=["y"]), "mean", (2012,), 1.0, tolerance=0.1)
    assert np.isfinite(band.log_likelihood(np.array([1.05]))[0])
    assert band.log_likelihood(np.array([1.2]))[0] == -np.inf
    near, far = band.expected_log_likelihood(np.array([1.0, 1.5]), np.array([0.01, 0.01]))
    assert near > far
    assert band.variance == 0.1**2 / 3
