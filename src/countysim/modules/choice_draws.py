"""The location choice's random draws: the logit option from one uniform per chooser, and
the activity draws (who reconsiders) made only for those they select."""

from __future__ import annotations

import numpy as np


def draw_logit(u: np.ndarray, ok: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Option drawn for each row of utilities `u` (n, K) among its feasible options `ok`
    with the logit probabilities softmax(u), by the inverse of their cumulative sum at
    `uniform` (one uniform on [0, 1) per row); -1 where a row has no feasible option. The
    distribution of the argmax of u plus a Gumbel per option, from one draw per row."""
    # Options as rows (K, n): the reductions over options are passes over whole rows.
    e = np.ascontiguousarray(u.T)
    np.copyto(e, -np.inf, where=~ok.T)
    top = e.max(axis=0)
    none = top == -np.inf
    top[none] = 0.0
    e -= top
    np.exp(e, out=e)  # infeasible options: 0
    for k in range(1, len(e)):
        e[k] += e[k - 1]
    target = uniform * e[-1]
    # The first option whose cumulative sum exceeds the target (never an infeasible one:
    # its sum equals the one before it).
    pick = (e <= target).sum(axis=0)
    over = pick >= len(e)  # no option left: none feasible, or uniform * total rounded up
    if over.any():
        last = len(e) - 1 - np.argmax(ok[over, ::-1], axis=1)
        pick[over] = np.where(none[over], -1, last)
    return pick


def draw_binary_logit(u_first: np.ndarray, u_second: np.ndarray, uniform: np.ndarray):
    """Whether each row takes the second of two options, with the logit probability
    1 / (1 + exp(u_first - u_second)), from one uniform on [0, 1) per row (the law of
    comparing the two utilities plus a Gumbel each)."""
    # A second option far worse overflows the exponential: never taken (inf, or nan at a
    # uniform of 0, is not below 1).
    with np.errstate(over="ignore", invalid="ignore"):
        return uniform * (1 + np.exp(u_first - u_second)) < 1


def sparse_uniforms(rng: np.random.Generator, n: int, rate: float):
    """Positions among `n` whose uniform draw falls below `rate`, in increasing order, and
    those draws: the same law as `flatnonzero(draws < rate)` of n uniforms, drawn only
    for the positions it selects. Gaps between selected positions are geometric
    (an exponential's floor over -ln(1 - rate)), and a selected draw is uniform below
    `rate`, so any rule `draw < r` with r <= rate holds with probability r."""
    if rate >= 1.0:
        return np.arange(n), rng.random(n)
    if rate <= 0.0 or n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    scale = -1.0 / np.log1p(-rate)
    expected = n * rate
    parts, last = [], -1
    while last < n - 1:
        # Enough gaps at once but for about one sub-step in a billion (six sd).
        gaps = rng.standard_exponential(int(expected + 6 * np.sqrt(expected)) + 16)
        gaps *= scale
        # A gap past the end selects nothing more; capped, a tiny rate's huge gaps cannot
        # overflow the integers (the same positions below n).
        np.minimum(gaps, n, out=gaps)
        steps = gaps.astype(np.intp)  # the floor: gaps are not negative
        steps += 1
        steps[0] += last
        np.cumsum(steps, out=steps)
        parts.append(steps)
        last = steps[-1]
        expected = max((n - 1 - last) * rate, 0.0)
    positions = np.concatenate(parts) if len(parts) > 1 else parts[0]
    positions = positions[: np.searchsorted(positions, n)]
    draws = rng.random(len(positions))
    draws *= rate
    return positions, draws
