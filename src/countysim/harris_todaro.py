"""Static two-sector Harris–Todaro equilibrium (Harris & Todaro, AER 1970).

Model
-----
A population ``N`` splits into ``N_u`` urban residents and ``N_a = N - N_u`` rural workers.

* **Urban (manufacturing)**: ``Y_m = A_m N_m^α`` with employment ``N_m ≤ N_u`` and a wage
  floor ``w̄``. If the marginal product at full employment, ``α A_m N_u^(α-1)``, is at
  least ``w̄``, the labour market clears (``N_m = N_u``, wage = that marginal product).
  Otherwise firms hire until the marginal product equals the floor,
  ``N_m = N̄ = (α A_m / w̄)^(1/(1-α))``, and the ``N_m`` jobs are rationed at random among
  the ``N_u`` residents, so the expected urban wage is ``w̄ N_m / N_u``.
* **Rural (agriculture)**: ``Y_a = A_a N_a^φ``, valued at the relative price ``p`` of the
  agricultural good. A rural worker earns ``p`` times either the marginal product,
  ``φ A_a N_a^(φ-1)`` (``pay="marginal"``), or the average product, ``A_a N_a^(φ-1)``
  (``pay="average"``, family farming where output is shared). The price is either given
  (``price="fixed"``) or tied to relative supplies, ``p = ρ (Y_m / Y_a)^γ``
  (``price="relative"``) with ``0 ≤ γ ≤ 1``: ``γ = 1`` is Cobb–Douglas demand with
  expenditure ratio ``ρ`` (unit elasticity of substitution), smaller ``γ`` makes the goods
  better substitutes (elasticity ``1/γ``), and ``γ = 0`` is a fixed price ``ρ``.

**Equilibrium (migration condition)**: rural income = expected urban income.

In both urban regimes the expected urban wage equals ``α Y_m / N_u``: under rationing
``w̄ = α A_m N_m^(α-1)``, so ``w̄ N_m = α Y_m``. With marginal pay and a relative price,
rural income is ``ρ φ Y_m / N_a`` when ``γ = 1``, the ``Y_m`` cancels and
``N_u / N_a = α / (ρ φ)`` (:func:`closed_form_urban_share`): the wage floor changes
unemployment, not the urban share. For ``γ < 1`` the levels of output no longer cancel, the
floor and the productivities move the urban share too, and only the numerical solver applies.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Literal, NamedTuple

import numpy as np
from scipy.optimize import brentq

__all__ = ["HTEquilibrium", "closed_form_urban_share", "solve_harris_todaro"]

Pay = Literal["marginal", "average"]
Price = Literal["fixed", "relative"]

# Bracket search limit on x = ln(N_u / N_a): beyond it the urban or rural share is below
# e^-512 ≈ 1e-222, i.e. the equilibrium is a corner for all numerical purposes.
_MAX_LOGIT = 512.0


@dataclass(frozen=True)
class HTEquilibrium:
    """Harris–Todaro equilibrium returned by :func:`solve_harris_todaro`.

    Attributes:
        urban_share: ``N_u / N``.
        urban_residents: ``N_u`` (employed plus unemployed urban labour force).
        urban_employment: ``N_m``.
        unemployment_rate: ``1 - N_m / N_u`` (0 when the urban labour market clears).
        urban_wage: wage of an employed urban worker (``w̄`` under rationing, otherwise
            the market-clearing marginal product ``α A_m N_u^(α-1) ≥ w̄``).
        expected_urban_wage: ``urban_wage · N_m / N_u``.
        rural_income: income per rural worker, ``p·MP`` or ``p·AP`` (equals the
            expected urban wage in equilibrium).
        price: relative price ``p`` of the agricultural good.
    """

    urban_share: float
    urban_residents: float
    urban_employment: float
    unemployment_rate: float
    urban_wage: float
    expected_urban_wage: float
    rural_income: float
    price: float


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, Real) and math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _unit_interval(name: str, value: float, *, closed: bool) -> float:
    """Check ``0 < value < 1`` (or ``≤ 1`` if ``closed``)."""
    value = _positive(name, value)
    if value > 1.0 or (value == 1.0 and not closed):
        bound = "<= 1" if closed else "< 1"
        raise ValueError(f"{name} must satisfy 0 < {name} {bound}, got {value!r}")
    return value


def closed_form_urban_share(alpha: float, rho: float, phi: float) -> float:
    """Equilibrium urban share with marginal rural pay and relative price ``p = ρ Y_m/Y_a``::

        N_u / N = α / (α + ρ φ)

    Derivation: expected urban income ``α Y_m / N_u`` (with or without rationing, see the
    module docstring) equals rural income ``p φ Y_a / N_a = ρ φ Y_m / N_a``, so
    ``N_u / N_a = α / (ρ φ)``. The share does not depend on ``N``, the productivities or
    the wage floor. For average rural pay the same reasoning gives ``α / (α + ρ)``, i.e.
    this formula with ``phi=1``.
    """
    alpha = _unit_interval("alpha", alpha, closed=False)
    rho = _positive("rho", rho)
    phi = _unit_interval("phi", phi, closed=True)
    return alpha / (alpha + rho * phi)


class _LogState(NamedTuple):
    """Logs of the model quantities at a given allocation of labour."""

    urban_residents: float
    urban_employment: float
    expected_urban: float
    rural: float
    price: float


@dataclass(frozen=True)
class _Economy:
    """Validated parameters, with all quantities computed in logs for robustness."""

    N: float
    alpha: float
    A_m: float
    w_bar: float
    phi: float
    A_a: float
    pay: Pay
    price: Price
    rho: float | None
    p: float | None
    gamma: float = 1.0

    @property
    def log_job_ceiling(self) -> float:
        """``ln N̄``: employment at which the marginal product equals ``w̄`` (inf if w̄ = 0)."""
        if self.w_bar == 0:
            return math.inf
        return math.log(self.alpha * self.A_m / self.w_bar) / (1.0 - self.alpha)

    def logs(self, x: float) -> _LogState:
        """Log quantities at urban-share logit ``x`` (``N_u / N_a = e^x``).

        Parametrising by the logit keeps both ``N_u`` and ``N_a`` strictly positive for
        every real ``x`` and makes the relative-price marginal-pay gap exactly linear.
        """
        log_n = math.log(self.N)
        log_nu = log_n - float(np.logaddexp(0.0, -x))
        log_na = log_n - float(np.logaddexp(0.0, x))
        log_nm = min(log_nu, self.log_job_ceiling)
        log_ym = math.log(self.A_m) + self.alpha * log_nm
        log_ya = math.log(self.A_a) + self.phi * log_na
        if self.price == "relative":
            log_p = math.log(self.rho) + self.gamma * (log_ym - log_ya)
        else:
            log_p = math.log(self.p)
        log_rural = log_p + log_ya - log_na
        if self.pay == "marginal":
            log_rural += math.log(self.phi)
        return _LogState(
            urban_residents=log_nu,
            urban_employment=log_nm,
            expected_urban=math.log(self.alpha) + log_ym - log_nu,
            rural=log_rural,
            price=log_p,
        )

    def gap(self, x: float) -> float:
        """``ln(expected urban income) - ln(rural income)``, strictly decreasing in ``x``.

        More urban residents lower the expected urban wage (``α Y_m / N_u`` falls in
        ``N_u`` in both regimes). With a fixed price, fewer rural workers raise rural income
        (``φ < 1``); with a relative price the gap is ``ln(α/(ρφ)) - x`` (marginal pay) or
        ``ln(α/ρ) - x`` (average pay) plus ``(1 - γ)(ln Y_m - ln Y_a)``, whose slope in ``x``
        is ``(1 - γ)(α (1 - s) + φ s) < 1`` (``s`` the urban share; the ``α`` term only
        while jobs are not rationed), so the gap still falls strictly. With a fixed price,
        or ``γ < 1``, it need not reach both signs; ``_bracket`` then reports a corner.
        """
        logs = self.logs(x)
        return logs.expected_urban - logs.rural


def _bracket(gap: Callable[[float], float]) -> tuple[float, float]:
    """Find ``lo < hi`` with ``gap(lo) ≥ 0 ≥ gap(hi)`` by doubling outward from ``[-1, 1]``."""
    lo, hi = -1.0, 1.0
    while gap(lo) < 0:
        lo *= 2.0
        if lo < -_MAX_LOGIT:
            raise RuntimeError("no interior equilibrium: the urban share is numerically 0")
    while gap(hi) > 0:
        hi *= 2.0
        if hi > _MAX_LOGIT:
            raise RuntimeError("no interior equilibrium: the urban share is numerically 1")
    return lo, hi


def solve_harris_todaro(
    *,
    N: float,
    alpha: float,
    A_m: float,
    w_bar: float,
    phi: float,
    A_a: float,
    pay: Pay = "marginal",
    price: Price = "relative",
    rho: float | None = None,
    p: float | None = None,
    gamma: float = 1.0,
    xtol: float = 1e-13,
) -> HTEquilibrium:
    """Solve the static Harris–Todaro model for the equilibrium allocation of labour.

    Args:
        N: total labour force (> 0).
        alpha: urban output elasticity, ``0 < α < 1`` (diminishing returns are needed for a
            finite labour demand at the floor).
        A_m: urban productivity (> 0).
        w_bar: urban wage floor (≥ 0; 0 means no floor, hence no unemployment).
        phi: rural output elasticity, ``0 < φ ≤ 1`` (``φ < 1`` with a fixed price, otherwise
            rural income would not respond to migration and an interior equilibrium need
            not exist).
        A_a: rural productivity (> 0).
        pay: rural income per worker is ``p`` times the ``"marginal"`` or ``"average"``
            product.
        price: ``"relative"`` (``p = ρ (Y_m / Y_a)^γ``, requires ``rho``) or ``"fixed"``
            (requires ``p``).
        rho: demand parameter of the relative price (> 0); only with ``price="relative"``.
        p: fixed relative price of the agricultural good (> 0); only with ``price="fixed"``.
        gamma: elasticity of the relative price to relative supplies, ``0 ≤ γ ≤ 1``; only
            with ``price="relative"`` (1, the default, is the unit-elastic case).
        xtol: absolute tolerance of ``brentq`` on ``x = ln(N_u / N_a)``; the urban share
            ``1/(1 + e^{-x})`` is then accurate to ``xtol / 4``.

    Method: the migration condition is solved as ``gap(x) = 0`` where ``gap`` is the log
    ratio of expected urban to rural income as a function of the urban-share logit ``x``.
    ``gap`` is continuous, strictly decreasing and runs from ``+∞`` to ``-∞``, so the root is
    unique; a sign-changing bracket is found by doubling and refined with ``brentq``.

    Raises:
        ValueError: invalid parameters or an inconsistent ``price``/``rho``/``p`` choice.
        RuntimeError: the equilibrium urban share is 0 or 1 to within double precision
            (only possible with a fixed price or ``γ < 1``, ``φ`` very close to 1 and an
            extreme price).
    """
    if pay not in ("marginal", "average"):
        raise ValueError(f"pay must be 'marginal' or 'average', got {pay!r}")
    if price == "relative":
        if p is not None:
            raise ValueError("p must not be given with price='relative' (use rho)")
        if rho is None:
            raise ValueError("price='relative' requires rho")
        rho = _positive("rho", rho)
    elif price == "fixed":
        if rho is not None:
            raise ValueError("rho must not be given with price='fixed' (use p)")
        if p is None:
            raise ValueError("price='fixed' requires p")
        p = _positive("p", p)
    else:
        raise ValueError(f"price must be 'relative' or 'fixed', got {price!r}")
    if not (isinstance(gamma, Real) and 0.0 <= gamma <= 1.0):
        raise ValueError(f"gamma must satisfy 0 <= gamma <= 1, got {gamma!r}")
    if price == "fixed" and gamma != 1.0:
        raise ValueError("gamma applies to price='relative' only")
    if not (isinstance(w_bar, Real) and math.isfinite(w_bar) and w_bar >= 0):
        raise ValueError(f"w_bar must be a non-negative finite number, got {w_bar!r}")
    economy = _Economy(
        N=_positive("N", N),
        alpha=_unit_interval("alpha", alpha, closed=False),
        A_m=_positive("A_m", A_m),
        w_bar=float(w_bar),
        phi=_unit_interval("phi", phi, closed=price == "relative"),
        A_a=_positive("A_a", A_a),
        pay=pay,
        price=price,
        rho=rho,
        p=p,
        gamma=float(gamma),
    )
    xtol = _positive("xtol", xtol)

    lo, hi = _bracket(economy.gap)
    x = brentq(economy.gap, lo, hi, xtol=xtol)
    logs = economy.logs(x)

    urban_residents = math.exp(logs.urban_residents)
    if logs.urban_residents > economy.log_job_ceiling:  # jobs rationed at the floor
        urban_employment = math.exp(logs.urban_employment)
        urban_wage = economy.w_bar
        unemployment_rate = -math.expm1(logs.urban_employment - logs.urban_residents)
    else:
        urban_employment = urban_residents
        urban_wage = math.exp(
            math.log(economy.alpha * economy.A_m) + (economy.alpha - 1.0) * logs.urban_residents
        )
        unemployment_rate = 0.0
    return HTEquilibrium(
        urban_share=math.exp(-float(np.logaddexp(0.0, -x))),
        urban_residents=urban_residents,
        urban_employment=urban_employment,
        unemployment_rate=unemployment_rate,
        urban_wage=urban_wage,
        expected_urban_wage=urban_wage * (1.0 - unemployment_rate),
        rural_income=math.exp(logs.rural),
        price=economy.p if price == "fixed" else math.exp(logs.price),
    )
