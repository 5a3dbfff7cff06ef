"""Time series of a run: population by level, urbanization, incomes and their ratio.

Urbanization and incomes carry the national statistics as reference points
(:mod:`countysim.figures.reference`): a different concept from the county's, labelled so.
Incomes are nominal yuan (prices of each year), as the statistics are."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from countysim.figures.reference import draw_reference
from countysim.figures.style import (
    _MEASURE_COLORS,
    _SINGLE_FIGSIZE,
    _STYLE,
    LEVEL_COLORS,
    _band_by_year,
    _by_year,
    _fill_band,
    _legend,
    _marker_for,
    _new_axes,
    _replicate_count,
    _require,
    _style_axes,
    _thousands_formatter,
    _year_axis,
)

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
        top = float(np.nanmax(data[cols].to_numpy())) / 1000.0 if len(data) else 1.0
        ax.set_ylim(0, 1.3 * top if np.isfinite(top) and top > 0 else None)  # legend room
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Residents (thousand persons)")
        ax.set_title("Population by place of residence")
        _legend(ax, _replicate_count(county), loc="upper right", ncols=2)
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
        draw_reference(ax, "urbanization_resident", years, factor=100.0)
        draw_reference(
            ax, "urbanization_registered", years, factor=100.0, color=_MEASURE_COLORS["registered"]
        )
        _style_axes(ax)
        _year_axis(ax, years)
        top = _top_of_lines(ax, 100.0)
        ax.set_ylim(0, min(100.0, max(10.0, math.ceil(top / 10.0) * 10.0 + 5.0)))
        ax.set_ylabel("Urbanization rate (%)")
        ax.set_title("Resident vs registered urbanization (county)")
        _legend_below(ax, county)
    return ax


# -------------------------------------------------------------------------- income


def plot_income(county: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Urban and rural disposable income per person of county residents, in nominal yuan
    per year, with the national urban and rural incomes for reference."""
    cols = ["income_urban_pc", "income_rural_pc"]
    _require(county, ["year", *cols], "county")
    data = _by_year(county, cols)
    band = _band_by_year(county, cols)
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        marker = _marker_for(len(data))
        years = data["year"]
        for col, level, label in (
            ("income_urban_pc", "county_town", "Urban residents"),
            ("income_rural_pc", "village", "Rural residents"),
        ):
            ax.plot(years, data[col], color=LEVEL_COLORS[level], marker=marker, label=label)
            if band is not None:
                low, high = band
                _fill_band(ax, low["year"], low[col], high[col], LEVEL_COLORS[level])
            draw_reference(ax, col, years, color=LEVEL_COLORS[level])
        _style_axes(ax)
        _year_axis(ax, years)
        top = _top_of_lines(ax, 1.0)
        ax.set_ylim(0, 1.1 * top if np.isfinite(top) and top > 0 else None)
        ax.yaxis.set_major_formatter(_thousands_formatter())
        ax.set_ylabel("Disposable income (nominal yuan per person per year)")
        ax.set_title("Urban and rural income")
        _legend_below(ax, county)
    return ax


def plot_income_ratio(county: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The urban/rural income ratio of county residents, with the national ratio (on the
    disposable-income basis) for reference."""
    _require(county, ["year", "income_ratio"], "county")
    data = _by_year(county, ["income_ratio"])
    band = _band_by_year(county, ["income_ratio"])
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        years = data["year"]
        ax.plot(
            years, data["income_ratio"], color="0.2", marker=_marker_for(len(data)), label="County"
        )
        if band is not None:
            low, high = band
            _fill_band(ax, low["year"], low["income_ratio"], high["income_ratio"], "0.2")
        draw_reference(ax, "income_ratio", years)
        _style_axes(ax)
        _year_axis(ax, years)
        top = float(np.nanmax(data["income_ratio"])) if len(data) else 1.0
        ax.set_ylim(1.0, max(3.2, 1.1 * top) if np.isfinite(top) else 3.2)
        ax.yaxis.set_major_formatter(_thousands_formatter(decimals=2))
        ax.set_ylabel("Urban / rural income per person")
        ax.set_title("Urban-rural income ratio")
        _legend_below(ax, county)
    return ax


def _legend_below(ax: Axes, county: pd.DataFrame) -> None:
    """The legend under the panel: inside it would cover the national reference points."""
    _legend(
        ax,
        _replicate_count(county),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=2,
        fontsize=7.5,
    )


def _top_of_lines(ax: Axes, default: float) -> float:
    """The highest value drawn on ``ax`` (NaN ignored), or ``default`` when nothing is."""
    drawn = [y for line in ax.lines for y in np.asarray(line.get_ydata(), float)]
    return float(np.nanmax(drawn)) if drawn else default
