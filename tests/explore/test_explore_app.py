"""The page's components, headless (Solara's own renderer, no browser): controls change the
view, Run shows figures, bad input shows the loader's error, Cancel stops a run."""

import time

import ipyvuetify as v
import ipywidgets
import pytest
import solara
from explore_helpers import SCENARIOS, SMALL_COUNTY, shared_explorer

from countysim.explore import app
from countysim.explore import session as tab
from countysim.explore.levers import REFORMS, LeverSetting


@pytest.fixture(scope="session")
def explorer():
    return shared_explorer()


@pytest.fixture()
def page(monkeypatch, explorer):
    monkeypatch.setenv(tab.SCENARIOS_ENV, str(SCENARIOS))
    for module in (app, tab):
        monkeypatch.setattr(module, "shared_explorer", lambda directory: explorer)
    tab.pick_county(str(SCENARIOS / "baseline.yaml"))
    tab.scale.set(400)
    tab.end.set(2016)
    tab.replicates.set(1)
    tab.time_cap.set(tab.DEFAULT_TIME_CAP_S)
    tab.extra.set("\n".join(SMALL_COUNTY))
    for setting in tab.lever_settings.values():
        setting.set(LeverSetting())
    tab.shown.set(None)
    tab.error.set("")
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    rc.close()


def wait_until(condition, timeout=60.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def click(rc, label):
    rc.find(v.Btn, children=[label]).widget.click()


FINAL_STATUS = ("done in", "the scenario is not valid", "failed", "run ")


def run_and_wait(rc):
    """Press Run and wait for this run's final status (a run from the cache may be over
    before its task is ever seen pending)."""
    tab.status.set("")
    click(rc, "Run")
    wait_until(lambda: not tab.run_view.pending and tab.status.value.startswith(FINAL_STATUS))


def test_the_page_offers_counties_and_the_five_levers(page):
    picker = page.find(v.Select, label="County (scenario)").widget
    assert "baseline" in picker.items and "hukou_relaxation" in picker.items
    sliders = page.find(v.Slider).widgets
    assert len([s for s in sliders if "Strength" in s.label]) == len(REFORMS)
    page.find(v.Alert, children=["Pick a county, move the levers and press Run."]).assert_single()


def test_moving_a_lever_changes_the_view(page):
    strength = [s for s in page.find(v.Slider).widgets if "Strength" in s.label][0]
    strength.v_model = 1.5
    assert tab.current_view().lever(REFORMS[0].name).strength == 1.5
    assert [name for name, _ in tab.current_view().active_levers] == [REFORMS[0].name]


def test_run_shows_the_figures_and_a_repeat_comes_from_the_cache(page):
    tab.lever_settings["land"].set(LeverSetting(1.0, 2014))
    run_and_wait(page)
    assert tab.error.value == ""
    assert "done in" in tab.status.value
    images = page.find(ipywidgets.Image).widgets
    assert images and images[0].value[:4] == b"\x89PNG"
    run_and_wait(page)
    assert "0 run(s) simulated, 2 from the cache" in tab.status.value


def test_bad_input_shows_the_loaders_error_in_the_page(page):
    tab.extra.set("simulation.scael=3")
    run_and_wait(page)
    assert "did you mean 'scale'" in tab.error.value
    page.find(v.Alert).assert_not_empty()
    assert tab.shown.value is None


def test_cancel_stops_the_run_and_the_page_goes_on(page):
    tab.scale.set(100)
    tab.end.set(2100)
    click(page, "Run")
    wait_until(lambda: tab.progress.value > 0)
    click(page, "Cancel")
    wait_until(lambda: not tab.run_view.pending)
    assert tab.status.value == "run cancelled"
    assert tab.error.value == ""


def test_a_census_county_is_found_by_chinese_name_and_picked(page):
    page.find(v.BtnToggle).widget.v_model = 1  # the "census" switch
    tab.census_query.set("夏邑")
    choices = page.find(v.Select, label="Matches (1; first 1 counties shown)").widget
    assert choices.items == ["411426 夏邑县 (Henan, 商丘市)"]
    choices.v_model = choices.items[0]
    assert tab.census_code.value == "411426"
    assert tab.county.value.endswith("census_county.yaml")
    assert tab.scale.value == round(1_180_918 / tab.TARGET_ROWS)
    assert tab.current_view().census_code == "411426"
    facts = dict(tab.county_facts_of(tab.county.value, tab.census_code.value))
    assert facts["Census county"] == "夏邑县 (411426)"
