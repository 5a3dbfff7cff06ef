"""Each policy scenario moves its outcomes the way the reform is meant to (the lever table of
the model description), against the baseline with the same seeds, on a small county.

Design. Every scenario runs with the same REPLICATES seeds (common random numbers), so a
change is the scenario minus the baseline seed by seed. Two kinds of check:

- every seed: effects many standard errors from zero whose sign no seed flips (leased and
  idle land, pension coverage, idle capacity, left-behind children...). Asked of each of
  the replicates, they fail as soon as one seed moves the wrong way.
- on the mean (`significant`): effects whose signal is small against the discrete noise of
  a county of 20,000: registered urbanization (a reclassified village turns about 1,300
  persons urban at once, several points of the small county, in one year or another
  depending on the seed) and settlements in the cities (a few dozen settlers a year). For
  these the test asks that the mean change over the seeds be more than two standard errors
  from zero and that most seeds move the documented way; one seed may flip without the
  lever having failed.
- a larger county for registered urbanization under hukou relaxation (on the small county,
  with the calibrated behaviour of 2026-11-29, +0.0043 with se 0.0021 over eight seeds, at
  the edge of the mean check) and for county-town investment: with the calibrated
  behaviour of 2026-11-29
  its effect on the near/far migration ratio in 2030 is +0.033 (se 0.022, 6 of 8 seeds) on
  the small county, where the far migrants are a few hundred, but +0.062 (se 0.008, 4 of 4)
  on a county of 100,000 (15 villages as the small one), where every seed moves the
  documented way; those checks run there (four replicates of three scenarios, about 15 s).

Eight replicates of seven scenarios (about 45 s on two workers) are what the mean checks
need: measured at ten seeds, hukou relaxation raises registered urbanization in 2030 by
0.0076 (se 0.0015). Settlements in the cities under pension portability need more: over
the run it raises them by about 22 (se 4.6 and 5.9 at 24 seeds, with the public-staff
queue's draws before and after they were drawn for the queue's head only), a seed's change
spreading by about 25, so eight seeds pass the mean check only about three times in five
(seeds 1-8 gave 9, se 7.5); that check runs on 16 replicates of those two scenarios.

Each lever's test fails when its lever does nothing: the changes are then zero for every
seed, and neither "every seed > 0" nor "mean > 2 se" holds.
"""

import numpy as np
import pytest
from conftest import ROOT, SMALL

from countysim.compare import compare
from countysim.config import load_scenario

SCENARIOS = ROOT / "scenarios"
LEVERS = (
    "hukou_relaxation",
    "land_extension",
    "pension_portability",
    "resident_based_finance",
    "county_town_investment",
    "integrated_reform",
)
YEAR = 2030
REPLICATES = 8


@pytest.fixture(scope="module")
def runs():
    small = [s for s in SMALL if not s.startswith(("name=", "years.end="))]
    files = [SCENARIOS / "baseline.yaml", *(SCENARIOS / f"{name}.yaml" for name in LEVERS)]
    result = compare(
        files, replicates=REPLICATES, overrides=[*small, f"years.end={YEAR}"], workers=2
    )
    return result.table.set_index(["scenario", "replicate", "year"])


@pytest.fixture(scope="module")
def pension_runs():
    """Baseline and pension portability on the small county, 16 seeds (see above)."""
    small = [s for s in SMALL if not s.startswith(("name=", "years.end="))]
    files = [SCENARIOS / "baseline.yaml", SCENARIOS / "pension_portability.yaml"]
    result = compare(files, replicates=16, overrides=[*small, f"years.end={YEAR}"], workers=2)
    return result.table.set_index(["scenario", "replicate", "year"])


def change(runs, scenario, column, year=YEAR):
    """Scenario minus baseline, per replicate (same seeds)."""
    alt = runs.loc[scenario].xs(year, level="year")[column]
    base = runs.loc["baseline"].xs(year, level="year")[column]
    return (alt - base).to_numpy()


