"""The agent model in its two-place limit reaches the Harris-Todaro equilibrium."""

import pytest
from conftest import ROOT

from countysim.harris_todaro import closed_form_urban_share, solve_harris_todaro
from countysim.model import CountyModel
from countysim.runner import prepare


@pytest.fixture(scope="module")
def ht_model():
    model = CountyModel(prepare(ROOT / "scenarios" / "harris_todaro.yaml"))
    return model.run()


def _solver_for(model):
    sc, st = model.scenario, model.state
    town = model.world.county_town
    theta = sc.labour.capital_elasticity
    return solve_harris_todaro(
        N=len(model.persons),
        alpha=1 - theta,
        A_m=st.tfp[town] * st.capital[town] ** theta,
        w_bar=st.wage_floor[town],
        phi=1 - sc.farming.land_elasticity,
        A_a=model.farming.productivity,
        pay=sc.farming.pay,
        price="relative",
        rho=sc.farming.relative_price_rho,
    )


def test_solver_matches_closed_form_for_the_scenario(ht_model):
    sc = ht_model.scenario
    eq = _solver_for(ht_model)
    closed = closed_form_urban_share(
        1 - sc.labour.capital_elasticity,
        sc.farming.relative_price_rho,
        1 - sc.farming.land_elasticity,
    )
    assert eq.urban_share == pytest.approx(closed, abs=1e-9)
    assert eq.unemployment_rate > 0.05  # the floor binds: jobs are rationed


def test_agent_model_settles_at_the_equilibrium(ht_model):
    eq = _solver_for(ht_model)
    settled = [row["urbanization_resident"] for row in ht_model.recorder.county[-20:]]
    mean_share = sum(settled) / len(settled)
    assert abs(mean_share - eq.urban_share) < 0.005
    unemployment = [row["unemployment_county_town"] for row in ht_model.recorder.county[-20:]]
    assert sum(unemployment) / 20 == pytest.approx(eq.unemployment_rate, abs=0.01)
