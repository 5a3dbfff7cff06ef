"""Migration measures: balances of places and levels, flows across the county boundary,
return migration, the age profile of migrants and where migrant workers work.

Notation. For a place (or a level, or any region) in a period, ``I`` is the number of
persons who moved in, ``O`` the number who moved out and ``P`` the population at risk
(residents). A flow matrix ``F`` has ``F[o, d]`` persons moving from unit ``o`` to unit
``d`` in the period; its diagonal ``F[l, l]`` counts moves between two different places of
the same unit (e.g. from one village to another), which leave the unit's population
unchanged.

Every function is a pure array computation; :mod:`countysim.analysis` applies them to the
tables of a run. Ratios whose denominator is zero are ``NaN`` (undefined, not zero).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BoundarySplit",
    "LevelBalance",
    "bilateral_net",
    "boundary_split",
    "composition",
    "gross_migration",
    "grouped_mean",
    "grouped_median",
    "level_balance",
    "local_share",
    "migration_efficiency",
    "net_migration",
    "net_migration_rate",
    "return_share",
]


def _ratio(numerator: ArrayLike, denominator: ArrayLike) -> NDArray[np.float64]:
    """``numerator / denominator`` elementwise, ``NaN`` where the denominator is zero."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _counts(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Finite, non-negative counts as a float array."""
    c = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return c


def _flow_matrix(matrix: ArrayLike) -> NDArray[np.float64]:
    f = _counts(matrix, "flows")
    if f.ndim != 2 or f.shape[0] != f.shape[1]:
        raise ValueError(f"a flow matrix must be square, got shape {f.shape}")
    return f


# ------------------------------------------------------------------ balances of units


def net_migration(inflow: ArrayLike, outflow: ArrayLike) -> NDArray[np.float64]:
    """Net migration ``N = I - O`` (positive: the unit gains people by migration)."""
    return _counts(inflow, "inflow") - _counts(outflow, "outflow")


def gross_migration(inflow: ArrayLike, outflow: ArrayLike) -> NDArray[np.float64]:
    """Gross migration (migration turnover) ``G = I + O``."""
    return _counts(inflow, "inflow") + _counts(outflow, "outflow")


def net_migration_rate(
    inflow: ArrayLike, outflow: ArrayLike, population: ArrayLike, per: float = 1000.0
) -> NDArray[np.float64]:
    """Crude net migration rate ``per · (I - O) / P`` (per 1,000 residents by default).

    For a rate per year over several years, pass the flows summed over the years and the
    person-years at risk ``P = Σ_t P_t``. ``NaN`` where ``P = 0``.
    """
    return per * _ratio(net_migration(inflow, outflow), _counts(population, "population"))


def migration_efficiency(inflow: ArrayLike, outflow: ArrayLike) -> NDArray[np.float64]:
    """Migration effectiveness ``E = (I - O) / (I + O)``, in ``[-1, 1]``.

    The share of all moves in and out that changes the unit's population (Shryock 1959;
    Bell et al. 2002, "Cross-national comparison of internal migration"): ``E = 1`` if
    people only arrive, ``-1`` if they only leave, ``0`` if arrivals and departures
    balance. ``NaN`` where nobody moved.
    """
    return _ratio(net_migration(inflow, outflow), gross_migration(inflow, outflow))


@dataclass(frozen=True)
class LevelBalance:
    """Result of :func:`level_balance`: arrays aligned with the rows of the flow matrix.

    Attributes:
        inflow: ``I_l = Σ_{o≠l} F[o, l]``, persons arriving from other units.
        outflow: ``O_l = Σ_{d≠l} F[l, d]``, persons leaving for other units.
        net: ``I_l - O_l``.
        gross: ``I_l + O_l``.
        within: ``F[l, l]``, moves between places of the same unit.
    """

    inflow: NDArray[np.float64]
    outflow: NDArray[np.float64]
    net: NDArray[np.float64]
    gross: NDArray[np.float64]
    within: NDArray[np.float64]


def level_balance(matrix: ArrayLike) -> LevelBalance:
    """Inflow, outflow, net and gross migration of each unit of a flow matrix.

    Moves within a unit (the diagonal) are reported apart and count neither as inflow
    nor as outflow, so that ``Σ_l net_l = 0`` and ``net_l`` is the unit's population
    change by migration::

        I_l = Σ_o F[o, l] - F[l, l],   O_l = Σ_d F[l, d] - F[l, l]
    """
    f = _flow_matrix(matrix)
    within = np.diag(f).copy()
    inflow = f.sum(axis=0) - within
    outflow = f.sum(axis=1) - within
    return LevelBalance(
        inflow=inflow,
        outflow=outflow,
        net=inflow - outflow,
        gross=inflow + outflow,
        within=within,
    )


def bilateral_net(matrix: ArrayLike) -> NDArray[np.float64]:
    """Net flows between every pair of units: ``N = F - Fᵀ``.

    ``N[o, d] = F[o, d] - F[d, o]`` is the net number of persons who moved from ``o`` to
    ``d`` (negative: net movement from ``d`` to ``o``); ``N`` is antisymmetric and
    ``F[o, d] + F[d, o]`` is the gross flow between the pair.
    """
    f = _flow_matrix(matrix)
    return f - f.T


