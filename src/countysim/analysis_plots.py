"""Figures of the analysis of a run: convergence, inequality and migration.

Each ``plot_*`` function draws one panel from a DataFrame of :class:`countysim.analysis.
Analysis` (the accessor named in its docstring) on a given ``ax`` or on a new standalone
figure, and returns the Axes. The style, palette and helpers are those of
:mod:`countysim.plots` (same conventions: Agg canvas, no pyplot, rcParams only inside
``rc_context``). :func:`analysis_figures` builds every figure of a run and
:func:`save_analysis_figures` writes them as PNG and vector files.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, PercentFormatter
from matplotlib.transforms import Bbox

from countysim.analysis import COLUMNS, GROUPS, Analysis
from countysim.plots import (
    _MAP_EDGES,
    _MAP_FIGSIZE,
    _MAP_LABELS,
    _MAP_MARKERS,
    _MEASURE_COLORS,
    _SAVE_DPI,
    _SINGLE_FIGSIZE,
    _STYLE,
    _TICK_LABELSIZE,
    LEVEL_COLORS,
    LEVEL_LABELS,
    _area_factor,
    _marker_for,
    _new_axes,
    _require,
    _style_axes,
    _thousands_formatter,
    _year_axis,
    map_colorbar,
)
from countysim.provenance import footer

__all__ = [
    "analysis_figures",
    "plot_age_profile",
    "plot_beta",
    "plot_flow_diagram",
    "plot_migrant_destinations",
    "plot_migrant_worker_ages",
    "plot_net_migration_map",
    "plot_sigma",
    "plot_theil",
    "save_analysis_figures",
]

#: Colours of the two groups of places in the convergence figures.
_GROUP_COLORS = {"county": "0.2", "villages": LEVEL_COLORS["village"]}
_GROUP_LABELS = {"county": "all county places", "villages": "villages"}
#: Colours of the between-group Theil term per split (the measure colours of plots.py).
_SPLIT_COLORS = {"residence": _MEASURE_COLORS["resident"], "hukou": _MEASURE_COLORS["registered"]}
_SPLIT_TITLES = {"residence": "urban and rural residents", "hukou": "urban and rural hukou"}
_WITHIN_COLOR = "0.82"
#: Where migrant workers work, from the home township outwards (Okabe-Ito colours).
_DESTINATIONS = (
    ("local", "Home township (local)", "#009E73"),
    ("near", "Rest of county, prefecture city", "#56B4E9"),
    ("province", "Elsewhere in the province", "#0072B2"),
    ("far", "Outside the province", "#CC79A7"),
)
#: Levels from the top to the bottom of the flow diagram.
_FLOW_ORDER = ("city", "county_town", "township", "village")
#: Marker areas (points²) per level on the net-migration map: at most the first number,
#: and at most the second divided by the number of places of the level (many villages get
#: smaller markers, so that they do not cover each other).
_NET_MAP_SIZES = {
    "county_town": (420.0, 420.0),
    "township": (190.0, 2800.0),
    "village": (75.0, 5000.0),
}


def _share_on_right_axis(ax: Axes, x, share, ylabel: str, marker: str | None) -> list:
    """A dashed share line (0-100%) on a right-hand twin of ``ax``; returns its handles."""
    right = ax.twinx()
    handles = right.plot(
        x,
        share,
        color="0.15",
        linestyle="--",
        marker=marker,
        markersize=3.5,
        label="Local share (right axis)",
    )
    right.set_ylim(0, 1.0)
    right.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    right.tick_params(labelsize=_TICK_LABELSIZE)
    right.spines[["top", "left", "bottom"]].set_visible(False)
    right.set_ylabel(ylabel)
    return handles


def _period(start: int, end: int) -> str:
    return f"{start}" if start == end else f"{start}–{end}"


def _signed(value: float, spec: str = ",.0f") -> str:
    """``+12`` or ``−12`` (a true minus sign, as on matplotlib's axes)."""
    return f"{value:+{spec}}".replace("-", "\u2212")


def _log_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """Up to ``n`` round values (1, 1.2, 1.5, 2, ... 9 x 10^k) between ``lo`` and ``hi`` > 0,
    spread evenly on a log scale (for an axis of incomes in yuan)."""
    k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    mantissas = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)
    rounds = [m * 10.0**k for k in range(k0, k1 + 1) for m in mantissas]
    rounds = np.array([r for r in rounds if lo <= r <= hi])
    if not rounds.size:
        return []
    targets = np.geomspace(rounds[0], rounds[-1], min(n, rounds.size))
    nearest = np.abs(np.log(rounds)[None, :] - np.log(targets)[:, None]).argmin(axis=1)
    return sorted(set(rounds[nearest].tolist()))


