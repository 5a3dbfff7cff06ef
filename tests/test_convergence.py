import math

import numpy as np
import pytest
from scipy import stats

from countysim.measures import BetaResult, beta_convergence, coefficient_of_variation, sigma


def test_exact_power_law_recovers_beta_with_zero_se():
    # y_T = e^{aT} y_0^{1 + βT}  =>  ln(y_T/y_0)/T = a + β ln y_0 exactly.
    beta, a, years = -0.023, 0.05, 15.0
    y0 = np.geomspace(500.0, 40_000.0, 60)
    yT = np.exp(a * years) * y0 ** (1.0 + beta * years)
    res = beta_convergence(y0, yT, years)
    assert isinstance(res, BetaResult)
    assert res.beta == pytest.approx(beta, abs=1e-10)
    assert res.intercept == pytest.approx(a, abs=1e-9)
    assert res.se < 1e-12
    assert res.r2 == pytest.approx(1.0, abs=1e-12)
    assert res.n == 60
    # Weights do not move an exact fit.
    weighted = beta_convergence(y0, yT, years, weights=np.linspace(1.0, 9.0, 60))
    assert weighted.beta == pytest.approx(beta, abs=1e-10)


def test_noisy_case_matches_scipy_linregress():
    rng = np.random.default_rng(42)
    years = 20.0
    y0 = rng.lognormal(mean=9.0, sigma=0.6, size=200)
    growth = 0.2 - 0.015 * np.log(y0) + rng.normal(scale=0.01, size=200)
    yT = y0 * np.exp(growth * years)
    res = beta_convergence(y0, yT, years)
    ref = stats.linregress(np.log(y0), np.log(yT / y0) / years)
    assert res.beta == pytest.approx(ref.slope, rel=1e-10)
    assert res.intercept == pytest.approx(ref.intercept, rel=1e-10)
    assert res.se == pytest.approx(ref.stderr, rel=1e-10)
    assert res.r2 == pytest.approx(ref.rvalue**2, rel=1e-10)
    assert res.se > 0


def test_integer_weights_give_replicated_point_estimate():
    rng = np.random.default_rng(7)
    y0 = rng.lognormal(8.0, 0.5, size=40)
    yT = y0 * np.exp(rng.normal(0.3, 0.1, size=40))
    w = rng.integers(1, 5, size=40)
    weighted = beta_convergence(y0, yT, 10.0, weights=w)
    replicated = beta_convergence(np.repeat(y0, w), np.repeat(yT, w), 10.0)
    assert weighted.beta == pytest.approx(replicated.beta, rel=1e-10)
    assert weighted.intercept == pytest.approx(replicated.intercept, rel=1e-10)
    assert weighted.r2 == pytest.approx(replicated.r2, rel=1e-10)
    assert weighted.n == 40
    # Analytic weights: rescaling them changes nothing, including the standard error.
    rescaled = beta_convergence(y0, yT, 10.0, weights=1000 * w)
    assert rescaled.to_dict() == pytest.approx(weighted.to_dict(), rel=1e-12)


@pytest.mark.parametrize(
    ("beta", "years", "speed", "half_life"),
    [
        # 1 + βT = 0.8: λ = -ln(0.8)/10, half-life = ln 2 / λ
        (-0.02, 10.0, 0.022314355131420972, 31.062837195053902),
        # 1 + βT = 0.5: half the gap closes in exactly T = 25 years
        (-0.02, 25.0, 0.027725887222397813, 25.0),
    ],
)
def test_speed_and_half_life_hand_computed(beta, years, speed, half_life):
    y0 = np.array([1_000.0, 2_000.0, 5_000.0, 20_000.0])
    yT = y0 ** (1.0 + beta * years)
    res = beta_convergence(y0, yT, years)
    assert res.speed == pytest.approx(speed, rel=1e-9)
    assert res.half_life == pytest.approx(half_life, rel=1e-9)
    assert res.speed > -res.beta  # λ exceeds |β| for T > 0


def test_no_convergence_and_overshooting():
    y0 = np.array([1.0, 2.0, 4.0, 8.0])
    diverging = beta_convergence(y0, y0**1.5, 10.0)  # β = +0.05
    assert diverging.beta == pytest.approx(0.05)
    assert diverging.speed < 0
    assert diverging.half_life == math.inf
    overshoot = beta_convergence(y0, y0**-0.5, 10.0)  # 1 + βT = -0.5
    assert math.isnan(overshoot.speed)
    assert math.isnan(overshoot.half_life)


def test_to_dict_round_trip():
    y0 = np.array([1.0, 2.0, 4.0, 8.0])
    res = beta_convergence(y0, y0**0.9 * 1.1, 5.0)
    d = res.to_dict()
    assert list(d) == ["beta", "se", "intercept", "r2", "n", "speed", "half_life"]
    assert BetaResult(**d) == res


@pytest.mark.parametrize(
    ("initial", "final", "years", "weights"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 0.0, None),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], np.inf, None),
        ([1.0, 2.0], [1.0, 2.0], 5.0, None),
        ([1.0, 2.0, 0.0], [1.0, 2.0, 3.0], 5.0, None),
        ([1.0, 2.0, 3.0], [1.0, -2.0, 3.0], 5.0, None),
        ([1.0, 2.0, 3.0], [1.0, 2.0], 5.0, None),
        ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], 5.0, None),
        ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 5.0, [1.0, -1.0, 1.0]),
    ],
)
def test_beta_convergence_rejects_bad_input(initial, final, years, weights):
    with pytest.raises(ValueError):
        beta_convergence(initial, final, years, weights)


def test_sigma_is_std_of_logs():
    rng = np.random.default_rng(3)
    y = rng.lognormal(mean=9.0, sigma=0.4, size=1000)
    assert sigma(y) == pytest.approx(np.std(np.log(y)), rel=1e-12)
    assert sigma(250 * y) == pytest.approx(sigma(y), rel=1e-12)
    w = rng.integers(1, 4, size=1000)
    assert sigma(y, w) == pytest.approx(np.std(np.log(np.repeat(y, w))), rel=1e-12)
    # Two units at e and e^3: log deviations ±1.
    assert sigma([math.e, math.e**3]) == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(ValueError, match="strictly positive"):
        sigma([1.0, 0.0])


def test_coefficient_of_variation():
    assert coefficient_of_variation([1.0, 3.0]) == pytest.approx(0.5, rel=1e-12)
    assert coefficient_of_variation([1.0, 3.0], [3.0, 1.0]) == pytest.approx(
        np.std([1.0, 1.0, 1.0, 3.0]) / 1.5, rel=1e-12
    )
    assert coefficient_of_variation(np.full(5, 2.0)) == 0.0
    with pytest.raises(ValueError, match="mean is zero"):
        coefficient_of_variation([0.0, 0.0])
