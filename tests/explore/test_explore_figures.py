"""What the page shows and exports of a view: tables, figures, differences, downloads."""

import threading

import numpy as np
import pytest
from explore_helpers import hukou, shared_explorer, small_view

from countysim.config import load_scenario, resolved_dict
from countysim.explore import figures


@pytest.fixture(scope="session")
def explorer():
    return shared_explorer()


@pytest.fixture(scope="module")
def runs(explorer):
    view = small_view(levers=[hukou(2.0, 2014)], replicates=2, extra=["seed=21"])
    return explorer.run(
        explorer.plan(view),
        on_progress=lambda *a: None,
        on_baseline=lambda r: None,
        stop=threading.Event(),
        time_cap=120.0,
    )


@pytest.fixture(scope="module")
def table(runs):
    return figures.view_table(runs)


def test_view_table_holds_every_run_with_the_derived_series(runs, table):
    names = [runs.plan.baseline.name, runs.plan.reform.name]
    assert list(dict.fromkeys(table.scenario)) == names
    assert len(table) == 2 * 2 * 10  # scenarios x replicates x years
    out = table[["migrants_near", "migrants_province", "migrants_far"]].sum(axis=1)
    np.testing.assert_allclose(table.near_share, table.migrants_near / out)
    for column in ("sigma_county", "moves_to_county_town", "moves_to_city"):
        assert table[column].notna().all()


def test_differences_are_paired_by_replicate(runs, table):
    names = list(dict.fromkeys(table.scenario))
    diff = figures.headline_differences(table, names, [2016, 2021])
    row = diff[(diff.indicator == "Resident urbanization") & (diff.year == 2021)].iloc[0]
    t = table[table.year == 2021].set_index(["scenario", "replicate"]).urbanization_resident
    paired = (t[names[1]] - t[names[0]]) * 100
    assert row["mean"] == pytest.approx(paired.mean())
    assert row["p05"] <= row["mean"] <= row["p95"]
    levels = figures.headline_differences(table, names[:1], [2021])
    assert levels[levels.indicator == "Resident urbanization"]["mean"].iloc[0] == pytest.approx(
        t[names[0]].mean() * 100
    )


def test_figures_draw_from_the_view(runs, table):
    names = list(dict.fromkeys(table.scenario))
    fig = figures.indicator_figure(table, names)
    titles = {ax.get_title() for ax in fig.axes}
    assert {"Resident urbanization", "Pension coverage of migrant workers"} <= titles
    assert figures.figure_png(fig)[:4] == b"\x89PNG"
    lever_titles = {ax.get_title() for ax in figures.lever_figure(table, names).axes}
    assert "hukou.residence_permit_access" in lever_titles
    for show in figures.MAP_SHOWS:
        fig = figures.map_figure(runs, "residents", 2020, show)
        assert str(2020) in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="unknown map quantity"):
        figures.map_figure(runs, "wealth", 2020)


def test_scenario_yaml_is_the_resolved_reform(runs, tmp_path):
    text = figures.scenario_yaml(runs.plan)
    assert "--replicates 2" in text.splitlines()[2]
    path = tmp_path / "view.yaml"
    path.write_text(text, encoding="utf-8")
    assert resolved_dict(load_scenario(path)) == resolved_dict(runs.plan.reform)


def test_report_and_csv_downloads(runs, table):
    html = figures.report_html(runs, table, [2016, 2021])
    assert html.startswith("<!DOCTYPE html>") or "<html" in html[:200]
    assert runs.plan.reform.name in html
    csv = figures.csv_bytes(table).decode()
    assert csv.splitlines()[0].startswith("scenario,replicate,seed,year")


def test_county_facts_of_generated_and_census_counties():
    from explore_helpers import SCENARIOS

    facts = dict(figures.county_facts(load_scenario(SCENARIOS / "baseline.yaml")))
    assert facts["Registered population"] == "450,000"
    census = load_scenario(SCENARIOS / "census_county.yaml", ['county.census.code="411426"'])
    facts = dict(figures.county_facts(census))
    assert facts["Census county"] == "夏邑县 (411426)"
    assert facts["Registered population"] == "1,180,918"


def test_the_page_shows_differences_by_indicator_and_year(table):
    names = list(dict.fromkeys(table.scenario))
    diff = figures.headline_differences(table, names, [2016, 2021])
    wide = figures.differences_view(diff)
    assert list(wide.columns) == ["scenario", "indicator", "unit", "2016", "2021"]
    assert wide.indicator.iloc[0] == "Resident urbanization"
    assert len(wide) == diff.indicator.nunique()
