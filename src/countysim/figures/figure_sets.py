"""Sets of figures: the overview figure, the run figures and the analysis figures of a run,
and writing them to files (one file per figure and format)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from countysim.analysis import Analysis
from countysim.figures.convergence import plot_beta, plot_sigma, plot_theil
from countysim.figures.county_map import plot_map
from countysim.figures.migrant_workers import (
    plot_age_profile,
    plot_migrant_destinations,
    plot_migrant_shares,
    plot_migrant_worker_ages,
)
from countysim.figures.migration_flows import plot_flow_diagram, plot_migration
from countysim.figures.net_migration_map import plot_net_migration_map
from countysim.figures.run_series import (
    _POPULATION_SERIES,
    plot_income,
    plot_income_ratio,
    plot_population,
    plot_urbanization,
)
from countysim.figures.style import (
    _FLOWS_COLUMNS,
    _PLACES_COLUMNS,
    _SAVE_DPI,
    _STYLE,
    _WORLD_COLUMNS,
    _require,
    check_formats,
    write_figures,
)
from countysim.provenance import footer as provenance_footer

_COUNTY_COLUMNS = (
    *(c for c, _, _ in _POPULATION_SERIES),
    "urbanization_resident",
    "urbanization_registered",
    "urbanization_resident_origin",
    "urbanization_registered_origin",
    "income_urban_pc",
    "income_rural_pc",
    "income_ratio",
)


def _tables(results_or_county, flows, places, world) -> tuple[pd.DataFrame, ...]:
    """The four tables of the run figures, from a Results or given one by one."""
    if flows is None and places is None and world is None:
        r = results_or_county
        return r.county, r.flows, r.places, r.world
    return results_or_county, flows, places, world


def plot_overview(
    county,
    flows: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    world: pd.DataFrame | None = None,
    year: int | None = None,
) -> Figure:
    """All run panels on one figure: population, urbanization, income and its ratio, the
    map, and migration by destination. ``county`` is a Results or the county table (then
    ``flows``, ``places`` and ``world`` are needed too).

    The figure is a standalone :class:`~matplotlib.figure.Figure` on the Agg canvas;
    save it with ``fig.savefig(...)`` or display it in a notebook (``display(fig)``).
    """
    county, flows, places, world = _tables(county, flows, places, world)
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(19.0, 11.5), layout="constrained")
        FigureCanvasAgg(fig)
        # subfigures, so the outside legends of the bottom row do not widen the column
        # margins of the top row (constrained layout aligns margins per grid)
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.5], hspace=0.02)
        ax_pop, ax_urb, ax_inc, ax_ratio = top.subplots(1, 4)
        left, right = bottom.subfigures(1, 2, width_ratios=[1.0, 1.0])
        plot_population(county, ax=ax_pop)
        plot_urbanization(county, ax=ax_urb)
        plot_income(county, ax=ax_inc)
        plot_income_ratio(county, ax=ax_ratio)
        plot_migration(flows, fig=left)
        plot_map(world, places, year=year, ax=right.subplots())
        top.suptitle("countysim run overview")
    return fig


def _side_by_side(width: float = 13.0, height: float = 4.6) -> tuple[Figure, Sequence[Axes]]:
    """A standalone figure with two panels side by side."""
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots(1, 2)


def run_figures(
    county,
    flows: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    world: pd.DataFrame | None = None,
) -> dict[str, Figure]:
    """The run figures by file name: ``population``, ``urbanization``, ``income`` (levels
    and ratio side by side), ``migration`` (small multiples) and ``map``. ``county`` is a
    Results or the county table (then the other tables are needed too)."""
    county, flows, places, world = _tables(county, flows, places, world)
    # check every table first, so a bad input fails before anything is drawn or written
    _require(county, ["year", *_COUNTY_COLUMNS], "county")
    _require(flows, _FLOWS_COLUMNS, "flows")
    _require(places, _PLACES_COLUMNS, "places")
    _require(world, _WORLD_COLUMNS, "world")
    income, (ax_level, ax_ratio) = _side_by_side()
    plot_income(county, ax=ax_level)
    plot_income_ratio(county, ax=ax_ratio)
    return {
        "population": plot_population(county).figure,
        "urbanization": plot_urbanization(county).figure,
        "income": income,
        "migration": plot_migration(flows),
        "map": plot_map(world, places).figure,
    }


def save_run_figures(
    county,
    flows: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    world: pd.DataFrame | None = None,
    outdir: str | os.PathLike | None = None,
    formats: str | Sequence[str] = ("png",),
    *,
    dpi: int = _SAVE_DPI,
    footer: str | None = None,
) -> list[Path]:
    """Write the figures of :func:`run_figures` to ``outdir``, one file per figure and
    format (``population.png``, ...); returns the paths, figures outer, formats inner.
    ``footer`` (the run's provenance) is printed small under every figure. Formats and
    tables are checked before anything is written."""
    if outdir is None:
        raise ValueError("outdir is required")
    fmts = check_formats(formats)
    figures = run_figures(county, flows, places, world)
    return write_figures(figures, outdir, fmts, dpi=dpi, footer=footer)


def analysis_figures(
    analysis: Analysis, start: int | None = None, end: int | None = None
) -> dict[str, Figure]:
    """Every analysis figure of a run over ``start..end`` (default: the whole run), by
    file name: ``sigma``, ``beta``, ``theil`` (by residence and by hukou), ``flows``,
    ``net_migration_map``, ``migrant_destinations`` (persons by workplace, and the local
    and far shares against the national survey), ``migrant_ages`` (movers and migrant
    workers by age)."""
    theil = analysis.theil()
    ages = analysis.age_profile(start, end)
    workers = analysis.migrant_workers()
    fig_theil, (ax_res, ax_huk) = _side_by_side()
    plot_theil(theil, "residence", ax=ax_res)
    plot_theil(theil, "hukou", ax=ax_huk)
    ax_huk.set_ylim(ax_res.get_ylim())
    fig_ages, (ax_moves, ax_workers) = _side_by_side()
    plot_age_profile(ages, ax=ax_moves)
    plot_migrant_worker_ages(ages, ax=ax_workers)
    fig_workers, (ax_where, ax_shares) = _side_by_side()
    plot_migrant_destinations(workers, ax=ax_where)
    plot_migrant_shares(workers, ax=ax_shares)
    return {
        "sigma": plot_sigma(analysis.sigma()).figure,
        "beta": plot_beta(analysis.beta_points(start, end), analysis.beta(start, end)).figure,
        "theil": fig_theil,
        "flows": plot_flow_diagram(analysis.flow_matrix(start, end)).figure,
        "net_migration_map": plot_net_migration_map(
            analysis.net_migration(start=start, end=end), analysis.world
        ).figure,
        "migrant_destinations": fig_workers,
        "migrant_ages": fig_ages,
    }


def save_analysis_figures(
    results,
    outdir: str | os.PathLike,
    formats: str | Sequence[str] = ("png", "svg"),
    *,
    dpi: int = _SAVE_DPI,
    provenance: bool = True,
) -> list[Path]:
    """Write every figure of :func:`analysis_figures` to ``outdir`` in each format.

    ``results`` is a :class:`countysim.results.Results` or an :class:`Analysis`. One file
    per figure and format (``sigma.png``, ``sigma.svg``, ...; raster formats at ``dpi``,
    SVG and PDF as vectors); returns the paths, figures outer, formats inner. With
    ``provenance`` the run's one-line provenance is printed small under each figure.
    """
    fmts = check_formats(formats)
    analysis = results if isinstance(results, Analysis) else Analysis(results)
    note = provenance_footer(analysis.results.manifest) if provenance else None
    return write_figures(analysis_figures(analysis), outdir, fmts, dpi=dpi, footer=note)
