"""Sigma- and beta-convergence of per-capita incomes across units (e.g. counties).

* **Sigma convergence**: the cross-sectional dispersion of log income falls over time.
* **Beta convergence**: poorer units grow faster, i.e. the slope ``β`` of annualised
  growth on initial log income is negative (Barro & Sala-i-Martin, *Economic Growth*,
  ch. 11).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .inequality import _as_weighted

__all__ = ["BetaResult", "beta_convergence", "coefficient_of_variation", "sigma"]


def _positive_weighted(
    values: ArrayLike, weights: ArrayLike | None, name: str = "values"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Like ``_as_weighted`` but requires strictly positive values (they are logged)."""
    y, w = _as_weighted(values, weights)
    if np.any(y <= 0):
        raise ValueError(f"{name} must be strictly positive (logarithms are taken)")
    return y, w


def _weighted_std(x: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    """Population standard deviation ``sqrt(Σ w (x - x̄)² / Σ w)`` with ``x̄ = Σ w x / Σ w``."""
    mean = (w @ x) / w.sum()
    return float(np.sqrt(w @ (x - mean) ** 2 / w.sum()))


def sigma(incomes: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Sigma: standard deviation of log per-capita income across units.

    Takes income *levels* ``y_i > 0`` (logs are taken here)::

        σ = sqrt( Σ_i w_i (ln y_i - m)² / Σ_i w_i ),   m = Σ_i w_i ln y_i / Σ_i w_i

    Without ``weights`` every unit counts once (``w_i = 1``), the convention of the
    convergence literature, where the unit of observation is the region; pass
    populations as ``weights`` to measure dispersion across persons instead. The
    population (ddof = 0) form is used so that weighted and unweighted values agree on
    duplicated data. Being a log measure, it is invariant to the units of income.
    """
    y, w = _positive_weighted(incomes, weights, "incomes")
    return _weighted_std(np.log(y), w)


def coefficient_of_variation(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Coefficient of variation ``CV = s / μ`` (scale-free dispersion of levels).

    ``μ = Σ w_i y_i / Σ w_i`` and ``s = sqrt(Σ w_i (y_i - μ)² / Σ w_i)`` (population form,
    unit weights by default, as in :func:`sigma`). Values must be non-negative with a
    positive mean.
    """
    y, w = _as_weighted(values, weights)
    mean = (w @ y) / w.sum()
    if not mean > 0:
        raise ValueError("the mean is zero; the coefficient of variation is undefined")
    return _weighted_std(y, w) / float(mean)


@dataclass(frozen=True)
class BetaResult:
    """Result of :func:`beta_convergence`.

    Attributes:
        beta: slope of annualised growth on initial log income (negative = convergence).
        se: classical OLS/WLS standard error of ``beta``.
        intercept: regression constant.
        r2: coefficient of determination (weighted if weights were given).
        n: number of units (with positive weight).
        speed: implied speed of convergence ``λ = -ln(1 + β T) / T`` per year.
        half_life: ``ln 2 / λ`` years for half of the gap to the steady state to close.
    """

    beta: float
    se: float
    intercept: float
    r2: float
    n: int
    speed: float
    half_life: float

    def to_dict(self) -> dict[str, float | int]:
        """Plain ``dict`` of the fields (for tables and JSON)."""
        return asdict(self)


def beta_convergence(
    initial: ArrayLike,
    final: ArrayLike,
    years: float,
    weights: ArrayLike | None = None,
) -> BetaResult:
    """Absolute beta convergence: regress annualised growth on initial log income.

    For each unit ``i`` with income ``y_i0`` at the start and ``y_iT`` after ``T = years``::

        g_i = ln(y_iT / y_i0) / T = a + β ln y_i0 + e_i

    estimated by least squares with an intercept. With ``x = ln y_0`` and weighted means
    ``x̄, ḡ``::

        β  = Σ w (x - x̄)(g - ḡ) / Σ w (x - x̄)²,     a = ḡ - β x̄
        se = sqrt( s² / Σ w (x - x̄)² ),             s² = Σ w e² / (n - 2)
        R² = 1 - Σ w e² / Σ w (g - ḡ)²

    Without ``weights`` this is classical OLS (identical to ``scipy.stats.linregress``).
    ``weights`` are analytic (precision) weights, e.g. populations, giving WLS as in
    ``statsmodels.WLS``: scaling all weights leaves every output unchanged, and ``n``
    is the number of units with positive weight.

    **Speed of convergence.** In the Barro–Sala-i-Martin log-linearised model the gap to
    the steady state decays as ``e^{-λt}``, which makes average growth over ``T`` years
    ``g = const - (1 - e^{-λT})/T · ln y_0``. Hence ``β = -(1 - e^{-λT})/T`` and::

        λ = -ln(1 + β T) / T,        half-life = ln 2 / λ

    ``λ`` is the annual rate that is comparable across different ``T`` (``β`` is not:
    ``|β| < λ`` and ``|β|`` falls with ``T``). If ``β ≥ 0`` there is no convergence:
    ``λ ≤ 0`` and the half-life is ``inf``. If ``1 + β T ≤ 0`` the model would imply
    overshooting of the steady state, ``λ`` is undefined and both are ``NaN``.

    Raises ``ValueError`` for non-positive incomes, ``years <= 0``, fewer than 3 units
    (the standard error needs ``n - 2 > 0``) or identical initial incomes.
    """
    if not (math.isfinite(years) and years > 0):
        raise ValueError(f"years must be positive and finite, got {years}")
    y0, w = _positive_weighted(initial, weights, "initial")
    y1, _ = _positive_weighted(final, None, "final")
    if y1.shape != y0.shape:
        raise ValueError(f"final shape {y1.shape} does not match initial shape {y0.shape}")
    n = int(np.count_nonzero(w))
    if n < 3:
        raise ValueError(f"need at least 3 units for a standard error, got {n}")

    x = np.log(y0)
    g = np.log(y1 / y0) / years
    w_sum = w.sum()
    dx = x - (w @ x) / w_sum
    dg = g - (w @ g) / w_sum
    sxx = float(w @ dx**2)
    if not sxx > 0:
        raise ValueError("initial incomes do not vary; beta is not identified")
    beta = float(w @ (dx * dg)) / sxx
    intercept = float((w @ g) / w_sum - beta * (w @ x) / w_sum)
    resid = dg - beta * dx
    ssr = float(w @ resid**2)
    sst = float(w @ dg**2)
    se = math.sqrt(ssr / (n - 2) / sxx)
    # All units growing at the same rate leaves nothing to explain: R² is undefined.
    r2 = 1.0 - ssr / sst if sst > 0 else math.nan

    if beta * years > -1.0:
        speed = -math.log1p(beta * years) / years
        half_life = math.log(2.0) / speed if speed > 0 else math.inf
    else:
        speed = half_life = math.nan
    return BetaResult(
        beta=beta,
        se=se,
        intercept=intercept,
        r2=r2,
        n=n,
        speed=speed,
        half_life=half_life,
    )
