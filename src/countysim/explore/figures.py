"""From a view's runs to what the page shows: tables, figures, downloads.

This is the app's one adapter to the project's result readers: the county tables, the
derived shares of ``countysim compare`` (near and far migration), the analysis accessors
(sigma convergence), the comparison report, and the indicator list of the comparison
figure. Figures here draw the baseline and the reform of one view on shared axes with
their replicate bands; they are matplotlib figures on the Agg canvas, made per request
and never registered with pyplot (the server is multi-threaded).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from countysim import counties
from countysim.analysis import Analysis
from countysim.compare import INDICATORS as COMPARE_INDICATORS
from countysim.compare import Comparison
from countysim.config import dump_yaml, resolved_dict
from countysim.config.schema import Scenario
from countysim.explore.levers import Plan
from countysim.explore.state import RunSet
from countysim.reports import render_comparison
from countysim.results import Results

#: Panels of the indicator figure: (column of the view table, title, unit, factor).
INDICATORS = (
    *COMPARE_INDICATORS[:3],
    ("sigma_county", "Income dispersion across places", "sd of log income (sigma)", 1),
    ("moves_to_county_town", "Moves into the county town", "persons per year", 1),
    ("moves_to_township", "Moves into township seats", "persons per year", 1),
    ("moves_to_city", "Moves to outside cities", "persons per year", 1),
    *COMPARE_INDICATORS[3:6],
    ("land_idle_share", "Idle land", "% of contracted land", 100),
    COMPARE_INDICATORS[6],
    ("pension_coverage_migrants", "Pension coverage of migrant workers", "% enrolled", 100),
    COMPARE_INDICATORS[7],
)

#: Place quantities the map can show: column of the places table -> label.
MAP_QUANTITIES = {
    "residents": "Residents (persons)",
    "registered": "Registered (hukou) persons",
    "income_pc": "Income per person (yuan)",
    "unemployment_rate": "Unemployment rate",
    "moves_in": "Moves in (persons per year)",
    "moves_out": "Moves out (persons per year)",
    "land_leased_mu": "Land leased (mu)",
    "land_idle_mu": "Land idle (mu)",
    "service_quality": "Public-service quality (index)",
    "idle_capacity": "Idle service capacity",
}
MAP_SHOWS = ("reform", "baseline", "reform minus baseline")

#: Baseline grey, the view's reform red, each lever alone (if asked) in the next colours.
_COLORS = ("#555555", "#CC3311", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9")
_STYLE = {"font.size": 8.5, "axes.spines.top": False, "axes.spines.right": False}
_MARKERS = {"county_town": ("*", 260), "township": ("s", 60), "village": ("o", 22)}


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _derived(results: Results) -> pd.DataFrame:
    """A run's county table with the shares and series the panels need that it lacks."""
    county = results.county
    out_workers = county[["migrants_near", "migrants_province", "migrants_far"]].sum(axis=1)
    flows = results.flows
    moved = flows[flows.origin_level != flows.destination_level]
    into = moved.pivot_table(
        index="year", columns="destination_level", values="persons", aggfunc="sum"
    ).reindex(county.year)
    sigma = Analysis(results).sigma().set_index("year")["sigma_county"].reindex(county.year)
    extra = {
        "near_share": county.migrants_near / out_workers.where(out_workers > 0),
        "far_share": county.migrants_far / out_workers.where(out_workers > 0),
        "sigma_county": sigma.to_numpy(),
    }
    for level in ("county_town", "township", "city"):
        series = into[level] if level in into else pd.Series(0.0, index=into.index)
        extra[f"moves_to_{level}"] = series.fillna(0.0).to_numpy()
    return county.assign(**extra)


