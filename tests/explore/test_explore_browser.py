"""The browser app end to end: a real server on a free local port and Debian's Chromium,
driven by Playwright. Every wait is explicit; the server is always stopped."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from explore_helpers import ROOT, SCENARIOS, SMALL_COUNTY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
WAIT_MS = 120_000  # generous: a loaded two-core machine is slow to start the worker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "countysim", "explore", "--port", str(port)]
            + ["--scenarios", str(SCENARIOS)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker goes down with it
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start:\n" + log.read_text()
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    t0 = time.perf_counter()
    page.goto(server)
    page.get_by_role("button", name="Run").wait_for()
    page.load_seconds = time.perf_counter() - t0
    yield page
    context.close()


def small_settings(page, end=2016, scale=400, overrides=SMALL_COUNTY):
    """A small county, so that runs take a fraction of a second."""
    for label, value in (("Persons per simulated row", scale), ("Last year", end)):
        field = page.get_by_label(label)
        field.fill(str(value))
        field.press("Enter")
    page.get_by_text("Further settings").click()
    field = page.locator(".overrides textarea")
    field.fill("\n".join(overrides))
    field.press("Tab")  # the page reads the field when it loses focus


def run(page, expect):
    """Press Run and wait for the status line of this run (``expect``, e.g. how many runs
    came from the cache), not that of an earlier one."""
    page.get_by_role("button", name="Run").click()
    page.locator(".run-status", has_text=expect).wait_for()


def figure_source(page):
    return page.locator(".indicator-figure").get_attribute("src")


def test_pick_move_a_lever_run_and_reproduce_the_download(page, tmp_path):
    page.get_by_label("County (scenario)").click(force=True)
    page.get_by_role("option", name="example_county").click()
    page.get_by_text("example_county.csv").wait_for()  # its key figures
    small_settings(page, overrides=["simulation.spinup_years=2"])
    run(page, "1 run(s) simulated, 0 from the cache")
    baseline_figure = figure_source(page)

    page.locator(".lever-hukou").get_by_role("slider", name="Strength").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_text("Strength 0.1").wait_for()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    page.get_by_text("Strength 1", exact=True).wait_for()
    run(page, "1 run(s) simulated, 1 from the cache")  # the baseline is cached
    assert figure_source(page) != baseline_figure

    page.get_by_role("tab", name="Downloads").click()
    files = {}
    for label in ("Scenario YAML", "County tables (CSV)"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        files[label] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[label])
    assert files["Scenario YAML"].name == "example_county_reformed.yaml"
    # The YAML names its places file by absolute path: it runs from anywhere.
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(files["Scenario YAML"], moved)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "countysim", "run", str(moved / files["Scenario YAML"].name)]
    command += ["--replicates", "1", "--out", str(out), "--quiet", "--no-report"]
    subprocess.run(command, check=True, cwd=tmp_path, capture_output=True, timeout=120)
    cli = pd.read_csv(out / "county.csv")
    view = pd.read_csv(files["County tables (CSV)"])
    view = view[view.scenario == "example_county_reformed"]
    for column in ("urbanization_resident", "urbanization_registered", "income_ratio"):
        pd.testing.assert_series_equal(
            cli[column].reset_index(drop=True), view[column].reset_index(drop=True)
        )


def test_cancel_a_run(page):
    small_settings(page, end=2100, scale=100)
    page.get_by_role("button", name="Run").click()
    page.locator(".run-status", has_text="baseline: 20").wait_for()  # years are simulated
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("run cancelled").wait_for()
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.get_by_role("button", name="Run")).to_be_enabled()  # the page goes on


def test_a_bad_setting_shows_the_scenario_error(page):
    small_settings(page, end=2005)
    page.get_by_role("button", name="Run").click()
    page.get_by_text("must not be before start (2012)").wait_for()
