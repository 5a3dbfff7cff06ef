"""Comparing scenarios with common random numbers."""

import numpy as np
import pytest
from conftest import small_scenario

from countysim.cli import main
from countysim.compare import compare


@pytest.fixture(scope="module")
def twins_and_reform():
    base = small_scenario("years.end=2015")
    twin = small_scenario("years.end=2015", "name=twin")
    reform = small_scenario("years.end=2015", "name=reform", "hukou.settlement_years.county=0")
    return compare([base, twin, reform], replicates=2)


def test_same_scenario_under_another_name_differs_by_exactly_zero(twins_and_reform):
    diff = twins_and_reform.differences([2013, 2015])
    twin = diff[diff.scenario == "twin"]
    assert len(twin) > 0
    assert np.all(twin[["mean", "p05", "p95"]].to_numpy() == 0)


def test_replicates_share_seeds_across_scenarios(twins_and_reform):
    t = twins_and_reform.table
    seeds = t.groupby(["replicate", "scenario"]).seed.first().unstack()
    assert (seeds.nunique(axis=1) == 1).all()  # one seed per replicate, in every scenario
    assert seeds.iloc[:, 0].nunique() == 2  # replicates differ


def test_reform_difference_has_the_expected_sign(twins_and_reform):
    diff = twins_and_reform.differences([2015])
    registered = diff[(diff.scenario == "reform") & (diff.indicator == "urbanization_registered")]
    assert registered["mean"].iloc[0] > 0


def test_compare_command_writes_tables_and_figure(tmp_path, capsys):
    from conftest import BASELINE

    out = tmp_path / "cmp"
    child = tmp_path / "reform.yaml"
    child.write_text(
        f"extends: {BASELINE}\nname: reform\nhukou:\n  settlement_years:\n    county: 0\n"
    )
    small = ["--set", "county.generate.registered_population=5000", "--set", "years.end=2014"]
    small += ["--set", "simulation.spinup_years=1"]
    code = main(["compare", str(BASELINE), str(child), "--out", str(out), *small])
    assert code == 0
    written = {p.name for p in out.iterdir()}
    assert {"comparison.csv", "differences.csv", "summary.csv", "comparison.png"} <= written
    assert {"manifest.json", "scenario_baseline.yaml", "scenario_reform.yaml"} <= written
    html = (out / "report.html").read_text()
    assert "countysim comparison: baseline, reform" in html and "<svg" in html
    assert "Differences to baseline" in html and "Provenance" in html
    assert "http://" not in html and "https://" not in html
    assert "urbanization_registered" in capsys.readouterr().out
