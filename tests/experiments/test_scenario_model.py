"""The scenario model of experiments: its probe of the county table's columns works on
scenarios whose dated schedules start after their first year (the policy history)."""

from __future__ import annotations

import os

from sweep_helpers import ROOT

from countysim.cli import main
from countysim.experiments import load_sweep
from countysim.experiments.scenario_model import county_columns
from countysim.experiments.store import SweepStore

HISTORY = ROOT / "scenarios" / "history.yaml"

#: Two points of a tiny county under the policy history, 2010-2020 (schedules start in
#: 2014-2017, after the first year).
HISTORY_SWEEP = f"""\
name: tiny_history
base: {HISTORY}
set:
  county.generate.registered_population: 3000
  county.generate.townships: 2
  county.generate.villages_per_township: 3
  years.end: 2020
  simulation.spinup_years: 1
design: {{kind: grid}}
parameters:
  choice.moving_cost: {{values: [0.8, 1.6]}}
outputs:
  local_2016: {{column: migrant_workers_local, year: 2016}}
"""


def test_probe_of_a_scenario_with_later_schedules_has_every_column(tmp_path):
    path = tmp_path / "history_sweep.yaml"
    path.write_text(HISTORY_SWEEP, encoding="utf-8")
    plan = load_sweep(path)
    columns = county_columns(plan.base)
    assert {"migrant_workers_local", "migrants_far", "income_ratio"} <= set(columns)


def test_a_sweep_over_the_history_validates_and_runs(tmp_path, capsys):
    path = tmp_path / "history_sweep.yaml"
    path.write_text(HISTORY_SWEEP, encoding="utf-8")
    out = tmp_path / "store"
    status = main(["sweep", os.fspath(path), "--out", os.fspath(out), "--quiet"])
    assert status == 0, capsys.readouterr().err
    store = SweepStore.open(out)
    runs = store.runs()
    assert len(runs) == 2 and (runs["status"] == "ok").all()
    series = store.series()
    assert sorted(series["year"].unique()) == list(range(2010, 2021))
