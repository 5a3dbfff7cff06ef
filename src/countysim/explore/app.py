"""The page of ``countysim explore``: pick a county, move the levers, run, read the answers.

Solara components only: what a control changes is a session variable, what a run needs is
built by ``levers`` and run by ``state`` in the background worker, what is shown comes from
``figures``. A run is a threaded Solara task that waits on the worker, so the page keeps
answering while it runs; its progress, the baseline's first figures and the final figures
are published to the session as they arrive.
"""

from __future__ import annotations

import html
import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import solara
import solara.lab

from countysim import counties
from countysim.config import ScenarioError, load_scenario
from countysim.explore import figures
from countysim.explore.levers import (
    CENSUS_FILE,
    REFORMS,
    REPLICATE_RANGE,
    STRENGTH_RANGE,
    LeverSetting,
    View,
    bounds,
    scenario_files,
)
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
_WRAPPED = "white-space: pre-wrap; word-break: break-word; font-size: 0.85em"
PROGRESS_INTERVAL_S = 0.2
#: Census counties offered at once for a search.
CENSUS_CHOICES = 50


def scenarios_dir() -> Path:
    configured = os.environ.get(SCENARIOS_ENV)
    if configured:
        return Path(configured)
    here = Path("scenarios")
    return here if here.is_dir() else Path(__file__).resolve().parents[3] / "scenarios"


def _bounded(key: str, value: float) -> float:
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
levers = solara.reactive({r.name: LeverSetting() for r in REFORMS})
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
        levers=tuple(sorted(levers.value.items())),
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
        scale.set(int(_bounded("simulation.scale", round(registered / TARGET_ROWS))))


def set_lever(name: str, **change) -> None:
    levers.set({**levers.value, name: replace(levers.value[name], **change)})


@solara.component
def CountyPicker(files: list[Path], directory: Path):
    census_file = directory / CENSUS_FILE
    mode, set_mode = solara.use_state("census" if census_code.value else "scenario")
    solara.ToggleButtonsSingle(value=mode, values=["scenario", "census"], on_value=set_mode)
    if mode == "scenario":
        by_name = {p.stem: str(p) for p in files}
        current = next((n for n, p in by_name.items() if p == county.value), None)
        solara.Select(
            "County (scenario)",
            values=list(by_name),
            value=current if not census_code.value else None,
            on_value=lambda name: pick_county(by_name[name]),
        )
    elif census_file.is_file():
        CensusPicker(str(census_file))
    else:
        solara.Warning(f"no {CENSUS_FILE} among the scenarios")
    facts = solara.use_memo(
        lambda: _facts(county.value, census_code.value),
        dependencies=[county.value, census_code.value],
    )
    if facts:
        solara.Markdown("\n".join(f"- **{k}**: {v}" for k, v in facts))


@solara.component
def CensusPicker(census_file: str):
    solara.InputText(
        "Census county: code or Chinese name", value=census_query, continuous_update=False
    )
    query = census_query.value.strip()
    matches = solara.use_memo(lambda: counties(query) if query else None, dependencies=[query])
    if matches is None:
        return
    modelled = matches[matches.unit_type != "district"].head(CENSUS_CHOICES)
    if modelled.empty:
        solara.Text(f"no county matches {query!r}")
        return
    labels = {
        f"{r.code} {r.name} ({r.province_en}, {r.prefecture})": r.code
        for r in modelled.itertuples()
    }
    current = next((label for label, c in labels.items() if c == census_code.value), None)
    solara.Select(
        f"Matches ({len(matches)}; first {len(labels)} counties shown)",
        values=list(labels),
        value=current,
        on_value=lambda label: pick_county(census_file, labels[label]),
    )


def _facts(path: str, code: str | None) -> list[tuple[str, str]]:
    try:
        return figures.county_facts(_county_scenario(path, code))
    except ScenarioError:
        return []


