from pathlib import Path

import pytest

from countysim.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

# A county small enough for tests to run in about a second.
SMALL = [
    "name=small",
    "county.generate.townships=3",
    "county.generate.villages_per_township=5",
    "county.generate.registered_population=20000",
    "years.end=2018",
    "simulation.spinup_years=3",
]


def small_scenario(*extra: str):
    return load_scenario(BASELINE, [*SMALL, *extra])


@pytest.fixture(scope="session")
def small_run():
    """One small run shared by the tests that only read its results."""
    from countysim.runner import simulate

    return simulate(small_scenario())
