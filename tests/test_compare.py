"""Comparing scenarios with common random numbers."""

import numpy as np
import pandas as pd
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
    printed = capsys.readouterr().out
    assert "Registered (hukou) urbanization" in printed and "percentage points" in printed
    assert "one replicate: no interval" in printed and "[" not in printed


# ------------------------------------------------------ the reference run, the report


@pytest.fixture(scope="module")
def one_replicate():
    base = small_scenario("years.end=2014")
    reform = small_scenario("years.end=2014", "name=reform", "hukou.settlement_years.county=0")
    return base, compare([base, reform], replicates=1, progress=True)


def test_one_replicate_reference_is_the_run_countysim_run_makes(one_replicate):
    from countysim.runner import simulate

    base, comparison = one_replicate
    assert comparison.seeds == [base.seed]
    run = simulate(base).county
    compared = comparison.table[comparison.table.scenario == base.name]
    compared = compared[run.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(compared, run)


def test_replicate_seeds_are_those_of_run_with_replicates():
    from countysim.compare import comparison_seeds
    from countysim.config import resolved_dict
    from countysim.experiments.seeds import run_seed

    resolved = resolved_dict(small_scenario())
    assert comparison_seeds(resolved["seed"], 3) == [run_seed(resolved, r) for r in range(3)]
    assert comparison_seeds(resolved["seed"], 1) == [resolved["seed"]]


def test_compare_shows_progress(capsys):
    base = small_scenario("years.end=2013", "county.generate.registered_population=5000")
    twin = small_scenario("years.end=2013", "county.generate.registered_population=5000", "name=t")
    compare([base, twin], progress=True)
    assert "compare" in capsys.readouterr().err  # the progress bar's label
    compare([base, twin])
    assert "compare" not in capsys.readouterr().err


def test_report_intervals_only_with_replicates(one_replicate, twins_and_reform):
    from countysim.compare import INDICATORS
    from countysim.reports import render_comparison

    _, single = one_replicate
    html = render_comparison(single, indicators=INDICATORS)
    assert 'class="interval"' not in html and "no interval can be given" in html
    assert "Registered (hukou) urbanization" in html  # labels, not column names
    assert "<td>urbanization_registered</td>" not in html
    assert "percentage points" in html
    banded = render_comparison(twins_and_reform, indicators=INDICATORS)
    assert banded.count('class="interval"') > 0 and "[5%, 95%]" in banded


def test_report_shows_the_levers_of_every_scenario(one_replicate):
    from countysim.compare import INDICATORS
    from countysim.reports import render_comparison

    _, comparison = one_replicate
    html = render_comparison(comparison, indicators=INDICATORS)
    assert 'id="levers"' in html
    row = html[html.index("<code>hukou.settlement_years.county</code>") :]
    row = row[: row.index("</tr>")]
    assert "<b>0</b>" in row  # the reform's value, marked as differing from the reference


def test_comparison_figure_in_each_format(one_replicate, tmp_path):
    _, comparison = one_replicate
    out = comparison.save(tmp_path / "cmp", formats=("svg", "pdf"), dpi=72, report=False)
    assert (out / "comparison.svg").read_bytes()[:5] == b"<?xml"
    assert (out / "comparison.pdf").read_bytes()[:4] == b"%PDF"
    assert not (out / "comparison.png").exists()
    with pytest.raises(ValueError, match="xyz"):
        comparison.save(tmp_path / "bad", formats="xyz")
    assert not (tmp_path / "bad").exists()
