"""The page of ``countysim explore``: pick a county, move the levers, run, read the answers.

Solara components only: what a control changes is a variable of the browser tab's session
(``session.py``), what a run needs is built by ``levers`` and run by ``state`` in the
background worker, what is shown comes from ``figures``.
"""

from __future__ import annotations

import html
from pathlib import Path

import solara
import solara.lab

from countysim import counties
from countysim.explore import figures
from countysim.explore.levers import (
    CENSUS_FILE,
    REFORMS,
    REPLICATE_RANGE,
    STRENGTH_RANGE,
    bounds,
    scenario_files,
)
from countysim.explore.session import (
    DEFAULT_TIME_CAP_S,
    Shown,
    cancel,
    census_code,
    census_query,
    county,
    county_facts_of,
    each_alone,
    end,
    error,
    error_details,
    extra,
    lever_settings,
    pick_county,
    progress,
    replicates,
    run_view,
    scale,
    scenarios_dir,
    set_lever,
    shown,
    start,
    status,
    time_cap,
    within_bounds,
)
from countysim.explore.state import RunSet, shared_explorer

_WRAPPED = "white-space: pre-wrap; word-break: break-word; font-size: 0.85em"
#: Census counties offered at once for a search.
CENSUS_CHOICES = 50


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
        lambda: county_facts_of(county.value, census_code.value),
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


@solara.component
def Settings():
    scale_b, start_b, end_b = bounds("simulation.scale"), bounds("years.start"), bounds("years.end")
    solara.InputInt(
        f"Persons per simulated row ({scale_b['ge']}-{scale_b['le']})",
        value=scale.value,
        on_value=lambda v: scale.set(int(within_bounds("simulation.scale", v or 1))),
    )
    with solara.Row():
        solara.InputInt(
            "First year",
            value=start.value,
            on_value=lambda v: start.set(int(within_bounds("years.start", v or start_b["ge"]))),
        )
        solara.InputInt(
            "Last year",
            value=end.value,
            on_value=lambda v: end.set(int(within_bounds("years.end", v or end_b["ge"]))),
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
        LeverControls(reform.name, reform.label, paths[reform.name].default_start)


@solara.component
def LeverControls(name: str, label: str, default_start: int):
    setting = lever_settings[name].value
    first = setting.start if setting.start is not None else default_start
    with solara.Column(gap="0px", classes=[f"lever-{name}"]):
        solara.Markdown(f"**{label}**")
        solara.SliderFloat(
            f"Strength {setting.strength:g}",
            value=setting.strength,
            min=STRENGTH_RANGE[0],
            max=STRENGTH_RANGE[1],
            step=0.1,
            on_value=lambda v: set_lever(name, strength=round(v, 2)),
        )
        solara.SliderInt(
            f"From {first}",
            value=first,
            # The range always holds the value: a slider clamping it would move the
            # user's start year whenever the simulated years change.
            min=min(start.value, first),
            max=max(end.value, first),
            on_value=lambda v: set_lever(name, start=v),
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
