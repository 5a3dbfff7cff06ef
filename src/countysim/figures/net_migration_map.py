"""Map of net migration per place."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from countysim.analysis import COLUMNS
from countysim.figures.style import (
    _MAP_EDGES,
    _MAP_FIGSIZE,
    _MAP_LABELS,
    _MAP_MARKERS,
    _STYLE,
    _area_factor,
    _new_axes,
    _period,
    _require,
    _signed,
    _style_axes,
    map_colorbar,
)

#: Marker areas (points²) per level on the net-migration map: at most the first number,
#: and at most the second divided by the number of places of the level (many villages get
#: smaller markers, so that they do not cover each other).
_NET_MAP_SIZES = {
    "county_town": (420.0, 420.0),
    "township": (190.0, 2800.0),
    "village": (75.0, 5000.0),
}


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
