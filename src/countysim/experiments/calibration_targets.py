"""Calibration targets: numbers the model must match, each with an error model.

A target is one statistic (mean, slope per year, or slope of the log per year) over a span
of years of a model quantity (a ratio of county-table columns), compared with the same
statistic of observed data over the same years. Its error model is a standard deviation
(Gaussian likelihood) or a tolerance band of half-width h (likelihood 1 inside, 0 outside;
in implausibility it counts as the variance h^2 / 3 of a uniform error on the band).

Target kinds are pluggable: ``TARGET_KINDS`` maps a kind to a builder that turns a target's
spec into a ``Target`` (its observed number and data points). ``statistics`` reads series of
the national statistics file; ``value`` takes the number as written. Another kind, e.g. the
county panel's scores, registers a builder here; anything with the ``Target`` interface
(``simulate`` from a run's county table, ``observed``, ``variance``, ``log_likelihood``)
works with the emulators and the posterior.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from countysim.experiments.calibration_schema import Ratio, Statistic, TargetSpec

#: National series are used up to this year only; later years are kept for validation.
LAST_DATA_YEAR = 2019
#: The national statistics shipped with the scenario seeds, relative to the repository.
DEFAULT_STATISTICS = Path("seeds") / "data" / "china_statistics_to_2019.csv"


class TargetError(ValueError):
    """A target that cannot be built: its message says why (reported with its dotted key)."""

    def __init__(self, message: str, key: str = "", suggestion: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.suggestion = suggestion


def statistic(kind: Statistic, years: np.ndarray, values: np.ndarray) -> float:
    """The statistic of a yearly series: its mean, its least-squares slope per year, or the
    slope of its log (a proportional trend, per year)."""
    values = np.asarray(values, dtype=float)
    if kind == "mean":
        return float(np.mean(values))
    if kind == "log_slope":
        values = np.log(values)
    return float(np.polyfit(np.asarray(years, dtype=float), values, 1)[0])


class ErrorModel:
    """The error model of a target: an ``observed`` number with either a normal error of
    standard deviation ``sd`` or a ``tolerance`` band (uniform on it). Mixed into the
    target classes, which hold those three fields."""

    observed: float
    sd: float | None
    tolerance: float | None

    @property
    def variance(self) -> float:
        """The observation error's variance (a tolerance band counts as uniform on it)."""
        return self.sd**2 if self.sd is not None else self.tolerance**2 / 3

    @property
    def scale(self) -> float:
        """The error's standard deviation, the unit in which effects are judged."""
        return float(np.sqrt(self.variance))

    def log_likelihood(self, simulated: np.ndarray) -> np.ndarray:
        """Log likelihood of the observation given simulated statistics (array)."""
        gap = np.asarray(simulated, dtype=float) - self.observed
        if self.sd is not None:
            return -0.5 * (gap / self.sd) ** 2 - np.log(self.sd * np.sqrt(2 * np.pi))
        inside = np.abs(gap) <= self.tolerance
        return np.where(inside, -np.log(2 * self.tolerance), -np.inf)

    def expected_log_likelihood(self, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
        """Log likelihood of the observation when the simulated statistic is itself normal
        with ``mean`` and ``variance`` (an emulator's prediction): the error model
        convolved with that normal."""
        mean, variance = np.asarray(mean, dtype=float), np.asarray(variance, dtype=float)
        if self.sd is not None:
            total = variance + self.sd**2
            return -0.5 * (self.observed - mean) ** 2 / total - 0.5 * np.log(2 * np.pi * total)
        spread = np.sqrt(np.maximum(variance, 1e-300))
        upper = stats.norm.cdf((self.observed + self.tolerance - mean) / spread)
        lower = stats.norm.cdf((self.observed - self.tolerance - mean) / spread)
        with np.errstate(divide="ignore"):
            return np.log(np.maximum(upper - lower, 0.0)) - np.log(2 * self.tolerance)


@dataclass(frozen=True)
class Target(ErrorModel):
    """A built target: what to compute from a run and what it is compared with.

    ``years`` are the years the statistic is taken over (those of the data within the
    target's span); ``data`` holds the observed yearly values (``year``, ``value``) for
    plots, or is empty for a target given as a single number."""

    name: str
    kind: str
    model: Ratio
    statistic: Statistic
    years: tuple[int, ...]
    observed: float
    sd: float | None = None
    tolerance: float | None = None
    data: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["year", "value"]))
    source: str = ""

    def model_series(self, county: pd.DataFrame) -> pd.Series:
        """The model quantity per year of a run's county table (indexed by year)."""
        return ratio_series(county, self.model)

    def simulate(self, county: pd.DataFrame) -> float:
        """The target's statistic in one run."""
        series = self.model_series(county)
        missing = [year for year in self.years if year not in series.index]
        if missing:
            raise LookupError(f"target {self.name} needs year {missing[0]}, which was not run")
        values = series.loc[list(self.years)].to_numpy(dtype=float)
        return statistic(self.statistic, np.asarray(self.years), values)

    def with_observed(self, observed: float) -> Target:
        """The same target compared with another observed number (synthetic data)."""
        return Target(
            self.name,
            self.kind,
            self.model,
            self.statistic,
            self.years,
            float(observed),
            self.sd,
            self.tolerance,
            pd.DataFrame(columns=["year", "value"]),
            "synthetic: the model at known parameter values",
        )

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "statistic": self.statistic,
            "years": list(self.years),
            "model": self.model.model_dump(),
            "observed": self.observed,
            "sd": self.sd,
            "tolerance": self.tolerance,
            "source": self.source,
        }


