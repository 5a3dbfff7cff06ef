"""Public finance: budget accounting, transfers, capacity, quality, idle capacity, levers."""

import functools

import numpy as np
import pytest
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.runner import simulate

SEEDS = (1, 2, 3)
STANDARD = {"village": 0.3, "township": 0.6, "county_town": 1.35}  # baseline services.quality


def test_spending_never_exceeds_the_money_available(small_run):
    c = small_run.county
    assert (c.budget_spent <= c.budget_available + 1e-6).all()
    assert (c.budget_spent_services <= c.budget_spent + 1e-6).all()
    np.testing.assert_allclose(c.budget_spent + c.budget_balance, c.budget_available, rtol=1e-12)
    np.testing.assert_allclose(
        c.budget_spent, c.budget_spent_services + c.budget_spent_other, rtol=1e-12
    )
    # Available = this year's revenue, transfers and rewards plus last year's balance.
    inflow = c.budget_revenue + c.budget_transfers + c.budget_settlement_rewards
    np.testing.assert_allclose(
        c.budget_available.iloc[1:], (inflow + c.budget_balance.shift(1)).iloc[1:], rtol=1e-12
    )
    # The first year's costs are calibrated to run the initial capacity: little is left.
    assert c.budget_balance.iloc[0] < 0.01 * c.budget_available.iloc[0]
    reserve = small_scenario().finance.reserve_share
    assert (c.budget_balance <= reserve * c.budget_spent_services + 1e-6).all()


def test_places_spend_within_their_allocation(small_run):
    p, c = small_run.places, small_run.county.set_index("year")
    assert (p.service_spent <= p.service_budget * (1 + 1e-12) + 1e-9).all()
    by_year = p.groupby("year")
    np.testing.assert_allclose(by_year.service_budget.sum(), c.budget_available, rtol=1e-10)
    np.testing.assert_allclose(by_year.service_spent.sum(), c.budget_spent_services, rtol=1e-10)


def test_transfers_follow_the_registered_or_the_resident_population():
    f = small_scenario().finance
    for lever, column in (("0", "registered_total"), ("1", "residents_county")):
        c = simulate(small_scenario(f"finance.resident_based_transfers={lever}")).county
        per_person = f.transfer_yuan_per_person * (1 + f.transfer_growth) ** (c.year - 2012)
        np.testing.assert_allclose(c.budget_transfers, per_person * c[column], rtol=1e-10)


def test_rewards_per_settled_migrant():
    c = simulate(small_scenario("finance.transfer_per_settled_migrant=5000")).county
    np.testing.assert_allclose(c.budget_settlement_rewards, 5000 * c.settlements_county)
    assert c.budget_settlement_rewards.sum() > 0


def test_quality_is_capacity_per_user_capped_times_the_standard(small_run):
    p = small_run.places
    p = p[p.level != "city"]
    coverage = np.minimum(p.service_capacity / p.service_users.where(p.service_users > 0), 1.0)
    expected = p.level.map(STANDARD) * coverage.fillna(1.0)
    np.testing.assert_allclose(p.service_quality, expected, rtol=1e-10)
    idle = np.maximum(p.service_capacity - p.service_users, 0.0)
    np.testing.assert_allclose(p.idle_capacity, idle, rtol=1e-10, atol=1e-9)
    c = small_run.county.set_index("year")
    np.testing.assert_allclose(p.groupby("year").idle_capacity.sum(), c.idle_capacity, rtol=1e-10)


def test_users_count_hukou_holders_and_others_by_access():
    model = CountyModel(small_scenario())
    model.step()
    p, st = model.persons, model.state
    town = model.world.county_town
    here = p.residence == town
    local = (here & (p.hukou_place == town)).sum()
    other = (here & (p.hukou_place != town)).sum()
    users = model.finance.place_outputs(model)["service_users"][town]
    assert users == pytest.approx(local + st.non_hukou_access[town] * other)
    assert 0 < st.non_hukou_access[town] < 1 and other > 0


def test_registered_planning_leaves_idle_capacity_where_people_left(small_run):
    """Under the 2012 rule, villages (registered above residents) keep idle capacity, and
    the county town (residents above registered) is crowded below its standard."""
    p = small_run.places
    last = p[p.year == p.year.max()]
    villages = last[last.level == "village"]
    town = last[last.level == "county_town"].iloc[0]
    assert villages.idle_capacity.sum() > 0.1 * villages.service_capacity.sum()
    assert town.service_quality < STANDARD["county_town"]


@functools.cache
def _last_year(seed: int, *reform: str):
    return simulate(small_scenario(f"seed={seed}", "years.end=2020", *reform)).county.iloc[-1]


def _reform_minus_base(reform: list[str], columns: list[str]) -> dict[str, np.ndarray]:
    """Reform minus baseline in the last year, same seeds (common random numbers)."""
    out = {c: [] for c in columns}
    for seed in SEEDS:
        base, alt = _last_year(seed), _last_year(seed, *reform)
        for c in columns:
            out[c].append(alt[c] - base[c])
    return {c: np.array(v) for c, v in out.items()}


def test_resident_based_allocation_evens_out_quality_and_cuts_idle_capacity():
    diff = _reform_minus_base(
        ["finance.resident_based_allocation={steps: [[2012, 0], [2014, 1]]}"],
        [
            "service_coverage_dispersion",
            "service_shortfall_share",
            "idle_capacity_share",
            "service_quality_county_town",
        ],
    )
    # Coverage is capped where capacity covers every user, which a seed may reach without
    # the reform (every place covered: no dispersion, no shortfall to cut): never higher,
    # lower on average. The same cap for the county town's quality: never lower, higher on
    # average.
    for spread in ("service_coverage_dispersion", "service_shortfall_share"):
        assert (diff[spread] <= 0).all(), diff
        assert diff[spread].mean() < 0, diff
    assert (diff["idle_capacity_share"] < 0).all(), diff
    assert (diff["service_quality_county_town"] >= 0).all(), diff
    assert diff["service_quality_county_town"].mean() > 0, diff


def test_per_resident_transfers_shrink_the_services_of_a_county_people_leave():
    """The county's residents are fewer than its registered: paying transfers per resident
    cuts its budget, and with it the capacity it can run."""
    diff = _reform_minus_base(
        ["finance.resident_based_transfers=1"], ["budget_transfers", "service_capacity"]
    )
    assert (diff["budget_transfers"] < 0).all(), diff
    assert (diff["service_capacity"] < 0).all(), diff
