"""Convergence and inequality figures: sigma and beta convergence, Theil decompositions."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from countysim.analysis import COLUMNS, GROUPS
from countysim.figures.style import (
    _MAP_EDGES,
    _MAP_LABELS,
    _MAP_MARKERS,
    _MEASURE_COLORS,
    _SINGLE_FIGSIZE,
    _STYLE,
    _TICK_LABELSIZE,
    LEVEL_COLORS,
    _area_factor,
    _log_ticks,
    _marker_for,
    _new_axes,
    _period,
    _require,
    _safe_log,
    _signed,
    _style_axes,
    _thousands_formatter,
    _year_axis,
)

#: Colours of the two groups of places in the convergence figures.
_GROUP_COLORS = {"county": "0.2", "villages": LEVEL_COLORS["village"]}
_GROUP_LABELS = {"county": "all county places", "villages": "villages"}
#: Colours of the between-group Theil term per split (the measure colours of the style).
_SPLIT_COLORS = {"residence": _MEASURE_COLORS["resident"], "hukou": _MEASURE_COLORS["registered"]}
_SPLIT_TITLES = {"residence": "urban and rural residents", "hukou": "urban and rural hukou"}
_WITHIN_COLOR = "0.82"


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
