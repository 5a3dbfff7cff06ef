"""Figures for countysim runs.

All functions draw with matplotlib's object-oriented API.  Figures created here are
plain :class:`matplotlib.figure.Figure` objects bound explicitly to the non-interactive
Agg canvas, so the module

* works on headless machines (no display, no GUI toolkit needed),
* never calls :func:`matplotlib.use`, never imports :mod:`matplotlib.pyplot` and
  never registers figures with pyplot's figure manager -- the caller's backend and
  global rcParams are left untouched and nothing has to be closed,
* applies its style only inside :func:`matplotlib.rc_context` blocks.

Every ``plot_*`` function accepts an existing ``ax`` (e.g. from ``plt.subplots``) and
returns the Axes it drew on; without ``ax`` a new standalone figure is created and its
Axes returned (``ax.figure`` is the figure).

Replicates: when a table holds several runs of one scenario (a ``replicate`` column, as
written by ``countysim run --replicates``), the lines are the mean over the replicates and a
shaded band holds the middle 90% of them (``BAND_QUANTILES``); the map shows the first
replicate.  Without a ``replicate`` column the figures are those of a single run.

Public API
----------
``LEVEL_COLORS``, ``LEVEL_LABELS``
    The palette used by every figure for the four place levels.
``plot_population``, ``plot_urbanization``, ``plot_income``, ``plot_migration``,
``plot_map``
    Single-panel plots.
``plot_overview``
    All five panels on one figure (used by ``results.plot()``).
``save_run_figures``
    Write one file per figure and format to a directory.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = [
    "BAND_QUANTILES",
    "LEVEL_COLORS",
    "LEVEL_LABELS",
    "MissingColumnsError",
    "plot_income",
    "plot_map",
    "plot_migration",
    "plot_overview",
    "plot_population",
    "plot_urbanization",
    "save_run_figures",
]

# --------------------------------------------------------------------------- style

#: One colour per place level, used by every figure (Okabe-Ito based, colour-blind safe).
LEVEL_COLORS: dict[str, str] = {
    "village": "#009E73",  # green
    "township": "#E69F00",  # orange
    "county_town": "#CC3311",  # red
    "city": "#0072B2",  # blue
}

#: Human-readable names of the levels (singular, for legends such as "village → city").
LEVEL_LABELS: dict[str, str] = {
    "village": "village",
    "township": "township",
    "county_town": "county town",
    "city": "city",
}

#: Colours of the two urbanization measures (not levels).
_MEASURE_COLORS = {"resident": "#0072B2", "registered": "#CC79A7"}

#: Line style and marker per origin level in the migration plot (colour = destination).
_ORIGIN_LINESTYLES = {
    "village": "-",
    "township": "--",
    "county_town": "-.",
    "city": ":",
}
_ORIGIN_MARKERS = {"village": "o", "township": "^", "county_town": "s", "city": "D"}

_COUNTY_LEVELS = ("county_town", "township", "village")
_FLOWS_COLUMNS = ("year", "origin_level", "destination_level", "persons")
_WORLD_COLUMNS = ("place_id", "name", "level", "parent", "x_km", "y_km")
_PLACES_COLUMNS = ("year", "place_id", "residents", "income_pc")
_ALL_LEVELS = ("village", "township", "county_town", "city")

_STYLE = {
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 9,
    "legend.framealpha": 0.85,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "lines.linewidth": 1.9,
    "lines.markersize": 4.5,
}

_TICK_LABELSIZE = 9

#: Quantiles across replicates of the band drawn around their mean: the middle 90% of runs.
BAND_QUANTILES = (0.05, 0.95)
_BAND_ALPHA = 0.18
_SAVE_DPI = 150
_SINGLE_FIGSIZE = (7.0, 4.4)
_MAP_FIGSIZE = (8.0, 6.6)


class MissingColumnsError(KeyError, ValueError):
    """A required column is missing from an input table (both a KeyError and ValueError)."""

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return str(self.args[0]) if self.args else ""


# ------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise a clear error if ``df`` is not a non-empty DataFrame holding ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{table!r} table must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnsError(
            f"{table!r} table is missing required column(s): {', '.join(map(repr, missing))}"
        )
    if df.empty:
        raise ValueError(f"{table!r} table is empty; nothing to plot")


def _new_axes(figsize: tuple[float, float]) -> Axes:
    """A standalone figure on the Agg canvas (no pyplot, no global registration)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _style_axes(ax: Axes, grid_axis: str = "y") -> None:
    ax.tick_params(labelsize=_TICK_LABELSIZE)
    if grid_axis:
        ax.grid(True, axis=grid_axis, alpha=0.3, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def _year_axis(ax: Axes, years: Sequence[int] | np.ndarray) -> None:
    """Integer year ticks, without thousands separators or offsets."""
    years = np.asarray(years)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, min_n_ticks=2))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(round(x))}"))
    if years.size:
        lo, hi = float(years.min()), float(years.max())
        pad = 0.03 * (hi - lo) if hi > lo else 0.5
        ax.set_xlim(lo - pad, hi + pad)
    ax.set_xlabel("Year")