@solara.component
def Settings():
    scale_b, start_b, end_b = bounds("simulation.scale"), bounds("years.start"), bounds("years.end")
    solara.InputInt(
        f"Persons per simulated row ({scale_b['ge']}-{scale_b['le']})",
        value=scale.value,
        on_value=lambda v: scale.set(int(_bounded("simulation.scale", v or 1))),
    )
    with solara.Row():
        solara.InputInt(
            "First year",
            value=start.value,
            on_value=lambda v: start.set(int(_bounded("years.start", v or start_b["ge"]))),
        )
        solara.InputInt(
            "Last year",
            value=end.value,
            on_value=lambda v: end.set(int(_bounded("years.end", v or end_b["ge"]))),
        )
    solara.SliderInt(
        "Replicates",
        value=replicates.value,
        min=REPLICATE_RANGE[0],
        max=REPLICATE_RANGE[1],
        on_value=replicates.set,
    )
    solara.InputFloat(
        "Time cap (s)",
        value=time_cap.value,
        on_value=lambda v: time_cap.set(max(1.0, float(v or DEFAULT_TIME_CAP_S))),
    )


@solara.component
def Levers(paths):
    solara.Markdown("**Reforms**: strength 0 is off, 1 the reform scenario as written")
    solara.Checkbox(label="Also run each reform on its own", value=each_alone)
    for reform in REFORMS:
        setting = levers.value[reform.name]
        first = setting.start if setting.start is not None else paths[reform.name].default_start
        with solara.Column(gap="0px", classes=[f"lever-{reform.name}"]):
            solara.Markdown(f"**{reform.label}**")
            solara.SliderFloat(
                f"Strength {setting.strength:g}",
                value=setting.strength,
                min=STRENGTH_RANGE[0],
                max=STRENGTH_RANGE[1],
                step=0.1,
                on_value=lambda v, n=reform.name: set_lever(n, strength=round(v, 2)),
            )
            solara.SliderInt(
                f"From {first}",
                value=first,
                # The range always holds the value: a slider clamping it would move the
                # user's start year whenever the simulated years change.
                min=min(start.value, first),
                max=max(end.value, first),
                on_value=lambda v, n=reform.name: set_lever(n, start=v),
                disabled=setting.strength == 0,
            )


@solara.component
def RunControls():
    running = run_view.pending
    with solara.Row():
        solara.Button("Run", on_click=run_view, disabled=running, color="primary")
        solara.Button("Cancel", on_click=cancel, disabled=not running)
    solara.ProgressLinear(progress.value if running else False)
    solara.Text(status.value, classes=["run-status"])
    solara.Text(f"Time cap: {time_cap.value:g} s", style={"color": "#666"})


@solara.component
def Problems():
    if error.value:
        with solara.Error(icon=True):
            _Wrapped(error.value)
            if error_details.value:
                with solara.Details("Traceback"):
                    _Wrapped(error_details.value)


def _Wrapped(text: str):
    """Preformatted text that wraps long lines (scenario errors name long paths)."""
    solara.HTML(tag="pre", unsafe_innerHTML=html.escape(text), style=_WRAPPED)


