"""Capital: the stock identity, savings accounting, allocation by return, infrastructure."""

import numpy as np
import pytest
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.runner import simulate

SEEDS = (1, 2, 3)


def _county_places(places):
    return places[places.level != "city"]


def test_capital_stock_is_last_years_worn_stock_plus_investment(small_run):
    delta = small_scenario().capital.depreciation
    p = _county_places(small_run.places).sort_values(["place_id", "year"])
    k = p.pivot(index="year", columns="place_id", values="capital")
    inv = p.pivot(index="year", columns="place_id", values="investment")
    expected = (1 - delta) * k.shift(1) + inv
    np.testing.assert_allclose(k.iloc[1:], expected.iloc[1:], rtol=1e-10)
    assert (inv.iloc[1:].sum(axis=1) > 0).all()


def test_investment_equals_funds_collected(small_run):
    """Savings pooled + retained profits + outside investment = investment in the county +
    funds leaving it; the county's investment is the sum over its places and levels."""
    c, b = small_run.county, small_scenario().capital.home_bias
    funds = c.savings_collected + c.retained_profits
    np.testing.assert_allclose(
        funds + c.outside_investment, c.investment_county + c.investment_outflow, rtol=1e-10
    )
    np.testing.assert_allclose(c.investment_outflow, (1 - b) * funds, rtol=1e-10)
    levels = c.investment_county_town + c.investment_township + c.investment_village
    np.testing.assert_allclose(levels, c.investment_county, rtol=1e-10)
    by_place = _county_places(small_run.places).groupby("year").investment.sum()
    np.testing.assert_allclose(by_place.to_numpy(), c.investment_county, rtol=1e-10)
    assert (c.savings_collected > 0).all() and (c.savings_kept_in_cities > 0).all()


def test_savings_pool_counts_county_residents_and_the_home_share_of_migrants():
    model = CountyModel(small_scenario())
    model.step()
    cap, p = model.scenario.capital, model.persons
    in_city = ~model.world.is_county[p.residence]
    expected = cap.saving_rate * (
        p.income[~in_city].sum() + cap.migrant_savings_home_share * p.income[in_city].sum()
    )
    model.capital.step(model)  # savings come from the incomes of the year just ended
    assert model.capital.flows["savings_collected"] == pytest.approx(expected, rel=1e-12)


def test_capital_is_fixed_when_nothing_is_saved_reinvested_or_worn_out():
    run = simulate(
        small_scenario(
            "capital.saving_rate=0",
            "capital.retained_profit_share=0",
            "capital.depreciation=0",
        )
    )
    k = _county_places(run.places).pivot(index="year", columns="place_id", values="capital")
    np.testing.assert_array_equal(k.to_numpy(), np.tile(k.iloc[0].to_numpy(), (len(k), 1)))


def test_baseline_capital_grows_like_the_investment_boom(small_run):
    k = small_run.county.set_index("year").capital_county
    growth = (k.iloc[-1] / k.iloc[0]) ** (1 / (len(k) - 1)) - 1
    assert 0.06 < growth < 0.11


def _last_year(reform: list[str], seeds=SEEDS, years="years.end=2020"):
    """Baseline and reform county tables' last rows, same seeds (common random numbers)."""
    pairs = []
    for seed in seeds:
        base = simulate(small_scenario(f"seed={seed}", years))
        alt = simulate(small_scenario(f"seed={seed}", years, *reform))
        pairs.append((base, alt))
    return pairs


def test_investment_chases_returns_more_with_a_higher_return_elasticity():
    """Township seats (cheap labour, higher returns) get a larger share of investment."""
    for base, alt in _last_year(["capital.return_elasticity=4"], years="years.end=2014"):
        b, a = base.county.iloc[-1], alt.county.iloc[-1]
        assert (
            a.investment_township / a.investment_county
            > b.investment_township / b.investment_county
        )


def test_outside_investment_adds_to_the_county_capital():
    for base, alt in _last_year(["capital.outside_investment=2000"], years="years.end=2015"):
        b, a = base.county.iloc[-1], alt.county.iloc[-1]
        assert a.outside_investment == pytest.approx(2000 * 20000, rel=0.01)
        assert a.capital_county > b.capital_county


def test_infrastructure_stock_and_productivity_multiplier():
    sc = small_scenario("capital.county_town_investment=3000")
    cap = sc.capital
    run = simulate(sc)
    c = run.county.set_index("year")
    base = c.infrastructure_capital_county_town.iloc[0] - 3000 * 20000
    added = c.infrastructure_capital_county_town - base
    np.testing.assert_allclose(
        added.iloc[1:].to_numpy(),
        (1 - cap.depreciation) * added.iloc[:-1].to_numpy() + 3000 * 20000,
        rtol=1e-10,
    )
    expected = (c.infrastructure_capital_county_town / base) ** cap.infrastructure_elasticity
    np.testing.assert_allclose(c.infrastructure_tfp_multiplier, expected, rtol=1e-10)
    assert (c.infrastructure_tfp_multiplier > 1).all()


def test_county_town_investment_draws_migration_near_rather_than_far():
    pairs = _last_year(["capital.county_town_investment=3000"])
    ratio, town = [], []
    for base, alt in pairs:
        b, a = base.county.iloc[-1], alt.county.iloc[-1]
        ratio.append(a.migrants_near / a.migrants_far - b.migrants_near / b.migrants_far)
        town.append(a.residents_county_town - b.residents_county_town)
    assert (np.array(ratio) > 0).all(), ratio
    assert (np.array(town) > 0).all(), town
