"""A view's runs: the baseline first and once, the same seeds as `countysim run
--replicates`, and identical requests answered from the cache."""

import threading
from dataclasses import replace

import pytest
from explore_helpers import hukou, shared_explorer, small_view

from countysim.experiments.seeds import run_seed
from countysim.explore import figures
from countysim.explore.levers import LeverSetting
from countysim.explore.state import ResultCache, seeded


@pytest.fixture(scope="session")
def explorer():
    return shared_explorer()


def run(explorer, view):
    calls = {"progress": [], "baseline": []}
    runs = explorer.run(
        explorer.plan(view),
        on_progress=lambda f, text: calls["progress"].append(f),
        on_baseline=calls["baseline"].append,
        stop=threading.Event(),
        time_cap=120.0,
    )
    return runs, calls


def test_baseline_is_shown_first_then_the_reform_with_the_same_seeds(explorer):
    runs, calls = run(explorer, small_view(levers=[hukou()], replicates=2, extra=["seed=11"]))
    assert runs.simulated == 4
    assert [len(b.baseline) for b in calls["baseline"]] == [2]
    assert calls["baseline"][0].reform is None and runs.complete
    assert runs.seeds == [run_seed({"seed": 11}, r) for r in range(2)]
    assert [r.manifest["seed"] for r in runs.reform] == runs.seeds
    assert [r.manifest["seed"] for r in runs.baseline] == runs.seeds
    assert calls["progress"] == sorted(calls["progress"]) and calls["progress"][-1] == 1.0


def test_identical_requests_come_from_the_cache(explorer):
    view = small_view(levers=[hukou()], extra=["seed=12"])
    first, _ = run(explorer, view)
    again, calls = run(explorer, view)
    assert again.simulated == 0 and calls["progress"] == []
    assert again.reform[0] is first.reform[0]


def test_a_new_lever_setting_reuses_the_cached_baseline(explorer):
    run(explorer, small_view(levers=[hukou()], extra=["seed=13"]))
    other, calls = run(explorer, small_view(levers=[hukou(0.5)], extra=["seed=13"]))
    assert other.simulated == 1  # the reform only
    assert len(calls["baseline"]) == 1  # shown before the reform runs


def test_the_cache_key_is_the_hash_of_the_whole_seeded_scenario(explorer):
    sc = explorer.plan(small_view()).baseline
    assert seeded(sc, 1)[0] == seeded(sc, 1)[0] != seeded(sc, 2)[0]
    assert seeded(sc, 1)[1].seed == 1


def test_the_cache_drops_the_least_recently_used():
    cache = ResultCache(capacity=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and len(cache) == 2


def test_each_reform_alone_runs_beside_the_combined_one(explorer):
    levers = [hukou(), ("land", LeverSetting(1.0, 2014))]
    view = small_view(levers=levers, extra=["seed=14"])
    together, _ = run(explorer, view)
    assert together.singles == {}
    both, _ = run(explorer, replace(view, each_alone=True))
    assert both.simulated == 2  # the baseline and the combined reform came from the cache
    assert set(both.singles) == {"hukou", "land"}
    table = figures.view_table(both)
    names = list(dict.fromkeys(table.scenario))
    assert names[2:] == ["baseline_hukou", "baseline_land"]
    legend = figures.indicator_figure(table, names).legends[0]
    assert [t.get_text() for t in legend.get_texts()] == names
    diff = figures.headline_differences(table, names, [2021])
    assert list(dict.fromkeys(diff.scenario)) == names[1:]
    assert "baseline_land" in figures.report_html(both, table, [2021])
    alone, _ = run(explorer, small_view(levers=levers[1:], extra=["seed=14"]))
    land = both.singles["land"][0].county
    assert land.urbanization_resident.equals(alone.reform[0].county.urbanization_resident)
