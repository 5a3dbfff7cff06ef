"""Figures of a county panel: predicted against actual, errors by region and by county size,
and the distribution of the errors next to the best null model's.

Drawn like the run and sweep figures (their style, the Agg canvas, no pyplot). Every figure
has one panel per scored quantity; values are on the scoring scale (residents in log
persons, the log change in log points, shares as fractions).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from countysim.experiments.panel_quantities import LABELS, SCORED
from countysim.experiments.panel_scores import scored_values
from countysim.figures.style import _STYLE, _style_axes

if TYPE_CHECKING:
    from countysim.experiments.panel import PanelPlan
    from countysim.experiments.panel_runner import PanelTables

MODEL_COLOR, NULL_COLOR = "#0072B2", "#E69F00"
REGIONS = ("east", "central", "northeast", "west")
SIZE_BANDS = 5  # quantiles of 2010 residents
_PANEL = (2.7, 2.4)  # inches per panel
_COLUMNS = 4

#: Figure name -> caption, in report order.
CAPTIONS = {
    "predicted_vs_actual": "Model prediction against the census, one point per county, with "
    "the 45-degree line (a perfect prediction lies on it).",
    "errors_by_region": "Model error (predicted minus census) by region.",
    "errors_by_size": "Model error by county size (fifths of the 2010 resident population).",
    "error_distribution": "Distribution of the model's errors (filled) and of the regression "
    "null model's out-of-fold errors (outline).",
}


def _grid(title: str) -> tuple[Figure, np.ndarray]:
    rows = -(-len(SCORED) // _COLUMNS)
    fig = Figure(figsize=(_PANEL[0] * _COLUMNS, _PANEL[1] * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, _COLUMNS, squeeze=False)
    for ax in axes.flat[len(SCORED) :]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig, axes.flat


def _label(ax: Axes, name: str) -> None:
    ax.set_title(textwrap.fill(LABELS[name], 30), fontsize=8)
    _style_axes(ax, grid_axis="both")


def plot_predicted_vs_actual(model: pd.DataFrame, actual: pd.DataFrame) -> Figure:
    """Predicted against actual per quantity, with the 45-degree line."""
    got, _ = scored_values(model)
    want, _ = scored_values(actual.reindex(model.index))
    with mpl.rc_context(_STYLE):
        fig, axes = _grid("Predicted against the census")
        for ax, name in zip(axes, SCORED, strict=False):
            both = got[name].notna() & want[name].notna()
            x, y = want.loc[both, name], got.loc[both, name]
            if len(x):
                low, high = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
                ax.plot([low, high], [low, high], color="0.3", linewidth=0.9, label="45°")
                ax.scatter(x, y, s=8, alpha=0.5, color=MODEL_COLOR, linewidths=0)
            _label(ax, name)
            ax.set_xlabel("census", fontsize=8)
            ax.set_ylabel("model", fontsize=8)
    return fig


def _boxes(errors: pd.DataFrame, groups: pd.Series, order: list[str], title: str) -> Figure:
    with mpl.rc_context(_STYLE):
        fig, axes = _grid(title)
        for ax, name in zip(axes, SCORED, strict=False):
            data = [errors.loc[groups == g, name].dropna().to_numpy() for g in order]
            present = [(g, d) for g, d in zip(order, data, strict=True) if len(d)]
            if present:
                ax.boxplot([d for _, d in present], showfliers=True, widths=0.6,
                           flierprops={"markersize": 2, "alpha": 0.4})  # fmt: skip
                ax.set_xticks(range(1, len(present) + 1), [g for g, _ in present], fontsize=7)
            ax.axhline(0.0, color="0.3", linewidth=0.8)
            _label(ax, name)
    return fig


def plot_errors_by_region(errors: pd.DataFrame, census: pd.DataFrame) -> Figure:
    region = census.set_index("code")["region"].reindex(errors.index)
    return _boxes(errors, region, list(REGIONS), "Model error by region")


def size_bands(residents: pd.Series) -> pd.Series:
    """Fifths of the 2010 resident population, labelled by their upper bound in thousands."""
    if residents.nunique() < SIZE_BANDS:
        return pd.Series("all", index=residents.index)
    bands = pd.qcut(residents, SIZE_BANDS)
    return bands.map(lambda b: f"≤{b.right / 1000:.0f}k").astype(str)


def plot_errors_by_size(errors: pd.DataFrame, census: pd.DataFrame) -> Figure:
    residents = census.set_index("code")["residents"].reindex(errors.index).astype(float)
    bands = size_bands(residents)
    order = list(dict.fromkeys(bands.loc[residents.sort_values().index]))
    return _boxes(errors, bands, order, "Model error by county size (2010 residents)")


def plot_error_distribution(errors: pd.DataFrame, null_errors: pd.DataFrame | None) -> Figure:
    with mpl.rc_context(_STYLE):
        fig, axes = _grid("Distribution of errors")
        for ax, name in zip(axes, SCORED, strict=False):
            model = errors[name].dropna().to_numpy()
            null = (
                null_errors[name].dropna().to_numpy() if null_errors is not None else np.array([])
            )
            both = np.concatenate([model, null])
            if len(both):
                bins = np.histogram_bin_edges(both, bins=min(30, max(5, len(both) // 10)))
                if len(model):
                    ax.hist(model, bins=bins, color=MODEL_COLOR, alpha=0.6, label="model")
                if len(null):
                    ax.hist(null, bins=bins, histtype="step", color=NULL_COLOR, linewidth=1.3,
                            label="regression null")  # fmt: skip
            ax.axvline(0.0, color="0.3", linewidth=0.8)
            _label(ax, name)
        axes[0].legend(fontsize=7, loc="upper left")
    return fig


def panel_figures(plan: PanelPlan, tables: PanelTables) -> dict[str, Callable[[], Figure]]:
    """The panel's figures, by name (drawn when called)."""
    model = tables.predictions[tables.predictions["source"] == "model"].set_index("code")
    actual = tables.predictions[tables.predictions["source"] == "census"].set_index("code")
    model = model.drop(columns="source")
    errors = tables.errors["model"]
    null_errors = tables.errors.get("regression")
    return {
        "predicted_vs_actual": lambda: plot_predicted_vs_actual(
            model, actual.drop(columns="source")
        ),
        "errors_by_region": lambda: plot_errors_by_region(errors, plan.census),
        "errors_by_size": lambda: plot_errors_by_size(errors, plan.census),
        "error_distribution": lambda: plot_error_distribution(
            errors, None if null_errors is None else null_errors.reindex(errors.index)
        ),
    }


def save_panel_figures(plan: PanelPlan, tables: PanelTables, directory: Path) -> dict[str, str]:
    """Write every figure as PNG and SVG into ``directory``; return the SVG text by name."""
    directory.mkdir(parents=True, exist_ok=True)
    svgs = {}
    for name, draw in panel_figures(plan, tables).items():
        fig = draw()
        fig.savefig(directory / f"{name}.png", dpi=130)
        fig.savefig(directory / f"{name}.svg", metadata={"Date": None})
        svgs[name] = (directory / f"{name}.svg").read_text(encoding="utf-8")
    return svgs
