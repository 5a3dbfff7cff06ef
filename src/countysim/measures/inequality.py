"""Inequality measures for (weighted) income distributions.

All functions take a 1-D array of non-negative incomes ``y_i`` and optional *frequency*
weights ``w_i`` (e.g. the number of persons a household or county stands for). With
weights, an observation counts as ``w_i`` identical persons, so every measure equals the
unweighted measure on the expanded population. Writing ``W = Σ w_i`` for the population
and ``μ = Σ w_i y_i / W`` for mean income, all measures are *population* (not sample)
statistics: no small-sample correction is applied.

The urban-rural analysis relies on two exact facts used throughout:

* the Theil T index decomposes additively into a between-group and a within-group term,
  which the Gini coefficient does not;
* when every member of a group has the group mean income, both indices reduce to the
  two-group closed forms :func:`two_group_gini` and :func:`two_group_theil`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "TheilSplit",
    "gini",
    "gini_between",
    "theil",
    "theil_decomposition",
    "theil_splits",
    "two_group_gini",
    "two_group_theil",
]


def _as_weighted(
    values: ArrayLike, weights: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate incomes and weights; return them as 1-D float arrays of equal length.

    Incomes must be finite and non-negative; weights finite, non-negative and with a
    positive sum. ``weights=None`` means one person per observation.
    """
    y = _incomes(values)
    if weights is None:
        return y, np.ones_like(y)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != y.shape:
        raise ValueError(f"weights shape {w.shape} does not match values shape {y.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    if not w.sum() > 0:
        raise ValueError("weights must have a positive sum")
    return y, w


def _incomes(values: ArrayLike) -> NDArray[np.float64]:
    """Validate incomes (finite, non-negative, a non-empty 1-D array) as a float array."""
    y = np.asarray(values, dtype=np.float64)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {y.shape}")
    if not np.all(np.isfinite(y)) or np.any(y < 0):
        raise ValueError("values must be finite and non-negative")
    return y


def _dot(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """``Σ a_i b_i`` by numpy's pairwise sum rather than a BLAS dot product: as exact, and
    never spread over BLAS threads (on a many-core machine a million-element dot product
    on every core cost more in thread start-up than it saved)."""
    return float(np.multiply(a, b).sum())


def _positive_total(y: NDArray[np.float64], w: NDArray[np.float64] | None = None) -> float:
    """Return total income ``Σ w_i y_i`` (the plain sum with unit weights, ``w`` None);
    relative measures are undefined if it is zero."""
    total = float(y.sum()) if w is None else _dot(w, y)
    if not total > 0:
        raise ValueError("total income is zero; relative inequality is undefined")
    return total


def _xlogx(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Elementwise ``x ln x`` with the limit ``0 ln 0 = 0`` (zero incomes add nothing)."""
    out = np.log(x, out=np.zeros_like(x), where=x > 0)
    return np.multiply(x, out, out=out)  # in place: one array, not two


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Gini coefficient of non-negative incomes with optional frequency weights.

    Definition (mean absolute difference over all pairs of persons, divided by twice the
    mean)::

        G = Σ_i Σ_j w_i w_j |y_i - y_j| / (2 W² μ)

    This is the *population* Gini: for ``n`` unit-weight observations ``[0, ..., 0, 1]``
    it is ``(n - 1) / n`` (not 1, which the sample version ``n/(n-1)·G`` would give), and
    for equal incomes it is 0.

    Computation, O(n log n): sort incomes ascending and let ``C_i`` be the cumulative
    weight up to and including observation ``i``. Summing the pairwise differences
    observation by observation gives::

        G = Σ_i w_i y_i (2 C_i - w_i - W) / (W Σ_i w_i y_i)

    Ties need no special treatment because equal incomes contribute no difference.

    Raises ``ValueError`` for negative or non-finite inputs and for zero total income.
    """
    if weights is None:
        # Unit weights: sorting the incomes alone is the one sort needed, and C_i = i. The
        # total is the plain sum (what a sum of products with unit weights is, without
        # arrays of ones).
        y = np.sort(_incomes(values))
        n = len(y)
        total = _positive_total(y)
        # 2 C_i - 1 - W for C_i = 1..n: whole numbers, made at once rather than in steps.
        return _dot(y, np.arange(1.0 - n, n, 2.0)) / (n * total)
    y, w = _as_weighted(values, weights)
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    total = _positive_total(y, w)
    cum_w = np.cumsum(w)
    return _dot(w * y, 2.0 * cum_w - w - cum_w[-1]) / (cum_w[-1] * total)


def theil(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil T index (GE(1), the mean log deviation weighted by income shares).

    Definition::

        T = (1/W) Σ_i w_i (y_i/μ) ln(y_i/μ)

    ``T = 0`` for perfect equality and ``T = ln W`` when one person holds all income.
    Zero incomes contribute 0 (the limit of ``x ln x`` as ``x → 0``), so the index is
    defined whenever total income is positive. T is used here because it decomposes
    exactly into between- and within-group parts (:func:`theil_decomposition`).
    """
    y, w = _as_weighted(values, weights)
    total = _positive_total(y, w)
    mean = total / w.sum()
    return _dot(w, _xlogx(y / mean)) / w.sum()


@dataclass(frozen=True)
class TheilSplit:
    """Result of :func:`theil_decomposition`.

    ``total == between + within`` up to rounding. Per-group tuples are aligned with
    ``groups`` (sorted group codes present with positive weight).

    Attributes:
        total: Theil T of the whole population.
        between: ``Σ_g s_g ln(μ_g/μ)``, the inequality left if everyone had their group mean.
        within: ``Σ_g s_g T_g``, income-share-weighted average of within-group Theil indices.
        groups: group codes.
        population_shares: ``W_g / W``.
        income_shares: ``s_g = Y_g / Y``.
        means: group mean incomes ``μ_g``.
        group_theil: within-group indices ``T_g``.
    """

    total: float
    between: float
    within: float
    groups: tuple[int, ...]
    population_shares: tuple[float, ...]
    income_shares: tuple[float, ...]
    means: tuple[float, ...]
    group_theil: tuple[float, ...]

    @property
    def between_share(self) -> float:
        """Fraction of total inequality due to differences in group means (0 if total is 0)."""
        return self.between / self.total if self.total > 0 else 0.0


def _group_codes(groups: ArrayLike, n: int) -> NDArray[np.int64]:
    """Validate integer group codes for ``n`` observations."""
    g = np.asarray(groups)
    if g.shape != (n,):
        raise ValueError(f"groups shape {g.shape} does not match values shape {(n,)}")
    if not (np.issubdtype(g.dtype, np.integer) or g.dtype == np.bool_):
        raise ValueError(f"groups must be integer codes, got dtype {g.dtype}")
    return g.astype(np.int64)


def _group_means(
    values: ArrayLike, groups: ArrayLike, weights: ArrayLike | None
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """Shared aggregation for the group-based measures.

    Observations with zero weight are dropped so that every remaining group has a positive
    population. Returns ``(y, w, labels, index, pop, mean)`` where ``labels`` are the sorted
    group codes, ``index`` maps each observation to its position in ``labels``, and
    ``pop``/``mean`` are the group populations ``W_g`` and mean incomes ``μ_g``.
    """
    y, w = _as_weighted(values, weights)
    g = _group_codes(groups, y.size)
    if weights is not None:  # unit weights are all positive: nothing to drop or weigh
        keep = w > 0
        y, w, g = y[keep], w[keep], g[keep]
    return (y, w, *_grouped(y, w, g, weights is None))


def _grouped(
    y: NDArray[np.float64], w: NDArray[np.float64], g: NDArray[np.int64], unit: bool
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Labels, positions, populations and means of the groups `g` of observations with
    positive weights (`unit`: all weights are one)."""
    labels, index, counts = _dense_codes(g)
    # With unit weights the population of a group is its count: the same numbers as a
    # weighted count of ones, without a second pass.
    pop = counts.astype(np.float64) if unit else np.bincount(index, weights=w)
    mean = np.bincount(index, weights=y if unit else w * y) / pop
    return labels, index, pop, mean


def _dense_codes(
    g: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Sorted distinct codes, each observation's position among them and the number of
    observations of each. Codes within a small range (urban/rural, hukou type, levels) are
    found by counting, not sorting."""
    if g.size == 0:
        return g, g, g
    low, high = int(g.min()), int(g.max())
    if high - low > 4 * g.size + 1024:  # sparse codes: counting would waste memory
        labels, index, counts = np.unique(g, return_inverse=True, return_counts=True)
        return labels, index, counts
    offset = g - low if low else g
    counts = np.bincount(offset)
    present = counts > 0
    if present.all():  # every code in the range occurs: positions are the offsets
        return np.arange(low, high + 1, dtype=g.dtype), offset, counts
    position = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, position[offset], counts[present]


def theil_decomposition(
    values: ArrayLike, groups: ArrayLike, weights: ArrayLike | None = None
) -> TheilSplit:
    """Additive decomposition of the Theil T index into between- and within-group parts.

    With group populations ``W_g``, incomes ``Y_g``, means ``μ_g = Y_g/W_g`` and income
    shares ``s_g = Y_g/Y``::

        T = Σ_g s_g ln(μ_g/μ)  +  Σ_g s_g T_g
            (between)             (within)

    where ``T_g`` is the Theil index inside group ``g``. The identity is exact (it follows
    from ``ln(y_i/μ) = ln(y_i/μ_g) + ln(μ_g/μ)``), so ``between / total`` measures how much
    of inequality is explained by the group gap, e.g. ``groups`` = 0 rural, 1 urban.

    ``groups`` are integer codes (any integers; aggregated with ``np.bincount`` after
    relabelling). Zero-weight observations are ignored. A group with zero income has
    ``s_g = 0`` and contributes nothing to either term.
    """
    y, w = _as_weighted(values, weights)
    g = _group_codes(groups, y.size)
    if weights is not None:  # zero weights are dropped, as in every group-based measure
        keep = w > 0
        y, w, g = y[keep], w[keep], g[keep]
    total_income = _positive_total(y, w)
    population = w.sum()
    grand_mean = total_income / population
    total = _dot(w, _xlogx(y / grand_mean)) / population
    return _theil_split(y, w, g, weights is None, total, total_income, population, grand_mean)


def theil_splits(values: ArrayLike, flags: list[ArrayLike]) -> tuple[TheilSplit, ...]:
    """:func:`theil_decomposition` of unweighted incomes into two groups (code 0 where the
    flag is false, 1 where it is true) by each of several boolean `flags`, e.g. urban
    residence and urban hukou; the same numbers up to rounding (about 1e-14 relative).

    Computed from sums over the groups: with ``Y_g = Σ_{i∈g} y_i``, ``A_g = Σ_{i∈g} y_i ln
    y_i``, ``n_g`` observations and ``μ_g = Y_g/n_g``, ``T_g = A_g/Y_g - ln μ_g`` (and
    ``T = A/Y - ln μ`` for all), so one logarithm per observation serves the total and
    every grouping, and a group's sums are masked sums, with no copy of its incomes (the
    smaller group's; the larger group's are the rest of the totals).
    """
    y = _incomes(values)
    total_income = _positive_total(y)  # unit weights: the plain sum, without arrays of ones
    ylny = _xlogx(y)
    n = y.size
    grand_mean = total_income / n
    total_ylny = float(ylny.sum())
    total = total_ylny / total_income - np.log(grand_mean)
    splits = []
    for flag in flags:
        f = np.asarray(flag)
        if f.shape != y.shape or f.dtype != np.bool_:
            raise ValueError("flags must be boolean arrays shaped like values")
        count1 = np.count_nonzero(f)
        count = np.array([n - count1, count1], dtype=np.float64)
        # The smaller group's sums by masked sums, the larger one's as the rest of the
        # totals: half the passes over the incomes.
        small = 1 if count1 <= n - count1 else 0
        mask = f if small else ~f
        income, sum_ylny = np.empty(2), np.empty(2)
        income[small], sum_ylny[small] = _dot(y, mask), _dot(ylny, mask)
        income[1 - small] = total_income - income[small]
        sum_ylny[1 - small] = total_ylny - sum_ylny[small]
        present = count > 0
        count, income, sum_ylny = count[present], income[present], sum_ylny[present]
        mean = income / count
        share = income / total_income
        positive = income > 0
        group_theil = np.zeros(len(count))
        group_theil[positive] = sum_ylny[positive] / income[positive] - np.log(mean[positive])
        between = _dot(count, _xlogx(mean / grand_mean)) / n
        splits.append(
            TheilSplit(
                total=total,
                between=between,
                within=_dot(share, group_theil),
                groups=tuple(int(v) for v in np.flatnonzero(present)),
                population_shares=tuple(float(v) for v in count / n),
                income_shares=tuple(float(v) for v in share),
                means=tuple(float(v) for v in mean),
                group_theil=tuple(float(v) for v in group_theil),
            )
        )
    return tuple(splits)


def _theil_split(y, w, g, unit, total, total_income, population, grand_mean) -> TheilSplit:
    labels, index, pop, mean = _grouped(y, w, g, unit)
    share = pop * mean / total_income
    # Within-group index T_g = (1/W_g) Σ_{i∈g} w_i (y_i/μ_g) ln(y_i/μ_g); a zero-income
    # group is perfectly equal, so its ratio is set to 0 (where 0 ln 0 = 0).
    group_mean_of_obs = mean[index]
    if (mean > 0).all():  # the same quotients, without the mask
        ratio = np.divide(y, group_mean_of_obs, out=group_mean_of_obs)
    else:
        ratio = np.divide(y, group_mean_of_obs, out=np.zeros_like(y), where=group_mean_of_obs > 0)
    terms = _xlogx(ratio) if unit else w * _xlogx(ratio)
    group_theil = np.bincount(index, weights=terms) / pop
    # s_g ln(μ_g/μ) = (W_g/W) (μ_g/μ) ln(μ_g/μ), which is 0 for a zero-income group.
    between = _dot(pop, _xlogx(mean / grand_mean)) / population
    return TheilSplit(
        total=total,
        between=between,
        within=_dot(share, group_theil),
        groups=tuple(int(v) for v in labels),
        population_shares=tuple(float(v) for v in pop / population),
        income_shares=tuple(float(v) for v in share),
        means=tuple(float(v) for v in mean),
        group_theil=tuple(float(v) for v in group_theil),
    )


def gini_between(values: ArrayLike, groups: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Between-group Gini: the Gini coefficient when each person receives their group's mean.

    Equivalently, the Gini of the group means ``μ_g`` weighted by group populations
    ``W_g``, which is how it is computed (O(G log G) after aggregation)::

        G_B = Σ_g Σ_h W_g W_h |μ_g - μ_h| / (2 W² μ)

    Unlike the Theil index, the overall Gini is not ``G_B`` plus a within term in general
    (there is an overlap residual when group income ranges intersect).
    """
    _, _, _, _, pop, mean = _group_means(values, groups, weights)
    return gini(mean, pop)


def _check_two_group(urban_share: float, ratio: float) -> None:
    if not 0.0 <= urban_share <= 1.0:
        raise ValueError(f"urban_share must lie in [0, 1], got {urban_share}")
    if not (np.isfinite(ratio) and ratio > 0):
        raise ValueError(f"ratio must be positive and finite, got {ratio}")


def two_group_gini(urban_share: float, ratio: float) -> float:
    """Gini of a population split into two internally equal groups.

    With population share ``u`` of the urban group and ``r = μ_urban / μ_rural`` (the
    rural mean normalised to 1, so ``μ = u r + 1 - u``), only urban-rural pairs differ::

        G = u (1 - u) |r - 1| / (u r + 1 - u)

    E.g. ``u = 0.5, r = 3`` gives 0.25 and ``u = 0.3, r = 3`` gives 0.2625.
    """
    _check_two_group(urban_share, ratio)
    u = urban_share
    return float(u * (1.0 - u) * abs(ratio - 1.0) / (u * ratio + 1.0 - u))


def two_group_theil(urban_share: float, ratio: float) -> float:
    """Theil T index of a population split into two internally equal groups.

    With ``u``, ``r`` and ``μ = u r + 1 - u`` as in :func:`two_group_gini`::

        T = u (r/μ) ln(r/μ) + (1 - u) (1/μ) ln(1/μ)

    (the between-group term of the Theil decomposition; the within term is 0).
    E.g. ``u = 0.5, r = 3`` gives 0.1308 and ``u = 0.3, r = 3`` gives 0.1480.
    """
    _check_two_group(urban_share, ratio)
    u = urban_share
    mean = u * ratio + 1.0 - u
    rel = _xlogx(np.array([ratio / mean, 1.0 / mean]))
    return float(u * rel[0] + (1.0 - u) * rel[1])
