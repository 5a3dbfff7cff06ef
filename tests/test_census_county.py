"""A county built from the 2010 census (census_county.py, census_measures.py): it reproduces
its census aggregates, its region sets its outside cities, and bad units are scenario errors."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from countysim.census import AGE_BANDS, COMPARABLE_2010, census_2010, unit
from countysim.census_measures import CENSUS_COLUMNS, census_comparable
from countysim.cli import main
from countysim.config import ScenarioError, load_scenario
from countysim.population import FARMER
from countysim.population_build import initial_population
from countysim.runner import simulate
from countysim.world import CITY, VILLAGE, build_world

ROOT = Path(__file__).resolve().parents[1]
CENSUS = ROOT / "scenarios" / "census_county.yaml"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SCALE = 10

# A central county losing people, an eastern one, a western one with a small household
# size, a Beijing county with many in-migrants, a county-level city.
COUNTIES = ["411421", "130125", "510121", "110228", "440781"]


def build(code: str, *extra: str, seed: int = 1):
    sc = load_scenario(CENSUS, [f"county.census.code={code}", f"simulation.scale={SCALE}", *extra])
    rng = np.random.default_rng(seed)
    world = build_world(sc, rng)
    persons, households = initial_population(sc, world, rng)
    return sc, world, persons, households


@pytest.mark.parametrize("code", COUNTIES)
def test_built_county_reproduces_its_census(code):
    sc, world, p, households = build(code)
    row = unit(code)
    county = world.level[p.residence] != CITY
    residents = SCALE * county.sum()
    assert abs(residents - row["residents"]) <= SCALE
    urban = SCALE * (county & (world.level[p.residence] != VILLAGE)).sum()
    assert urban / residents == pytest.approx(row["urban_share"], abs=1e-3)
    registered = SCALE * (world.level[p.hukou_place] != CITY).sum()
    outside = row["in_migrants_other_county_same_province"] + row["in_migrants_other_province"]
    assert abs(registered - max(row["registered"], row["residents"] - outside)) <= 2 * SCALE

    age = p.age[county]
    for column, lo, hi in AGE_BANDS:
        share = ((age >= lo) & (age <= hi)).mean()
        assert share == pytest.approx(row[column], abs=0.01), column

    measured = census_comparable(SimpleNamespace(persons=p, world=world, households=households))
    assert measured["household_size"] == pytest.approx(row["household_size"], abs=0.1)
    assert measured["hukou_elsewhere_same_county_share"] == pytest.approx(
        row["in_migrants_same_county_share"], abs=2e-3
    )
    assert measured["hukou_elsewhere_other_county_share"] == pytest.approx(
        row["in_migrants_other_county_same_province_share"], abs=2e-3
    )
    assert measured["hukou_elsewhere_other_province_share"] == pytest.approx(
        row["in_migrants_other_province_share"], abs=2e-3
    )
    assert measured["mean_years_schooling"] == pytest.approx(row["mean_years_schooling"], abs=0.15)

    # Farmers among those who work at the start: working age, and the elderly who farm.
    demo = sc.demography
    leaving = np.asarray(demo.leaving_age_by_education)[p.edu]
    working = county & (p.age >= leaving) & (p.age < demo.retirement_age)
    farmers = county & (p.status == FARMER)
    share = farmers.sum() / (working | farmers).sum()
    assert share == pytest.approx(row["farm_employment_share"], abs=0.02)


def test_same_county_movers_live_in_another_township():
    _, world, p, hh = build("110228")
    area = np.arange(world.n)
    village = world.level == VILLAGE
    area[village] = world.parent[village]
    county = (world.level[p.residence] != CITY) & (world.level[p.hukou_place] != CITY)
    away_from_hukou = county & (p.residence != p.hukou_place)
    assert away_from_hukou.any()
    assert (area[p.residence[away_from_hukou]] != area[p.hukou_place[away_from_hukou]]).all()
    # Everyone belongs to a household whose home is a place of the county.
    assert (p.hh >= 0).all() and (world.level[hh.home] != CITY).all()
    assert hh.land_mu.sum() > 0


def test_build_is_deterministic_given_the_seed():
    _, _, a, _ = build("130125", seed=7)
    _, _, b, _ = build("130125", seed=7)
    for column in ("age", "residence", "hukou_place", "hh", "edu", "status"):
        assert np.array_equal(getattr(a, column), getattr(b, column))


def test_region_sets_the_outside_cities():
    central = load_scenario(CENSUS)
    baseline = load_scenario(BASELINE)
    assert central.outside_cities == baseline.outside_cities
    east = load_scenario(CENSUS, ["county.census.code=130125"])  # Hebei
    west = load_scenario(CENSUS, ["county.census.code=510121"])  # Sichuan
    far_east, far_west = (
        next(c for c in sc.outside_cities if c.region == "outside_province") for sc in (east, west)
    )
    assert far_east.distance_km < 1100 < far_west.distance_km
    prefecture = next(c for c in east.outside_cities if c.region == "prefecture")
    assert prefecture.wage_yuan > baseline.outside_cities[0].wage_yuan
    # Validating the resolved scenario again changes nothing.
    again = type(east).model_validate(east.model_dump())
    assert again == east


def test_code_from_the_command_line_is_text_and_name_finds_the_code():
    assert load_scenario(CENSUS, ["county.census.code=130125"]).county.census.code == "130125"
    named = load_scenario(CENSUS, ["county.census.code=null", "county.census.name=夏邑县"])
    assert named.county.census.code == "411426"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            ["county.census.code=411402"],
            ["county.census.code = 411402", "urban district", "411421 民权县"],
        ),
        (["county.census.code=411499"], ["county.census.code = 411499", "nearest: 4114"]),
        (
            ["county.census.code=null", "county.census.name=东乡"],
            ["county.census.name", "2 units match", "361029 东乡县", "622926 东乡族自治县"],
        ),
        (["county.census.code=null", "county.census.name=下邑县"], ["no unit", "鹿邑县"]),
    ],
)
def test_bad_units_are_scenario_errors_and_nothing_is_written(tmp_path, overrides, expected):
    out = tmp_path / "out"
    args = ["run", str(CENSUS), "--out", str(out), "--quiet"]
    for item in overrides:
        args += ["--set", item]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(args) == 2
    for text in expected:
        assert text in err.getvalue()
    assert not out.exists()


def test_bad_code_in_a_file_names_file_and_line(tmp_path):
    scenario = tmp_path / "district.yaml"
    scenario.write_text(f"extends: {CENSUS}\ncounty:\n  census:\n    code: '110101'\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario)
    text = str(info.value)
    assert f'{scenario}:4: county.census.code = "110101"' in text
    assert "东城区" in text and "urban district" in text


def test_only_one_county_source(tmp_path):
    scenario = tmp_path / "two.yaml"
    places = ROOT / "scenarios" / "places" / "example_county.csv"
    scenario.write_text(f"extends: {CENSUS}\ncounty:\n  places_file: {places}\n")
    with pytest.raises(ScenarioError, match="exactly one of 'census', 'places_file'"):
        load_scenario(scenario)


def test_county_table_has_census_columns_for_census_and_generated_counties(small_run):
    res = simulate(
        load_scenario(
            CENSUS,
            ["simulation.scale=100", "years.end=2012", "simulation.spinup_years=1"],
        )
    )
    county = res.county
    assert list(county["year"]) == [2010, 2011, 2012]
    for column in CENSUS_COLUMNS:
        assert county[column].notna().all(), column
        assert column in small_run.county.columns
    assert set(COMPARABLE_2010) <= set(county.columns)
    assert set(COMPARABLE_2010.values()) <= set(census_2010().columns)
    first = county.iloc[0]
    assert 0.05 < first["share_65_plus"] < 0.12
    assert 2.5 < first["household_size"] < 4.5
    assert 0.0 < first["farm_employment_share"] < 1.0
    assert first["hukou_elsewhere_same_county_share"] > 0


def test_every_number_of_the_census_scenario_has_a_source():
    from tests.test_scenarios import unsourced_numbers

    assert unsourced_numbers(CENSUS.read_text(encoding="utf-8")) == []


def test_provenance_names_the_census_table():
    from countysim.census import table_sha256
    from countysim.provenance import data_files

    sc = load_scenario(CENSUS)
    files = data_files(sc.model_dump(mode="json"))["data_files"]
    assert files == {"countysim/data/county_census_2010.csv": table_sha256()}
    assert data_files(load_scenario(BASELINE).model_dump(mode="json")) == {}


# Units at the edges of the table: a registered population below the residents holding the
# county's hukou (宁河县), a blank same-county count (贡觉县), schooling below what the
# education levels can reach (a Tibetan county), one township's worth of people (治多县),
# a prefecture city without counties (东莞市), a forestry district (神农架林区).
EDGE_UNITS = ["120221", "542123", "542424", "632724", "441900", "429021"]


@pytest.mark.parametrize("code", EDGE_UNITS)
def test_edge_units_build_with_their_residents_and_hukou_origins(code):
    row = unit(code)
    scale = max(5, int(row["residents"]) // 20_000)  # about 20,000 rows
    sc = load_scenario(CENSUS, [f"county.census.code={code}", f"simulation.scale={scale}"])
    rng = np.random.default_rng(3)
    world = build_world(sc, rng)
    p, households = initial_population(sc, world, rng)
    county = world.level[p.residence] != CITY
    assert abs(scale * county.sum() - row["residents"]) <= scale
    measured = census_comparable(SimpleNamespace(persons=p, world=world, households=households))
    same = row["in_migrants_same_county_share"]
    same = 0.0 if np.isnan(same) else same
    assert measured["hukou_elsewhere_same_county_share"] == pytest.approx(same, abs=5e-3)
    assert measured["household_size"] == pytest.approx(row["household_size"], abs=0.1)
