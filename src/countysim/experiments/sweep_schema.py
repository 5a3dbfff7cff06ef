"""The sweep-file schema: every key a file in ``scenarios/sweeps/`` may hold.

It follows the conventions of the scenario schema (``extra="forbid"``, bounds with ``Field``,
units in ``json_schema_extra``, input files marked ``{"file": True}``), so the scenario
loader validates sweep files with the same file:line, dotted-key and did-you-mean reports.
What the schema alone cannot know (whether a parameter names a scenario value, whether its
bounds are allowed there, whether an output's column exists) is checked in ``sweep.py``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from countysim.config.schema import FolderName, Strict
from countysim.experiments.design import DEFAULT_MORRIS_LEVELS, Distribution, Value
from countysim.experiments.execution import ExecutorKind
from countysim.experiments.outputs import OutputSpec
from countysim.experiments.seeds import Streams

#: The most runs (design points times replicates) one sweep may plan: every run's seed is
#: kept in the store's manifest and the design is built in memory before the first run, so
#: a mistyped sample count must be refused up front rather than exhaust the memory.
MAX_RUNS = 200_000


def _count(unit: str, **bounds: Any) -> Any:
    return Field(json_schema_extra={"unit": unit}, **bounds)


class ParameterSpec(Strict):
    """The values one scenario parameter takes: a range (``bounds``, with a distribution
    over it) or a list of ``values``."""

    bounds: Annotated[list[float], Field(min_length=2, max_length=2)] | None = None
    values: Annotated[list[Value], Field(min_length=1)] | None = None
    distribution: Distribution = "uniform"
    mode: float | None = None
    mean: float | None = None
    sd: Annotated[float, Field(gt=0.0)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ParameterSpec:
        if (self.bounds is None) == (self.values is None):
            raise ValueError("give either bounds: [lower, upper] or values: [...]")
        if self.values is not None:
            if self.distribution != "uniform" or {self.mode, self.mean, self.sd} != {None}:
                raise ValueError("a distribution applies to bounds, not to values")
            return self
        low, high = self.bounds
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            raise ValueError(f"bounds [{low:g}, {high:g}]: the lower bound must be below the upper")
        wanted = {"triangular": {"mode"}, "truncnorm": {"mean", "sd"}}.get(self.distribution, set())
        given = {name for name in ("mode", "mean", "sd") if getattr(self, name) is not None}
        if given != wanted:
            needs = ", ".join(sorted(wanted)) or "no further keys"
            raise ValueError(f"distribution {self.distribution} needs {needs}")
        if self.distribution == "loguniform" and low <= 0:
            raise ValueError("a loguniform distribution needs a positive lower bound")
        if self.mode is not None and not low <= self.mode <= high:
            raise ValueError(f"mode {self.mode:g} must lie within the bounds")
        return self


class DesignSpec(Strict):
    """How design points are chosen (see ``design.make_design``)."""

    kind: Literal["grid", "list", "lhs", "sobol", "morris"]
    samples: (
        Annotated[int, _count("points (lhs), base samples (sobol), trajectories", ge=1)] | None
    ) = None
    levels: Annotated[int, _count("levels per parameter", ge=2, le=1000)] | None = None
    second_order: bool = False
    seed: Annotated[int, _count("integer", ge=0, le=2**32 - 1)] = 0
    points: Annotated[list[dict[str, Value]], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _settings_fit_kind(self) -> DesignSpec:
        allowed = {
            "grid": {"levels"},
            "list": {"points"},
            "lhs": {"samples", "seed"},
            "sobol": {"samples", "second_order", "seed"},
            "morris": {"samples", "levels", "seed"},
        }[self.kind]
        given = {name for name in self.model_fields_set if name != "kind"}
        if extra := sorted(given - allowed):
            raise ValueError(
                f"a {self.kind} design takes {', '.join(sorted(allowed))}, not {extra}"
            )
        if self.kind == "list" and self.points is None:
            raise ValueError("a list design needs points: [{parameter: value, ...}, ...]")
        if self.kind in ("lhs", "sobol", "morris") and self.samples is None:
            raise ValueError(f"a {self.kind} design needs samples")
        if self.kind == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"a sobol design needs a power of two samples, got {self.samples}")
        if self.kind == "morris" and (self.levels or DEFAULT_MORRIS_LEVELS) % 2:
            raise ValueError("a morris design needs an even number of levels")
        return self


class ExecutionSpec(Strict):
    """Where and how the runs execute; none of it changes the results (so it is not part of
    the sweep's hash and may differ when resuming)."""

    executor: ExecutorKind = "process"
    workers: Annotated[int, _count("processes", ge=1)] | None = None
    scheduler: str | None = None
    flush_runs: Annotated[int, _count("runs", ge=1)] = 50
    flush_seconds: Annotated[float, _count("seconds", gt=0.0)] = 30.0
    #: Runs identical up to a year compute that beginning once (``fork.py``; same results).
    #: Left out of the stored sweep file, which stays as it was for stores made before.
    fork: bool = Field(default=True, exclude=True)


class SweepFile(Strict):
    """A sweep: a base scenario, a design over some of its parameters, replicates per design
    point, and the summary outputs kept from each run."""

    name: FolderName
    description: str = ""
    base: Annotated[str, Field(json_schema_extra={"file": True})]
    overrides: Annotated[dict[str, Any], Field(alias="set")] = {}
    design: DesignSpec
    parameters: dict[str, ParameterSpec] = {}
    replicates: Annotated[int, _count("runs per design point", ge=1, le=100_000)] = 1
    streams: Streams = "common"
    outputs: Annotated[dict[str, OutputSpec], Field(min_length=1)]
    execution: ExecutionSpec = ExecutionSpec()

    @model_validator(mode="after")
    def _parameters_fit_design(self) -> SweepFile:
        if self.design.kind == "list" and self.parameters:
            raise ValueError("a list design names its parameters in its points; drop parameters")
        if self.design.kind != "list" and not self.parameters:
            raise ValueError(f"a {self.design.kind} design needs parameters")
        if self.design.kind == "grid" and self.design.levels is None:
            ranged = [path for path, spec in self.parameters.items() if spec.values is None]
            if ranged:
                raise ValueError(f"a grid over bounds needs design.levels (for {ranged[0]})")
        if self.execution.scheduler is not None and self.execution.executor != "dask":
            raise ValueError("execution.scheduler needs executor: dask")
        points = self.design_points()
        if points * self.replicates > MAX_RUNS:
            raise ValueError(
                f"the design has {points:,} points x {self.replicates} replicate(s) = "
                f"{points * self.replicates:,} runs; a sweep may have at most {MAX_RUNS:,} "
                "(fewer samples, levels or replicates, or split it into several sweeps)"
            )
        return self

    def design_points(self) -> int:
        """How many design points the design will have, counted without building it."""
        design, count = self.design, len(self.parameters)
        if design.kind == "list":
            return len(design.points or ())
        if design.kind == "grid":
            return math.prod(
                len(spec.values) if spec.values is not None else design.levels or 1
                for spec in self.parameters.values()
            )
        samples = design.samples or 0
        if design.kind == "sobol":
            return samples * (2 * count + 2 if design.second_order else count + 2)
        if design.kind == "morris":
            return samples * (count + 1)
        return samples
