"""In-migration (modules/inmigration.py): arrivals from other counties and provinces in a
census county's towns, in proportion to its first stock and its towns' jobs, counted as
entries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from countysim.config import load_scenario
from countysim.model import CountyModel
from countysim.runner import simulate
from countysim.world import CITY, OUTSIDE_PROVINCE, PREFECTURE, PROVINCE

ROOT = Path(__file__).resolve().parents[1]
CENSUS = ROOT / "scenarios" / "census_county.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# 110228 (a Beijing county) had many residents from other provinces in 2010.
COARSE = ["county.census.code=110228", "simulation.scale=50", "years.end=2012"]


def outside_residents(model) -> dict[str, int]:
    p, world = model.persons, model.world
    county = world.level[p.residence] != CITY
    region = world.region[p.hukou_place[county]]
    return {
        "other_county": int(np.isin(region, (PREFECTURE, PROVINCE)).sum()),
        "other_province": int((region == OUTSIDE_PROVINCE).sum()),
    }


def test_generated_county_draws_nobody():
    model = CountyModel(load_scenario(BASELINE, ["simulation.scale=100", "years.end=2013"]))
    assert not model.inmigration.active()
    n = len(model.persons)
    model.inmigration.step(model)
    assert len(model.persons) == n
    assert model.inmigration.arrivals == {"other_county": 0.0, "other_province": 0.0}


def test_census_county_stock_and_arrivals():
    model = CountyModel(load_scenario(CENSUS, COARSE))
    scale = model.scenario.simulation.scale
    start = outside_residents(model)
    assert model.inmigration.stock == {k: scale * v for k, v in start.items()}
    assert model.inmigration.active()
    model.step()  # the first year: no market has cleared before it, nobody arrives
    assert sum(model.inmigration.arrivals.values()) == 0
    first_pid = model.persons.next_pid
    model.step()
    rate = model.scenario.county.census.inmigration.renewal_rate
    jobs = model.state.employment[model.inmigration.towns].sum()
    arrived = model.inmigration.arrivals
    for k, stock in model.inmigration.stock.items():
        # Expected: rate x stock x growth of town jobs (near 1 in the second year).
        assert arrived[k] == pytest.approx(rate * stock, rel=0.5, abs=2 * scale)
    p = model.persons
    new = p.pid >= first_pid
    newcomers = new & (p.mother == -1)  # births have a mother; arrivals do not
    assert scale * newcomers.sum() >= sum(arrived.values()) - 1
    assert jobs > 0
    here = newcomers & (model.world.level[p.hukou_place] == CITY)
    assert (
        model.world.is_urban[p.residence[here]] | (model.world.level[p.residence[here]] == CITY)
    ).all()


def test_arrivals_are_counted_as_entries():
    res = simulate(load_scenario(CENSUS, COARSE))
    c = res.county
    balance = c.population_start + c.births - c.deaths - c.exits + c.entries
    np.testing.assert_array_equal(balance, c.population_end)
    without = simulate(load_scenario(CENSUS, [*COARSE, "county.census.inmigration=null"]))
    assert c.entries.iloc[-1] > without.county.entries.iloc[-1]


def test_arrivals_keep_origin_hukou_and_raise_the_stock():
    with_it = CountyModel(load_scenario(CENSUS, [*COARSE, "years.end=2014"])).run()
    without = CountyModel(
        load_scenario(CENSUS, [*COARSE, "years.end=2014", "county.census.inmigration=null"])
    ).run()
    a, b = outside_residents(with_it), outside_residents(without)
    assert a["other_county"] > b["other_county"]
    assert a["other_province"] > b["other_province"]


def test_zero_rate_draws_nobody():
    model = CountyModel(
        load_scenario(CENSUS, [*COARSE, "county.census.inmigration.renewal_rate=0"])
    )
    assert not model.inmigration.active()


def test_arrivals_are_not_counted_as_returns():
    model = CountyModel(load_scenario(CENSUS, COARSE))
    model.step()
    model.step()
    returns, moves = model.tally.returns, int(model.tally.moves_by_age.sum())
    model.inmigration.step(model)
    arrived = sum(model.inmigration.arrivals.values()) / model.scenario.simulation.scale
    assert arrived > 0
    assert model.tally.returns == returns
    assert int(model.tally.moves_by_age.sum()) == moves + arrived
