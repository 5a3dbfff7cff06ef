"""Panel targets of a calibration: checked before anything runs, one run per (parameter
set, county), aggregated to the mean error over the counties, and resumable county by
county."""

from __future__ import annotations

import os
import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest
from calibration_helpers import PARAMETERS, ROOT, STATISTICS

from countysim.cli import main
from countysim.experiments.calibration import CalibrationError, load_calibration
from countysim.experiments.calibration_panel import PANEL_COUNTY
from countysim.experiments.panel_scores import scored_values
from countysim.experiments.store import SweepStore

HISTORY = ROOT / "scenarios" / "history.yaml"
CODES = ("130125", "411421")

#: The policy history on a tiny generated county, a statistics target, and the mean error
#: of the log change of residents in two census counties at the coarsest scale. Whether
#: four runs of forty agents leave some parameter set within implausibility 3 is chance:
#: seed 5 did until the location choice's draws changed, seed 4 did before and after (as
#: did 1, 2, 3, 6 and 7); the test is of the pipeline, not of the fit.
BODY = f"""\
name: tinypanel
scenario: {HISTORY}
statistics_file: {STATISTICS}
set:
  simulation.scale: 100
  simulation.spinup_years: 0
  county.generate.registered_population: 4000
  county.generate.townships: 2
  county.generate.villages_per_township: 3
  years.end: 2020
targets:
  local_share:
    kind: statistics
    data: {{numerator: [local], denominator: [total]}}
    model:
      numerator: [migrant_workers_local]
      denominator: [migrant_workers_local, migrant_workers_out]
    years: [2012, 2015]
    sd: 0.05
  population_change:
    kind: panel
    quantity: residents_log_change
    sd: 0.05
panel:
  counties: {{codes: ["{CODES[0]}", "{CODES[1]}"]}}
  scale: 1000
budget:
  screening: null
  runs_per_wave: 4
  waves: 1
  ensemble: 10
  candidates: 500
execution: {{executor: serial, flush_runs: 1}}
seed: 4
"""


def _write(tmp_path, body=BODY):
    path = tmp_path / "tinypanel.yaml"
    path.write_text(body + textwrap.dedent(PARAMETERS), encoding="utf-8")
    return path


def _problems(tmp_path, body):
    with pytest.raises(CalibrationError) as caught:
        load_calibration(_write(tmp_path, body))
    return caught.value.problems


def test_panel_targets_are_built_with_their_counties(tmp_path):
    plan = load_calibration(_write(tmp_path))
    assert plan.panel.codes == CODES
    target = plan.targets["population_change"]
    assert (target.kind, target.observed, target.years) == ("panel", 0.0, (2010, 2020))
    assert list(plan.targets) == ["local_share", "population_change"]
    assert plan.config["panel"]["codes"] == list(CODES)


def test_a_stratified_draw_of_counties_is_seeded(tmp_path):
    body = BODY.replace(
        f'counties: {{codes: ["{CODES[0]}", "{CODES[1]}"]}}',
        "counties: {regions: [west, east], sample: {size: 4, stratify: region, seed: 4}}",
    )
    plan = load_calibration(_write(tmp_path, body))
    assert len(plan.panel.codes) == 4
    assert plan.panel.codes == load_calibration(_write(tmp_path, body)).panel.codes
    assert plan.panel.census.index.tolist() == list(plan.panel.codes)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("quantity: residents_log_change", "quantity: residents_log_chnage",
         "targets.population_change.quantity", "did you mean 'residents_log_change'?"),
        (f'"{CODES[1]}"]', '"419999"]', "panel.counties.codes[1]", "not a code of the census"),
        ("sd: 0.05\npanel:", "sd: 0.05\n    years: [2010, 2020]\npanel:",
         "targets.population_change", "drop years"),
        ("  scale: 1000", "  scale: 5000", "panel.scale", "value <= 1000"),
    ],
)  # fmt: skip
def test_bad_panel_targets_and_counties_are_reported_at_their_keys(tmp_path, old, new, key, words):
    problems = _problems(tmp_path, BODY.replace(old, new))
    assert any(p.key == key and words in f"{p.message} {p.suggestion}" for p in problems), [
        (p.key, p.message) for p in problems
    ]


def test_a_panel_target_needs_the_panel_section_and_nothing_is_written(tmp_path, capsys):
    body = BODY[: BODY.index("panel:\n")] + BODY[BODY.index("budget:") :]
    out = tmp_path / "out"
    status = main(["calibrate", os.fspath(_write(tmp_path, body)), "--out", os.fspath(out)])
    assert status == 2
    assert "targets.population_change.kind" in capsys.readouterr().err
    assert not out.exists()


def test_panel_runs_aggregate_and_resume_county_by_county(tmp_path, capsys):
    path = _write(tmp_path)
    whole = tmp_path / "whole"
    assert main(["calibrate", os.fspath(path), "--out", os.fspath(whole), "--quiet"]) == 0
    store = SweepStore.open(whole / "stages" / "ensemble")
    runs = store.runs()
    assert len(runs) == 10 * (1 + len(CODES)) and (runs["status"] == "ok").all()
    # Common random numbers: a county's run has the same seed in every parameter set.
    county_runs = runs[runs[PANEL_COUNTY] != ""]
    assert county_runs.groupby(PANEL_COUNTY)["seed"].nunique().eq(1).all()
    assert runs.loc[runs[PANEL_COUNTY] == "", "seed"].is_unique

    # A set's panel statistic is the mean error of its counties' log change.
    plan = load_calibration(path)
    first = county_runs[county_runs["point"] < 1 + len(CODES)].set_index(PANEL_COUNTY)
    _, model_change = scored_values(first)
    _, census_change = scored_values(plan.panel.census.loc[first.index])
    expected = (model_change - census_change)["residents_log_change"].mean()
    posterior = pd.read_parquet(whole / "posterior" / "posterior.parquet")
    assert posterior.loc[0, "population_change"] == pytest.approx(expected)
    assert np.isfinite(posterior["population_change"]).all()

    # A calibration that stopped in the middle of its ensemble: some county runs missing.
    killed = tmp_path / "killed"
    shutil.copytree(whole, killed)
    shutil.rmtree(killed / "posterior")
    parts = sorted((killed / "stages" / "ensemble" / "runs").glob("part-*.parquet"))
    dropped = parts[len(parts) // 2 :]
    for part in dropped:
        part.unlink()
    again = main(["calibrate", os.fspath(path), "--out", os.fspath(killed), "--resume", "--quiet"])
    assert again == 0
    attempts = SweepStore.open(killed / "stages" / "ensemble").attempts()
    assert attempts["run_id"].is_unique and len(attempts) == len(runs)
    resumed = pd.read_parquet(killed / "posterior" / "posterior.parquet")
    pd.testing.assert_frame_equal(resumed, posterior)
    capsys.readouterr()