def _safe_log(x: np.ndarray) -> np.ndarray:
    """``ln x`` for axis transforms, which also pass 0 and negative values."""
    return np.log(np.clip(x, 1e-300, None))


# --------------------------------------------------------------------- convergence


def plot_sigma(sigma: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Sigma convergence: sd of log income per person across places over time.

    Solid lines: sigma across all county places and across villages; dashed: the
    coefficient of variation of income levels. From :meth:`Analysis.sigma`.
    """
    _require(sigma, COLUMNS["sigma"], "sigma")
    data = sigma.sort_values("year")
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(data))
        for group, color in _GROUP_COLORS.items():
            label = _GROUP_LABELS[group]
            ax.plot(
                data["year"],
                data[f"sigma_{group}"],
                color=color,
                marker=marker,
                label=f"σ, sd of log income, {label}",
            )
            ax.plot(
                data["year"],
                data[f"cv_{group}"],
                color=color,
                linestyle="--",
                linewidth=1.3,
                label=f"CV of income, {label}",
            )
        _style_axes(ax)
        _year_axis(ax, data["year"])
        top = np.nanmax(data[[c for c in data.columns if c[:3] in ("sig", "cv_")]].to_numpy())
        ax.set_ylim(0, 1.45 * top if np.isfinite(top) and top > 0 else 1.0)
        ax.set_ylabel("Dispersion across places (σ, CV)")
        ax.set_title("Sigma convergence of income per person")
        ax.legend(loc="upper left", ncols=2)
    return ax


def _beta_label(row: pd.Series) -> str:
    group = _GROUP_LABELS.get(row["group"], row["group"]).capitalize()
    beta, se, half = row["beta"], row["se"], row["half_life"]
    if not np.isfinite(beta):
        n = int(row["n"])
        return f"{group}: β not identified ({n} place{'s' if n != 1 else ''})"
    if np.isfinite(half):
        tail = f"half-life {half:,.0f} years"
    else:
        tail = "no convergence" if beta >= 0 else "overshooting"
    return f"{group}: β = {_signed(beta, '.4f')} (s.e. {se:.4f}), {tail}"


def plot_beta(points: pd.DataFrame, beta: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Beta convergence: average annual growth against initial log income, one point per
    place, with the least-squares line of each group of places.

    ``points`` from :meth:`Analysis.beta_points`, ``beta`` from :meth:`Analysis.beta`
    (same window); the legend gives each line's coefficient, standard error and
    half-life. The top axis shows the initial income in yuan.
    """
    _require(points, COLUMNS["beta_points"], "beta_points")
    _require(beta, COLUMNS["beta"], "beta")
    start, end = int(beta["start"].iloc[0]), int(beta["end"].iloc[0])
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes((7.4, 5.0))
        for level in ("village", "township", "county_town"):
            sub = points[points["level"] == level]
            if sub.empty:
                continue
            ax.scatter(
                sub["log_income_start"],
                100.0 * sub["growth"],
                s=26 * _area_factor(_MAP_MARKERS[level]) * (2.2 if level != "village" else 1),
                marker=_MAP_MARKERS[level],
                color=LEVEL_COLORS[level],
                edgecolors=_MAP_EDGES[level][0] if level != "village" else "white",
                linewidths=0.6,
                alpha=0.85,
                zorder=3,
                label=_MAP_LABELS[level],
            )
        for _, row in beta.iterrows():
            if not np.isfinite(row["beta"]):
                ax.plot([], [], color="none", label=_beta_label(row))  # a legend line only
                continue
            x = points.loc[points["level"].isin(GROUPS[row["group"]]), "log_income_start"]
            xs = np.linspace(x.min(), x.max(), 50)
            ax.plot(
                xs,
                100.0 * (row["intercept"] + row["beta"] * xs),
                color=_GROUP_COLORS.get(row["group"], "0.3"),
                linestyle="-" if row["group"] == "county" else "--",
                linewidth=1.8,
                zorder=2,
                label=_beta_label(row),
            )
        _style_axes(ax, grid_axis="both")
        ax.set_xlabel(f"Log income per person in {start} (ln yuan per year)")
        ax.set_ylabel(f"Average annual growth, {_period(start, end)} (% per year)")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.1f}".replace("-", "\u2212")))
        g = 100.0 * points["growth"]
        if len(g):
            lo, hi = float(g.min()), float(g.max())
            pad = max(hi - lo, 0.2)
            ax.set_ylim(lo - 0.12 * pad, hi + 0.75 * pad)  # room for the legend on top
        top = ax.secondary_xaxis("top", functions=(np.exp, _safe_log))
        top.set_xlabel(f"Income per person in {start} (yuan per year)")
        lo, hi = np.exp(ax.get_xlim())
        top.set_xticks(_log_ticks(lo, hi))
        top.xaxis.set_major_formatter(_thousands_formatter())
        top.tick_params(labelsize=_TICK_LABELSIZE)
        ax.set_title(f"Beta convergence across places, {_period(start, end)}")
        ax.legend(loc="upper right", ncols=1)
    return ax