def view_table(runs: RunSet) -> pd.DataFrame:
    """County tables of every run of the view, one row per scenario, replicate and year."""
    parts = []
    groups = [(runs.plan.baseline, runs.baseline)]
    if runs.reform is not None and runs.plan.reform is not None:
        groups.append((runs.plan.reform, runs.reform))
    groups += [(runs.plan.singles[name], alone) for name, alone in runs.singles.items()]
    for scenario, replicates in groups:
        for r, (seed, results) in enumerate(zip(runs.seeds, replicates, strict=True)):
            table = _derived(results)
            table.insert(0, "seed", seed)
            table.insert(0, "replicate", r)
            table.insert(0, "scenario", scenario.name)
            parts.append(table)
    return pd.concat(parts, ignore_index=True)


def indicator_figure(table: pd.DataFrame, names: list[str]) -> Figure:
    """One panel per indicator: baseline in grey, reform in red, 5-95% bands over replicates."""
    panels = [p for p in INDICATORS if p[0] in table]
    ncols = 4
    nrows = -(-len(panels) // ncols)
    replicates = table.replicate.nunique()
    height = 2.3 * nrows + 0.8
    with mpl.rc_context(_STYLE):
        # Fixed margins instead of a constrained layout: drawing this figure is the page's
        # first answer after a run, and solving the layout would more than double its cost.
        fig = Figure(figsize=(13.0, height))
        FigureCanvasAgg(fig)
        fig.subplots_adjust(
            left=0.05, right=0.995, top=1 - 0.75 / height, bottom=0.35 / height,
            wspace=0.34, hspace=0.36,
        )  # fmt: skip
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for ax, (column, title, unit, factor) in zip(axes, panels, strict=False):
            for i, name in enumerate(names):
                color = _COLORS[i % len(_COLORS)]
                lw = 1.7 if i < 2 else 1.2
                by_year = table[table.scenario == name].groupby("year")[column]
                mean = by_year.mean() * factor
                ax.plot(mean.index, mean.to_numpy(), color=color, lw=lw, label=name)
                if replicates > 1:
                    low, high = by_year.quantile(0.05) * factor, by_year.quantile(0.95) * factor
                    ax.fill_between(low.index, low, high, color=color, alpha=0.18, lw=0)
            ax.set_title(title, fontsize=9, fontweight="bold")
            ax.set_ylabel(unit)
            ax.grid(axis="y", alpha=0.3)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True, nbins=4))
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        band = f"bands: 5-95% of {replicates} replicates" if replicates > 1 else None
        legend_cols = min(len(labels), 4)
        fig.legend(
            handles, labels, loc="upper center", ncols=legend_cols, title=band, frameon=False
        )
        # The lowest panel of each column carries the year labels (sharex hides the others').
        for col in range(ncols):
            used = [r for r in range(nrows) if r * ncols + col < len(panels)]
            if used:
                axes[used[-1] * ncols + col].tick_params(labelbottom=True)
    return fig


def map_figure(runs: RunSet, quantity: str, year: int, show: str = "reform") -> Figure:
    """The county's places at their positions, coloured by ``quantity`` in ``year`` (first
    replicate: each replicate draws its own villages), sized by residents."""
    if quantity not in MAP_QUANTITIES:
        raise ValueError(f"unknown map quantity {quantity!r}; choose from {list(MAP_QUANTITIES)}")
    reform = runs.reform[0] if runs.reform else None
    if show != "baseline" and reform is None:
        show = "baseline"
    chosen = runs.baseline[0] if show == "baseline" else reform

    def values(results: Results) -> pd.DataFrame:
        p = results.places
        return p[p.year == year].set_index("place_id")[list({quantity: 0, "residents": 0})]

    world = chosen.world[chosen.world.level.isin(tuple(_MARKERS))].set_index("place_id")
    data = world.join(values(chosen))
    label = MAP_QUANTITIES[quantity]
    cmap, norm = mpl.colormaps["viridis"], None
    if show == "reform minus baseline":
        data[quantity] = data[quantity] - values(runs.baseline[0])[quantity]
        span = float(np.nanmax(np.abs(data[quantity]))) or 1.0
        cmap, norm = mpl.colormaps["RdBu_r"], mpl.colors.Normalize(-span, span)
        label = f"{label}: reform minus baseline"
    with mpl.rc_context(_STYLE):
        fig = _new_figure(6.4, 5.4)
        ax = fig.subplots()
        scatter = None
        size = np.sqrt(data.residents.fillna(0.0).clip(lower=0.0))
        size = 10 + 190 * size / max(float(size.max()), 1.0)
        for level, (marker, _) in _MARKERS.items():
            part = data[data.level == level]
            scatter = ax.scatter(
                part.x_km,
                part.y_km,
                c=part[quantity],
                s=size[part.index] * (2.5 if level == "county_town" else 1.0),
                marker=marker,
                cmap=cmap,
                norm=norm or mpl.colors.Normalize(data[quantity].min(), data[quantity].max()),
                edgecolors="black" if level != "village" else "none",
                linewidths=0.6,
                label=level.replace("_", " "),
            )
        fig.colorbar(scatter, ax=ax, label=label, shrink=0.8)
        ax.set_aspect("equal")
        ax.set_xlabel("km")
        ax.set_ylabel("km")
        ax.set_title(f"{show.capitalize()}, {year}; marker size: residents", fontsize=9)
        ax.legend(loc="lower left", fontsize=7, markerscale=0.6)
    return fig


