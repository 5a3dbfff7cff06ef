"""Levers of the browser app: reforms read from the reform scenarios, applied by strength and
start year, kept inside the schema's bounds, and checked by the scenario loader."""

import pytest
from explore_helpers import BASELINE, SCENARIOS, hukou, small_view

from countysim.config import ScenarioError, load_scenario
from countysim.config.schedule import value_at
from countysim.explore.levers import (
    REFORMS,
    LeverSetting,
    View,
    bounds,
    clamp,
    plan,
    reform_paths,
    scenario_files,
)


@pytest.fixture(scope="module")
def paths():
    return reform_paths(SCENARIOS)


def _lever(sc, key):
    for step in key.split("."):
        sc = getattr(sc, step)
    return sc


def test_bounds_come_from_the_schema():
    assert bounds("simulation.scale") == {"ge": 1, "le": 1000}
    assert bounds("pensions.portability") == {"ge": 0.0, "le": 1.0}  # a lever schedule
    assert bounds("hukou.settlement_years.county") == {"ge": 0.0, "le": 50.0}
    assert clamp(1.4, "pensions.portability") == 1.0
    assert clamp(-3.0, "hukou.settlement_years.county") == 0.0
    with pytest.raises(KeyError):
        bounds("simulation.scael")


def test_each_reform_is_read_from_its_scenario_file(paths):
    assert set(paths) == {r.name for r in REFORMS}
    assert paths["land"].keys == ["land.contract_extension", "land.leasable_rights"]
    assert paths["county_town"].keys == ["capital.county_town_investment"]
    assert paths["hukou"].default_start == 2025
    assert paths["finance"].default_start == 2022


@pytest.mark.parametrize("reform", REFORMS, ids=lambda r: r.name)
def test_strength_one_reproduces_the_reform_scenario(paths, reform):
    view = View(str(BASELINE), 20, 2012, 2035, levers=((reform.name, LeverSetting(1.0)),))
    planned = plan(view, paths)
    written = load_scenario(SCENARIOS / reform.file)
    for key in paths[reform.name].keys:
        for year in range(2012, 2036):
            got = value_at(_lever(planned.reform, key), year)
            assert got == pytest.approx(value_at(_lever(written, key), year), abs=1e-9)


def test_strength_scales_and_start_year_shifts_the_change(paths):
    base = load_scenario(BASELINE)
    half = plan(View(str(BASELINE), 20, 2012, 2035, levers=(hukou(0.5),)), paths).reform
    late = plan(View(str(BASELINE), 20, 2012, 2035, levers=(hukou(1.0, 2030),)), paths).reform
    key = "hukou.residence_permit_access"
    full = load_scenario(SCENARIOS / "hukou_relaxation.yaml")
    for year in range(2012, 2036):
        b, f = value_at(_lever(base, key), year), value_at(_lever(full, key), year)
        assert value_at(_lever(half, key), year) == pytest.approx(b + 0.5 * (f - b))
    assert value_at(_lever(late, key), 2029) == value_at(_lever(base, key), 2029)
    assert value_at(_lever(late, key), 2033) == pytest.approx(value_at(_lever(full, key), 2028))


def test_strong_reforms_stay_inside_the_schema_bounds(paths):
    view = View(str(BASELINE), 20, 2012, 2035, levers=(("pensions", LeverSetting(2.0)),))
    planned = plan(view, paths).reform
    values = [value_at(planned.pensions.migrant_enrolment, y) for y in range(2012, 2036)]
    assert max(values) == 1.0  # 0.2 + 2 x 0.6 would be 1.4
    assert min(values) == 0.2


def test_no_lever_on_means_no_reform_scenario(paths):
    planned = plan(small_view(levers=[hukou(0.0)]), paths)
    assert planned.reform is None
    assert planned.baseline.simulation.scale == 400


def test_bad_settings_fail_with_the_loaders_error(paths):
    with pytest.raises(ScenarioError) as err:
        plan(small_view(extra=["simulation.scael=3"]), paths)
    assert "simulation.scael" in str(err.value) and "did you mean 'scale'" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        plan(small_view(end=2005), paths)
    assert "end (2005) must not be before start (2012)" in str(err.value)


def test_a_census_county_is_picked_by_code(paths):
    view = View(str(SCENARIOS / "census_county.yaml"), 200, 2010, 2015, census_code="411426")
    planned = plan(view, paths)
    assert planned.baseline.county.census.code == "411426"
    assert planned.baseline.name == "census_411426"


def test_scenario_files_list_the_baseline_first():
    files = scenario_files(SCENARIOS)
    assert files[0].name == "baseline.yaml"
    assert all(f.suffix == ".yaml" for f in files)
