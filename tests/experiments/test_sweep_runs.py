"""Running sweeps: the same numbers whatever the executor, the number of workers, crashes,
resumes and shards; failed runs recorded and retried; status, export and analysis."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from sweep_helpers import LHS_SWEEP, assert_same_results, write_sweep

from countysim.cli import main
from countysim.experiments import SweepStore, load_sweep, run_sweep
from countysim.experiments.scenario_model import county_columns
from countysim.experiments.store import SERIES_KEYS

RUNS = 12  # LHS_SWEEP: 6 design points x 2 replicates


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    """The LHS sweep run serially, once: the result every other way of running must match."""
    path = write_sweep(tmp_path_factory.mktemp("reference"), LHS_SWEEP)
    outcome = run_sweep(load_sweep(path), path.parent / "store", executor="serial", progress=False)
    assert outcome.failed == 0
    return outcome.store


def cli(capsys, *argv) -> tuple[int, str, str]:
    status = main([os.fspath(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pools_of_one_and_two_workers_match_bit_for_bit(workers, reference_store, tmp_path):
    path = write_sweep(tmp_path, LHS_SWEEP)
    outcome = run_sweep(load_sweep(path), path.parent / "store", workers=workers, progress=False)
    assert (outcome.ran, outcome.failed) == (RUNS, 0)
    assert_same_results(outcome.store, reference_store)


def test_dask_executor_gives_identical_results(reference_store, tmp_path):
    pytest.importorskip("distributed")
    path = write_sweep(tmp_path, LHS_SWEEP)
    outcome = run_sweep(
        load_sweep(path), path.parent / "store", executor="dask", workers=2, progress=False
    )
    assert_same_results(outcome.store, reference_store)


def test_a_killed_sweep_resumes_to_the_uninterrupted_result(reference_store, tmp_path):
    """SIGKILL the sweep's whole process group (as a lost node would) once a few runs are
    stored; resuming runs only the rest, and the store equals an uninterrupted one."""
    path = write_sweep(tmp_path, LHS_SWEEP, execution="execution: {flush_runs: 1}\n")
    out = path.parent / "store"
    command = [sys.executable, "-m", "countysim", "sweep", path, "--out", out, "--executor"]
    sweep = subprocess.Popen(
        [*map(os.fspath, command), "serial", "--quiet"],
        start_new_session=True,  # its own process group, to kill it whole
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while len(list((out / "runs").glob("part-*.parquet"))) < 3:
            assert sweep.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no runs stored in time"
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(sweep.pid, signal.SIGKILL)
        sweep.wait()
    stored = len(SweepStore.open(out).runs())
    assert 3 <= stored < RUNS

    outcome = run_sweep(load_sweep(path), out, executor="serial", resume=True, progress=False)
    assert (outcome.skipped, outcome.ran) == (stored, RUNS - stored)
    attempts = SweepStore.open(out).attempts()
    assert attempts["run_id"].is_unique, "no run may be done twice"
    assert_same_results(outcome.store, reference_store)


FAILING_SWEEP = """\
design:
  kind: list
  points:
    - {years.end: 2015, choice.income_weight: 1.5}
    - {years.end: 2014, choice.income_weight: 1.5}
    - {years.end: 2015, choice.income_weight: 2.0}
replicates: 2
outputs:
  ratio_2015: {column: income_ratio, year: 2015}
"""


def test_a_run_that_raises_is_recorded_and_the_others_complete(capsys, tmp_path):
    """Design point 1 stops in 2014, before the year of the output: its runs raise."""
    path = write_sweep(tmp_path, FAILING_SWEEP)
    out = path.parent / "store"
    status, stdout, stderr = cli(capsys, "sweep", path, "--out", out, "--executor", "serial")
    assert status == 1, stderr
    assert "ran 6 of 6 runs (0 already stored), 2 failed" in stdout
    store = SweepStore.open(out)
    runs = store.runs()
    failed = runs[runs["status"] == "failed"]
    assert failed["run_id"].tolist() == ["p1-r0", "p1-r1"]
    assert (
        failed["error"].str.contains("needs year 2015, but the run simulated years 2012-2014").all()
    )
    assert failed["traceback"].str.contains("LookupError").all()
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 4 and ok["ratio_2015"].notna().all()
    assert set(store.series()["run_id"]) == set(ok["run_id"])

    status, stdout, _ = cli(capsys, "status", out)
    assert status == 0
    assert "6 runs planned, 4 ok, 2 failed, 0 to do" in stdout
    assert "p1-r0: LookupError: output 'income_ratio in 2015' needs year 2015" in stdout

    status, stdout, _ = cli(
        capsys, "sweep", path, "--out", out, "--executor", "serial", "--retry-failed", "--quiet"
    )
    assert status == 1 and "ran 2 of 6 runs (4 already stored), 2 failed" in stdout
    attempts = SweepStore.open(out).attempts().groupby("run_id")["attempt"].max()
    assert attempts.to_dict() == {
        "p0-r0": 1,
        "p0-r1": 1,
        "p1-r0": 2,
        "p1-r1": 2,
        "p2-r0": 1,
        "p2-r1": 1,
    }


def test_shards_writing_into_one_store_add_up_to_the_sweep(reference_store, tmp_path):
    plan = load_sweep(write_sweep(tmp_path, LHS_SWEEP))
    out = plan.source.parent / "store"
    ran = [
        run_sweep(plan, out, executor="serial", shard=(i, 3), resume=True, progress=False).ran
        for i in range(3)
    ]
    assert ran == [4, 4, 4]
    assert_same_results(SweepStore.open(out), reference_store)


def test_a_store_refuses_another_sweep_and_a_rerun_without_resume(
    capsys, reference_store, tmp_path
):
    store = reference_store.directory
    changed = write_sweep(
        tmp_path, LHS_SWEEP.replace("replicates: 2", "replicates: 3"), name="tiny"
    )
    status, _, stderr = cli(capsys, "sweep", changed, "--out", store, "--resume", "--quiet")
    assert status == 2 and "replicates changed since it was started" in stderr

    same = write_sweep(
        tmp_path, LHS_SWEEP, execution="execution: {executor: serial}\n", name="tiny"
    )
    status, _, stderr = cli(capsys, "sweep", same, "--out", store, "--quiet")
    assert status == 2 and "pass --resume to continue it" in stderr
    status, stdout, _ = cli(capsys, "sweep", same, "--out", store, "--resume", "--quiet")
    assert status == 0 and f"ran 0 of {RUNS} runs ({RUNS} already stored)" in stdout


def test_dry_run_counts_and_times_without_writing(capsys, tmp_path):
    path = write_sweep(tmp_path, LHS_SWEEP)
    status, stdout, _ = cli(capsys, "sweep", path, "--dry-run", "--workers", "2", "--shard", "1/4")
    assert status == 0
    assert "tiny: 6 design points x 2 replicates = 12 runs; this shard 3" in stdout
    assert "pilot run" in stdout and "on 2 workers" in stdout
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


MORRIS_SWEEP = """\
design:
  kind: morris
  samples: 3
