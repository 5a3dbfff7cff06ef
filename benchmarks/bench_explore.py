"""How quickly the browser app answers: page load, a lever change, the first figure of a run.

Starts ``countysim explore`` on a free local port, drives it with Playwright and Debian's
Chromium as a user would (the baseline county at the scale the page picks for it, about
20,000 simulated persons; then the hukou reform at strength 1), and prints wall-clock
seconds for each step. Wall time on a shared machine includes whatever else runs there:
the load average is printed alongside. ``--shots DIR`` also saves a screenshot of each
state.

    python benchmarks/bench_explore.py [--shots DIR]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "countysim", "explore", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return process, url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                os.killpg(process.pid, signal.SIGKILL)
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def measure(url: str, shots: Path | None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    times: dict[str, float] = {}

    def shot(name: str) -> None:
        if shots is not None:
            page.screenshot(path=shots / f"{name}.png", full_page=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(120_000)
        t0 = time.perf_counter()
        page.goto(url)
        page.get_by_role("button", name="Run").wait_for()
        page.get_by_text("Registered population").wait_for()
        times["page load"] = time.perf_counter() - t0
        shot("1_loaded")

        slider = page.locator(".lever-hukou").get_by_role("slider", name="Strength")
        slider.focus()
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.get_by_text("Strength 0.1").wait_for()
        times["lever change shown"] = time.perf_counter() - t0
        for _ in range(9):
            page.keyboard.press("ArrowRight")
        page.get_by_text("Strength 1", exact=True).wait_for()

        t0 = time.perf_counter()
        page.get_by_role("button", name="Run").click()
        page.locator(".indicator-figure").wait_for()
        times["first figure after Run (baseline)"] = time.perf_counter() - t0
        shot("2_baseline_first")
        page.locator(".run-status", has_text="done in").wait_for()
        times["all figures after Run (baseline and reform)"] = time.perf_counter() - t0
        shot("3_reform_indicators")

        for tab in ("Map", "Differences", "Levers", "Downloads"):
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(1500)
            shot(f"4_{tab.lower()}")

        page.get_by_role("tab", name="Indicators").click()
        page.locator(".lever-land").get_by_role("slider", name="Strength").focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        page.locator(".lever-land").get_by_text("Strength 1", exact=True).wait_for()
        t0 = time.perf_counter()
        page.get_by_role("button", name="Run").click()
        page.locator(".run-status", has_text="1 from the cache").wait_for()
        times["second reform, baseline from the cache"] = time.perf_counter() - t0

        page.get_by_label("Last year").fill("2005")
        page.get_by_label("Last year").press("Enter")
        page.get_by_role("button", name="Run").click()
        page.get_by_text("must not be before start").wait_for()
        shot("5_scenario_error")

        page.get_by_role("button", name="census").click()
        query = page.get_by_label("Census county: code or Chinese name")
        query.fill("夏邑")
        query.press("Enter")
        page.get_by_label("Matches").click(force=True)
        page.get_by_role("option").first.click()
        page.get_by_text("夏邑县 (411426)").wait_for()
        shot("6_census_county")
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="folder for screenshots of each state")
    args = parser.parse_args()
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    process, url = start_server()
    try:
        times = measure(url, args.shots)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for step, seconds in times.items():
        print(f"{step:45s} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
