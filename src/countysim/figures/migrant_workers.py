"""Migrant workers: where they work and how old they are, and the age profile of movers."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from countysim.analysis import COLUMNS
from countysim.figures.reference import draw_reference
from countysim.figures.style import (
    _SINGLE_FIGSIZE,
    _STYLE,
    LEVEL_COLORS,
    _marker_for,
    _new_axes,
    _require,
    _style_axes,
    _thousands_formatter,
    _year_axis,
)

#: Where migrant workers work, from the home township outwards (Okabe-Ito colours).
_DESTINATIONS = (
    ("local", "Home township (local)", "#009E73"),
    ("near", "Rest of county, prefecture city", "#56B4E9"),
    ("province", "Elsewhere in the province", "#0072B2"),
    ("far", "Outside the province", "#CC79A7"),
)


def plot_migrant_destinations(workers: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Where migrant workers (rural hukou, non-farm work) work: stacked persons by
    workplace, from the home township (local) to outside the province. From
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
        ax.set_ylim(0, 1.4 * top if np.isfinite(top) and top > 0 else 1.0)
        ax.yaxis.set_major_formatter(_thousands_formatter(decimals=1 if top < 4 else 0))
        ax.set_ylabel("Migrant workers (thousand persons)")
        ax.legend(areas[::-1], [a.get_label() for a in areas[::-1]], loc="upper left", ncols=2)
        ax.set_title("Where migrant workers work")
    return ax


def plot_migrant_shares(workers: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Shares of the county's migrant workers: working in the home township (of all
    migrant workers) and outside the province (of out-migrant workers), with the national
    monitoring survey's shares for reference. From :meth:`Analysis.migrant_workers`."""
    _require(workers, COLUMNS["migrant_workers"], "migrant_workers")
    data = workers.sort_values("year")
    years = data["year"].to_numpy()
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(data))
        for col, label, color in (
            ("local_share", "Local, of all migrant workers", _DESTINATIONS[0][2]),
            ("far_share", "Outside the province, of out-migrants", _DESTINATIONS[3][2]),
        ):
            ax.plot(years, 100.0 * data[col], color=color, marker=marker, label=label)
            draw_reference(ax, col, years, factor=100.0, color=color)
        _style_axes(ax)
        _year_axis(ax, years)
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_ylabel("Share (%)")
        ax.legend(loc="upper left", fontsize=7.5)
        ax.set_title("Local and far migrant work (county)")
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
    persons over the years; the local share of a band is the lower bar's part).
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
        handles = [h_local, h_out]
        ax.legend(handles, [h.get_label() for h in handles], loc="upper left", ncols=2)
        ax.set_title("Migrant workers by age")
    return ax


# ------------------------------------------------------------------- all figures
