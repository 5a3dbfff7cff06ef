"""The county panel end to end on three small counties: outputs, a failing county, and a
resume after the process was killed."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from countysim.experiments.panel import load_panel
from countysim.experiments.panel_quantities import SCORED
from countysim.experiments.panel_runner import STORE, run_panel
from countysim.experiments.panel_scores import NULL_MODELS
from countysim.experiments.store import StoreError, SweepStore
from tests.experiments.panel_helpers import ROOT, SMALL_CODES, write_panel
from tests.experiments.sweep_helpers import assert_same_results

#: Two replicates, each run stored as it finishes, so a kill leaves some runs stored.
BODY = "replicates: 2\nexecution: {flush_runs: 1}\n"


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted panel run: its plan and directory."""
    directory = tmp_path_factory.mktemp("panel")
    plan = load_panel(write_panel(directory, BODY))
    outcome = run_panel(plan, directory / "out", executor="serial", progress=False)
    assert outcome.complete and outcome.failed == 0
    return plan, directory / "out"


def test_outputs_of_a_panel(reference):
    plan, out = reference
    counties = pd.read_csv(out / "counties.csv", dtype={"code": str})
    assert counties["code"].tolist() == list(SMALL_CODES)
    assert (counties["status"] == "ok").all()
    for name in SCORED:
        assert counties[f"{name}_error"].notna().all()
    scores = pd.read_csv(out / "scores.csv")
    assert set(scores["source"]) == {"model", *NULL_MODELS}
    assert len(scores) == len(SCORED) * (1 + len(NULL_MODELS))
    assert (scores.loc[scores["source"] == "model", "n"] == 3).all()
    for figure in ("predicted_vs_actual", "errors_by_region", "errors_by_size"):
        assert (out / "figures" / f"{figure}.png").stat().st_size > 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.count("<svg") == 4 and "Provenance" in report and "k-fold" in report
    assert "<script" not in report and 'src="http' not in report
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["data_files"]["targets"]["sha256"]) == 64
    assert manifest["scenario"]["name"] == "history"
    assert len(manifest["seeds"]["runs"]) == 2 * len(SMALL_CODES)


def test_a_panel_directory_is_not_overwritten_without_resume(reference):
    plan, out = reference
    with pytest.raises(StoreError, match="--resume"):
        run_panel(plan, out, executor="serial", progress=False)


@dataclasses.dataclass(frozen=True)
class FailsFor:
    """The panel's model, except that one county raises."""

    model: Any
    code: str

    def __call__(self, parameters: Mapping[str, Any], seed: int):
        if parameters["county"] == self.code:
            raise RuntimeError("no places could be built")
        return self.model(parameters, seed)


def test_a_failing_county_is_recorded_and_the_others_go_on(reference, tmp_path):
    plan, out = reference
    failing = dataclasses.replace(plan, model=FailsFor(plan.model, SMALL_CODES[1]))
    outcome = run_panel(failing, tmp_path / "out", executor="serial", progress=False)
    assert outcome.complete and outcome.failed == 1
    counties = pd.read_csv(tmp_path / "out" / "counties.csv", dtype={"code": str})
    assert counties["status"].tolist() == ["ok", "failed", "ok"]
    assert "no places could be built" in counties.loc[1, "error"]
    good = pd.read_csv(out / "counties.csv", dtype={"code": str})
    pd.testing.assert_frame_equal(
        counties.iloc[[0, 2]].drop(columns="error"), good.iloc[[0, 2]].drop(columns="error")
    )
    scores = pd.read_csv(tmp_path / "out" / "scores.csv")
    assert (scores["n"] == 2).all()  # every source is scored on the counties that ran
    assert "Failed counties (1)" in (tmp_path / "out" / "report.html").read_text("utf-8")
    # the failed county runs again on request, and the panel is then the uninterrupted one
    again = run_panel(plan, tmp_path / "out", executor="serial", retry_failed=True, progress=False)
    assert again.failed == 0 and again.ran == 2
    retried = pd.read_csv(tmp_path / "out" / "counties.csv", dtype={"code": str})
    pd.testing.assert_frame_equal(retried, good)


def test_a_killed_panel_resumes_to_the_same_results(reference, tmp_path):
    plan, out = reference
    path = write_panel(tmp_path, BODY)
    target = tmp_path / "out"
    command = [sys.executable, "-m", "countysim", "panel", str(path), "--out", str(target)]
    command += ["--executor", "serial", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL, start_new_session=True)
    runs = target / STORE / "runs"
    deadline = time.monotonic() + 120
    while not (runs.is_dir() and any(runs.glob("part-*.parquet"))):
        assert process.poll() is None, "the panel ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    stored = SweepStore.open(target / STORE).status()
    assert 0 < stored.ok < len(plan.runs)  # killed mid-way
    assert not (target / "counties.csv").exists()

    outcome = run_panel(load_panel(path), target, executor="serial", resume=True, progress=False)
    assert outcome.skipped == stored.ok and outcome.complete
    assert_same_results(SweepStore.open(target / STORE), SweepStore.open(out / STORE))
    for table in ("counties", "scores", "predictions"):
        pd.testing.assert_frame_equal(
            pd.read_csv(target / f"{table}.csv", dtype={"code": str}),
            pd.read_csv(out / f"{table}.csv", dtype={"code": str}),
        )
