"""Helpers of the calibration tests: small calibration files on a cheap county."""

from __future__ import annotations

import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
STATISTICS = ROOT / "seeds" / "data" / "china_statistics_to_2019.csv"

#: Two choice parameters with distinct footprints on urbanization and the local share.
PARAMETERS = """\
parameters:
  choice.income_weight: {prior: uniform, bounds: [0.5, 3.0]}
  choice.moving_cost: {prior: normal, mean: 1.2, sd: 0.5, bounds: [0.2, 2.4]}
"""

#: Targets the model makes itself at the true values below.
SYNTHETIC_TARGETS = """\
targets:
  urbanization:
    kind: synthetic
    model: {numerator: [urbanization_resident]}
    years: [2013, 2015]
    sd: 0.004
  local_share:
    kind: synthetic
    model:
      numerator: [migrant_workers_local]
      denominator: [migrant_workers_local, migrant_workers_out]
    years: [2013, 2015]
    sd: 0.015
  outside_share:  # registered persons living outside the county; every move pays the moving cost
    kind: synthetic
    model: {numerator: [residents_outside], denominator: [registered_total]}
    years: [2013, 2015]
    sd: 0.01
synthetic:
  parameters: {choice.income_weight: 1.8, choice.moving_cost: 0.9}
  replicates: 4
"""


def calibration_text(
    body: str, *, name: str = "tiny", budget: str = "", execution: str = "serial"
) -> str:
    """A calibration on the baseline at a small scale, 2012-2015, without spin-up."""
    head = f"""\
name: {name}
scenario: {BASELINE}
statistics_file: {STATISTICS}
set:
  simulation.scale: 300
  simulation.spinup_years: 0
  years.end: 2015
  # The other behavioural values pinned to the hand-set ones the tests were designed with,
  # so that a new calibration of the baseline does not change what the tests can identify.
  choice.home_attachment: 0.8
  choice.home_attachment_per_decade: 0.1
  choice.network_weight: 0.08
  destinations.aggregation_weight: 0.0
  destinations.housing_cost_elasticity: 0.0
  capital.return_elasticity: 0.5
execution: {{executor: {execution}, flush_runs: 1}}
seed: 5
"""
    return head + textwrap.dedent(body) + textwrap.dedent(budget)


def write_calibration(directory: Path, body: str, **options) -> Path:
    path = directory / f"{options.get('name', 'tiny')}.yaml"
    path.write_text(calibration_text(body, **options), encoding="utf-8")
    return path
