"""The outside cities' paths: a national wage path, beta-convergence of city wages towards
it, the catch-up of job finding, the rising costs of the high-wage cities and the hukou
barriers by size of city; without them, the cities' own fixed paths."""

import numpy as np
import pytest
from conftest import small_scenario

from countysim.config.schedule import growth_factor, rate_sum
from countysim.config.schema import Destinations
from countysim.model import CountyModel
from countysim.modules.destinations import city_costs, city_job_finding, city_wages
from countysim.world import CITY


def test_city_wages_close_their_log_gap_to_the_national_path_at_the_convergence_rate():
    base = np.array([20000.0, 30000.0, 40000.0])
    reference, beta, years = 30000.0, 0.02, 10
    wage = city_wages(base, reference, growth=1.5, convergence=beta * years)
    gap_before = np.log(base / reference)
    gap_after = np.log(wage / (reference * 1.5))
    np.testing.assert_allclose(gap_after, gap_before * np.exp(-beta * years))
    growth = wage / base
    # Below the path a city grows faster than the nation, above it more slowly.
    assert growth[0] > 1.5 > growth[2]
    assert growth[1] == pytest.approx(1.5)


def test_without_convergence_every_city_grows_at_the_national_rate():
    base = np.array([25000.0, 28000.0, 33000.0])
    wage = city_wages(base, 27480.0, growth=1.09**7, convergence=0.0)
    np.testing.assert_allclose(wage, base * 1.09**7)


def test_job_finding_closes_its_gap_to_the_best_city():
    base = np.array([0.5, 0.7, 0.95])
    after = city_job_finding(base, catch_up=0.5)
    np.testing.assert_allclose(0.95 - after, (0.95 - base) * np.exp(-0.5))
    assert after[2] == pytest.approx(0.95)
    np.testing.assert_allclose(city_job_finding(base, 0.0), base)


def test_growth_of_a_schedule_compounds_its_yearly_rates():
    d = small_scenario().destinations.model_dump()
    d["national_wage_growth"] = {"steps": [[2013, 0.1], [2015, 0.05]]}
    lever = Destinations.model_validate(d).national_wage_growth
    assert growth_factor(lever, 2012, 2012) == 1.0
    assert growth_factor(lever, 2012, 2016) == pytest.approx(1.1 * 1.1 * 1.05 * 1.05)
    assert growth_factor(0.09, 2012, 2015) == 1.09**3
    assert rate_sum(lever, 2012, 2016) == pytest.approx(0.3)


def _city_paths(scenario, years: int):
    model = CountyModel(scenario)
    cities = model.world.level == CITY
    paths = []
    for _ in range(years):
        model.step()
        paths.append((model.state.wage[cities].copy(), model.state.job_prob[cities].copy()))
    return paths


def test_with_convergence_off_the_cities_keep_their_fixed_paths():
    """No ``destinations`` section: each city's own wage_growth and job_finding; the section
    with rates 0 and the cities' growth as the national one gives the same paths."""
    fixed = small_scenario("years.end=2014", "simulation.spinup_years=1")
    fixed = fixed.model_copy(update={"destinations": None})
    growth = fixed.outside_cities[0].wage_growth
    cities = [c.model_copy(update={"wage_growth": growth}) for c in fixed.outside_cities]
    fixed = fixed.model_copy(update={"outside_cities": cities})
    off = small_scenario(
        "years.end=2014",
        "simulation.spinup_years=1",
        f"destinations.national_wage_growth={growth}",
        "destinations.wage_convergence_rate=0",
        "destinations.job_finding_catch_up=0",
    ).model_copy(update={"outside_cities": cities})
    for (w_fixed, f_fixed), (w_off, f_off) in zip(
        _city_paths(fixed, 2), _city_paths(off, 2), strict=True
    ):
        np.testing.assert_allclose(w_off, w_fixed)
        np.testing.assert_array_equal(f_off, f_fixed)


def test_in_the_model_city_wages_converge_and_job_finding_catches_up():
    scenario = small_scenario("years.end=2016", "simulation.spinup_years=1")
    d, years = scenario.destinations, 4  # the first step is the start year, 2012
    paths = _city_paths(scenario, years)
    base = np.array([c.wage_yuan for c in scenario.outside_cities])
    national = d.reference_wage_yuan * growth_factor(d.national_wage_growth, 2012, 2015)
    gap_before = np.log(base / d.reference_wage_yuan)
    gap_after = np.log(paths[-1][0] / national)
    beta = d.wage_convergence_rate
    np.testing.assert_allclose(gap_after, gap_before * np.exp(-beta * (years - 1)))
    first, last = paths[0][1], paths[-1][1]
    assert np.all(last >= first) and np.any(last > first)