def ratio_series(table: pd.DataFrame, ratio: Ratio, *, by: str = "year") -> pd.Series:
    """Sum of the numerator columns over the sum of the denominator columns, by year."""
    frame = table.set_index(by)
    numerator = frame[list(ratio.numerator)].sum(axis=1)
    if not ratio.denominator:
        return numerator.astype(float)
    denominator = frame[list(ratio.denominator)].sum(axis=1)
    return (numerator / denominator.where(denominator != 0)).astype(float)


def read_statistics(path: str | Path) -> pd.DataFrame:
    """The national statistics as a table: year by series, values (up to ``LAST_DATA_YEAR``)."""
    table = pd.read_csv(path)
    table = table[table["year"] <= LAST_DATA_YEAR]
    return table.pivot_table(index="year", columns="series", values="value", aggfunc="first")


def _statistics_target(name: str, spec: TargetSpec, statistics: pd.DataFrame | None) -> Target:
    if statistics is None:
        raise TargetError("no statistics file to read the series from", "data")
    for part in ("numerator", "denominator"):
        for index, series in enumerate(getattr(spec.data, part)):
            if series not in statistics.columns:
                close = difflib.get_close_matches(series, list(statistics.columns), n=1)
                raise TargetError(
                    f"no series {series!r} in the statistics file",
                    f"data.{part}[{index}]",
                    f"did you mean {close[0]!r}?" if close else None,
                )
    first, last = spec.years
    if last > LAST_DATA_YEAR:
        raise TargetError(
            f"national data after {LAST_DATA_YEAR} are kept for validation; end the years "
            f"by {LAST_DATA_YEAR}",
            "years",
        )
    frame = statistics.reset_index()
    values = ratio_series(frame, spec.data).dropna()
    values = values[(values.index >= first) & (values.index <= last)]
    needed = 1 if spec.statistic == "mean" else 2
    if len(values) < needed:
        raise TargetError(
            f"the data have {len(values)} years in {first}-{last}; a {spec.statistic} "
            f"needs {needed}",
            "years",
        )
    years = tuple(int(year) for year in values.index)
    observed = statistic(spec.statistic, np.asarray(years), values.to_numpy())
    data = pd.DataFrame({"year": list(years), "value": values.to_numpy(dtype=float)})
    source = "national statistics: " + " / ".join(
        "+".join(part) for part in (spec.data.numerator, spec.data.denominator) if part
    )
    return Target(
        name,
        spec.kind,
        spec.model,
        spec.statistic,
        years,
        observed,
        spec.sd,
        spec.tolerance,
        data,
        source,
    )


def _value_target(name: str, spec: TargetSpec, statistics: pd.DataFrame | None) -> Target:
    years = tuple(range(spec.years[0], spec.years[1] + 1))
    return Target(
        name,
        spec.kind,
        spec.model,
        spec.statistic,
        years,
        float(spec.observed),
        spec.sd,
        spec.tolerance,
        source="as written in the calibration file",
    )


def _synthetic_target(name: str, spec: TargetSpec, statistics: pd.DataFrame | None) -> Target:
    years = tuple(range(spec.years[0], spec.years[1] + 1))
    return Target(
        name,
        spec.kind,
        spec.model,
        spec.statistic,
        years,
        float("nan"),
        spec.sd,
        spec.tolerance,
        source="synthetic: made by the model at the true values",
    )


#: Builders of targets by kind: ``builder(name, spec, statistics table or None) -> Target``.
TARGET_KINDS: dict[str, Callable[[str, TargetSpec, pd.DataFrame | None], Target]] = {
    "statistics": _statistics_target,
    "value": _value_target,
    "synthetic": _synthetic_target,
}


def build_targets(
    specs: Mapping[str, TargetSpec], statistics: pd.DataFrame | None
) -> tuple[dict[str, Target], dict[str, TargetError]]:
    """Every target that can be built, and the error of each that cannot, by name."""
    built, failed = {}, {}
    for name, spec in specs.items():
        try:
            built[name] = TARGET_KINDS[spec.kind](name, spec, statistics)
        except TargetError as exc:
            failed[name] = exc
    return built, failed
