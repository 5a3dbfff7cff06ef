"""The state of one browser tab of ``countysim explore``, and what changes it.

Solara keeps one value of each reactive variable here per browser tab. Controls of the page
(``app.py``) set them; ``run_view``, a threaded Solara task, plans the view they describe,
runs it through the server's Explorer in the background worker and publishes the progress,
the baseline's figures and the final figures as they arrive, so the page keeps answering
while it runs.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import solara
import solara.lab

from countysim.config import ScenarioError, load_scenario
from countysim.explore import figures
from countysim.explore.levers import REFORMS, LeverSetting, View, bounds
from countysim.explore.state import RunSet, shared_explorer
from countysim.explore.worker import RunFailed, RunStopped, WorkerDied

#: Environment variable naming the folder of scenarios the page offers (set by the CLI).
SCENARIOS_ENV = "COUNTYSIM_EXPLORE_SCENARIOS"
#: Persons per simulated row a new view starts with, before a county is picked.
DEFAULT_SCALE = 20
#: Picking a county sets the scale so that about this many persons are simulated: a run
#: then takes a few seconds.
TARGET_ROWS = 20_000
DEFAULT_TIME_CAP_S = 120.0
PROGRESS_INTERVAL_S = 0.2


def scenarios_dir() -> Path:
    configured = os.environ.get(SCENARIOS_ENV)
    if configured:
        return Path(configured)
    here = Path("scenarios")
    return here if here.is_dir() else Path(__file__).resolve().parents[3] / "scenarios"


def within_bounds(key: str, value: float) -> float:
    b = bounds(key)
    low, high = b.get("ge", b.get("gt")), b.get("le", b.get("lt"))
    value = value if low is None else max(low, value)
    return value if high is None else min(high, value)


@dataclass(frozen=True, eq=False)  # compared by identity: it holds DataFrames
class Shown:
    """What the page shows of a run: its tables and ready-made figures."""

    runs: RunSet
    table: object  # pandas DataFrame of every run of the view
    names: list[str]
    indicators_png: bytes


# Session state: Solara keeps one value of each per browser tab.
county = solara.reactive("")
scale = solara.reactive(DEFAULT_SCALE)
start = solara.reactive(2012)
end = solara.reactive(2035)
replicates = solara.reactive(1)
time_cap = solara.reactive(DEFAULT_TIME_CAP_S)
extra = solara.reactive("")
#: One variable per reform, so that moving one redraws only its own controls.
lever_settings = {r.name: solara.reactive(LeverSetting()) for r in REFORMS}
progress = solara.reactive(0.0)
status = solara.reactive("")
error = solara.reactive("")
error_details = solara.reactive("")
shown = solara.reactive(None)
census_code = solara.reactive(None)
each_alone = solara.reactive(False)
census_query = solara.reactive("")
stop_event = solara.reactive(None)


def current_view() -> View:
    lines = [line.strip() for line in extra.value.splitlines()]
    return View(
        scenario=county.value,
        scale=scale.value,
        start=start.value,
        end=end.value,
        replicates=replicates.value,
        levers=tuple(sorted((name, v.value) for name, v in lever_settings.items())),
        extra=tuple(line for line in lines if line and not line.startswith("#")),
        census_code=census_code.value,
        each_alone=each_alone.value,
    )


def _publish(runs: RunSet) -> None:
    table = figures.view_table(runs)
    names = list(dict.fromkeys(table.scenario))
    shown.set(
        Shown(
            runs=runs,
            table=table,
            names=names,
            indicators_png=figures.figure_png(figures.indicator_figure(table, names)),
        )
    )


@solara.lab.task(prefer_threaded=True)
def run_view() -> None:
    """Plan the view, run what is not cached, and publish the baseline, then everything."""
    explorer = shared_explorer(scenarios_dir())
    stop = threading.Event()
    stop_event.set(stop)
    error.set("")
    error_details.set("")
    progress.set(0.0)
    try:
        status.set("checking the scenario")
        plan = explorer.plan(current_view())
        status.set("running")

        shown_at = [0.0]

        def on_progress(fraction: float, text: str) -> None:
            # A few updates a second are enough to watch; each one redraws the controls.
            now = time.monotonic()
            if now - shown_at[0] >= PROGRESS_INTERVAL_S or fraction >= 1.0:
                shown_at[0] = now
                progress.set(100.0 * fraction)
                status.set(text)

        runs = explorer.run(
            plan,
            on_progress=on_progress,
            on_baseline=_publish,
            stop=stop,
            time_cap=time_cap.value,
        )
        _publish(runs)
        scenarios = 1 + (runs.reform is not None) + len(runs.singles)
        cached = runs.plan.view.replicates * scenarios - runs.simulated
        status.set(
            f"done in {runs.seconds:.1f} s: {runs.simulated} run(s) simulated, "
            f"{cached} from the cache"
        )
        progress.set(100.0)
    except ScenarioError as exc:
        error.set(str(exc))
        status.set("the scenario is not valid")
    except RunStopped as exc:
        status.set(str(exc))
    except RunFailed as exc:
        error.set(f"The run failed: {exc}")
        error_details.set(exc.details)
        status.set("failed")
    except (WorkerDied, ValueError) as exc:
        error.set(str(exc))
        status.set("failed")
    finally:
        stop_event.set(None)


def cancel() -> None:
    if stop_event.value is not None:
        stop_event.value.set()
        status.set("cancelling")


def _county_scenario(path: str, code: str | None):
    return load_scenario(path, [f'county.census.code="{code}"'] if code else [])


def pick_county(path: str, code: str | None = None) -> None:
    """Show a county: its scenario's years, and a scale that simulates about
    ``TARGET_ROWS`` persons."""
    county.set(path)
    census_code.set(code)
    shown.set(None)  # the figures of another county would mislead
    status.set("")
    try:
        sc = _county_scenario(path, code)
    except ScenarioError as exc:
        error.set(str(exc))
        return
    error.set("")
    start.set(sc.years.start)
    end.set(sc.years.end)
    registered = figures.registered_population(sc)
    if registered:
        scale.set(int(within_bounds("simulation.scale", round(registered / TARGET_ROWS))))


def set_lever(name: str, **change) -> None:
    lever_settings[name].set(replace(lever_settings[name].value, **change))


def county_facts_of(path: str, code: str | None) -> list[tuple[str, str]]:
    try:
        return figures.county_facts(_county_scenario(path, code))
    except ScenarioError:
        return []