parameters:
  choice.moving_cost: {bounds: [0.6, 2.0]}
  choice.income_weight: {bounds: [0.8, 2.5]}
outputs:
  urbanization_2015: {column: urbanization_resident, year: 2015}
  mean_ratio: {column: income_ratio, stat: mean, years: [2012, 2015]}
"""


def test_analyze_writes_indices_and_figures(capsys, tmp_path):
    path = write_sweep(tmp_path, MORRIS_SWEEP)
    out = path.parent / "store"
    assert cli(capsys, "sweep", path, "--out", out, "--executor", "serial", "--quiet")[0] == 0
    status, stdout, stderr = cli(capsys, "analyze", out, "--resamples", "50")
    assert status == 0, stderr
    indices = pd.read_csv(out / "analysis" / "indices.csv")
    assert list(indices.columns) == [
        "output",
        "parameter",
        "mu",
        "mu_star",
        "mu_star_conf",
        "sigma",
    ]
    assert len(indices) == 2 * 2
    figures = {p.name for p in (out / "analysis" / "figures").iterdir()}
    assert figures == {
        "indices_urbanization_2015.png",
        "indices_mean_ratio.png",
        "scatter.png",
        "fan_urbanization_resident.png",
        "fan_income_ratio.png",
    }


def test_export_and_analysis_of_a_design_without_indices(capsys, reference_store, tmp_path):
    status, stdout, _ = cli(capsys, "export", reference_store.directory, "--to", tmp_path / "csv")
    assert status == 0
    runs = pd.read_csv(tmp_path / "csv" / "runs.csv")
    assert len(runs) == RUNS and {"choice.moving_cost", "urbanization_2015"} <= set(runs.columns)
    series = pd.read_csv(tmp_path / "csv" / "series.csv")
    assert len(series) == RUNS * 4
    status, stdout, _ = cli(capsys, "analyze", reference_store.directory, "--out", tmp_path / "a")
    assert status == 0 and "a lhs design has no sensitivity indices" in stdout
    assert (tmp_path / "a" / "figures" / "scatter.png").exists()
    assert not (tmp_path / "a" / "indices.csv").exists()


def test_analysis_never_writes_into_a_user_folder(capsys, reference_store, tmp_path):
    """A user's folder at --out is refused with its files untouched; an earlier analysis is
    replaced only with --overwrite, and the store's own analysis folder is renewed."""
    user = tmp_path / "mine"
    user.mkdir()
    (user / "notes.txt").write_text("keep me")
    status, _, stderr = cli(capsys, "analyze", reference_store.directory, "--out", user)
    assert status == 2 and "not a countysim result folder" in stderr
    assert [p.name for p in user.iterdir()] == ["notes.txt"]

    out = tmp_path / "analysis"
    assert cli(capsys, "analyze", reference_store.directory, "--out", out)[0] == 0
    assert (out / "manifest.json").is_file()
    status, _, stderr = cli(capsys, "analyze", reference_store.directory, "--out", out)
    assert status == 2 and "--overwrite" in stderr
    assert cli(capsys, "analyze", reference_store.directory, "--out", out, "--overwrite")[0] == 0
    for _ in range(2):
        assert cli(capsys, "analyze", reference_store.directory)[0] == 0
    assert (reference_store.directory / "analysis" / "figures" / "scatter.png").is_file()


def test_the_probe_run_knows_the_columns_of_real_runs(reference_store):
    """Output columns are checked against a coarse probe run of the base scenario."""
    written = [c for c in reference_store.series().columns if c not in SERIES_KEYS]
    assert county_columns(reference_store.config["base_scenario"]) == written