@dataclass(frozen=True)
class BoundarySplit:
    """Result of :func:`boundary_split` (persons, summed over the flow matrix).

    Attributes:
        within: moves with both ends inside the region, ``Σ_{o∈C, d∈C} F[o, d]``.
        leaving: moves out of the region, ``Σ_{o∈C, d∉C} F[o, d]``.
        entering: moves into the region, ``Σ_{o∉C, d∈C} F[o, d]``.
        outside: moves with both ends outside, ``Σ_{o∉C, d∉C} F[o, d]``.
    """

    within: float
    leaving: float
    entering: float
    outside: float

    @property
    def net_leaving(self) -> float:
        """Net out-migration from the region, ``leaving - entering``."""
        return self.leaving - self.entering


def boundary_split(matrix: ArrayLike, inside: ArrayLike) -> BoundarySplit:
    """Split the moves of a flow matrix by a region ``C`` (e.g. the county).

    ``inside[l]`` is true for the units that form the region. See :class:`BoundarySplit`
    for the four sums; they add up to ``Σ F``.
    """
    f = _flow_matrix(matrix)
    c = np.asarray(inside, dtype=bool)
    if c.shape != (f.shape[0],):
        raise ValueError(f"inside has shape {c.shape}, expected ({f.shape[0]},)")
    return BoundarySplit(
        within=float(f[np.ix_(c, c)].sum()),
        leaving=float(f[np.ix_(c, ~c)].sum()),
        entering=float(f[np.ix_(~c, c)].sum()),
        outside=float(f[np.ix_(~c, ~c)].sum()),
    )


# ------------------------------------------------------------------------ shares


def return_share(returns: ArrayLike, moves: ArrayLike) -> NDArray[np.float64]:
    """Return migration as a share of all moves, ``R / M``.

    A return is a move whose destination is the mover's household home (see
    ``countysim.recorder``). ``NaN`` where nobody moved.
    """
    return _ratio(_counts(returns, "returns"), _counts(moves, "moves"))


def local_share(local: ArrayLike, out: ArrayLike) -> NDArray[np.float64]:
    """Share of migrant workers who work locally, ``L / (L + O)``.

    ``L``: rural-hukou non-farm workers whose workplace is in their home township, ``O``:
    those working elsewhere (out-migrant workers), as in the statistics bureau's migrant
    worker monitoring survey. ``NaN`` where there are no migrant workers.
    """
    loc, away = _counts(local, "local"), _counts(out, "out")
    return _ratio(loc, loc + away)


def composition(counts: ArrayLike) -> NDArray[np.float64]:
    """Shares of categories along the last axis, ``c_k / Σ_j c_j``.

    E.g. out-migrant workers by destination (near, province, far) or movers by age band;
    ``NaN`` where all counts are zero.
    """
    c = _counts(counts, "counts")
    return _ratio(c, c.sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------- age profile


def _bands(
    counts: ArrayLike, lower_edges: ArrayLike, top_width: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Counts, lower edges and widths of age bands ``[a_k, a_{k+1})``; the last band is
    ``[a_K, a_K + top_width)``."""
    c = _counts(counts, "counts")
    a = np.asarray(lower_edges, dtype=np.float64)
    if c.ndim != 1 or c.shape != a.shape:
        raise ValueError(f"counts {c.shape} and lower_edges {a.shape} must be equal 1-D shapes")
    if np.any(np.diff(a) <= 0) or not top_width > 0:
        raise ValueError("lower_edges must increase and top_width must be positive")
    widths = np.append(np.diff(a), top_width)
    return c, a, widths


def grouped_mean(counts: ArrayLike, lower_edges: ArrayLike, top_width: float) -> float:
    """Mean age from counts by age band, taking every person at the band's midpoint.

    Bands are ``[a_k, a_{k+1})`` in exact years (a person aged 17 in completed years is
    between 17 and 18) and the open top band is taken as ``[a_K, a_K + top_width)``::

        mean = Σ_k c_k (a_k + h_k / 2) / Σ_k c_k,   h_k = a_{k+1} - a_k

    ``NaN`` if all counts are zero.
    """
    c, a, h = _bands(counts, lower_edges, top_width)
    total = c.sum()
    return float(c @ (a + h / 2.0) / total) if total > 0 else float("nan")


def grouped_median(counts: ArrayLike, lower_edges: ArrayLike, top_width: float) -> float:
    """Median age from counts by age band, by linear interpolation within the median band.

    With ``N = Σ c``, cumulative counts ``F_k = Σ_{j≤k} c_j`` and ``m`` the first band with
    ``F_m ≥ N/2`` (bands as in :func:`grouped_mean`)::

        median = a_m + (N/2 - F_{m-1}) / c_m · h_m

    ``NaN`` if all counts are zero.
    """
    c, a, h = _bands(counts, lower_edges, top_width)
    total = c.sum()
    if not total > 0:
        return float("nan")
    cum = np.cumsum(c)
    m = int(np.searchsorted(cum, total / 2.0, side="left"))
    below = cum[m - 1] if m > 0 else 0.0
    return float(a[m] + (total / 2.0 - below) / c[m] * h[m])