def lever_figure(table: pd.DataFrame, names: list[str]) -> Figure:
    """The lever schedules of the view (first replicate): those a reform moves, or every
    lever when no reform is on."""
    levers = [c for c in table.columns if c.startswith("lever:")]
    first = table[table.replicate == 0]
    if len(names) > 1:
        a = first[first.scenario == names[0]][levers].to_numpy()
        b = first[first.scenario == names[1]][levers].to_numpy()
        levers = [c for i, c in enumerate(levers) if not np.allclose(a[:, i], b[:, i])]
    ncols = 3
    nrows = max(1, -(-len(levers) // ncols))
    with mpl.rc_context(_STYLE):
        fig = _new_figure(12.0, 1.9 * nrows + 0.4)
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for ax, lever in zip(axes, levers, strict=False):
            for name, color in zip(names[:2], _COLORS, strict=False):
                rows = first[first.scenario == name]
                ax.step(rows.year, rows[lever], where="post", color=color, lw=1.6, label=name)
            ax.set_title(lever.removeprefix("lever:"), fontsize=8.5)
            ax.grid(axis="y", alpha=0.3)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True, nbins=5))
        for ax in axes[len(levers) :]:
            ax.set_visible(False)
        if levers:
            fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=2)
    return fig


def headline_differences(table: pd.DataFrame, names: list[str], years: list[int]) -> pd.DataFrame:
    """Each scenario minus the baseline (``names[0]``) at ``years``, paired by replicate: the
    mean and the 5-95% range over replicates, one row per scenario, indicator and year, in
    the panels' units. Without a reform, the baseline's levels instead."""
    rows = []
    t = table[table.year.isin(years)].set_index(["scenario", "replicate", "year"]).sort_index()
    for name in names[1:] or names[:1]:
        for column, title, unit, factor in INDICATORS:
            if column not in t:
                continue
            base = t.loc[names[0], column] * factor
            values = (t.loc[name, column] * factor - base) if name != names[0] else base
            for year, group in values.groupby(level="year"):
                v = group.to_numpy(dtype=float)
                finite = np.isfinite(v).any()
                rows.append(
                    {
                        "scenario": name,
                        "indicator": title,
                        "unit": unit,
                        "year": int(year),
                        "mean": float(np.nanmean(v)) if finite else np.nan,
                        "p05": float(np.nanquantile(v, 0.05)) if finite else np.nan,
                        "p95": float(np.nanquantile(v, 0.95)) if finite else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def differences_view(diff: pd.DataFrame) -> pd.DataFrame:
    """The differences as the page shows them: one row per indicator, one column per year,
    the mean and, with several replicates, its 5-95% range."""
    if diff.empty:
        return diff

    def cell(row: pd.Series) -> str:
        text = f"{row['mean']:.4g}"
        if row["p05"] != row["p95"]:
            text += f" ({row['p05']:.3g} to {row['p95']:.3g})"
        return text

    shown = diff.assign(value=diff.apply(cell, axis=1))
    wide = shown.pivot(index=["scenario", "indicator", "unit"], columns="year", values="value")
    scenarios, indicators = list(dict.fromkeys(diff.scenario)), list(dict.fromkeys(diff.indicator))
    wide = wide.reindex(
        sorted(wide.index, key=lambda k: (scenarios.index(k[0]), indicators.index(k[1])))
    )
    wide.columns = [str(year) for year in wide.columns]
    return wide.reset_index()


def comparison(runs: RunSet, table: pd.DataFrame) -> Comparison:
    """The view as a ``countysim compare`` comparison (for its report)."""
    scenarios = [runs.plan.baseline] + ([runs.plan.reform] if runs.reform else [])
    scenarios += [runs.plan.singles[name] for name in runs.singles]
    return Comparison(
        table=table,
        scenarios=scenarios,
        seeds=runs.seeds,
        seconds=runs.seconds,
        started=pd.Timestamp.now("UTC"),
    )


def report_html(runs: RunSet, table: pd.DataFrame, years: list[int]) -> str:
    return render_comparison(comparison(runs, table), years, indicators=COMPARE_INDICATORS)


def scenario_yaml(plan: Plan) -> str:
    """The resolved scenario of the view (the reform if any lever is on), with a header that
    says how to reproduce the view's numbers from it."""
    scenario = plan.reform or plan.baseline
    header = (
        f"# Written by countysim explore: {scenario.name}.\n"
        "# The view's numbers are those of\n"
        f"#   countysim run {scenario.name}.yaml --replicates {plan.view.replicates}\n"
        "# whose replicate seeds derive from the seed below (common random numbers).\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        dump_yaml(resolved_dict(scenario), path)
        return header + path.read_text(encoding="utf-8")


def census_row(scenario: Scenario) -> pd.Series | None:
    """The census table's row of a county built from the census, else None."""
    census = scenario.county.census
    if census is None:
        return None
    found = counties(census.code) if census.code else counties(census.name)
    return found.iloc[0] if len(found) else None


def registered_population(scenario: Scenario) -> int | None:
    """The county's registered population as its scenario gives it, if it gives one."""
    county = scenario.county
    if county.generate is not None:
        return county.generate.registered_population
    row = census_row(scenario)
    if row is not None:
        return int(row["registered"])
    if county.places_file is not None:
        return int(pd.read_csv(county.places_file)["registered_population"].sum())
    return None


def county_facts(scenario: Scenario) -> list[tuple[str, str]]:
    """Key figures of a county as its scenario (and, for a census county, the census) say."""
    facts = [("Scenario", scenario.name), ("Years", f"{scenario.years.start}-{scenario.years.end}")]
    gen, row = scenario.county.generate, census_row(scenario)
    if gen is not None:
        facts += [
            ("Townships", str(gen.townships)),
            ("Villages", f"about {gen.townships * gen.villages_per_township}"),
            ("Radius", f"{gen.radius_km:g} km"),
            ("Urban hukou share", f"{gen.urban_hukou_share:.0%}"),
        ]
    elif row is not None:
        facts += [
            ("Census county", f"{row['name']} ({row['code']})"),
            (
                "Province, prefecture",
                f"{row['province']} ({row['province_en']}), {row['prefecture']}",
            ),
            ("Residents 2010", f"{int(row['residents']):,}"),
            ("Urban share of residents 2010", f"{row['urban_share']:.1%}"),
            ("Households 2010", f"{int(row['households']):,}"),
            ("Farm share of employment", f"{row['farm_employment_share']:.0%}"),
        ]
    else:
        facts.append(("Places file", Path(scenario.county.places_file).name))
    registered = registered_population(scenario)
    if registered is not None:
        facts.insert(2, ("Registered population", f"{registered:,}"))
    facts.append(("Outside cities", ", ".join(c.name for c in scenario.outside_cities)))
    return facts


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
