"""Running a scenario: load and check it, simulate, and collect the results."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import mesa

from countysim.config import Problem, ScenarioError, load_scenario
from countysim.config.schema import Scenario
from countysim.model import CountyModel
from countysim.results import Results
from countysim.world import PlacesFileError, read_places


def prepare(scenario: str | os.PathLike | Scenario, overrides: Iterable[str] = ()) -> Scenario:
    """A validated scenario, with its input files checked too: every error is raised here,
    before anything runs or is written."""
    if isinstance(scenario, Scenario):
        if overrides:
            raise ValueError("overrides apply to scenario files, not to Scenario objects")
        sc = scenario
    else:
        sc = load_scenario(scenario, list(overrides))
    if sc.county.places_file is not None:
        try:
            read_places(Path(sc.county.places_file))
        except (OSError, PlacesFileError) as exc:
            raise ScenarioError(
                [Problem(None, None, "county.places_file", None, str(exc))],
                scenario=str(scenario) if not isinstance(scenario, Scenario) else sc.name,
            ) from None
    return sc


def simulate(
    sc: Scenario,
    *,
    progress: bool = False,
    on_year: Callable[[int], None] | None = None,
    model: CountyModel | None = None,
) -> Results:
    """Run one scenario and return its tables with provenance; `on_year(year)` is called
    after each simulated year (the browser app's progress bar). `model` is one to continue
    instead of a new one (e.g. restored from a saved state, see `countysim.state`)."""
    started, t0 = datetime.now(UTC), time.perf_counter()
    model = CountyModel(sc) if model is None else model
    try:
        model.run(progress=progress, on_year=on_year)
        results = Results.from_model(model, seconds=time.perf_counter() - t0, started=started)
    finally:
        # Mesa keeps a per-model id counter for the life of the process; drop ours.
        mesa.Agent._ids.pop(model, None)
    return results


def run(
    scenario: str | os.PathLike | Scenario,
    *,
    overrides: Iterable[str] = (),
    out: str | os.PathLike | None = None,
    figures: bool = True,
    progress: bool = False,
) -> Results:
    """Run a scenario file (or Scenario) and return its Results; save them if `out` is given.

    >>> res = countysim.run("scenarios/baseline.yaml", overrides=["simulation.scale=10"])
    >>> res.county[["year", "urbanization_resident", "income_ratio"]]
    """
    sc = prepare(scenario, overrides)
    results = simulate(sc, progress=progress)
    if out is not None:
        from countysim.reports import save_run

        save_run(results, out, figures=figures, report=False)
    return results
