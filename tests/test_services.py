"""Services: the net income of local service businesses goes to the residents of their place."""

from __future__ import annotations

import functools

import numpy as np

from countysim.model import CountyModel
from countysim.runner import simulate
from tests.conftest import small_scenario


@functools.cache
def _model(*overrides: str) -> CountyModel:
    model = CountyModel(small_scenario(*overrides))
    for _ in range(2):
        model.step()
    return model


def test_owners_income_is_the_owner_share_of_revenue_shared_by_residents():
    model = _model()
    p, st, world = model.persons, model.state, model.world
    scale = model.scenario.simulation.scale
    mu = model.scenario.services.owner_income_share
    assert mu > 0
    income = model.services.owner_income(model)
    county = world.is_county
    by_place = scale * np.bincount(p.residence, weights=income, minlength=world.n)
    lived_in = np.bincount(p.residence, minlength=world.n) > 0
    np.testing.assert_allclose(
        by_place[county & lived_in], mu * st.service_revenue[county & lived_in], rtol=1e-9
    )
    assert (by_place[~county] == 0).all()  # city businesses are outside the county's accounts
    for place in np.flatnonzero(county & lived_in)[:5]:  # the same for every resident
        assert np.ptp(income[p.residence == place]) == 0


def test_without_an_owner_share_nobody_gets_business_income():
    model = _model("services.owner_income_share=0")
    assert (model.services.owner_income(model) == 0).all()


def test_owners_income_raises_town_incomes_more_than_village_ones():
    without = simulate(small_scenario("services.owner_income_share=0")).county
    with_owners = simulate(small_scenario()).county
    assert (with_owners.income_urban_pc > without.income_urban_pc).all()
    assert with_owners.income_ratio.mean() > without.income_ratio.mean()


def test_public_purchases_are_local_revenue_where_the_staff_work():
    model = _model()
    f, fin = model.scenario.finance, model.finance
    assert f.purchases_local_share > 0
    bought = fin.public_purchases(model)
    other = fin.flows["budget_spent_other"]
    np.testing.assert_allclose(
        bought.sum(),
        f.purchases_local_share * ((1 - f.staff_share) * fin.spent.sum() + other),
        rtol=1e-9,
    )
    # Revenue = residents' spending split by the central-place rule + public purchases.
    p, world = model.persons, model.world
    sv, scale = model.scenario.services, model.scenario.simulation.scale
    spent = (
        scale * sv.spending_share * np.bincount(p.residence, weights=p.income, minlength=world.n)
    )
    model.services.step(model)  # recomputes this year's revenue from the same state
    np.testing.assert_allclose(
        model.state.service_revenue, spent @ model.services.weights + bought, rtol=1e-9
    )
    none = _model("finance.purchases_local_share=0")
    assert (none.finance.public_purchases(none) == 0).all()