def test_an_aggregated_city_adds_the_weighted_log_of_the_cities_it_stands_for():
    scenario = small_scenario(
        "years.end=2013", "simulation.spinup_years=1", "destinations.aggregation_weight=0"
    )
    off = CountyModel(scenario)
    assert off.destinations.aggregation_term not in off.choice_terms
    on = CountyModel(
        small_scenario("years.end=2013", "simulation.spinup_years=1").model_copy(
            update={
                "destinations": scenario.destinations.model_copy(update={"aggregation_weight": 0.5})
            }
        )
    )
    cities = np.flatnonzero(on.world.level == CITY)
    represented = np.array([c.cities_represented for c in scenario.outside_cities])
    res = np.array([[0, on.world.county_town, *cities]])
    term = on.destinations.aggregation_term(on, np.array([0]), res, res)
    np.testing.assert_allclose(term[0, :2], 0.0)
    np.testing.assert_allclose(term[0, 2:], 0.5 * np.log(represented))

    # The cities standing for more cities draw more of the working-age persons.
    def workers_there(model):
        model.run()
        p = model.persons
        return np.isin(p.workplace, cities[represented > 1]).sum()

    assert workers_there(on) > workers_there(off)


def test_costs_rise_with_national_growth_in_proportion_to_the_wage_premium():
    base_cost = np.array([1.25, 1.5, 1.4])
    base_wage = np.array([25000.0, 27480.0, 33000.0])
    cost = city_costs(base_cost, base_wage, 27480.0, growth=1.8, elasticity=0.5)
    # At or below the national path the cost stays; above it, the log cost rises by
    # elasticity x log premium x log growth.
    np.testing.assert_allclose(cost[:2], base_cost[:2])
    rise = np.log(cost[2] / base_cost[2])
    assert rise == pytest.approx(0.5 * np.log(33000 / 27480) * np.log(1.8))
    # No growth or no elasticity: today's costs.
    np.testing.assert_allclose(city_costs(base_cost, base_wage, 27480.0, 1.0, 0.5), base_cost)
    np.testing.assert_allclose(city_costs(base_cost, base_wage, 27480.0, 1.8, 0.0), base_cost)


def _city_terms(scenario, years: int):
    model = CountyModel(scenario)
    cities = model.world.level == CITY
    for _ in range(years):
        model.step()
    return model, model.state.cost_of_living[cities], model.state.hukou_barrier[cities]


def test_switched_off_the_cities_keep_their_given_costs_and_barriers():
    scenario = small_scenario(
        "years.end=2016",
        "simulation.spinup_years=1",
        "destinations.housing_cost_elasticity=0",
    )
    assert scenario.destinations.barrier_tightening.megacity == 0
    _, cost, barrier = _city_terms(scenario, 4)
    np.testing.assert_array_equal(cost, [c.cost_of_living for c in scenario.outside_cities])
    np.testing.assert_array_equal(barrier, [c.hukou_barrier for c in scenario.outside_cities])


def test_in_the_model_costs_follow_the_national_path_and_barriers_the_size_class():
    scenario = small_scenario(
        "years.end=2016",
        "simulation.spinup_years=1",
        "destinations.housing_cost_elasticity=1",
        "destinations.barrier_tightening.megacity={steps: [[2012, 0.0], [2014, 0.3]]}",
        "destinations.barrier_tightening.medium=-0.1",
    )
    d, cities = scenario.destinations, scenario.outside_cities
    model, cost, barrier = _city_terms(scenario, 4)  # the years 2012 to 2015
    growth = growth_factor(d.national_wage_growth, 2012, 2015)
    expected = city_costs(
        np.array([c.cost_of_living for c in cities]),
        np.array([c.wage_yuan for c in cities]),
        d.reference_wage_yuan,
        growth,
        1.0,
    )
    np.testing.assert_allclose(cost, expected)
    assert cost[-1] > cities[-1].cost_of_living  # the coastal city, paid above the path
    shift = {"megacity": 0.3, "medium": -0.1, "large": 0.0}
    np.testing.assert_allclose(barrier, [c.hukou_barrier + shift[c.size_class] for c in cities])


def test_a_tighter_megacity_barrier_or_dearer_housing_draws_fewer_workers_to_it():
    def coastal_workers(*extra):
        model = CountyModel(small_scenario("years.end=2015", "simulation.spinup_years=1", *extra))
        model.run()
        coastal = np.flatnonzero(model.world.level == CITY)[-1]
        return (model.persons.workplace == coastal).sum()

    today = coastal_workers("destinations.housing_cost_elasticity=0")
    assert coastal_workers("destinations.barrier_tightening.megacity=0.5") < today
    assert coastal_workers("destinations.housing_cost_elasticity=3") < today
