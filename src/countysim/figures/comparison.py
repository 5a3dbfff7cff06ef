"""The comparison figure: scenarios run with the same seeds, one panel per outcome, on
shared axes, with the national statistics for reference where the outcome has them."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from countysim.figures.reference import draw_reference
from countysim.figures.style import _STYLE, BAND_QUANTILES, _style_axes

#: Okabe-Ito colours for up to eight scenarios (colour-blind safe), the reference first.
SCENARIO_COLORS = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#CC79A7",
    "#0072B2",
    "#D55E00",
    "#F0E442",
)


def plot_comparison(
    table: pd.DataFrame,
    names: Sequence[str],
    indicators: Sequence[tuple[str, str, str, float]],
    *,
    ncols: int = 4,
) -> Figure:
    """One panel per indicator ``(column, title, unit label, factor)`` present in
    ``table`` (rows: scenario, replicate, year and county-table columns), each scenario a
    line (its mean over replicates) with a 5-95% band when there are several replicates."""
    panels = [ind for ind in indicators if ind[0] in table]
    n_runs = int(table["replicate"].nunique()) if "replicate" in table else 1
    nrows = -(-len(panels) // ncols)
    with mpl.rc_context({**_STYLE, "font.size": 9, "axes.titlesize": 10}):
        fig = Figure(figsize=(4.2 * ncols, 3.1 * nrows + 0.9), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
        for col in range(ncols):  # the lowest panel of each column carries the year labels
            used = [r for r in range(nrows) if r * ncols + col < len(panels)]
            if used:
                axes[used[-1], col].tick_params(labelbottom=True)
                axes[used[-1], col].set_xlabel("Year")
        axes = axes.ravel()
        years = sorted(table["year"].unique())
        for ax, (col, title, unit, factor) in zip(axes, panels, strict=False):
            for i, name in enumerate(names):
                color = SCENARIO_COLORS[i % len(SCENARIO_COLORS)]
                data = table[table["scenario"] == name].groupby("year")[col]
                mean = data.mean() * factor
                ax.plot(mean.index, mean.to_numpy(), color=color, label=name, lw=1.8)
                if n_runs > 1:
                    lo, hi = (data.quantile(q) * factor for q in BAND_QUANTILES)
                    ax.fill_between(lo.index, lo, hi, color=color, alpha=0.15, lw=0)
            if draw_reference(ax, col, years, factor=factor) is not None:
                ax.legend(handles=[ax.lines[-1]], labels=["national, for reference"], fontsize=7)
            ax.set_title(title)
            ax.set_ylabel(unit)
            _style_axes(ax)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        handles = [
            ax_line for ax_line in axes[0].get_lines()[: len(names)] if ax_line.get_label() in names
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))
        band = "; bands: 5-95% over replicates" if n_runs > 1 else ""
        fig.suptitle(
            f"Scenarios compared with the same seeds ({n_runs} replicate{'s' * (n_runs > 1)}{band})"
        )
    return fig