@pytest.fixture(scope="module")
def larger_county_runs():
    """Baseline, hukou relaxation and county-town investment on a county of 100,000, four
    seeds."""
    small = [s for s in SMALL if not s.startswith(("name=", "years.end=", "county.generate.reg"))]
    names = ("baseline", "hukou_relaxation", "county_town_investment")
    files = [SCENARIOS / f"{name}.yaml" for name in names]
    overrides = [*small, "county.generate.registered_population=100000", f"years.end={YEAR}"]
    result = compare(files, replicates=4, overrides=overrides, workers=2)
    return result.table.set_index(["scenario", "replicate", "year"])


def summed_change(runs, scenario, column):
    """Scenario minus baseline of a yearly flow summed over the run, per replicate."""
    alt = runs.loc[scenario].groupby(level="replicate")[column].sum()
    base = runs.loc["baseline"].groupby(level="replicate")[column].sum()
    return (alt - base).to_numpy()


def significant(changes: np.ndarray) -> bool:
    """The mean change is more than two standard errors above zero and more than half of the
    seeds are positive (negate the changes to ask for a fall)."""
    se = changes.std(ddof=1) / np.sqrt(len(changes))
    return changes.mean() > 2 * se and (changes > 0).sum() > len(changes) / 2


def test_hukou_relaxation(runs, larger_county_runs):
    # Registered urbanization moves in village-sized steps on the small county (see above):
    # measured on the larger one, where every seed must move it up.
    assert (change(larger_county_runs, "hukou_relaxation", "urbanization_registered") > 0).all()
    # The gap is resident minus registered urbanization, and the reform raises both (families
    # join settlers in the towns): on a county of 100,000 it narrows by 0.0032 (se 0.0011,
    # 4 seeds), on this one the change, -0.001 (se 0.002 at ten seeds), is within the noise.
    # So the test asks only that the reform not widen it significantly.
    assert not significant(change(runs, "hukou_relaxation", "urbanization_gap"))
    assert (change(runs, "hukou_relaxation", "left_behind_children") < 0).all()


def test_land_extension(runs):
    assert (change(runs, "land_extension", "land_leased_share") > 0).all()
    assert (change(runs, "land_extension", "land_idle_share") < 0).all()
    assert (change(runs, "land_extension", "farm_output_per_mu") > 0).all()
    assert (change(runs, "land_extension", "away_share_land_rich") > 0).all()


def test_pension_portability(runs, pension_runs):
    assert (change(runs, "pension_portability", "pension_coverage_migrants") > 0.1).all()
    # Enrolled migrants collect the insured years the cities ask of settlers: about 22 more
    # settle in the cities by 2030, on a base of about 510.
    assert significant(summed_change(pension_runs, "pension_portability", "settlements_city"))
    assert (change(runs, "pension_portability", "pension_employee_lost") < 0).all()


def test_resident_based_finance(runs):
    assert (change(runs, "resident_based_finance", "idle_capacity_share") < 0).all()
    assert (change(runs, "resident_based_finance", "service_coverage_dispersion") < 0).all()


def test_county_town_investment(larger_county_runs):
    runs = larger_county_runs
    near, far = "migrants_near", "migrants_far"
    alt = runs.loc["county_town_investment"].xs(YEAR, level="year")
    base = runs.loc["baseline"].xs(YEAR, level="year")
    assert ((alt[near] / alt[far]) > (base[near] / base[far])).all()
    assert (change(runs, "county_town_investment", "residents_county_town") > 0).all()


def test_integrated_reform(runs):
    assert significant(change(runs, "integrated_reform", "urbanization_registered"))
    for column in ("land_leased_share", "pension_coverage_migrants"):
        assert (change(runs, "integrated_reform", column) > 0).all(), column
    assert (change(runs, "integrated_reform", "idle_capacity_share") < 0).all()


def test_integrated_reform_restates_the_single_lever_schedules():
    integrated = load_scenario(SCENARIOS / "integrated_reform.yaml")
    for name in LEVERS[:-1]:
        single = load_scenario(SCENARIOS / f"{name}.yaml")
        for section in ("hukou", "land", "pensions", "finance", "capital"):
            mine, theirs = getattr(integrated, section), getattr(single, section)
            base = getattr(load_scenario(SCENARIOS / "baseline.yaml"), section)
            for field in type(theirs).model_fields:
                if getattr(theirs, field) != getattr(base, field):  # the lever this file moves
                    assert getattr(mine, field) == getattr(theirs, field), (name, field)