# ----------------------------------------------------------------------- inequality


def plot_theil(theil: pd.DataFrame, split: str = "residence", ax: Axes | None = None) -> Axes:
    """Theil T index of county residents as stacked areas: between-group part (bottom)
    and within-group part (top) for ``split`` = ``"residence"`` (urban/rural place of
    residence) or ``"hukou"`` (urban/rural hukou). From :meth:`Analysis.theil`; the legend
    gives the between-group share in the first and last year.
    """
    if split not in _SPLIT_COLORS:
        raise ValueError(f"split must be 'residence' or 'hukou', got {split!r}")
    _require(theil, COLUMNS["theil"], "theil")
    data = theil.sort_values("year")
    years = data["year"].to_numpy()
    between = data[f"theil_between_{split}"].to_numpy(float)
    within = data[f"theil_within_{split}"].to_numpy(float)
    share = np.clip(data[f"between_share_{split}"].to_numpy(float), 0.0, None)  # no -0.0%
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        ax.stackplot(
            years,
            between,
            within,
            colors=[_SPLIT_COLORS[split], _WITHIN_COLOR],
            labels=[
                f"Between groups ({share[0]:.1%} of total in {years[0]}, "
                f"{share[-1]:.1%} in {years[-1]})",
                "Within groups",
            ],
            alpha=0.9,
            linewidth=0,
        )
        ax.plot(years, data["theil"], color="0.15", linewidth=1.4, label="Total Theil T")
        _style_axes(ax)
        _year_axis(ax, years)
        top = float(np.nanmax(data["theil"])) if len(data) else 1.0
        ax.set_ylim(0, 1.4 * top if np.isfinite(top) and top > 0 else 1.0)
        ax.set_ylabel("Theil T index")
        ax.set_title(f"Theil index between and within {_SPLIT_TITLES[split]}")
        ax.legend(loc="upper left")
    return ax


# ----------------------------------------------------------------------- migration


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