def _marker_for(n_points: int) -> str | None:
    """Point markers only for short series, where they help reading single years."""
    return "o" if n_points <= 15 else None


def _thousands_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: f"{x:,.{decimals}f}")


def _by_year(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Rows sorted by year with integer years (averaging accidental duplicate years)."""
    out = df[["year", *columns]].copy()
    out["year"] = pd.to_numeric(out["year"]).round().astype(int)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce")
    return out.groupby("year", as_index=False)[list(columns)].mean().sort_values("year")


def _replicate_count(df: pd.DataFrame) -> int:
    """How many runs a table holds: the distinct values of its ``replicate`` column, else 1."""
    return int(df["replicate"].nunique()) if "replicate" in df.columns else 1


def _band_by_year(
    df: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The per-year ``BAND_QUANTILES`` of ``columns`` across replicates as (low, high) tables
    with the years of ``_by_year`` (whose mean over duplicate years is then the replicate
    mean); None for a single run, which has no band."""
    if _replicate_count(df) < 2:
        return None
    out = df[["year", *columns]].copy()
    out["year"] = pd.to_numeric(out["year"]).round().astype(int)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce")
    grouped = out.groupby("year")[list(columns)]
    low, high = (grouped.quantile(q).reset_index().sort_values("year") for q in BAND_QUANTILES)
    return low, high


def _fill_band(ax: Axes, years, low, high, color: str) -> None:
    ax.fill_between(years, low, high, color=color, alpha=_BAND_ALPHA, linewidth=0)


def _band_handle(replicates: int) -> Patch:
    """Legend entry explaining the bands of a figure drawn from several replicates."""
    low, high = (round(100 * q) for q in BAND_QUANTILES)
    label = f"mean of {replicates} replicates, {low}–{high}% band"
    return Patch(facecolor="0.5", alpha=2 * _BAND_ALPHA, linewidth=0, label=label)


def _legend(ax: Axes, replicates: int, handles: list | None = None, **kwargs):
    """``ax.legend(**kwargs)``, with the band entry added when the figure shows replicates."""
    if replicates < 2:
        return ax.legend(**kwargs) if handles is None else ax.legend(handles, **kwargs)
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    handles = [*handles, _band_handle(replicates)]
    return ax.legend(handles, [h.get_label() for h in handles], **kwargs)


# ------------------------------------------------------------------------ population

_POPULATION_SERIES = (
    ("residents_county_town", "county_town", "County town"),
    ("residents_township", "township", "Township seats"),
    ("residents_village", "village", "Villages"),
    ("residents_outside", "city", "Outside cities"),
)


def plot_population(county: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Residents by level over time, in thousands of persons.

    Lines for the county town, the township seats, the villages and the people from the
    county living in outside cities.  Needs ``year`` and the four ``residents_*`` columns.
    """
    cols = [c for c, _, _ in _POPULATION_SERIES]
    _require(county, ["year", *cols], "county")
    data = _by_year(county, cols)
    band = _band_by_year(county, cols)
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(data))
        for col, level, label in _POPULATION_SERIES:
            ax.plot(
                data["year"],
                data[col] / 1000.0,
                color=LEVEL_COLORS[level],
                marker=marker,
                label=label,
            )
            if band is not None:
                low, high = band
                _fill_band(
                    ax, low["year"], low[col] / 1000.0, high[col] / 1000.0, LEVEL_COLORS[level]
                )
        _style_axes(ax)
        _year_axis(ax, data["year"])
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Residents (thousand persons)")
        ax.set_title("Population by place of residence")
        _legend(ax, _replicate_count(county), loc="best", ncols=2)
    return ax


# -------------------------------------------------------------------- urbanization


def plot_urbanization(county: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Resident vs registered (hukou) urbanization rates in percent.

    Solid lines: shares among people living in the county; dashed lines: shares among
    everyone from the county wherever they live.  The gap between the resident and the
    registered rate of county residents is shaded; for replicates the solid lines get their
    90% bands instead (the dashed lines show the mean only, to keep the panel readable).
    """
    cols = [
        "urbanization_resident",
        "urbanization_registered",
        "urbanization_resident_origin",
        "urbanization_registered_origin",
    ]
    _require(county, ["year", *cols], "county")
    data = _by_year(county, cols)
    band = _band_by_year(county, cols)
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(data))
        years = data["year"]
        specs = (
            ("urbanization_resident", "resident", "-", "Resident, county residents"),
            ("urbanization_registered", "registered", "-", "Registered, county residents"),
            ("urbanization_resident_origin", "resident", "--", "Resident, all from county"),
            ("urbanization_registered_origin", "registered", "--", "Registered, all from county"),
        )
        for col, measure, ls, label in specs:
            ax.plot(
                years,
                100.0 * data[col],
                color=_MEASURE_COLORS[measure],
                linestyle=ls,
                marker=marker if ls == "-" else None,
                label=label,
            )
            if band is not None and ls == "-":
                low, high = band
                _fill_band(
                    ax, low["year"], 100.0 * low[col], 100.0 * high[col], _MEASURE_COLORS[measure]
                )
        if band is None:
            ax.fill_between(
                years,
                100.0 * data["urbanization_registered"],
                100.0 * data["urbanization_resident"],
                color=_MEASURE_COLORS["resident"],
                alpha=0.10,
                linewidth=0,
                label="Resident–registered gap",
            )
        _style_axes(ax)
        _year_axis(ax, years)
        top = float(np.nanmax(100.0 * data[cols].to_numpy())) if len(data) else 100.0
        ax.set_ylim(0, min(100.0, max(10.0, math.ceil(top / 10.0) * 10.0 + 5.0)))
        ax.set_ylabel("Urbanization rate (%)")
        ax.set_title("Resident vs registered urbanization")
        _legend(ax, _replicate_count(county), loc="best", ncols=1)
    return ax


# -------------------------------------------------------------------------- income


def plot_income(county: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Urban and rural disposable income per person (left, yuan) and their ratio (right).

    Returns the left Axes; the ratio Axes is a ``twinx`` of it in the same figure.
    """
    cols = ["income_urban_pc", "income_rural_pc", "income_ratio"]
    _require(county, ["year", *cols], "county")
    data = _by_year(county, cols)
    band = _band_by_year(county, cols)
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(data))
        years = data["year"]
        h_urban = ax.plot(
            years,
            data["income_urban_pc"],
            color=LEVEL_COLORS["county_town"],
            marker=marker,
            label="Urban income per person",
        )
        h_rural = ax.plot(
            years,
            data["income_rural_pc"],
            color=LEVEL_COLORS["village"],
            marker=marker,
            label="Rural income per person",
        )
        if band is not None:
            low, high = band
            for col, level in (("income_urban_pc", "county_town"), ("income_rural_pc", "village")):
                _fill_band(ax, low["year"], low[col], high[col], LEVEL_COLORS[level])
        _style_axes(ax)
        _year_axis(ax, years)
        # headroom: incomes stay below ~70% of the height, the legend sits above them
        top = float(np.nanmax(data[["income_urban_pc", "income_rural_pc"]].to_numpy()))
        ax.set_ylim(0, 1.42 * top if np.isfinite(top) and top > 0 else None)
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Disposable income (yuan per person per year)")

        ax2 = ax.twinx()
        h_ratio = ax2.plot(
            years,
            data["income_ratio"],
            color="0.25",
            linestyle="--",
            marker="s" if marker else None,
            markersize=3.5,
            label="Urban/rural ratio (right axis)",
        )
        if band is not None:
            low, high = band
            _fill_band(ax2, low["year"], low["income_ratio"], high["income_ratio"], "0.25")
        ax2.tick_params(labelsize=_TICK_LABELSIZE)
        ax2.spines[["top", "left", "bottom"]].set_visible(False)
        ratio = data["income_ratio"].to_numpy(dtype=float)
        if band is not None:  # keep the whole band inside the ratio's part of the panel
            ratio = np.concatenate([ratio, *(b["income_ratio"].to_numpy(float) for b in band)])
        if np.isfinite(ratio).any():
            # the ratio line occupies the band 15%..65% of the height (below the legend)
            lo, hi = float(np.nanmin(ratio)), float(np.nanmax(ratio))
            bottom = max(0.0, lo - 0.15 * max(hi - lo, 0.1) / 0.5)
            ax2.set_ylim(bottom, bottom + (hi - bottom) / 0.65)
        ax2.yaxis.set_major_formatter(_thousands_formatter(decimals=2))
        ax2.set_ylabel("Urban/rural income ratio")
        ax2.set_xlim(ax.get_xlim())

        handles = [*h_urban, *h_rural, *h_ratio]
        if band is None:
            ax.legend(handles, [h.get_label() for h in handles], loc="upper left")
        else:
            _legend(ax, _replicate_count(county), handles, loc="upper left")
        ax.set_title("Urban and rural income")
    return ax


# ----------------------------------------------------------------------- migration


def plot_migration(
    flows: pd.DataFrame,
    ax: Axes | None = None,
    *,
    min_share: float = 0.01,
    max_pairs: int = 8,
    exclude: Iterable[tuple[str, str]] = (("village", "village"),),
) -> Axes:
    """Persons moving per year between levels, one line per origin → destination pair.

    Moves listed in ``exclude`` (by default village → village, i.e. moves between or
    within villages) are left out.  Pairs are kept if they carry at least ``min_share``
    of all remaining moves over the run, at most ``max_pairs`` of them (largest first);
    the rest is summed into one grey "other moves" line.  Line colour = destination level,
    line style = origin level.  For replicates, pairs are chosen by their mean over the
    replicates and each line has its 90% band.
    """
    _require(flows, _FLOWS_COLUMNS, "flows")
    replicates = _replicate_count(flows)
    by_run = ["replicate"] if replicates > 1 else []
    df = flows[[*_FLOWS_COLUMNS, *by_run]].copy()
    df["year"] = pd.to_numeric(df["year"]).round().astype(int)
    df["persons"] = pd.to_numeric(df["persons"], errors="coerce").fillna(0.0).astype(float)
    df["origin_level"] = df["origin_level"].astype(str)
    df["destination_level"] = df["destination_level"].astype(str)
    excluded = {(str(o), str(d)) for o, d in exclude}
    pair_idx = pd.MultiIndex.from_arrays([df["origin_level"], df["destination_level"]])
    df = df[~pair_idx.isin(list(excluded))] if excluded else df

    years = np.sort(df["year"].unique()) if len(df) else np.sort(flows["year"].unique())
    index = (
        pd.MultiIndex.from_product(
            [np.sort(flows["replicate"].unique()), years], names=[*by_run, "year"]
        )
        if by_run
        else pd.Index(years, name="year")
    )
    table = (
        df.pivot_table(
            index=[*by_run, "year"],
            columns=["origin_level", "destination_level"],
            values="persons",
            aggfunc="sum",
            fill_value=0.0,
        )
        if len(df)
        else pd.DataFrame(index=index)
    )
    table = table.reindex(index, fill_value=0.0)
    per_run = None
    if by_run:  # one row per replicate and year; the lines are the mean over replicates
        per_run, table = table, table.groupby(level="year").mean()
    totals = table.sum(axis=0).sort_values(ascending=False)
    grand = float(totals.sum())
    keep = [p for p in totals.index if grand > 0 and totals[p] >= min_share * grand][:max_pairs]
    other = [p for p in totals.index if p not in keep and totals[p] > 0]

    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(years))
        for origin, dest in keep:
            ax.plot(
                table.index,
                table[(origin, dest)],
                color=LEVEL_COLORS.get(dest, "0.3"),
                linestyle=_ORIGIN_LINESTYLES.get(origin, "-"),
                marker=_ORIGIN_MARKERS.get(origin, "o") if marker else None,
                label=f"{LEVEL_LABELS.get(origin, origin)} → {LEVEL_LABELS.get(dest, dest)}",
            )
            if per_run is not None:
                _fill_band_of_runs(ax, per_run[(origin, dest)], LEVEL_COLORS.get(dest, "0.3"))
        if other:
            ax.plot(
                table.index,
                table[other].sum(axis=1),
                color="0.6",
                linewidth=1.2,
                label=f"other moves ({len(other)} pairs)",
            )
            if per_run is not None:
                _fill_band_of_runs(ax, per_run[other].sum(axis=1), "0.6")
        if not keep and not other:
            ax.text(
                0.5,
                0.5,
                "no moves between levels",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="0.4",
            )
        _style_axes(ax)
        _year_axis(ax, years)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Persons moving per year")
        ax.set_title("Migration between levels")
        if keep or other:
            _legend(
                ax,
                replicates,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                borderaxespad=0.0,
                title="origin → destination",
            )
    return ax


def _fill_band_of_runs(ax: Axes, series: pd.Series, color: str) -> None:
    """Band of a (replicate, year)-indexed series across replicates."""
    by_year = series.groupby(level="year")
    low, high = (by_year.quantile(q) for q in BAND_QUANTILES)
    _fill_band(ax, low.index, low, high, color)


# ----------------------------------------------------------------------------- map

_MAP_MARKERS = {"county_town": "s", "township": "^", "village": "o"}
_MAP_EDGES = {
    # (edge colour, edge width)
    "county_town": ("black", 1.3),
    "township": ("0.15", 1.0),
    "village": ("white", 0.4),
}
_MAP_LABELS = {"county_town": "County town", "township": "Township seat", "village": "Village"}
_MAX_MARKER_AREA = 1400.0  # points^2 of the largest place (circle-equivalent)


def _marker_area(marker: str) -> float:
    """Filled area (in markersize^2 units) of a matplotlib marker."""
    style = MarkerStyle(marker)
    path = style.get_path().transformed(style.get_transform())
    area = 0.0
    for poly in path.to_polygons():
        x, y = poly[:, 0], poly[:, 1]
        area += 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    return area


def _area_factor(marker: str) -> float:
    """Scale for scatter ``s`` so that ``marker`` covers the same area as a circle."""
    return _marker_area("o") / _marker_area(marker)


def _nice_sizes(vmin: float, vmax: float, n: int = 4) -> list[float]:
    """Up to ``n`` round reference values (1, 2, 5 x 10^k) spread between vmin and vmax."""
    if not (vmax > 0):
        return []
    vmin = max(vmin, vmax / 1000.0, 1.0)
    lo, hi = math.floor(math.log10(vmin)), math.ceil(math.log10(vmax))
    cands = [m * 10.0**k for k in range(lo, hi + 1) for m in (1, 2, 5)]
    cands = [c for c in cands if vmin * 0.8 <= c <= vmax]
    if not cands:
        return [float(f"{vmax:.1g}")]
    if len(cands) <= n:
        return cands
    idx = np.unique(np.round(np.linspace(0, len(cands) - 1, n)).astype(int))
    return [cands[i] for i in idx]


def _fmt_persons(v: float) -> str:
    return f"{v / 1000:,.0f}k" if v >= 10_000 else f"{v:,.0f}"


def map_colorbar(ax: Axes, norm, cmap, label: str):
    """The colour bar under a county map, in the style every map shares."""
    cbar = ax.figure.colorbar(
        mpl.cm.ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        location="bottom",
        shrink=0.8,
        aspect=35,
        pad=0.02,
    )
    cbar.set_label(label)
    cbar.ax.tick_params(labelsize=_TICK_LABELSIZE)
    return cbar


def plot_map(
    world: pd.DataFrame,
    places: pd.DataFrame,
    year: int | None = None,
    ax: Axes | None = None,
    *,
    label_places: bool = True,
) -> Axes:
    """Map of the county: one marker per place at (x_km, y_km).

    Marker area is proportional to residents in ``year`` (default: last year in
    ``places``), colour shows income per person (colour bar in yuan).  County town and
    township seats have their own marker shapes and dark edges; township → county-town
    and village → township links are drawn faintly.  Outside cities are not shown.
    Tables of several replicates are mapped for their first replicate: each replicate
    draws its own village positions, so there is no mean map.
    """
    _require(world, _WORLD_COLUMNS, "world")
    _require(places, _PLACES_COLUMNS, "places")
    replicates = _replicate_count(places)
    if "replicate" in places.columns:
        first = places["replicate"].min()
        places = places[places["replicate"] == first]
        if "replicate" in world.columns:
            world = world[world["replicate"] == first]

    years = pd.to_numeric(places["year"]).round().astype(int)
    if year is None:
        year = int(years.max())
    elif int(year) not in set(years):
        raise ValueError(
            f"year {year} not in 'places' table (available: {years.min()}..{years.max()})"
        )
    year = int(year)

    geo = world.loc[world["level"].isin(_COUNTY_LEVELS), list(_WORLD_COLUMNS)]
    if geo.empty:
        raise ValueError("'world' table has no county-level places to map")
    snap = places.loc[years == year, ["place_id", "residents", "income_pc"]]
    snap = snap.groupby("place_id", as_index=False).agg(
        residents=("residents", "sum"), income_pc=("income_pc", "mean")
    )
    data = geo.merge(snap, on="place_id", how="left")
    data["residents"] = pd.to_numeric(data["residents"], errors="coerce").fillna(0.0)
    data["income_pc"] = pd.to_numeric(data["income_pc"], errors="coerce")

    rmax = float(data["residents"].max())
    scale = _MAX_MARKER_AREA / rmax if rmax > 0 else 0.0
    income = data["income_pc"].to_numpy(dtype=float)
    finite = income[np.isfinite(income)]
    norm = Normalize(*(finite.min(), finite.max()) if finite.size else (0.0, 1.0))
    if norm.vmin == norm.vmax:
        norm = Normalize(norm.vmin * 0.95 - 1.0, norm.vmax * 1.05 + 1.0)
    cmap = mpl.colormaps["viridis"].with_extremes(bad="0.75")

    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_MAP_FIGSIZE)

        # faint links child -> parent
        pos = data.set_index("place_id")[["x_km", "y_km", "level"]]
        for child_level, parent_level, lw, alpha in (
            ("village", "township", 0.6, 0.35),
            ("township", "county_town", 1.1, 0.45),
        ):
            kids = data[data["level"] == child_level]
            segs = []
            for _, row in kids.iterrows():
                p = row["parent"]
                if p in pos.index and pos.at[p, "level"] == parent_level:
                    segs.append(
                        [(row["x_km"], row["y_km"]), (pos.at[p, "x_km"], pos.at[p, "y_km"])]
                    )
            if segs:
                ax.add_collection(
                    LineCollection(segs, colors="0.35", linewidths=lw, alpha=alpha, zorder=1)
                )

        mappable = None
        for z, level in enumerate(("village", "township", "county_town")):
            sub = data[data["level"] == level]
            if sub.empty:
                continue
            marker = _MAP_MARKERS[level]
            edge, ew = _MAP_EDGES[level]
            sizes = sub["residents"].to_numpy(dtype=float) * scale * _area_factor(marker)
            sc = ax.scatter(
                sub["x_km"],
                sub["y_km"],
                s=np.maximum(sizes, 3.0),
                c=sub["income_pc"].to_numpy(dtype=float),
                cmap=cmap,
                norm=norm,
                marker=marker,
                edgecolors=edge,
                linewidths=ew,
                zorder=2 + z,
                plotnonfinite=True,
            )
            mappable = sc if mappable is None else mappable

        if label_places:
            for _, row in data[data["level"].isin(("county_town", "township"))].iterrows():
                big = row["level"] == "county_town"
                area = row["residents"] * scale * _area_factor(_MAP_MARKERS[row["level"]])
                r_pt = math.sqrt(max(area, 3.0)) / 2.0
                ax.annotate(
                    str(row["name"]),
                    (row["x_km"], row["y_km"]),
                    xytext=(0, r_pt + 3.0),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=9 if big else 7.5,
                    fontweight="bold" if big else "normal",
                    color="0.1",
                    zorder=6,
                )

        ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0.10)
        _style_axes(ax, grid_axis="both")
        ax.set_xlabel("x (km)")
        ax.set_ylabel("y (km)")
        ax.set_title(
            f"County map, {year}"
            + (f" (replicate {first} of {replicates})" if replicates > 1 else "")
        )

        if mappable is not None:
            cbar = map_colorbar(ax, norm, cmap, "Income per person (yuan per year)")
            cbar.locator = MaxNLocator(nbins=6)
            cbar.formatter = _thousands_formatter()
            cbar.update_ticks()

        # legends: place types, then residents (marker area)
        shape_handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=_MAP_MARKERS[lv],
                markersize=9 * math.sqrt(_area_factor(_MAP_MARKERS[lv])),
                markerfacecolor="0.8",
                markeredgecolor=_MAP_EDGES[lv][0] if lv != "village" else "0.5",
                markeredgewidth=_MAP_EDGES[lv][1],
                label=_MAP_LABELS[lv],
            )
            for lv in ("county_town", "township", "village")
            if (data["level"] == lv).any()
        ]
        leg1 = ax.legend(
            handles=shape_handles,
            title="Place type",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            labelspacing=0.9,
        )
        positive = data.loc[data["residents"] > 0, "residents"]
        ref = _nice_sizes(float(positive.min()), rmax) if len(positive) else []
        if ref and scale > 0:
            ax.add_artist(leg1)
            # add_artist clips to the axes patch, which would hide the part of the legend
            # outside the axes from tight bbox / constrained layout computations
            leg1.set_clip_on(False)
            size_handles = [
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=max(math.sqrt(v * scale), 1.5),
                    markerfacecolor="none",
                    markeredgecolor="0.3",
                    label=_fmt_persons(v),
                )
                for v in ref
            ]
            # circles larger than the handle box overflow it: keep the text centred on the
            # circles (default handle height), but space rows and pad the frame so that
            # neighbouring circles and the frame do not overlap
            fs = mpl.rcParams["legend.fontsize"]
            fs = float(fs) if isinstance(fs, float | int) else 8.5
            d = [h.get_markersize() for h in size_handles]
            gap = max([(a + b) / 2.0 for a, b in zip(d, d[1:], strict=False)] + [fs])
            ax.legend(
                handles=size_handles,
                title="Residents",
                loc="lower left",
                bbox_to_anchor=(1.02, 0.0),
                borderaxespad=0.0,
                handlelength=max(d[-1] / fs + 0.4, 2.0),
                labelspacing=max(gap / fs - 0.7 + 0.35, 0.5),
                borderpad=max((d[-1] / 2.0 - 0.35 * fs) / fs + 0.4, 0.4),
                handletextpad=0.6,
            )
    return ax


# ------------------------------------------------------------------- multi-figure


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


def plot_overview(
    county: pd.DataFrame,
    flows: pd.DataFrame,
    places: pd.DataFrame,
    world: pd.DataFrame,
    year: int | None = None,
) -> Figure:
    """All five panels on one figure (population, urbanization, income, migration, map).

    The figure is a standalone :class:`~matplotlib.figure.Figure` on the Agg canvas;
    save it with ``fig.savefig(...)`` or display it in a notebook (``display(fig)``).
    """
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(18.0, 10.5), layout="constrained")
        FigureCanvasAgg(fig)
        # two subfigures, so the outside legends of the bottom row do not widen the
        # column margins of the top row (constrained layout aligns margins per grid)
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.3], hspace=0.02)
        ax_pop, ax_urb, ax_inc = top.subplots(1, 3)
        ax_mig, ax_map = bottom.subplots(1, 2, width_ratios=[1.0, 1.0])
        plot_population(county, ax=ax_pop)
        plot_urbanization(county, ax=ax_urb)
        plot_income(county, ax=ax_inc)
        plot_migration(flows, ax=ax_mig)
        plot_map(world, places, year=year, ax=ax_map)
        # on the top subfigure, so constrained layout reserves room for it
        top.suptitle("countysim run overview")
    return fig


def save_run_figures(
    county: pd.DataFrame,
    flows: pd.DataFrame,
    places: pd.DataFrame,
    world: pd.DataFrame,
    outdir: str | Path,
    formats: Sequence[str] = ("png",),
    *,
    dpi: int = _SAVE_DPI,
    footer: str | None = None,
) -> list[Path]:
    """Write population, urbanization, income, migration and map figures to ``outdir``.

    One file per figure and format (e.g. ``population.png``); returns the written paths
    in that order (figures outer, formats inner).  ``outdir`` is created if needed.
    ``footer`` (the run's provenance) is printed small under every figure.
    """
    if isinstance(formats, str):
        formats = (formats,)
    fmts = [f.lower().lstrip(".") for f in formats]
    if not fmts:
        raise ValueError("formats must name at least one file format, e.g. ('png',)")
    supported = FigureCanvasAgg(Figure()).get_supported_filetypes()
    bad = [f for f in fmts if f not in supported]
    if bad:
        raise ValueError(f"unsupported figure format(s) {bad}; choose from {sorted(supported)}")

    # validate every table before writing anything, so a bad input leaves no partial output
    _require(county, ["year", *_COUNTY_COLUMNS], "county")
    _require(flows, _FLOWS_COLUMNS, "flows")
    _require(places, _PLACES_COLUMNS, "places")
    _require(world, _WORLD_COLUMNS, "world")

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    makers = (
        ("population", lambda: plot_population(county)),
        ("urbanization", lambda: plot_urbanization(county)),
        ("income", lambda: plot_income(county)),
        ("migration", lambda: plot_migration(flows)),
        ("map", lambda: plot_map(world, places)),
    )
    written: list[Path] = []
    for name, make in makers:
        fig = make().figure
        if footer:
            fig.text(0.0, -0.02, footer, fontsize=6, color="0.4", ha="left", va="top")
        for fmt in fmts:
            path = outdir / f"{name}.{fmt}"
            fig.savefig(path, dpi=dpi, bbox_inches="tight", format=fmt)
            written.append(path)
    return written
