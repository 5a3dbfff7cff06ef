"""Experimental designs: which parameter values each design point of a sweep gets.

Sampled designs (Latin hypercube, Sobol, Morris) are drawn in the unit hypercube with SALib
and then mapped onto each parameter through its distribution (the inverse CDF), so a design
point's position in the cube is its vector of quantiles. Sensitivity analysis works on that
cube (see ``sensitivity.py``); models only ever see parameter values.

Nothing here knows about countysim: a parameter is a name with a range or a list of values,
so the same designs drive the county model (names are dotted scenario keys) and any Python
function (the tests recover the Sobol indices of the Ishigami function through this code).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

DesignKind = Literal["grid", "list", "lhs", "sobol", "morris"]
DESIGN_KINDS: tuple[DesignKind, ...] = ("grid", "list", "lhs", "sobol", "morris")
#: Designs drawn in the unit hypercube (the others are enumerated).
SAMPLED_KINDS = ("lhs", "sobol", "morris")

Distribution = Literal["uniform", "loguniform", "triangular", "truncnorm"]
DISTRIBUTIONS: tuple[Distribution, ...] = ("uniform", "loguniform", "triangular", "truncnorm")

#: Morris grid levels when a design does not say.
DEFAULT_MORRIS_LEVELS = 4

Value = float | int | str | bool


@dataclass(frozen=True)
class Parameter:
    """One input a design varies: a ``name`` and either a range or a list of values.

    ``bounds`` with a ``distribution`` (uniform by default; ``triangular`` needs ``mode``,
    ``truncnorm`` a ``mean`` and ``sd``; the bounds are always the support) for continuous
    inputs; ``values`` for discrete ones, which sampled designs pick with equal chances.
    ``integer`` rounds sampled values to whole numbers, each equally likely.
    """

    name: str
    bounds: tuple[float, float] | None = None
    values: tuple[Value, ...] | None = None
    distribution: Distribution = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    integer: bool = False

    def __post_init__(self) -> None:
        if (self.bounds is None) == (self.values is None):
            raise ValueError(f"{self.name}: give either bounds or values")
        if self.values is not None and not self.values:
            raise ValueError(f"{self.name}: values must not be empty")
        if self.bounds is not None:
            low, high = self.bounds
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(f"{self.name}: bounds must be finite with lower < upper")
        if self.distribution not in DISTRIBUTIONS:
            raise ValueError(f"{self.name}: unknown distribution {self.distribution!r}")

    def from_unit(self, quantiles: np.ndarray) -> np.ndarray:
        """The parameter values at ``quantiles`` (numbers in [0, 1]) of its distribution."""
        u = np.clip(np.asarray(quantiles, dtype=float), 0.0, 1.0)
        if self.values is not None:
            index = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return np.asarray(self.values, dtype=object)[index]
        low, high = self.bounds
        if self.integer:  # widen by half a step so that every whole number is equally likely
            low, high = math.ceil(low) - 0.5, math.floor(high) + 0.5
            return np.clip(np.round(low + u * (high - low)), low + 0.5, high - 0.5).astype(int)
        if self.distribution == "uniform":
            values = low + u * (high - low)
        elif self.distribution == "loguniform":
            values = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
        elif self.distribution == "triangular":
            shape = (self.mode - low) / (high - low)
            values = stats.triang(shape, loc=low, scale=high - low).ppf(u)
        else:
            a, b = (low - self.mean) / self.sd, (high - self.mean) / self.sd
            values = stats.truncnorm(a, b, loc=self.mean, scale=self.sd).ppf(u)
        return np.clip(values, low, high)  # rounding must not step outside the bounds

    def levels(self, count: int | None) -> list[Value]:
        """The values of a grid design: ``values``, or ``count`` evenly spaced quantiles."""
        if self.values is not None:
            return list(self.values)
        if count is None:
            raise ValueError(f"{self.name}: a grid over bounds needs a number of levels")
        return list(dict.fromkeys(_plain(v) for v in self.from_unit(np.linspace(0, 1, count))))

    def describe(self) -> dict[str, Any]:
        """The parameter as plain data (for manifests and hashes)."""
        spec: dict[str, Any] = {"name": self.name}
        if self.values is not None:
            spec["values"] = list(self.values)
        else:
            spec["bounds"] = list(self.bounds)
            spec["distribution"] = self.distribution
            spec |= {k: getattr(self, k) for k in ("mode", "mean", "sd") if getattr(self, k)}
        return spec | ({"integer": True} if self.integer else {})


@dataclass(frozen=True, eq=False)
class Design:
    """The design points of an experiment.

    ``points`` has one row per design point (index 0, 1, ...) and one column per parameter;
    ``unit`` is the same sample in the unit hypercube for sampled designs (the input matrix
    of the sensitivity analysis), None for grids and lists; ``settings`` are the sampler's
    settings (samples, levels, second order, seed).
    """

    kind: DesignKind
    parameters: tuple[Parameter, ...]
    points: pd.DataFrame
    unit: np.ndarray | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def __len__(self) -> int:
        return len(self.points)

    def point_values(self) -> list[dict[str, Value]]:
        """The parameter values of every design point, as plain Python values."""
        return [
            {name: _plain(value) for name, value in row.items()}
            for row in self.points.to_dict("records")
        ]

    def problem(self) -> dict[str, Any]:
        """The SALib problem: every parameter on [0, 1], where the design was drawn."""
        return {
            "num_vars": len(self.parameters),
            "names": self.names,
            "bounds": [[0.0, 1.0]] * len(self.parameters),
        }

    def to_dict(self) -> dict[str, Any]:
        """The design as plain data, to save in a manifest (``from_dict`` reads it back)."""
        return {
            "kind": self.kind,
            "settings": dict(self.settings),
            "parameters": [p.describe() for p in self.parameters],
            "points": self.point_values(),
            "unit": None if self.unit is None else self.unit.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Design:
        parameters = tuple(_parameter_from_dict(spec) for spec in data["parameters"])
        points = pd.DataFrame(data["points"], columns=[p.name for p in parameters])
        unit = None if data.get("unit") is None else np.asarray(data["unit"], dtype=float)
        return cls(data["kind"], parameters, points, unit, dict(data["settings"]))


def make_design(
    kind: DesignKind,
    parameters: Sequence[Parameter] = (),
    *,
    samples: int | None = None,
    levels: int | None = None,
    second_order: bool = False,
    seed: int = 0,
    points: Sequence[Mapping[str, Value]] | None = None,
) -> Design:
    """Build a design.

    - ``grid``: every combination of the parameters' ``values`` (or of ``levels`` evenly
      spaced quantiles of their range);
    - ``list``: the given ``points`` (mappings of parameter name to value), as they are;
    - ``lhs``: ``samples`` points of a Latin hypercube;
    - ``sobol``: Saltelli's scheme on a scrambled Sobol sequence with ``samples`` (a power of
      two) base points: ``samples * (D + 2)`` points, ``samples * (2 D + 2)`` with
      ``second_order``;
    - ``morris``: ``samples`` trajectories on a grid of ``levels`` levels,
      ``samples * (D + 1)`` points.

    ``seed`` makes the sampled designs reproducible.
    """
    if kind not in DESIGN_KINDS:
        raise ValueError(f"unknown design kind {kind!r}; choose from {', '.join(DESIGN_KINDS)}")
    if kind == "list":
        return _list_design(points or ())
    parameters = tuple(parameters)
    if not parameters:
        raise ValueError(f"a {kind} design needs parameters")
    if len({p.name for p in parameters}) != len(parameters):
        raise ValueError("parameter names must be unique")
    if kind == "grid":
        rows = list(itertools.product(*(p.levels(levels) for p in parameters)))
        table = pd.DataFrame(rows, columns=[p.name for p in parameters])
        return Design(kind, parameters, table, None, {"levels": levels})
    if samples is None or samples < 1:
        raise ValueError(f"a {kind} design needs a positive number of samples")
    unit, settings = _unit_sample(kind, parameters, samples, levels, second_order, seed)
    table = pd.DataFrame({p.name: p.from_unit(unit[:, j]) for j, p in enumerate(parameters)})
    return Design(kind, parameters, table, unit, settings)


def _unit_sample(
    kind: DesignKind,
    parameters: tuple[Parameter, ...],
    samples: int,
    levels: int | None,
    second_order: bool,
    seed: int,
) -> tuple[np.ndarray, dict[str, Any]]:
    from SALib.sample import latin, morris, sobol  # SALib is slow to import; only needed here

    names = [p.name for p in parameters]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    settings: dict[str, Any] = {"samples": samples, "seed": seed}
    if kind == "lhs":
        return latin.sample(problem, samples, seed=seed), settings
    if kind == "sobol":
        if samples & (samples - 1):
            raise ValueError(f"a sobol design needs a power of two samples, got {samples}")
        unit = sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
        return unit, settings | {"second_order": second_order}
    levels = levels or DEFAULT_MORRIS_LEVELS
    unit = morris.sample(problem, samples, num_levels=levels, seed=seed)
    return unit, settings | {"levels": levels}


def _list_design(points: Sequence[Mapping[str, Value]]) -> Design:
    if not points:
        raise ValueError("a list design needs at least one point")
    names = list(points[0])
    for index, point in enumerate(points):
        if list(point) != names:
            raise ValueError(f"point {index} names {list(point)}, point 0 names {names}")
    table = pd.DataFrame([dict(point) for point in points], columns=names)
    parameters = tuple(
        Parameter(name, values=tuple(dict.fromkeys(_plain(v) for v in table[name])))
        for name in names
    )
    return Design("list", parameters, table, None, {})


def _parameter_from_dict(spec: Mapping[str, Any]) -> Parameter:
    fields = dict(spec)
    if "bounds" in fields:
        fields["bounds"] = tuple(fields["bounds"])
    if "values" in fields:
        fields["values"] = tuple(fields["values"])
    return Parameter(**fields)


def _plain(value: Any) -> Value:
    """A numpy scalar as the Python value it stands for (for JSON, YAML and hashing)."""
    return value.item() if isinstance(value, np.generic) else value