@solara.component
def Answers(view: Shown):
    runs = view.runs
    years = sorted(int(y) for y in view.table.year.unique())
    default_years = sorted({years[0], years[len(years) // 2], years[-1]})
    chosen_years, set_years = solara.use_state(default_years, key=str(years))
    quantity, set_quantity = solara.use_state("income_pc")
    map_year, set_map_year = solara.use_state(years[-1])
    map_year = min(max(map_year, years[0]), years[-1])
    show_options = list(figures.MAP_SHOWS) if runs.reform else ["baseline"]
    show, set_show = solara.use_state(figures.MAP_SHOWS[0])
    show = show if show in show_options else show_options[0]
    diff = solara.use_memo(
        lambda: figures.headline_differences(view.table, view.names, chosen_years or years[-1:]),
        dependencies=[view, tuple(chosen_years)],
    )
    if not runs.complete:
        solara.Info("Baseline ready; the reform is still running.")
    # Lazy tabs: a figure is drawn when its tab is opened, not with every run.
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Indicators"):
            solara.Image(view.indicators_png, classes=["indicator-figure"])
        with solara.lab.Tab("Map"):
            with solara.Row():
                solara.Select(
                    "Quantity",
                    values=list(figures.MAP_QUANTITIES),
                    value=quantity,
                    on_value=set_quantity,
                )
                solara.SliderInt(
                    f"Year {map_year}",
                    value=map_year,
                    min=years[0],
                    max=years[-1],
                    on_value=set_map_year,
                )
                solara.ToggleButtonsSingle(value=show, values=show_options, on_value=set_show)
            MapImage(runs, quantity, map_year, show)
        with solara.lab.Tab("Differences"):
            solara.SelectMultiple(
                "Years", values=chosen_years, all_values=years, on_value=set_years
            )
            title = "Reform minus baseline" if len(view.names) > 1 else "Baseline levels"
            solara.Markdown(f"**{title}** (mean and 5-95% over replicates, panel units)")
            solara.DataFrame(figures.differences_view(diff), items_per_page=30)
        with solara.lab.Tab("Levers"):
            LeverTimeline(view)
        with solara.lab.Tab("Downloads"):
            Downloads(view, diff, chosen_years or years[-1:])


@solara.component
def MapImage(runs: RunSet, quantity: str, year: int, show: str):
    png = solara.use_memo(
        lambda: figures.figure_png(figures.map_figure(runs, quantity, year, show), dpi=90),
        dependencies=[runs, quantity, year, show],
    )
    solara.Image(png)


@solara.component
def LeverTimeline(view: Shown):
    png = solara.use_memo(
        lambda: figures.figure_png(figures.lever_figure(view.table, view.names), dpi=90),
        dependencies=[view],
    )
    solara.Image(png)


@solara.component
def Downloads(view: Shown, diff, years: list[int]):
    runs = view.runs
    name = (runs.plan.reform or runs.plan.baseline).name
    solara.Markdown(
        "The scenario file reproduces this view with `countysim run` (see its first lines)."
    )
    with solara.Column():
        solara.FileDownload(
            lambda: figures.scenario_yaml(runs.plan),
            filename=f"{name}.yaml",
            label="Scenario YAML",
            mime_type="text/yaml",
        )
        solara.FileDownload(
            lambda: figures.csv_bytes(view.table),
            filename=f"{name}_runs.csv",
            label="County tables (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: figures.csv_bytes(diff),
            filename=f"{name}_differences.csv",
            label="Differences (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: figures.report_html(runs, view.table, years),
            filename=f"{name}_report.html",
            label="Report (HTML)",
            mime_type="text/html",
        )


@solara.component
def Page():
    directory = scenarios_dir()
    files = solara.use_memo(lambda: scenario_files(directory), dependencies=[str(directory)])
    explorer = shared_explorer(directory)

    def first_county():
        if not county.value and files:
            pick_county(str(files[0]))

    solara.use_effect(first_county, [])
    # Start the worker process while the user looks at the page, not when Run is pressed.
    solara.use_effect(explorer.start, [])
    solara.Title("countysim explore")
    with solara.Sidebar():
        CountyPicker(files, directory)
        Settings()
        with solara.Details("Further settings (key=value, one a line, as with --set)"):
            with solara.Column(classes=["overrides"]):
                solara.InputTextArea("Overrides", value=extra, rows=3)
    with solara.Columns([1, 3]):
        with solara.Column():
            RunControls()
            Levers(explorer.paths)
        with solara.Column():
            Problems()
            if shown.value is not None:
                Answers(shown.value)
            else:
                solara.Info("Pick a county, move the levers and press Run.")
