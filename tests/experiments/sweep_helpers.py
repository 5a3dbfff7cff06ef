"""Helpers of the experiment tests: tiny sweep files and comparing stores."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

#: A county small enough for a run to take a fraction of a second.
TINY_COUNTY = """\
set:
  county.generate.registered_population: 3000
  county.generate.townships: 2
  county.generate.villages_per_township: 3
  years.end: 2015
  simulation.spinup_years: 1
"""

#: Six design points, two replicates: 12 runs of the tiny county.
LHS_SWEEP = """\
design:
  kind: lhs
  samples: 6
  seed: 3
parameters:
  choice.moving_cost: {bounds: [0.6, 2.0]}
  choice.income_weight: {bounds: [0.8, 2.5]}
replicates: 2
outputs:
  urbanization_2015: {column: urbanization_resident, year: 2015}
  mean_ratio: {column: income_ratio, stat: mean, years: [2012, 2015]}
"""


def write_sweep(directory: Path, body: str, *, name: str = "tiny", execution: str = "") -> Path:
    """Write ``<directory>/<name>.yaml``, a sweep on the tiny county; ``body`` holds design,
    parameters and outputs, ``execution`` the execution settings."""
    path = directory / f"{name}.yaml"
    text = f"name: {name}\nbase: {BASELINE}\n" + TINY_COUNTY + textwrap.dedent(body)
    path.write_text(text + textwrap.dedent(execution), encoding="utf-8")
    return path


def comparable(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A store's runs and series without what legitimately differs between executions
    (which part a row is in, where and when it ran)."""
    runs = store.runs().drop(columns=["batch", "host", "wall_seconds", "finished_utc"])
    return runs, store.series().drop(columns=["batch"])


def assert_same_results(store, reference) -> None:
    for got, expected in zip(comparable(store), comparable(reference), strict=True):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
