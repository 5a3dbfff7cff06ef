"""Shared pieces of the browser app's tests: the shipped scenarios, a view small enough to
run in well under a second, and one Explorer (one worker process) for the whole session.

A helper module rather than a conftest.py: other test modules import names from the
top-level conftest, which a second conftest module would shadow."""

import atexit
import functools
from pathlib import Path

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


@functools.cache
def shared_explorer():
    """The session's Explorer: its worker process is started once for every module."""
    from countysim.explore.state import Explorer

    ex = Explorer(SCENARIOS)
    atexit.register(ex.close)
    return ex