def plot_net_migration_map(
    net: pd.DataFrame, world: pd.DataFrame, ax: Axes | None = None, *, label_places: bool = True
) -> Axes:
    """Map of net migration per place (persons per 1,000 residents per year).

    One marker per county place at its coordinates (shape and size by level), coloured
    on a diverging scale centred on zero: blue places gained people by migration, red
    places lost them. The county town and township seats are labelled with their name
    and net migration in persons per year. ``net`` from :meth:`Analysis.net_migration`,
    ``world`` the run's places table.
    """
    _require(net, COLUMNS["net_migration"], "net_migration")
    _require(world, ("place_id", "x_km", "y_km"), "world")
    start, end = int(net["start"].iloc[0]), int(net["end"].iloc[0])
    data = net[net["level"].isin(_NET_MAP_SIZES)].merge(
        world[["place_id", "x_km", "y_km"]], on="place_id"
    )
    counts = data["level"].value_counts()
    sizes = {
        level: min(most, budget / max(counts.get(level, 1), 1))
        for level, (most, budget) in _NET_MAP_SIZES.items()
    }
    rate = data["net_rate_per_1000"].to_numpy(float)
    finite = rate[np.isfinite(rate)]
    bound = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
    norm = Normalize(-bound, bound)
    cmap = mpl.colormaps["RdBu"].with_extremes(bad="0.75")
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_MAP_FIGSIZE)
        for z, level in enumerate(("village", "township", "county_town")):
            sub = data[data["level"] == level]
            if sub.empty:
                continue
            ax.scatter(
                sub["x_km"],
                sub["y_km"],
                s=sizes[level] * _area_factor(_MAP_MARKERS[level]),
                c=sub["net_rate_per_1000"].to_numpy(float),
                cmap=cmap,
                norm=norm,
                marker=_MAP_MARKERS[level],
                edgecolors="0.15" if level != "village" else "0.45",
                linewidths=_MAP_EDGES[level][1] if level != "village" else 0.5,
                zorder=2 + z,
                plotnonfinite=True,
            )
        ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0.12)
        _style_axes(ax, grid_axis="both")
        ax.set_xlabel("x (km)")
        ax.set_ylabel("y (km)")
        ax.set_title(f"Net migration by place, {_period(start, end)}")
        map_colorbar(ax, norm, cmap, "Net migration (persons per 1,000 residents per year)")
        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=_MAP_MARKERS[lv],
                markersize=np.sqrt(_NET_MAP_SIZES[lv][0] * _area_factor(_MAP_MARKERS[lv])),
                markerfacecolor="0.85",
                markeredgecolor="0.3",
                label=_MAP_LABELS[lv],
            )
            for lv in ("county_town", "township", "village")
            if (data["level"] == lv).any()
        ]
        ax.legend(
            handles=handles,
            title="Place type",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            labelspacing=1.2,
            borderpad=0.8,
        )
        if label_places:
            towns = data[data["level"].isin(("county_town", "township"))]
            _place_labels(
                ax,
                [
                    (
                        row["x_km"],
                        row["y_km"],
                        f"{row['name']}\n{_signed(row['net_per_year'])} / year",
                        np.sqrt(sizes[row["level"]]) / 2.0,
                        row["level"] == "county_town",
                    )
                    for _, row in towns.sort_values("level").iterrows()  # county town first
                ],
            )
    return ax


def _place_labels(ax: Axes, labels: Sequence[tuple[float, float, str, float, bool]]) -> None:
    """Annotate points ``(x, y, text, marker radius in points, bold)`` without overlaps.

    Each label tries eight positions around its point, just outside the marker, and takes
    the first that stays inside the axes and overlaps neither a label placed before it nor
    a labelled marker; if none is free it goes above the point. The figure is laid out
    first, so that the display coordinates used for the tests are final.
    """
    fig = ax.figure
    fig.draw_without_rendering()
    px = fig.dpi / 72.0
    taken = []
    for x, y, _, r, _ in labels:
        cx, cy = ax.transData.transform((x, y))
        taken.append(Bbox.from_extents(cx - r * px, cy - r * px, cx + r * px, cy + r * px))
    frame = ax.get_window_extent()

    def free(box: Bbox) -> bool:
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1
        inside = inside and frame.y0 <= box.y0 and box.y1 <= frame.y1
        return inside and not any(box.overlaps(t) for t in taken)

    def annotate(x, y, text, bold, dx, dy, ha, va) -> Bbox:
        ann = ax.annotate(
            text,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=8.5 if bold else 7.5,
            fontweight="bold" if bold else "normal",
            color="0.1",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
        )
        return ann.get_window_extent().padded(2.0 * px)

    for x, y, text, r, bold in labels:
        d, e = r + 2.5, (r + 2.5) * 0.75
        positions = (
            (0, d, "center", "bottom"),
            (0, -d, "center", "top"),
            (d, 0, "left", "center"),
            (-d, 0, "right", "center"),
            (e, e, "left", "bottom"),
            (-e, e, "right", "bottom"),
            (e, -e, "left", "top"),
            (-e, -e, "right", "top"),
        )
        for position in positions:
            box = annotate(x, y, text, bold, *position)
            if free(box):
                break
            ax.texts[-1].remove()
        else:  # no free position: above the point
            box = annotate(x, y, text, bold, *positions[0])
        taken.append(box)


