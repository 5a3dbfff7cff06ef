"""A census county's own fertility and mortality (modules/vital_rates.py) and its region's
wage level (county.census.county_wage_index_by_region, used by the labour market)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from countysim.census import unit
from countysim.config import load_scenario
from countysim.model import CountyModel
from countysim.modules.vital_rates import FACTOR_RANGE, census_rate_factors
from countysim.world import CITY, COUNTY_TOWN

ROOT = Path(__file__).resolve().parents[1]
CENSUS = ROOT / "scenarios" / "census_county.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
COARSE = ["simulation.scale=50", "years.end=2012"]


def census_model(code: str, *extra: str) -> CountyModel:
    return CountyModel(load_scenario(CENSUS, [f"county.census.code={code}", *COARSE, *extra]))


def test_generated_county_keeps_the_national_schedules():
    generated = ["simulation.scale=100", "simulation.spinup_years=0"]
    model = CountyModel(load_scenario(BASELINE, generated))
    assert census_rate_factors(model) == (1.0, 1.0)
    assert model.demography.fertility_factor == model.demography.mortality_factor == 1.0
    assert model.labour.wage_index == 1.0


def test_factors_order_counties_as_their_census_rates():
    # 130125 (Hebei) reported 17.9 births per thousand, 510121 (Sichuan) 8.1: the first
    # has the higher fertility factor, whatever their age structures.
    high, low = census_model("130125"), census_model("510121")
    assert unit("130125")["birth_rate_per_mille"] > 2 * unit("510121")["birth_rate_per_mille"]
    assert high.demography.fertility_factor > 1.3 * low.demography.fertility_factor
    for m in (high, low):
        for f in (m.demography.fertility_factor, m.demography.mortality_factor):
            assert FACTOR_RANGE[0] <= f <= FACTOR_RANGE[1]


def test_first_year_births_follow_the_county_rate():
    # With the factor, the births of the first year are near the census rate per resident
    # times the county's level relative to the nation (the schedule is the national level).
    code = "130125"
    model = census_model(code)
    factor = model.demography.fertility_factor
    residents = (model.world.level[model.persons.residence] != CITY).sum()
    model.step()
    with_factor = model.tally.births_by_place.sum() / residents
    plain = census_model(code)
    plain.demography.fertility_factor = 1.0
    plain.step()
    without = plain.tally.births_by_place.sum() / residents
    assert with_factor / without == pytest.approx(factor, rel=0.15)


def test_disabled_demography_leaves_factors_alone():
    model = census_model("130125", "demography.enabled=false")
    assert model.demography.fertility_factor == 1.0


def test_eastern_county_pays_its_region_wage_level():
    east = census_model("130125")  # Hebei, east
    central = census_model("411421")  # Henan, central
    index = load_scenario(CENSUS).county.census.county_wage_index_by_region
    assert east.labour.wage_index == pytest.approx(index.east)
    assert central.labour.wage_index == 1.0
    lab = east.scenario.labour
    town = east.world.level == COUNTY_TOWN
    assert np.allclose(east.state.wage_floor[town], lab.county_town.wage_floor_yuan * index.east)
    town_c = central.world.level == COUNTY_TOWN
    assert np.allclose(central.state.wage_floor[town_c], lab.county_town.wage_floor_yuan)


def test_without_the_index_the_scenario_wages_hold():
    model = census_model("130125", "county.census.county_wage_index_by_region=null")
    assert model.labour.wage_index == 1.0
