"""Replicate seeds (stable, common random numbers across scenarios, independent streams on
request) and `countysim run --replicates`: tables, 90% bands, summary and figures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from sweep_helpers import BASELINE

from countysim import plots
from countysim.cli import main
from countysim.config import load_scenario, resolved_dict
from countysim.experiments import replicate_seed, run_seed, simulate_replicates
from countysim.experiments.replicates import replicate_summary

TINY = [
    "name=tiny",
    "county.generate.registered_population=3000",
    "county.generate.townships=2",
    "county.generate.villages_per_township=3",
    "years.end=2015",
    "simulation.spinup_years=1",
]


def tiny(*extra: str) -> dict:
    return resolved_dict(load_scenario(BASELINE, [*TINY, *extra]))


def test_replicate_seeds_are_stable():
    """The seeds of a scenario seeded 20120101 never change: stored sweeps stay reproducible.
    (They are SeedSequence(20120101).spawn(3)'s children, as 63-bit integers.)"""
    assert [replicate_seed(20120101, r) for r in range(3)] == [
        3458467096238701779,
        7494338835153696547,
        5569979089785804691,
    ]
    for r, child in enumerate(np.random.SeedSequence(20120101).spawn(3)):
        words = child.generate_state(2, np.uint32)
        assert replicate_seed(20120101, r) == (int(words[0]) << 32 | int(words[1])) >> 1


def test_common_random_numbers_across_scenarios():
    base, other = tiny(), tiny("choice.income_weight=2.0", "name=other")
    common = [[run_seed(sc, r) for r in range(4)] for sc in (base, other)]
    assert common[0] == common[1], "replicate r must get the same seed in every scenario"
    assert len(set(common[0])) == 4
    independent = [[run_seed(sc, r, "independent") for r in range(4)] for sc in (base, other)]
    assert not set(independent[0]) & set(independent[1])
    assert not set(independent[0]) & set(common[0])
    assert independent[0] == [run_seed(base, r, "independent") for r in range(4)]  # stable
    assert all(0 <= seed < 2**63 for seed in common[0] + independent[0])


def test_replicate_summary_is_mean_and_band():
    county = pd.DataFrame(
        {"replicate": np.repeat(range(21), 2), "year": [2012, 2013] * 21, "x": range(42)}
    )
    summary = replicate_summary(county).set_index(["indicator", "year"])
    assert list(summary.columns) == ["mean", "p05", "p95"]
    values_2012 = np.arange(0, 42, 2)
    assert summary.loc[("x", 2012), "mean"] == values_2012.mean()
    assert summary.loc[("x", 2012), "p05"] == np.quantile(values_2012, 0.05)
    assert summary.loc[("x", 2012), "p95"] == np.quantile(values_2012, 0.95)


@pytest.fixture(scope="module")
def replicate_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("replicates") / "res"
    scenario = tmp_path_factory.mktemp("scenario") / "tiny.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "name: tiny\n"
        "years: {start: 2012, end: 2015}\n"
        "simulation: {spinup_years: 1}\n"
        "county: {generate: {registered_population: 3000, townships: 2, "
        "villages_per_township: 3}}\n",
        encoding="utf-8",
    )
    argv = ["run", str(scenario), "--replicates", "3", "--workers", "2", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    return out


def test_run_replicates_writes_stacked_tables_summary_and_band_figures(replicate_run):
    county = pd.read_csv(replicate_run / "county.csv")
    assert county.columns[0] == "replicate"
    assert sorted(county["replicate"].unique()) == [0, 1, 2]
    assert len(county) == 3 * 4
    summary = pd.read_csv(replicate_run / "summary.csv")
    assert list(summary.columns) == ["indicator", "year", "mean", "p05", "p95"]
    assert (summary["p05"] <= summary["mean"] + 1e-12).all()
    assert (summary["mean"] <= summary["p95"] + 1e-12).all()
    manifest = json.loads((replicate_run / "manifest.json").read_text())
    seeds = manifest["replicates"]["seeds"]
    assert seeds == [run_seed(manifest["scenario"], r) for r in range(3)]
    assert manifest["replicates"]["streams"] == "common"
    for name in ("population", "urbanization", "income", "migration", "map"):
        assert (replicate_run / "figures" / f"{name}.png").stat().st_size > 0
    report = (replicate_run / "report.html").read_text(encoding="utf-8")
    assert "countysim report: tiny" in report and "<svg" in report


def test_replicate_frames_draw_bands_and_single_runs_do_not(replicate_run):
    county = pd.read_csv(replicate_run / "county.csv")
    banded = plots.plot_population(county)
    single = plots.plot_population(county[county["replicate"] == 0].drop(columns="replicate"))
    bands = [c for c in banded.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 4  # one per line
    assert not [c for c in single.collections if isinstance(c, PolyCollection)]
    assert "3 replicates" in " ".join(t.get_text() for t in banded.get_legend().get_texts())
    flows = pd.read_csv(replicate_run / "flows.csv")
    figure = plots.plot_migration(flows)  # small multiples: bands on the panels
    assert [c for ax in figure.axes for c in ax.collections if isinstance(c, PolyCollection)]


def test_replicates_in_this_process_equal_those_of_the_process_pool(replicate_run):
    """`run --replicates` used a pool of two workers; serially, the numbers are the same."""
    serial = simulate_replicates(load_scenario(BASELINE, TINY), 3, executor="serial")
    for table in ("county", "places", "flows", "ages", "world", "summary"):
        saved = pd.read_csv(replicate_run / f"{table}.csv")
        pd.testing.assert_frame_equal(
            saved, getattr(serial, table), check_dtype=False, check_exact=True
        )


def test_independent_streams_need_replicates(capsys):
    assert main(["run", str(BASELINE), "--independent-streams", "--quiet"]) == 2
    assert "--independent-streams needs --replicates" in capsys.readouterr().err
