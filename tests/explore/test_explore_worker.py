"""The background worker: runs in another process, reports each year, and survives failed
runs, cancelling, the time cap and its own death."""

import os
import shutil
import signal
import threading

import pytest
from explore_helpers import SCENARIOS, SMALL_COUNTY

from countysim.config import load_scenario
from countysim.explore.worker import RunFailed, RunOrder, RunStopped, Worker, WorkerDied
from countysim.runner import prepare


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.close()


def small(end=2014, scale=400):
    overrides = [*SMALL_COUNTY, f"simulation.scale={scale}", f"years.end={end}"]
    return load_scenario(SCENARIOS / "baseline.yaml", overrides)


def run(worker, orders, stop=None, time_cap=60.0):
    years, done = [], {}
    worker.run(
        orders,
        on_year=lambda key, year: years.append((key, year)),
        on_done=done.__setitem__,
        stop=stop or threading.Event(),
        time_cap=time_cap,
    )
    return years, done


def test_runs_report_every_year_and_their_results(worker):
    years, done = run(worker, [RunOrder("a", small())])
    assert years == [("a", 2012), ("a", 2013), ("a", 2014)]
    assert list(done["a"].county.year) == [2012, 2013, 2014]
    assert worker.pid != os.getpid()


def test_a_failing_run_reports_its_error_and_the_worker_goes_on(worker, tmp_path):
    shutil.copy(SCENARIOS / "example_county.yaml", tmp_path)
    shutil.copy(SCENARIOS / "baseline.yaml", tmp_path)
    shutil.copytree(SCENARIOS / "places", tmp_path / "places")
    scenario = prepare(tmp_path / "example_county.yaml", ["years.end=2013"])
    (tmp_path / "places" / "example_county.csv").unlink()  # gone after the checks
    with pytest.raises(RunFailed) as err:
        run(worker, [RunOrder("gone", scenario)])
    assert "example_county" in str(err.value) and "example_county.csv" in str(err.value)
    assert "Traceback" in err.value.details
    _, done = run(worker, [RunOrder("after", small())])
    assert "after" in done


def test_cancel_stops_at_once_and_a_fresh_worker_takes_over(worker):
    before = worker.pid
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(RunStopped, match="cancelled"):
        run(worker, [RunOrder("long", small(end=2100, scale=100))], stop=stop)
    assert worker.pid != before
    _, done = run(worker, [RunOrder("next", small())])
    assert "next" in done


def test_the_time_cap_stops_a_run(worker):
    with pytest.raises(RunStopped, match="time cap of 0.5 s"):
        run(worker, [RunOrder("long", small(end=2100, scale=100))], time_cap=0.5)


def test_a_dead_worker_is_reported_and_replaced(worker):
    threading.Timer(0.3, lambda: os.kill(worker.pid, signal.SIGKILL)).start()
    with pytest.raises(WorkerDied, match="stopped unexpectedly"):
        run(worker, [RunOrder("killed", small(end=2100, scale=100))])
    _, done = run(worker, [RunOrder("revived", small())])
    assert "revived" in done
