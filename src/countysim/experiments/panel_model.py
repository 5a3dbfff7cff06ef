"""One county of a panel as a model for experiments: a function of (parameters, seed).

``PanelModel`` holds the panel's resolved base scenario; called with a county code and a
seed, it builds that county from the census (the scenario key ``county.census.code``, as
``--set county.census.code=...`` would), simulates it and returns the panel quantities in
the first and last year with the yearly county table. It is plain data, so it pickles
cheaply to worker processes and Dask workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countysim.experiments.execution import RunOutput
from countysim.experiments.panel_quantities import QUANTITIES
from countysim.experiments.scenario_model import scenario_for
from countysim.runner import simulate

#: The design parameter that names a panel point's county, and the scenario key it sets.
COUNTY_PARAMETER = "county"
CENSUS_CODE_KEY = "county.census.code"


def county_overrides(code: str) -> dict[str, Any]:
    """The scenario values that make a run simulate the census county ``code``."""
    return {CENSUS_CODE_KEY: code, "county.census.name": None}


def quantity_values(county: pd.DataFrame, start: int, end: int) -> dict[str, float]:
    """``<quantity>_start`` and ``<quantity>_end`` of every panel quantity, read from a
    run's county table (a missing column or year is an error: the run fails)."""
    years = county["year"].to_numpy()
    values = {}
    for year, suffix in ((start, "start"), (end, "end")):
        if year not in years:
            raise LookupError(
                f"the run did not simulate {year} (it ran {years.min()}-{years.max()})"
            )
        row = county.loc[county["year"] == year].iloc[0]
        for q in QUANTITIES:
            if q.model_column not in county.columns:
                raise KeyError(f"the county table has no column {q.model_column!r}")
            values[f"{q.name}_{suffix}"] = float(row[q.model_column])
    return values


@dataclass(frozen=True)
class PanelModel:
    """Runs of one base scenario for census counties given by code."""

    base: Mapping[str, Any]
    start: int
    end: int

    def __call__(self, parameters: Mapping[str, Any], seed: int) -> RunOutput:
        code = str(parameters[COUNTY_PARAMETER])
        results = simulate(scenario_for(self.base, county_overrides(code), seed))
        county = results.county
        return RunOutput(quantity_values(county, self.start, self.end), {"county": county})
