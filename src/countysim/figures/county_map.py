"""The county map: places at their coordinates, sized by residents, coloured by income."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from countysim.figures.style import (
    _COUNTY_LEVELS,
    _MAP_EDGES,
    _MAP_FIGSIZE,
    _MAP_LABELS,
    _MAP_MARKERS,
    _MAX_MARKER_AREA,
    _PLACES_COLUMNS,
    _STYLE,
    _WORLD_COLUMNS,
    _area_factor,
    _new_axes,
    _replicate_count,
    _require,
    _style_axes,
    _thousands_formatter,
    map_colorbar,
)

#: Smallest marker area (points²): a village of a few hundred people stays visible next to a
#: county town of a hundred thousand, whose area sets the scale.
_MIN_MARKER_AREA = 18.0


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
                s=np.maximum(sizes, _MIN_MARKER_AREA),
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
                r_pt = math.sqrt(max(area, _MIN_MARKER_AREA)) / 2.0
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
