"""Moves between levels: yearly flows as small multiples by destination, and the flow
diagram of a period."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from countysim.analysis import COLUMNS
from countysim.figures.style import (
    _FLOWS_COLUMNS,
    _ORIGIN_MARKERS,
    _STYLE,
    BAND_QUANTILES,
    LEVEL_COLORS,
    LEVEL_LABELS,
    _band_handle,
    _fill_band,
    _marker_for,
    _new_axes,
    _period,
    _replicate_count,
    _require,
    _style_axes,
    _thousands_formatter,
    _year_axis,
)

#: Levels from the top to the bottom of the flow diagram.
_FLOW_ORDER = ("city", "county_town", "township", "village")


#: Destination levels of the migration panels, from the top of the hierarchy down.
MIGRATION_PANELS = ("city", "county_town", "township", "village")


def migration_table(
    flows: pd.DataFrame, exclude: Iterable[tuple[str, str]] = (("village", "village"),)
) -> pd.DataFrame:
    """Persons moving per year by (replicate,) year and (origin, destination) pair, pairs
    listed in ``exclude`` left out; missing years and pairs are zero."""
    _require(flows, _FLOWS_COLUMNS, "flows")
    by_run = ["replicate"] if _replicate_count(flows) > 1 else []
    df = flows[[*_FLOWS_COLUMNS, *by_run]].copy()
    df["year"] = pd.to_numeric(df["year"]).round().astype(int)
    df["persons"] = pd.to_numeric(df["persons"], errors="coerce").fillna(0.0).astype(float)
    pairs = pd.MultiIndex.from_arrays(
        [df["origin_level"].astype(str), df["destination_level"].astype(str)]
    )
    excluded = [(str(o), str(d)) for o, d in exclude]
    df = df[~pairs.isin(excluded)] if excluded else df
    years = np.sort(flows["year"].round().astype(int).unique())
    index = (
        pd.MultiIndex.from_product([np.sort(flows["replicate"].unique()), years])
        if by_run
        else pd.Index(years)
    )
    index.names = [*by_run, "year"]
    if df.empty:
        return pd.DataFrame(index=index)
    table = df.pivot_table(
        index=[*by_run, "year"],
        columns=["origin_level", "destination_level"],
        values="persons",
        aggfunc="sum",
        fill_value=0.0,
    )
    return table.reindex(index, fill_value=0.0)


def plot_migration(
    flows: pd.DataFrame,
    fig: Figure | SubFigure | None = None,
    *,
    exclude: Iterable[tuple[str, str]] = (("village", "village"),),
) -> Figure | SubFigure:
    """Persons moving per year between levels as small multiples: one panel per
    destination level (outside cities, county town, township seats, villages), one line
    per origin level in the origin's colour, on a shared y axis.

    Moves listed in ``exclude`` (by default village -> village) are left out; origins that
    never send anyone to a destination are not drawn. For replicates the lines are the
    mean over the replicates with their 90% band. Draws on ``fig`` (a Figure or SubFigure)
    or on a new figure, and returns it.
    """
    table = migration_table(flows, exclude)
    replicates = _replicate_count(flows)
    per_run = None
    if replicates > 1 and not table.empty:
        per_run, table = table, table.groupby(level="year").mean()
    years = table.index.get_level_values("year").unique().to_numpy()
    with mpl.rc_context(_STYLE):
        if fig is None:
            fig = Figure(figsize=(9.0, 6.4), layout="constrained")
            FigureCanvasAgg(fig)
        axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
        marker = _marker_for(len(years))
        drawn = set()
        for ax, dest in zip(axes, MIGRATION_PANELS, strict=True):
            for origin in _FLOW_ORDER[::-1]:
                pair = (origin, dest)
                if pair not in table.columns or not (table[pair] > 0).any():
                    continue
                ax.plot(
                    table.index,
                    table[pair],
                    color=LEVEL_COLORS[origin],
                    marker=_ORIGIN_MARKERS[origin] if marker else None,
                    label=f"from {LEVEL_LABELS[origin]}",
                )
                drawn.add(origin)
                if per_run is not None:
                    _fill_band_of_runs(ax, per_run[pair], LEVEL_COLORS[origin])
            if not ax.lines:
                ax.text(0.5, 0.5, "no moves", transform=ax.transAxes, ha="center", color="0.4")
            _style_axes(ax)
            _year_axis(ax, years)
            ax.set_xlabel("")
            ax.set_title(f"Moving to {_DESTINATION_TITLES[dest]}", fontsize=10)
            ax.yaxis.set_major_formatter(_thousands_formatter())
        # once all panels are drawn: the shared axis then spans every panel's lines
        axes[0].set_ylim(bottom=0)
        for ax in axes[::2]:
            ax.set_ylabel("Persons per year")
        for ax in axes[2:]:
            ax.set_xlabel("Year")
        handles = [
            Line2D([], [], color=LEVEL_COLORS[o], label=f"from {LEVEL_LABELS[o]}")
            for o in _FLOW_ORDER[::-1]
            if o in drawn
        ]
        if replicates > 1:
            handles.append(_band_handle(replicates))
        if handles:
            fig.legend(handles=handles, loc="outside right upper", title="origin")
        fig.suptitle("Migration between levels")
    return fig


#: Panel titles of the destination levels.
_DESTINATION_TITLES = {
    "city": "outside cities",
    "county_town": "the county town",
    "township": "township seats",
    "village": "villages",
}


def _fill_band_of_runs(ax: Axes, series: pd.Series, color: str) -> None:
    """Band of a (replicate, year)-indexed series across replicates."""
    by_year = series.groupby(level="year")
    low, high = (by_year.quantile(q) for q in BAND_QUANTILES)
    _fill_band(ax, low.index, low, high, color)


def _band(x0: float, x1: float, a: tuple[float, float], b: tuple[float, float]) -> MplPath:
    """A ribbon from the vertical segment ``a`` at ``x0`` to ``b`` at ``x1`` (cubic edges)."""
    xm = (x0 + x1) / 2.0
    verts = [
        (x0, a[0]),
        (xm, a[0]),
        (xm, b[0]),
        (x1, b[0]),
        (x1, b[1]),
        (xm, b[1]),
        (xm, a[1]),
        (x0, a[1]),
        (x0, a[0]),
    ]
    c4, lt = MplPath.CURVE4, MplPath.LINETO
    codes = [MplPath.MOVETO, c4, c4, c4, lt, c4, c4, c4, MplPath.CLOSEPOLY]
    return MplPath(verts, codes)


def plot_flow_diagram(flows: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Sankey-style diagram of moves between levels (mean persons per year).

    Left: levels people leave, right: levels they arrive in; each ribbon is one origin ->
    destination pair, its width proportional to persons, coloured by origin. Node labels
    give the totals; ribbons of at least 3% of all moves are labelled with their volume.
    From :meth:`Analysis.flow_matrix`.
    """
    _require(flows, COLUMNS["flow_matrix"], "flow_matrix")
    start, end = int(flows["start"].iloc[0]), int(flows["end"].iloc[0])
    f = flows.pivot_table(
        index="origin_level",
        columns="destination_level",
        values="persons_per_year",
        aggfunc="sum",
        fill_value=0.0,
    ).reindex(index=list(_FLOW_ORDER), columns=list(_FLOW_ORDER), fill_value=0.0)
    total = float(f.to_numpy().sum())
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes((7.6, 5.6))
        ax.set_title(f"Moves between levels, {_period(start, end)} (mean persons per year)")
        ax.set_axis_off()
        if total <= 0:
            ax.text(0.5, 0.5, "no moves", ha="center", va="center", color="0.4")
            return ax
        gap = 0.045 * total
        node_w, x_left, x_right = 0.035, 0.0, 1.0
        out_tot, in_tot = f.sum(axis=1), f.sum(axis=0)

        def node_tops(sizes: pd.Series) -> tuple[dict[str, float], float]:
            """Top of each level's node and the height of the column."""
            tops, y = {}, 0.0
            for level in _FLOW_ORDER:
                tops[level] = y
                y += sizes[level] + (gap if sizes[level] > 0 else 0.0)
            return tops, max(tops[level] + sizes[level] for level in _FLOW_ORDER)

        (left, h_left), (right, h_right) = node_tops(out_tot), node_tops(in_tot)
        height = max(h_left, h_right)
        ax.set_xlim(-0.28, 1.28)
        ax.set_ylim(1.07 * height, -0.1 * height)  # top to bottom
        # label a ribbon if it carries 3% of all moves and is tall enough for its text
        px_per_person = ax.bbox.height / (1.17 * height)
        text_px = 1.3 * 7.5 * ax.figure.dpi / 72.0
        min_label = max(0.03 * total, text_px / px_per_person)
        out_fill = dict.fromkeys(_FLOW_ORDER, 0.0)
        in_fill = dict.fromkeys(_FLOW_ORDER, 0.0)
        for o in _FLOW_ORDER:
            for d in _FLOW_ORDER:
                v = float(f.at[o, d])
                if v <= 0:
                    continue
                a0 = left[o] + out_fill[o]
                b0 = right[d] + in_fill[d]
                out_fill[o] += v
                in_fill[d] += v
                path = _band(x_left + node_w, x_right - node_w, (a0, a0 + v), (b0, b0 + v))
                ax.add_patch(
                    PathPatch(path, facecolor=LEVEL_COLORS[o], alpha=0.45, edgecolor="white")
                )
                if v >= min_label:
                    ax.text(
                        x_left + node_w + 0.015,
                        a0 + v / 2.0,
                        f"→ {LEVEL_LABELS[d]}  {v:,.0f}",
                        ha="left",
                        va="center",
                        fontsize=7.5,
                        color="0.1",
                    )
        for level in _FLOW_ORDER:
            for x, tops, sizes, ha, dx, verb in (
                (x_left, left, out_tot, "right", -0.02, "leave"),
                (x_right - node_w, right, in_tot, "left", node_w + 0.02, "arrive"),
            ):
                size = float(sizes[level])
                if size <= 0:
                    continue
                ax.add_patch(
                    Rectangle((x, tops[level]), node_w, size, color=LEVEL_COLORS[level], lw=0)
                )
                ax.text(
                    x + dx,
                    tops[level] + size / 2.0,
                    f"{LEVEL_LABELS[level].capitalize()}\n{size:,.0f} {verb} / year",
                    ha=ha,
                    va="center",
                    fontsize=8.5,
                )
        for x, header in ((x_left + node_w / 2, "From"), (x_right - node_w / 2, "To")):
            ax.text(x, -0.04 * height, header, ha="center", va="bottom", weight="bold")
        ax.text(
            0.5,
            height * 1.02,
            f"Ribbons under {min_label:,.0f} persons per year are not labelled.",
            ha="center",
            va="top",
            fontsize=7.5,
            color="0.35",
        )
    return ax
