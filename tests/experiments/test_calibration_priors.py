"""Priors: draws stay inside the bounds, follow the prior, and map back to their quantiles."""

import numpy as np
import pytest
from scipy import stats

from countysim.experiments.calibration_priors import (
    Prior,
    maximin_subset,
    prior_sample,
    to_unit,
    to_values,
)

PRIORS = [
    Prior("choice.income_weight", "uniform", (0.5, 3.0)),
    Prior("choice.moving_cost", "normal", (0.2, 2.4), 1.2, 0.5),
    Prior("choice.network_weight", "lognormal", (0.01, 0.5), 0.1, 0.8),
    Prior("labour.tfp_growth", "normal", (0.0, 0.1), 0.3, 0.05),  # mean outside: a tail
]


@pytest.mark.parametrize("prior", PRIORS, ids=lambda p: p.kind)
def test_draws_lie_within_bounds_and_invert(prior):
    rng = np.random.default_rng(1)
    u = prior_sample(5000, 1, rng)[:, 0]
    values = prior.from_unit(u)
    low, high = prior.bounds
    assert values.min() >= low and values.max() <= high
    assert np.allclose(prior.to_unit(values), u, atol=1e-9)
    assert prior.from_unit(np.array([0.0, 1.0])) == pytest.approx([low, high], rel=1e-12)


def test_draws_follow_the_prior():
    rng = np.random.default_rng(2)
    normal, lognormal = PRIORS[1], PRIORS[2]
    u = rng.random(20000)
    a, b = (0.2 - 1.2) / 0.5, (2.4 - 1.2) / 0.5
    truncated = stats.truncnorm(a, b, loc=1.2, scale=0.5)
    assert stats.kstest(normal.from_unit(u), truncated.cdf).pvalue > 0.01
    logs = np.log(lognormal.from_unit(u))
    a, b = (np.log(0.01) - np.log(0.1)) / 0.8, (np.log(0.5) - np.log(0.1)) / 0.8
    log_truncated = stats.truncnorm(a, b, loc=np.log(0.1), scale=0.8)
    assert stats.kstest(logs, log_truncated.cdf).pvalue > 0.01
    assert np.median(lognormal.from_unit(u)) == pytest.approx(0.1, rel=0.05)


def test_parameter_sets_round_trip_and_interval():
    unit = prior_sample(50, len(PRIORS), np.random.default_rng(3))
    sets = to_values(PRIORS, unit)
    assert set(sets[0]) == {p.name for p in PRIORS}
    assert np.allclose(to_unit(PRIORS, sets), unit, atol=1e-9)
    low, high = PRIORS[0].interval(0.9)
    assert (low, high) == pytest.approx((0.625, 2.875))


def test_bad_priors_raise():
    with pytest.raises(ValueError, match="lognormal"):
        Prior("x", "lognormal", (-1.0, 1.0), 0.5, 0.1)
    with pytest.raises(ValueError, match="lower < upper"):
        Prior("x", "uniform", (1.0, 1.0))


def test_maximin_subset_spreads_out():
    rng = np.random.default_rng(4)
    cloud = rng.random((2000, 2))
    chosen = cloud[maximin_subset(cloud, 10, rng)]
    random = cloud[:10]

    def closest(points):
        gaps = np.linalg.norm(points[:, None] - points[None], axis=2)
        return gaps[np.triu_indices(len(points), 1)].min()

    assert len(np.unique(chosen, axis=0)) == 10
    assert closest(chosen) > 2 * closest(random)
