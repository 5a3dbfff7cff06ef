"""Shared pieces of the browser app's tests: the shipped scenarios, a view small enough to
run in well under a second, and one Explorer (one worker process) for the whole session."""

from pathlib import Path

import pytest

from countysim.explore.levers import LeverSetting, View

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"

#: A small county: about 1,000 simulated persons, a short spin-up, ten years.
SMALL_COUNTY = (
    "county.generate.townships=3",
    "county.generate.villages_per_township=4",
    "simulation.spinup_years=2",
)


def small_view(*, levers=(), replicates=1, scale=400, end=2021, extra=()) -> View:
    return View(
        scenario=str(BASELINE),
        scale=scale,
        start=2012,
        end=end,
        replicates=replicates,
        levers=tuple(levers),
        extra=(*SMALL_COUNTY, *extra),
    )


def hukou(strength=1.0, start=None):
    return ("hukou", LeverSetting(strength, start))


@pytest.fixture(scope="session")
def explorer():
    from countysim.explore.state import Explorer

    ex = Explorer(SCENARIOS)
    yield ex
    ex.close()
