"""Priors of calibrated parameters, and the unit cube of their quantiles.

Every prior is a distribution on a finite interval (its ``bounds``): uniform, or a normal or
log-normal truncated to the bounds (scipy's ``truncnorm``, on the log scale for log-normal).
Designs and emulators work in the unit cube of prior quantiles: a point's coordinate u in
[0, 1] is the prior CDF of its value, so drawing u uniformly is drawing from the prior, and
every parameter has the same scale for the Gaussian-process emulators.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc

from countysim.experiments.calibration_schema import PriorKind


@dataclass(frozen=True)
class Prior:
    """One parameter's prior: its dotted scenario key, kind, bounds and shape."""

    name: str
    kind: PriorKind
    bounds: tuple[float, float]
    location: float | None = None  # mean (normal) or median (lognormal)
    scale: float | None = None  # sd (normal) or sigma of the log (lognormal)

    def __post_init__(self) -> None:
        low, high = self.bounds
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{self.name}: bounds must be finite with lower < upper")
        if self.kind not in ("uniform", "normal", "lognormal"):
            raise ValueError(f"{self.name}: unknown prior {self.kind!r}")
        if self.kind != "uniform" and not (self.scale and self.scale > 0):
            raise ValueError(f"{self.name}: a {self.kind} prior needs a positive scale")
        if self.kind == "lognormal" and (low <= 0 or not (self.location and self.location > 0)):
            raise ValueError(f"{self.name}: a lognormal prior needs positive bounds and median")

    @classmethod
    def from_spec(cls, name: str, spec) -> Prior:
        """From a ``calibration_schema.PriorSpec``."""
        location = {"normal": spec.mean, "lognormal": spec.median}.get(spec.prior)
        scale = {"normal": spec.sd, "lognormal": spec.sigma}.get(spec.prior)
        return cls(name, spec.prior, (spec.bounds[0], spec.bounds[1]), location, scale)

    def _truncated(self):
        """The frozen scipy distribution (of the log for lognormal)."""
        low, high = self.bounds
        if self.kind == "uniform":
            return stats.uniform(low, high - low)
        if self.kind == "normal":
            mu, sd = self.location, self.scale
            return stats.truncnorm((low - mu) / sd, (high - mu) / sd, loc=mu, scale=sd)
        mu, sd = math.log(self.location), self.scale
        log_low, log_high = math.log(low), math.log(high)
        return stats.truncnorm((log_low - mu) / sd, (log_high - mu) / sd, loc=mu, scale=sd)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Values at prior quantiles ``u``, always inside the bounds."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        values = self._truncated().ppf(u)
        if self.kind == "lognormal":
            values = np.exp(values)
        return np.clip(values, *self.bounds)

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Prior quantiles of ``values`` (the inverse of ``from_unit``)."""
        x = np.asarray(values, dtype=float)
        if self.kind == "lognormal":
            x = np.log(x)
        return np.clip(self._truncated().cdf(x), 0.0, 1.0)

    def interval(self, level: float = 0.9) -> tuple[float, float]:
        """The central prior interval holding ``level`` of its mass."""
        tail = (1 - level) / 2
        low, high = self.from_unit(np.array([tail, 1 - tail]))
        return float(low), float(high)

    def describe(self) -> dict[str, object]:
        """Plain data for manifests and reports."""
        data: dict[str, object] = {"name": self.name, "prior": self.kind, "bounds": self.bounds}
        if self.kind == "normal":
            data |= {"mean": self.location, "sd": self.scale}
        elif self.kind == "lognormal":
            data |= {"median": self.location, "sigma": self.scale}
        return data


def to_values(priors: Sequence[Prior], unit: np.ndarray) -> list[dict[str, float]]:
    """Parameter sets (dotted key -> value) at rows of unit-cube coordinates."""
    columns = [prior.from_unit(unit[:, j]) for j, prior in enumerate(priors)]
    return [
        {prior.name: float(column[i]) for prior, column in zip(priors, columns, strict=True)}
        for i in range(unit.shape[0])
    ]


def to_unit(priors: Sequence[Prior], points: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Unit-cube coordinates of parameter sets (rows) for the given priors (columns)."""
    table = np.array([[point[prior.name] for prior in priors] for point in points], dtype=float)
    table = table.reshape(len(points), len(priors))
    return np.column_stack([prior.to_unit(table[:, j]) for j, prior in enumerate(priors)])


def prior_sample(count: int, dimensions: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` points of a Latin hypercube in the unit cube: a draw from the joint prior
    (independent parameters) that covers every margin evenly."""
    return qmc.LatinHypercube(d=dimensions, rng=rng).random(count)


def maximin_subset(unit: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``count`` rows of ``unit`` chosen greedily to spread out: each next point is
    the one farthest from those chosen so far (a space-filling design inside any region the
    candidates cover). The first point is random."""
    if count >= len(unit):
        return np.arange(len(unit))
    chosen = [int(rng.integers(len(unit)))]
    distance = np.linalg.norm(unit - unit[chosen[0]], axis=1)
    for _ in range(count - 1):
        following = int(np.argmax(distance))
        chosen.append(following)
        distance = np.minimum(distance, np.linalg.norm(unit - unit[following], axis=1))
    return np.asarray(chosen)
