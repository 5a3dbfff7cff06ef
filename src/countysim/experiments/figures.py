"""Figures of a sweep: sensitivity indices, outputs against parameters, and fan charts.

Drawn like the run figures of ``countysim.figures`` (its style and helpers, the Agg canvas, no
pyplot), so sweep and run figures look alike and work on headless machines.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from countysim.figures.style import _SINGLE_FIGSIZE, _STYLE, _new_axes, _style_axes, _year_axis

#: Quantile bands of a fan chart, widest first, with their opacity.
FAN_BANDS = (((0.05, 0.95), 0.18), ((0.25, 0.75), 0.35))
_INDEX_COLORS = ("#0072B2", "#E69F00")
_SCATTER_PANEL = (2.6, 2.2)  # inches per panel of the scatter matrix


def plot_indices(indices: pd.DataFrame, output: str, ax: Axes | None = None) -> Axes:
    """Sensitivity indices of one output as horizontal bars with their confidence intervals:
    first-order and total Sobol indices, or Morris mu* and sigma (``sensitivity.py``)."""
    rows = indices[indices["output"] == output].iloc[::-1]  # first parameter on top
    if rows.empty:
        raise ValueError(f"no indices for output {output!r}")
    if "S1" in rows.columns:
        bars = (("S1", "S1_conf", "first order (S1)"), ("ST", "ST_conf", "total (ST)"))
        xlabel = "Sobol index (share of output variance)"
    else:
        bars = (("mu_star", "mu_star_conf", "mu* (influence)"), ("sigma", None, "sigma (spread)"))
        xlabel = "Elementary effect (output units per parameter range)"
    with mpl.rc_context(_STYLE):
        if ax is None:
            height = max(_SINGLE_FIGSIZE[1], 0.9 + 0.55 * len(rows))
            ax = _new_axes((_SINGLE_FIGSIZE[0], height))
        position = np.arange(len(rows))
        width = 0.38
        for offset, (column, conf, label), color in zip(
            (0.2, -0.2), bars, _INDEX_COLORS, strict=True
        ):
            ax.barh(
                position + offset,
                rows[column],
                height=width,
                xerr=None if conf is None else rows[conf],
                color=color,
                error_kw={"ecolor": "0.25", "capsize": 2.5, "linewidth": 1.0},
                label=label,
            )
        ax.axvline(0.0, color="0.3", linewidth=0.8)
        ax.set_yticks(position, rows["parameter"])
        _style_axes(ax, grid_axis="x")
        ax.set_xlabel(xlabel)
        ax.set_title(f"Sensitivity of {output}")
        ax.legend(loc="lower right")
    return ax


def plot_scatter(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    outputs: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Every output against every parameter, one point per successful run: a matrix of
    panels with outputs as rows and parameters as columns. Discrete parameters (text values)
    are placed at evenly spaced positions labelled with their values."""
    labels = labels or {}
    with mpl.rc_context(_STYLE):
        fig = Figure(
            figsize=(_SCATTER_PANEL[0] * len(parameters), _SCATTER_PANEL[1] * len(outputs)),
            layout="constrained",
        )
        FigureCanvasAgg(fig)
        axes = fig.subplots(
            len(outputs), len(parameters), squeeze=False, sharex="col", sharey="row"
        )
        for j, parameter in enumerate(parameters):
            x, ticks = _positions(runs[parameter])
            for i, output in enumerate(outputs):
                ax = axes[i, j]
                ax.scatter(x, runs[output], s=9, alpha=0.55, color=_INDEX_COLORS[0], linewidths=0)
                _style_axes(ax, grid_axis="both")
                if ticks is not None:
                    ax.set_xticks(range(len(ticks)), ticks)
                if i == len(outputs) - 1:
                    ax.set_xlabel(parameter, fontsize=8)
                if j == 0:
                    ax.set_ylabel(textwrap.fill(labels.get(output, output), 28), fontsize=8)
        fig.suptitle("Outputs against parameters (one point per run)")
    return fig


def plot_fan(series: pd.DataFrame, column: str, ax: Axes | None = None) -> Axes:
    """The yearly spread of ``column`` across all runs of a sweep: the median and the bands
    holding the middle 50% and 90% of runs in each year."""
    if column not in series.columns:
        raise ValueError(f"the series has no column {column!r}")
    by_year = series.groupby("year")[column]
    runs = series["run_id"].nunique() if "run_id" in series.columns else len(series)
    with mpl.rc_context(_STYLE):
        if ax is None:
            ax = _new_axes(_SINGLE_FIGSIZE)
        for (low, high), alpha in FAN_BANDS:
            lo, hi = by_year.quantile(low), by_year.quantile(high)
            label = f"{round(100 * low)}–{round(100 * high)}% of runs"
            ax.fill_between(
                lo.index, lo, hi, color=_INDEX_COLORS[0], alpha=alpha, linewidth=0, label=label
            )
        median = by_year.median()
        ax.plot(median.index, median, color=_INDEX_COLORS[0], label="median")
        _style_axes(ax)
        _year_axis(ax, median.index)
        ax.set_ylabel(column)
        ax.set_title(f"{column} across the design ({runs} runs)")
        ax.legend(loc="best")
    return ax


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """x positions of a parameter's values: the numbers, or evenly spaced category codes."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric.to_numpy(dtype=float), None
    categories = sorted(values.astype(str).unique())
    codes = values.astype(str).map({c: k for k, c in enumerate(categories)})
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(values))  # fixed: same figure
    return codes.to_numpy(dtype=float) + jitter, categories
