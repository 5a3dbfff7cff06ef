"""The calibration-file schema: every key a file in ``calibrations/`` may hold.

It follows the scenario and sweep schemas (``extra="forbid"``, bounds with ``Field``, units in
``json_schema_extra``, input files marked ``{"file": True}``), so the scenario loader reports
a bad calibration file with file:line, dotted key and did-you-mean. What the schema alone
cannot know (whether a parameter names a scenario value and its prior's bounds are allowed
there, whether a target's series and columns exist) is checked in ``calibration.py``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from countysim.config.schema import Strict
from countysim.experiments.outputs import Year
from countysim.experiments.panel_schema import Counties, Years
from countysim.experiments.sweep_schema import ExecutionSpec

PriorKind = Literal["uniform", "normal", "lognormal"]
Statistic = Literal["mean", "slope", "log_slope"]


def _count(unit: str, **bounds: Any) -> Any:
    return Field(json_schema_extra={"unit": unit}, **bounds)


class PriorSpec(Strict):
    """The prior of one parameter. Every prior lives within ``bounds`` (the schema's range
    for the value must allow both): ``uniform`` over them; ``normal`` (``mean``, ``sd``) and
    ``lognormal`` (``median``, ``sigma`` of the log) truncated to them."""

    prior: PriorKind
    bounds: Annotated[list[float], Field(min_length=2, max_length=2)]
    mean: float | None = None
    sd: Annotated[float, Field(gt=0.0)] | None = None
    median: Annotated[float, Field(gt=0.0)] | None = None
    sigma: Annotated[float, Field(gt=0.0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PriorSpec:
        low, high = self.bounds
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise ValueError(f"bounds [{low:g}, {high:g}]: the lower bound must be below the upper")
        wanted = {"uniform": set(), "normal": {"mean", "sd"}, "lognormal": {"median", "sigma"}}
        given = {k for k in ("mean", "sd", "median", "sigma") if getattr(self, k) is not None}
        if given != wanted[self.prior]:
            needs = ", ".join(sorted(wanted[self.prior])) or "no further keys"
            raise ValueError(f"a {self.prior} prior takes {needs}; got {sorted(given)}")
        if self.prior == "lognormal" and low <= 0:
            raise ValueError("a lognormal prior needs a positive lower bound")
        return self


class Ratio(Strict):
    """A quantity as the sum of some columns (or series) over the sum of others; without a
    denominator, just the sum of the numerator."""

    numerator: Annotated[list[str], Field(min_length=1)]
    denominator: list[str] = []


class TargetSpec(Strict):
    """One number the model must match: a ``statistic`` (mean, slope per year, or slope of
    the log per year) over ``years`` of a model quantity, compared with the same statistic
    of the data, with an error model (``sd``, or a ``tolerance`` band of half-width).

    Kinds (see ``calibration_targets.TARGET_KINDS``): ``statistics`` reads the data from the
    national statistics file (series of ``china_statistics_to_2019.csv``, years to 2019
    only); ``value`` takes the observed number as written (``observed``); ``synthetic``
    gets it from the model at the true values of the file's ``synthetic`` section.

    ``panel`` scores the census counties of the file's ``panel`` section instead of the
    scenario's own county: the mean error over those counties of a panel ``quantity`` (its
    ``change`` since the first census or its ``level`` in the second, on the panel's
    scoring scale), whose observed value is 0 (no bias); it has no model, data or years."""

    kind: Literal["statistics", "value", "synthetic", "panel"]
    model: Ratio | None = None
    data: Ratio | None = None
    observed: float | None = None
    years: Annotated[list[Year], Field(min_length=2, max_length=2)] | None = None
    statistic: Statistic = "mean"
    quantity: str | None = None
    measure: Literal["change", "level"] = "change"
    sd: Annotated[float, _count("units of the statistic", gt=0.0)] | None = None
    tolerance: Annotated[float, _count("units of the statistic", gt=0.0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TargetSpec:
        if (self.sd is None) == (self.tolerance is None):
            raise ValueError("give an error model: either sd or tolerance")
        if self.kind == "panel":
            given = [k for k in ("model", "data", "observed", "years") if getattr(self, k)]
            if given or self.statistic != "mean":
                extra = ", ".join(given + (["statistic"] if self.statistic != "mean" else []))
                raise ValueError(
                    f"a panel target is the mean error of a panel quantity; drop {extra}"
                )
            if self.quantity is None:
                raise ValueError("a panel target names its panel quantity (quantity)")
            return self
        if self.quantity is not None:
            raise ValueError("only a panel target names a panel quantity; drop quantity")
        if self.model is None or self.years is None:
            raise ValueError(f"a {self.kind} target needs model and years")
        if self.years[0] > self.years[1]:
            raise ValueError(f"years {self.years}: the first year must not be after the last")
        if self.statistic != "mean" and self.years[0] == self.years[1]:
            raise ValueError(f"a {self.statistic} needs at least two years")
        if self.kind == "statistics" and (self.data is None or self.observed is not None):
            raise ValueError("a statistics target names its data series (data), not observed")
        if self.kind == "value" and (self.observed is None or self.data is not None):
            raise ValueError("a value target gives its observed number, not data series")
        if self.kind == "synthetic" and (self.observed is not None or self.data is not None):
            raise ValueError("a synthetic target's data come from the model; drop observed/data")
        return self


class CalibrationPanel(Strict):
    """The census counties that ``panel`` targets score: every parameter set runs each of
    them (built from the 2010 census by the county rules, as a county panel does) at
    ``scale`` from ``years.start`` to ``years.end``, with the file's ``set`` values and then
    these ``set`` values. Defaults are those of a panel file (the census of
    ``seeds/data``, the calibration half of 2020 as targets, ``scenarios/census_county.yaml``
    as county rules)."""

    counties: Counties
    county_rules: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    targets: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    scale: Annotated[int, _count("persons per simulated row", ge=1, le=1000)] = 100
    overrides: Annotated[dict[str, Any], Field(alias="set")] = {}
    years: Years = Years()


class Screening(Strict):
    """Morris screening before the waves: parameters whose effect on every target is below
    ``threshold`` (mu*, in units of the target's error sd) are inert: still drawn from their
    prior, but left out of the emulators' inputs."""

    trajectories: Annotated[int, _count("Morris trajectories", ge=2, le=1000)] = 4
    levels: Annotated[int, _count("levels per parameter", ge=2, le=100)] = 4
    threshold: Annotated[float, _count("target sd", ge=0.0)] = 0.1


class Budget(Strict):
    """How many runs each stage gets."""

    screening: Screening | None = Screening()
    runs_per_wave: Annotated[int, _count("parameter sets", ge=4, le=100_000)] = 60
    waves: Annotated[int, _count("history-matching waves", ge=1, le=20)] = 3
    ensemble: Annotated[int, _count("parameter sets", ge=10, le=1_000_000)] = 200
    replicates: Annotated[int, _count("runs per parameter set", ge=1, le=1000)] = 1
    candidates: Annotated[int, _count("prior draws per wave", ge=100, le=10_000_000)] = 20_000
    weighting: Literal["emulator", "runs"] = "emulator"


class Synthetic(Strict):
    """Make the data with the model itself: every target's observed value becomes the mean
    of ``replicates`` runs at these parameter values (a check that the procedure recovers
    known values)."""

    parameters: Annotated[dict[str, float], Field(min_length=1)]
    replicates: Annotated[int, _count("runs", ge=1, le=1000)] = 4


class CalibrationFile(Strict):
    """A calibration: a scenario, priors over some of its parameters, targets, and a budget."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    scenario: Annotated[str, Field(json_schema_extra={"file": True})]
    overrides: Annotated[dict[str, Any], Field(alias="set")] = {}
    statistics_file: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    parameters: Annotated[dict[str, PriorSpec], Field(min_length=1)]
    targets: Annotated[dict[str, TargetSpec], Field(min_length=1)]
    panel: CalibrationPanel | None = None
    synthetic: Synthetic | None = None
    budget: Budget = Budget()
    implausibility_cutoff: Annotated[float, _count("standard deviations", gt=0.0)] = 3.0
    seed: Annotated[int, _count("integer", ge=0, le=2**32 - 1)] = 0
    execution: ExecutionSpec = ExecutionSpec()
