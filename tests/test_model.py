"""Properties every run must have: accounting, sanity, determinism, scale."""

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from countysim.model import CountyModel
from countysim.runner import simulate


def test_residents_are_accounted_for_every_year(small_run):
    c = small_run.county
    balance = c.population_start + c.births - c.deaths - c.exits + c.entries
    np.testing.assert_array_equal(balance, c.population_end)
    # Years chain: one year's end is the next year's start.
    np.testing.assert_array_equal(c.population_start.iloc[1:], c.population_end.iloc[:-1])
    # Something happens: people are born, die and move.
    assert (c.births > 0).all() and (c.deaths > 0).all()
    assert (c.exits > 0).all() and (c.entries > 0).all()


def test_residents_by_level_sum_to_county_and_places(small_run):
    c, p = small_run.county, small_run.places
    levels = c.residents_county_town + c.residents_township + c.residents_village
    np.testing.assert_array_equal(levels, c.residents_county)
    per_year = p[p.level != "city"].groupby("year").residents.sum().to_numpy()
    np.testing.assert_array_equal(per_year, c.residents_county.to_numpy())


def test_flows_match_moves_out_of_the_county(small_run):
    f = small_run.flows
    out = f[(f.origin_level != "city") & (f.destination_level == "city")]
    np.testing.assert_array_equal(
        out.groupby("year").persons.sum().to_numpy(), small_run.county.exits.to_numpy()
    )


def test_remittances_sent_equal_received(small_run):
    c = small_run.county
    assert (c.remittances_sent > 0).all()
    np.testing.assert_allclose(c.remittances_received, c.remittances_sent, rtol=1e-9)


def test_no_nan_or_negative_populations_or_incomes(small_run):
    for name in ("county", "places"):
        df = small_run.to_df(name).select_dtypes("number")
        assert np.isfinite(df.to_numpy()).all(), f"non-finite values in {name}"
        assert (df.drop(columns=["year"]).to_numpy() >= 0).all(), f"negative values in {name}"


def test_person_arrays_stay_consistent():
    model = CountyModel(small_scenario())
    for _ in range(3):
        model.step()
        p = model.persons
        assert np.all(np.diff(p.pid) > 0), "rows must stay in pid order"
        assert np.all(np.isfinite(p.income)) and np.all(p.income >= 0)
        assert np.all(p.age >= 0)
        assert np.all((p.residence >= 0) & (p.residence < model.world.n))
        assert np.all((p.hh >= 0) & (p.hh < len(model.households)))


def test_same_seed_same_tables_and_different_seeds_differ(small_run):
    again = simulate(small_scenario())
    for name in ("county", "places", "flows"):
        pd.testing.assert_frame_equal(small_run.to_df(name), again.to_df(name))
    other = simulate(small_scenario("seed=7"))
    assert not small_run.county.drop(columns="year").equals(other.county.drop(columns="year"))


def test_scale_reports_persons():
    one = simulate(small_scenario())
    five = simulate(small_scenario("simulation.scale=5"))
    ratio = five.county.registered_total / one.county.registered_total
    assert np.all(np.abs(ratio - 1) < 0.03)
    assert five.county.residents_county.iloc[0] % 5 == 0


def test_places_are_mesa_agents():
    model = CountyModel(small_scenario())
    assert len(model.places) == model.world.n
    towns = model.places.select(lambda p: p.level == "township")
    assert len(towns) == 3
    village = model.places.select(lambda p: p.level == "village")[0]
    assert village.parent.level == "township"
    assert village in village.parent.children
    assert village.residents > 0


@pytest.mark.parametrize("field", ["urbanization_resident", "migrant_local_share", "gini"])
def test_shares_are_shares(small_run, field):
    assert small_run.county[field].between(0, 1).all()
