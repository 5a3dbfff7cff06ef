"""A calibration killed with SIGKILL in the middle of a stage resumes with ``--resume``:
stored runs are not run again, and the posterior is the one an uninterrupted calibration
of the same file gives."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
from calibration_helpers import PARAMETERS, ROOT, write_calibration

from countysim.experiments.calibration_posterior import read_posterior
from countysim.experiments.store import SweepStore

TARGETS = """\
targets:
  local_share:
    kind: statistics
    data: {numerator: [local], denominator: [total]}
    model:
      numerator: [migrant_workers_local]
      denominator: [migrant_workers_local, migrant_workers_out]
    years: [2012, 2015]
    sd: 0.05
  urbanization_trend:
    kind: value
    observed: 0.012
    model: {numerator: [urbanization_resident]}
    years: [2012, 2015]
    statistic: slope
    tolerance: 0.01
"""
BUDGET = """\
budget:
  screening: null
  runs_per_wave: 8
  waves: 1
  ensemble: 16
  candidates: 1000
"""


def _command(path, out, *extra):
    return [sys.executable, "-m", "countysim", "calibrate", str(path), "--out", str(out),
            "--quiet", *extra]  # fmt: skip


def _environment():
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def test_killed_calibration_resumes(tmp_path):
    path = write_calibration(tmp_path, PARAMETERS + TARGETS, budget=BUDGET)
    out = tmp_path / "killed"
    process = subprocess.Popen(_command(path, out), env=_environment(), cwd=tmp_path)
    parts = out / "stages" / "ensemble" / "runs"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if parts.exists() and len(list(parts.glob("part-*.parquet"))) >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the calibration ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored = len(list(parts.glob("part-*.parquet")))
    assert 3 <= stored < 16 and not (out / "posterior").exists()

    again = subprocess.run(
        _command(path, out, "--resume"), env=_environment(), cwd=tmp_path, timeout=300
    )
    assert again.returncode == 0
    for stage in ("wave-1", "ensemble"):
        attempts = SweepStore.open(out / "stages" / stage).attempts()
        assert attempts["run_id"].is_unique  # nothing stored was run again
        assert (attempts["status"] == "ok").all()

    whole = tmp_path / "whole"
    subprocess.run(_command(path, whole), env=_environment(), cwd=tmp_path, timeout=300, check=True)
    resumed, _ = read_posterior(out / "posterior" / "posterior.parquet")
    uninterrupted, _ = read_posterior(whole / "posterior" / "posterior.parquet")
    pd.testing.assert_frame_equal(resumed, uninterrupted)