def plot_migrant_destinations(workers: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Where migrant workers work: stacked persons by workplace, from the home township
    (local) to outside the province, with the local share on the right axis. From
    :meth:`Analysis.migrant_workers`."""
    _require(workers, COLUMNS["migrant_workers"], "migrant_workers")
    data = workers.sort_values("year")
    years = data["year"].to_numpy()
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        areas = ax.stackplot(
            years,
            *(data[col].to_numpy(float) / 1000.0 for col, _, _ in _DESTINATIONS),
            colors=[c for _, _, c in _DESTINATIONS],
            labels=[label for _, label, _ in _DESTINATIONS],
            alpha=0.9,
            linewidth=0,
        )
        _style_axes(ax)
        _year_axis(ax, years)
        top = float(np.nanmax(data["total"])) / 1000.0 if len(data) else 1.0
        ax.set_ylim(0, 1.55 * top if np.isfinite(top) and top > 0 else 1.0)
        ax.yaxis.set_major_formatter(_thousands_formatter(decimals=1 if top < 4 else 0))
        ax.set_ylabel("Migrant workers (thousand persons)")
        share = _share_on_right_axis(
            ax,
            years,
            data["local_share"],
            "Local share of migrant workers",
            "s" if _marker_for(len(data)) else None,
        )
        handles = [*areas[::-1], *share]
        ax.legend(handles, [h.get_label() for h in handles], loc="upper left", ncols=2)
        ax.set_title("Where migrant workers work")
    return ax


def plot_age_profile(ages: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Age profile of movers: persons moving per year by age band, all moves and returns
    to the household home (bars). From :meth:`Analysis.age_profile`."""
    _require(ages, COLUMNS["age_profile"], "age_profile")
    data = ages.sort_values("age_lower")
    x = np.arange(len(data))
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        width = 0.4
        h_moves = ax.bar(
            x - width / 2, data["moves"], width, color=LEVEL_COLORS["city"], label="All moves"
        )
        h_ret = ax.bar(
            x + width / 2,
            data["returns"],
            width,
            color=LEVEL_COLORS["township"],
            label="Returns to the household home",
        )
        _style_axes(ax)
        ax.set_xticks(x, data["age_band"])
        ax.set_xlabel("Age (years)")
        top = float(np.nanmax(data["moves"])) if len(data) else 1.0
        ax.set_ylim(0, 1.35 * top if np.isfinite(top) and top > 0 else 1.0)
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Persons moving per year")
        ax.legend(handles=[h_moves, h_ret], loc="upper right")
        ax.set_title("Age profile of movers")
    return ax


def plot_migrant_worker_ages(ages: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Migrant workers by age band: local and out-migrant workers (stacked bars, mean
    persons over the years) and the local share within each band (line, right axis).
    Bands without migrant workers are left out. From :meth:`Analysis.age_profile`."""
    _require(ages, COLUMNS["age_profile"], "age_profile")
    data = ages.sort_values("age_lower")
    data = data[(data["migrant_workers_local"] + data["migrant_workers_out"]) > 0]
    x = np.arange(len(data))
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        local = data["migrant_workers_local"].to_numpy(float)
        out = data["migrant_workers_out"].to_numpy(float)
        h_local = ax.bar(x, local, 0.7, color=_DESTINATIONS[0][2], label="Local")
        h_out = ax.bar(x, out, 0.7, bottom=local, color=_DESTINATIONS[2][2], label="Out-migrant")
        _style_axes(ax)
        ax.set_xticks(x, data["age_band"])
        ax.set_xlabel("Age (years)")
        top = float(np.max(local + out)) if len(data) else 1.0
        ax.set_ylim(0, 1.4 * top if top > 0 else 1.0)
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Migrant workers (persons)")
        h_share = _share_on_right_axis(
            ax, x, data["local_share"], "Local share within age band", "s"
        )
        handles = [h_local, h_out, *h_share]
        ax.legend(handles, [h.get_label() for h in handles], loc="upper left", ncols=3)
        ax.set_title("Migrant workers by age")
    return ax


# ------------------------------------------------------------------- all figures


def _two_panels() -> tuple[Figure, Sequence[Axes]]:
    """A standalone figure with two panels side by side."""
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(13.0, 4.6), layout="constrained")
        FigureCanvasAgg(fig)
        return fig, fig.subplots(1, 2)


def analysis_figures(
    analysis: Analysis, start: int | None = None, end: int | None = None
) -> dict[str, Figure]:
    """Every analysis figure of a run over ``start..end`` (default: the whole run), by
    file name: ``sigma``, ``beta``, ``theil`` (by residence and by hukou), ``flows``,
    ``net_migration_map``, ``migrant_destinations``, ``migrant_ages`` (movers and migrant
    workers by age)."""
    world = analysis.world
    theil = analysis.theil()
    ages = analysis.age_profile(start, end)
    fig_theil, (ax_res, ax_huk) = _two_panels()
    plot_theil(theil, "residence", ax=ax_res)
    plot_theil(theil, "hukou", ax=ax_huk)
    ax_huk.set_ylim(ax_res.get_ylim())
    fig_ages, (ax_moves, ax_workers) = _two_panels()
    plot_age_profile(ages, ax=ax_moves)
    plot_migrant_worker_ages(ages, ax=ax_workers)
    return {
        "sigma": plot_sigma(analysis.sigma()).figure,
        "beta": plot_beta(analysis.beta_points(start, end), analysis.beta(start, end)).figure,
        "theil": fig_theil,
        "flows": plot_flow_diagram(analysis.flow_matrix(start, end)).figure,
        "net_migration_map": plot_net_migration_map(
            analysis.net_migration(start=start, end=end), world
        ).figure,
        "migrant_destinations": plot_migrant_destinations(analysis.migrant_workers()).figure,
        "migrant_ages": fig_ages,
    }


def save_analysis_figures(
    results,
    outdir: str | os.PathLike,
    formats: Sequence[str] = ("png", "svg"),
    *,
    dpi: int = _SAVE_DPI,
    provenance: bool = True,
) -> list[Path]:
    """Write every figure of :func:`analysis_figures` to ``outdir`` in each format.

    ``results`` is a :class:`countysim.results.Results` or an :class:`Analysis`. One file
    per figure and format (``sigma.png``, ``sigma.svg``, ...; PNG at ``dpi``, SVG and PDF
    as vectors); returns the paths, figures outer, formats inner. With ``provenance`` the
    run's one-line provenance is printed small under each figure.
    """
    formats = [formats] if isinstance(formats, str) else list(formats)
    fmts = [f.lower().lstrip(".") for f in formats]
    supported = FigureCanvasAgg(Figure()).get_supported_filetypes()
    bad = [f for f in fmts if f not in supported]
    if not fmts or bad:
        raise ValueError(f"unsupported figure format(s) {fmts}; choose from {sorted(supported)}")
    analysis = results if isinstance(results, Analysis) else Analysis(results)
    figures = analysis_figures(analysis)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    note = footer(analysis.results.manifest) if provenance else None
    written: list[Path] = []
    for name, fig in figures.items():
        if note:
            fig.text(0.0, -0.02, note, fontsize=6, color="0.4", ha="left", va="top")
        for fmt in fmts:
            path = outdir / f"{name}.{fmt}"
            fig.savefig(path, dpi=dpi, bbox_inches="tight", format=fmt)
            written.append(path)
    return written
