"""The agent model in its two-place limit reaches the Harris-Todaro equilibrium, for the
unit-elastic relative farm price (gamma = 1) and for the general p = rho (Y_m / Y_a)^gamma.

Each case runs the two-place scenario long enough for the urban share to settle (the logit
dynamics move a small share of workers a year) and compares the mean of its last 20 years
with the static solver fed the model's own technology."""

import pytest
from conftest import ROOT

from countysim.harris_todaro import closed_form_urban_share, solve_harris_todaro
from countysim.model import CountyModel
from countysim.runner import prepare

#: Runs end here: 100 years, time to settle from either corner in every case below.
LAST_YEAR = 2111

CASES = {
    "cobb-douglas": [],
    "gamma-0.5": ["farming.relative_price_gamma=0.5", "farming.relative_price_rho=2.0"],
    "gamma-0.5-average-pay-binding-floor": [
        "farming.relative_price_gamma=0.5",
        "farming.relative_price_rho=1.5",
        "farming.pay=average",
        "labour.county_town.wage_floor_yuan=20000",
    ],
    "gamma-0-fixed-price": ["farming.relative_price_gamma=0", "farming.relative_price_rho=3.0"],
    "gamma-0-other-elasticities-binding-floor": [
        "farming.relative_price_gamma=0",
        "farming.relative_price_rho=2.5",
        "farming.land_elasticity=0.3",
        "labour.capital_elasticity=0.4",
        "labour.county_town.wage_floor_yuan=20000",
    ],
}


@pytest.fixture(scope="module", params=list(CASES))
def ht_model(request):
    overrides = [*CASES[request.param], f"years.end={LAST_YEAR}"]
    return CountyModel(prepare(ROOT / "scenarios" / "harris_todaro.yaml", overrides)).run()


def _solver_for(model):
    sc, st = model.scenario, model.state
    town = model.world.county_town
    theta, beta = sc.labour.capital_elasticity, sc.farming.land_elasticity
    # The village farms all its land, so its output is productivity * T^beta * N_a^(1-beta).
    land = model.households.land_mu.sum() * sc.simulation.scale
    return solve_harris_todaro(
        N=len(model.persons),
        alpha=1 - theta,
        A_m=st.tfp[town] * st.capital[town] ** theta,
        w_bar=st.wage_floor[town],
        phi=1 - beta,
        A_a=model.farming.productivity * land**beta,
        pay=sc.farming.pay,
        price="relative",
        rho=sc.farming.relative_price_rho,
        gamma=sc.farming.relative_price_gamma,
    )


def _settled(model, column):
    values = [row[column] for row in model.recorder.county[-20:]]
    return sum(values) / len(values)


def test_solver_matches_closed_form_for_the_default_scenario():
    model = CountyModel(prepare(ROOT / "scenarios" / "harris_todaro.yaml", ["years.end=2012"]))
    sc = model.scenario
    eq = _solver_for(model)
    closed = closed_form_urban_share(
        1 - sc.labour.capital_elasticity,
        sc.farming.relative_price_rho,
        1 - sc.farming.land_elasticity,
    )
    assert sc.farming.relative_price_gamma == 1.0
    assert eq.urban_share == pytest.approx(closed, abs=1e-9)
    assert eq.unemployment_rate > 0.05  # the floor binds: jobs are rationed


def test_agent_model_settles_at_the_equilibrium(ht_model):
    eq = _solver_for(ht_model)
    assert 0.2 < eq.urban_share < 0.8  # an interior equilibrium, not a corner
    assert abs(_settled(ht_model, "urbanization_resident") - eq.urban_share) < 0.005
    unemployment = _settled(ht_model, "unemployment_county_town")
    assert unemployment == pytest.approx(eq.unemployment_rate, abs=0.01)
