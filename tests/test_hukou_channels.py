"""Ways to an urban hukou besides settling: land requisition, reclassification of villages,
college entrants moving their hukou."""

import numpy as np
import pytest
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.modules.college_hukou import COLLEGE
from countysim.modules.land_requisition import M2_PER_MU
from countysim.population import STUDENT
from countysim.runner import simulate
from countysim.world import CITY, PROVINCE, REGION_CODE


def _land_by_place(model) -> np.ndarray:
    hh, scale = model.households, model.scenario.simulation.scale
    return scale * np.bincount(hh.home, weights=hh.land_mu, minlength=model.world.n)


@pytest.fixture
def model():
    return CountyModel(small_scenario("hukou.requisition.hukou_share=1"))


def test_land_needed_follows_the_towns_growth(model):
    r = model.scenario.hukou.requisition
    growth = np.zeros(model.world.n)
    growth[model.world.county_town] = 1000.0
    growth[1] = -500.0  # a shrinking town takes nothing
    need = model.land_requisition.land_needed(model, growth)
    expected = 1000.0 * r.expansion_elasticity * r.built_up_m2_per_resident * r.arable_share
    assert need[model.world.county_town] == pytest.approx(expected / M2_PER_MU)
    assert need[1] == 0.0 and need.sum() == pytest.approx(need[model.world.county_town])


def test_the_county_town_takes_the_nearest_villages_first_and_converts_their_members(model):
    req, world, p = model.land_requisition, model.world, model.persons
    town = world.county_town
    order = req.order[town]
    land = _land_by_place(model)
    # Growth that needs the first village's land and part of the second's.
    need = land[order[0]] + 0.5 * land[order[1]]
    r = model.scenario.hukou.requisition
    per_resident = r.expansion_elasticity * r.built_up_m2_per_resident * r.arable_share
    req.peak_residents = model.state.residents.copy()
    model.state.residents[town] += need * M2_PER_MU / per_resident
    hukou_before, urban_before = p.hukou_place.copy(), p.hukou_urban.copy()
    home = model.households.home[p.hh]
    req.step(model)

    after = _land_by_place(model)
    taken = land - after
    assert taken[order[0]] == pytest.approx(land[order[0]])  # the nearest gave all its land
    assert 0 < taken[order[1]] < land[order[1]]  # the next, a part
    assert taken[order[2:]].sum() == 0.0 and taken[~world.is_county].sum() == 0.0
    np.testing.assert_allclose(req.taken_mu, taken)
    assert set(np.flatnonzero(req.absorbed_by == town)) == {order[0], order[1]}
    # Members of the households whose land was taken now hold an urban hukou of the town.
    gone = model.households.land_mu[p.hh] == 0
    members = (hukou_before == home) & ~urban_before & np.isin(home, order[:2])
    changed = p.hukou_place != hukou_before
    np.testing.assert_array_equal(changed, members & gone)
    assert p.hukou_urban[changed].all() and (p.hukou_place[changed] == town).all()
    scale = model.scenario.simulation.scale
    assert req.converted.sum() == scale * changed.sum() > 0
    # Art. 47: persons resettled ~ land taken / land per member (the first village wholly).
    first = members & (home == order[0])
    assert changed[first].all()


def test_no_requisition_below_the_peak(model):
    req = model.land_requisition
    land = _land_by_place(model)
    req.peak_residents = model.state.residents + 1.0  # every place below its peak
    req.step(model)
    np.testing.assert_array_equal(_land_by_place(model), land)
    assert req.converted.sum() == 0


def test_a_village_that_lost_most_of_its_land_is_reclassified_once(model):
    req, rec, p = model.land_requisition, model.reclassification, model.persons
    town = model.world.county_town
    village = req.order[town][0]
    threshold = model.scenario.hukou.reclassification_land_loss
    req.taken_total_mu[village] = 0.99 * threshold * req.initial_mu[village]
    rec.step(model)
    assert rec.converted.sum() == 0 and not rec.reclassified.any()

    req.taken_total_mu[village] = threshold * req.initial_mu[village]
    req.absorbed_by[village] = town
    rural = (p.hukou_place == village) & ~p.hukou_urban
    assert rural.any()
    rec.step(model)
    assert rec.reclassified[village] and rec.reclassified.sum() == 1
    assert p.hukou_urban[rural].all() and (p.hukou_place[rural] == town).all()
    assert not ((p.hukou_place == village) & ~p.hukou_urban).any()
    assert rec.converted.sum() == model.scenario.simulation.scale * rural.sum()
    rec.step(model)  # once only
    assert rec.converted.sum() == 0


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_college_entrants_move_their_hukou_to_the_college_city(share):
    model = CountyModel(small_scenario(f"hukou.college_transfer_share={share}"))
    p, world = model.persons, model.world
    age = model.scenario.demography.leaving_age_by_education[COLLEGE - 1]
    p.status[:40] = STUDENT
    p.edu[:40] = COLLEGE
    p.age[:40] = age
    p.age[20:40] = age + 1  # already at college last year
    entrants = (
        (p.status == STUDENT)
        & (p.edu == COLLEGE)
        & (p.age == age)
        & ~p.hukou_urban
        & world.is_county[p.hukou_place]
    )
    assert entrants.sum() > 0
    before = p.hukou_place.copy()
    model.college_hukou.step(model)
    moved = p.hukou_place != before
    city = model.college_hukou.city
    assert world.level[city] == CITY and world.region[city] == REGION_CODE["province"] == PROVINCE
    if share == 0.0:
        assert not moved.any()
    else:
        np.testing.assert_array_equal(moved, entrants)
        assert p.hukou_urban[moved].all() and (p.hukou_place[moved] == city).all()
    scale = model.scenario.simulation.scale
    assert model.college_hukou.transferred == scale * moved.sum()


def test_the_channels_raise_registered_urbanization_and_are_recorded():
    off = ["hukou.college_transfer_share=0", "hukou.requisition.expansion_elasticity=0"]
    for seed in (1, 2):
        on = simulate(small_scenario(f"seed={seed}")).county
        base = simulate(small_scenario(f"seed={seed}", *off)).county
        assert on["urbanization_registered"].iloc[-1] > base["urbanization_registered"].iloc[-1]
        assert on["land_requisitioned_mu"].sum() > 0 and base["land_requisitioned_mu"].sum() == 0
        assert on["hukou_conversions_college"].sum() > 0
        assert base["hukou_conversions_requisition"].sum() == 0


def test_graduates_living_elsewhere_have_their_hukou_sent_home_to_the_county_town():
    model = CountyModel(small_scenario("hukou.college_transfer_share=1"))
    p, world, college = model.persons, model.world, model.college_hukou
    p.status[:10] = STUDENT
    p.edu[:10] = COLLEGE
    p.age[:10] = model.scenario.demography.leaving_age_by_education[COLLEGE - 1]
    p.hukou_urban[:10] = False
    p.hukou_place[:10] = p.residence[:10] = np.flatnonzero(world.level != CITY)[-1]
    college.step(model)
    assert (p.hukou_place[:10] == college.city).all() and p.college_hukou[:10].all()
    p.age[:10] = model.scenario.demography.leaving_age_by_education[COLLEGE]
    p.residence[5:10] = college.city  # half of them stayed in the college's city
    college.step(model)
    assert (p.hukou_place[:5] == world.county_town).all() and p.hukou_urban[:10].all()
    assert (p.hukou_place[5:10] == college.city).all()
