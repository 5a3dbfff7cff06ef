"""A countysim scenario as a model for experiments: a function of (parameters, seed).

``ScenarioModel`` holds a resolved base scenario and the summary outputs to compute; called
with a design point's parameter values (dotted scenario keys) and a seed, it builds and
validates that run's scenario, simulates it and returns the outputs and tables. It is plain
data plus code, so it pickles cheaply to worker processes and Dask workers.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from countysim.config import LineMap, apply_overrides, validate
from countysim.config.schema import Scenario
from countysim.experiments.execution import RunOutput
from countysim.experiments.outputs import OutputSpec
from countysim.runner import simulate


def scenario_data(
    base: Mapping[str, Any], parameters: Mapping[str, Any], seed: int | None = None
) -> tuple[dict[str, Any], LineMap]:
    """The base scenario's data with ``parameters`` set at their dotted keys (and the seed),
    not yet validated, with the line map that places the set keys at ``<--set>``."""
    data = copy.deepcopy(dict(base))
    linemap: LineMap = {}
    # JSON text is valid YAML 1.2 and round-trips numbers exactly, so a value is typed here
    # exactly as it would be if written in a scenario file.
    apply_overrides(data, linemap, [f"{key}={json.dumps(v)}" for key, v in parameters.items()])
    if seed is not None:
        data["seed"] = seed
    return data, linemap


def scenario_for(
    base: Mapping[str, Any], parameters: Mapping[str, Any], seed: int | None = None
) -> Scenario:
    """The validated scenario of one run (``ScenarioError`` if the values are not allowed)."""
    return validate(*scenario_data(base, parameters, seed), Scenario)


#: Rows of persons a probe run simulates at most (``county_columns``).
_PROBE_ROWS = 5000
#: Persons per row of a probe of a census county (the coarsest scale the schema allows).
_PROBE_CENSUS_SCALE = 1000


def county_columns(base: Mapping[str, Any]) -> list[str]:
    """The columns of the county table that runs of the scenario ``base`` will have.

    The model's modules name their columns as they record a year, so the one sure way to
    know them is to record them: this runs a copy of ``base`` over all its years, without
    spin-up, at a coarse scale (a generated county with at most ``_PROBE_ROWS`` rows of
    persons, a census county at the coarsest scale). Every year is simulated because a
    shortened run would cut dated lever schedules that start later out of their years, and
    the scenario would no longer validate. It takes a second or two.
    """
    coarse: dict[str, Any] = {"simulation.spinup_years": 0}
    generated = base["county"].get("generate")
    if generated is not None:
        scale = generated["registered_population"] // _PROBE_ROWS
        coarse["simulation.scale"] = min(max(scale, base["simulation"]["scale"]), 1000)
    elif base["county"].get("census") is not None:
        coarse["simulation.scale"] = max(base["simulation"]["scale"], _PROBE_CENSUS_SCALE)
    return list(simulate(scenario_for(base, coarse)).county.columns)


@dataclass(frozen=True)
class ScenarioModel:
    """Runs of one base scenario (a resolved scenario dict) with parameters set per run.

    ``outputs`` are evaluated on each run's county table; ``tables`` names the result tables
    returned with them (``"county"`` for a sweep's yearly series; all of them for
    replicates of a scenario).
    """

    base: Mapping[str, Any]
    outputs: Mapping[str, OutputSpec] = field(default_factory=dict)
    tables: tuple[str, ...] = ("county",)

    def __call__(self, parameters: Mapping[str, Any], seed: int) -> RunOutput:
        results = simulate(scenario_for(self.base, parameters, seed))
        summary = {name: spec.evaluate(results.county) for name, spec in self.outputs.items()}
        return RunOutput(summary, {name: results.to_df(name) for name in self.tables})
