"""Running a scenario: load and check it, simulate, and collect the results.

``prepare`` is where every input error is raised, before anything runs or is written. Besides
the scenario file itself it reads the places file, and it refuses a county larger than
``MAX_PERSON_ROWS`` simulated persons (persons divided by ``simulation.scale``): the person
arrays need a few hundred bytes per row, so a mistyped population would otherwise end in
the system running out of memory after a long wait.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import mesa

from countysim.atomic import check_output
from countysim.config import Overrides, Problem, ScenarioError, load_scenario
from countysim.config.schema import Scenario
from countysim.model import CountyModel
from countysim.places_file import PlacesFileError, read_places_table
from countysim.results import Results

#: The most simulated persons (rows of the person arrays) a run may have.
MAX_PERSON_ROWS = 10_000_000


def prepare(scenario: str | os.PathLike | Scenario, overrides: Overrides = ()) -> Scenario:
    """A validated scenario, with its input files checked too: every error is raised here,
    before anything runs or is written. `overrides` are ``["key=value", ...]`` strings or a
    dict of dotted keys to values."""
    if isinstance(scenario, Scenario):
        if overrides:
            raise ValueError("overrides apply to scenario files, not to Scenario objects")
        sc = scenario
    else:
        if not isinstance(scenario, str | os.PathLike):
            raise TypeError(
                f"a scenario is a file path or a Scenario, not a {type(scenario).__name__}"
            )
        sc = load_scenario(scenario, overrides)
    where = str(scenario) if not isinstance(scenario, Scenario) else sc.name
    persons = sc.county.generate.registered_population if sc.county.generate else 0
    if sc.county.places_file is not None:
        try:
            table = read_places_table(Path(sc.county.places_file))
        except OSError as exc:
            message = f"cannot read {sc.county.places_file}: {exc.strerror or exc}"
            raise ScenarioError(
                [Problem(None, None, "county.places_file", None, message)], where
            ) from None
        except PlacesFileError as exc:
            problems = [Problem(None, None, "county.places_file", None, p) for p in exc.problems]
            raise ScenarioError(problems, where) from None
        if table.encoding != "UTF-8":
            print(f"{sc.county.places_file}: read as {table.encoding}", file=sys.stderr)
        places = table.places
        persons = int(max(places["population"].sum(), places["registered"].sum()))
    rows = math.ceil(persons / sc.simulation.scale)
    if rows > MAX_PERSON_ROWS:
        message = (
            f"{persons:,} persons at scale {sc.simulation.scale} are {rows:,} simulated "
            f"persons; at most {MAX_PERSON_ROWS:,} fit in memory. Raise simulation.scale to "
            f"at least {math.ceil(persons / MAX_PERSON_ROWS)} or check the populations"
        )
        raise ScenarioError([Problem(None, None, "simulation.scale", None, message)], where)
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
    overrides: Overrides = (),
    out: str | os.PathLike | None = None,
    figures: bool = True,
    progress: bool = False,
    overwrite: bool = False,
    replicates: int | None = None,
    workers: int | None = None,
) -> Results:
    """Run a scenario file (or Scenario) and return its Results; save them if `out` is given.

    `overrides` are ``["key=value", ...]`` strings or a dict such as
    ``{"simulation.scale": 10}``. An existing `out` is replaced only if it holds earlier
    countysim results and `overwrite` is true; anything else raises
    `countysim.atomic.OutputExistsError` before the run starts. With `replicates`, runs that
    many replicates (on `workers` processes; in this process when called from the top level
    of a script without an ``if __name__ == "__main__":`` guard) and returns their
    `ReplicateResults`.

    >>> res = countysim.run("scenarios/baseline.yaml", overrides={"simulation.scale": 10})
    >>> res.county[["year", "urbanization_resident", "income_ratio"]]
    """
    sc = prepare(scenario, overrides)
    if out is not None:
        check_output(out, overwrite=overwrite)
    if replicates is not None:
        from countysim.experiments.main_guard import serial_unless_guarded
        from countysim.experiments.replicates import simulate_replicates

        workers = serial_unless_guarded(workers, "countysim.run with replicates")
        executor = "serial" if workers == 1 else "process"
        results = simulate_replicates(
            sc, replicates, executor=executor, workers=workers, progress=progress
        )
    else:
        results = simulate(sc, progress=progress)
    if out is not None:
        from countysim.reports import save_run

        save_run(results, out, figures=figures, report=False, overwrite=overwrite)
    return results
