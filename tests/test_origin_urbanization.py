"""Urbanization of the county's origin population (recorder.Recorder.origin_urbanization):
the county's analogue of national hukou urbanization, counting everyone registered in the
county at the start or born since, wherever they live, but nobody from outside."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, small_scenario

from countysim.config import load_scenario
from countysim.model import CountyModel
from countysim.population import IS_IN_SCHOOL_AGE
from countysim.world import CITY


@pytest.fixture(scope="module")
def model():
    return CountyModel(small_scenario("years.end=2012"))


def measure(model) -> tuple[float, float]:
    """(urban-hukou persons, persons) of the origin population, from the recorded share."""
    count = np.bincount(model.persons.residence, minlength=model.world.n)
    share = model.recorder.origin_urbanization(model, count)["urbanization_registered_origin"]
    persons = len(model.persons) - len(model.recorder.outsiders)
    return share * persons, persons


def rural_adults_in_cities(model) -> np.ndarray:
    p, world = model.persons, model.world
    away = world.level[p.residence] == CITY
    return np.flatnonzero(away & ~p.hukou_urban & ~IS_IN_SCHOOL_AGE[p.status])


def test_settling_in_a_city_raises_it_and_the_residents_share_does_not_move(model):
    model.step()
    p = model.persons
    before_share = model.recorder.county[-1]["urbanization_registered"]
    urban, persons = measure(model)
    settler = rural_adults_in_cities(model)[:1]
    assert len(settler)
    p.hukou_urban[settler] = True  # settles where she lives, as modules/hukou.py does
    p.hukou_place[settler] = p.residence[settler]
    urban_after, persons_after = measure(model)
    assert persons_after == persons
    assert urban_after == pytest.approx(urban + 1)
    # Among county residents nothing changed: she lives in a city.
    in_county = model.world.is_county[p.residence]
    share = np.count_nonzero(p.hukou_urban & in_county) / np.count_nonzero(in_county)
    assert share == pytest.approx(before_share)


def test_death_of_an_urban_settler_lowers_numerator_and_denominator(model):
    p = model.persons
    away = model.world.level[p.residence] == CITY
    settlers = np.flatnonzero(away & p.hukou_urban)
    assert len(settlers)
    urban, persons = measure(model)
    alive = np.ones(len(p), dtype=bool)
    alive[settlers[0]] = False
    p.keep(alive)  # as demography removes the dead
    urban_after, persons_after = measure(model)
    assert persons_after == persons - 1
    assert urban_after == pytest.approx(urban - 1)


def test_persons_from_outside_are_left_out(model):
    p = model.persons
    urban, persons = measure(model)
    outsider = np.flatnonzero(p.hukou_urban)[:1]
    model.recorder.note_outsiders(p.pid[outsider])  # as an in-migrant's arrival notes her
    urban_after, persons_after = measure(model)
    assert persons_after == persons - 1
    assert urban_after == pytest.approx(urban - 1)
    # Once dead, an outsider leaves the list.
    alive = np.ones(len(p), dtype=bool)
    alive[outsider] = False
    p.keep(alive)
    measure(model)
    assert len(model.recorder.outsiders) == 0


def test_census_county_leaves_out_its_in_migrants():
    """A census county's residents registered elsewhere at the start, and the in-migrants
    who arrive, are outsiders: every rural-hukou person registered in a city and living in
    the county (as adults all arrive) is among them, and the origin share is the share
    without them."""
    census = ROOT / "scenarios" / "census_county.yaml"
    model = CountyModel(
        load_scenario(
            census, ["county.census.code=110228", "simulation.scale=50", "years.end=2012"]
        )
    )
    p, world = model.persons, model.world
    assert len(model.recorder.outsiders) == np.count_nonzero(~world.is_county[p.hukou_place])
    at_start = len(model.recorder.outsiders)
    model.step()
    model.step()
    p = model.persons
    # Adults: an in-migrant's child born in the county is of its origin population.
    in_county = world.is_county[p.residence] & (p.age >= 16)
    from_city = in_county & ~p.hukou_urban & ~world.is_county[p.hukou_place]
    outsider = np.zeros(len(p), dtype=bool)
    outsider[p.rows_of(model.recorder.outsiders)] = True
    arrived = sum(model.inmigration.arrivals.values()) / 50  # rows arrived in the second year
    assert arrived > 0
    assert len(model.recorder.outsiders) > at_start  # more arrived than died
    assert np.count_nonzero(from_city) > 0
    assert np.all(outsider[from_city])
    origin = ~outsider
    share = np.count_nonzero(p.hukou_urban & origin) / np.count_nonzero(origin)
    assert model.recorder.county[-1]["urbanization_registered_origin"] == pytest.approx(share)
