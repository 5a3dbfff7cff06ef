"""Figures of a calibration: posterior marginals against the prior, pairs of parameters,
posterior predictive bands against the data, and the history-matching waves.

Plain matplotlib figures on the Agg canvas (no pyplot), returned as SVG text so that the
report can inline them and the output folder can keep them as files.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from countysim.experiments.calibration_posterior import BAND, weighted_quantiles
from countysim.experiments.calibration_priors import Prior

PRIOR_COLOR, POSTERIOR_COLOR, TRUTH_COLOR, DATA_COLOR = "#999999", "#0072B2", "#CC3311", "#000000"


def _svg(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def _grid(count: int, width: float = 3.2, height: float = 2.6) -> tuple[Figure, np.ndarray]:
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    fig = Figure(figsize=(width * columns, height * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False).ravel())
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def marginals(
    posterior: pd.DataFrame, priors: Sequence[Prior], truth: Mapping[str, float] | None = None
) -> str:
    """Per parameter: prior density (grey), weighted posterior histogram (blue) with its
    90% interval, and the true value (red) for synthetic data."""
    fig, axes = _grid(len(priors))
    grid = np.linspace(0.0005, 0.9995, 400)
    for ax, prior in zip(axes, priors, strict=False):
        low, high = prior.bounds
        bins = np.linspace(low, high, 25)
        prior_draws = prior.from_unit(grid)
        ax.hist(
            prior_draws, bins=bins, density=True, histtype="step", color=PRIOR_COLOR, label="prior"
        )
        ax.hist(
            posterior[prior.name],
            bins=bins,
            weights=posterior["weight"],
            density=True,
            alpha=0.6,
            color=POSTERIOR_COLOR,
            label="posterior",
        )
        p05, _, p95 = weighted_quantiles(posterior[prior.name], posterior["weight"], BAND)
        ax.axvspan(p05, p95, color=POSTERIOR_COLOR, alpha=0.12, label="90% interval")
        if truth is not None:
            ax.axvline(truth[prior.name], color=TRUTH_COLOR, lw=2, label="true value")
        ax.set_title(_short(prior.name), fontsize=9)
        ax.set_xlabel(prior.name, fontsize=7)
        ax.set_yticks([])
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle("Posterior marginals against the prior")
    return _svg(fig)


def pairs(
    posterior: pd.DataFrame, priors: Sequence[Prior], truth: Mapping[str, float] | None = None
) -> str:
    """Every pair of parameters: the ensemble's sets, darker with more weight."""
    names = [prior.name for prior in priors]
    d = len(names)
    fig = Figure(figsize=(2.2 * d + 0.5, 2.2 * d + 0.5), layout="constrained")
    axes = fig.subplots(d, d, squeeze=False)
    weight = posterior["weight"].to_numpy()
    alpha = (
        np.clip(0.1 + 0.9 * weight / weight.max(), 0, 1)
        if weight.max() > 0
        else np.full(len(weight), 0.1)
    )
    for i, row in enumerate(names):
        for j, column in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(posterior[row], bins=20, weights=weight, color=POSTERIOR_COLOR)
                ax.set_yticks([])
            elif i > j:
                colors = np.zeros((len(weight), 4))
                colors[:, 2], colors[:, 3] = 0.6, alpha
                ax.scatter(posterior[column], posterior[row], s=8, c=colors, linewidths=0)
                if truth is not None:
                    ax.scatter([truth[column]], [truth[row]], marker="x", color=TRUTH_COLOR, s=40)
                ax.set_xlim(priors[j].bounds)
                ax.set_ylim(priors[i].bounds)
            else:
                ax.set_visible(False)
            if i == d - 1:
                ax.set_xlabel(_short(column), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(_short(row), fontsize=8)
            ax.tick_params(labelsize=6)
    fig.suptitle("Posterior ensemble, pairs of parameters")
    return _svg(fig)


def predictive(
    bands: pd.DataFrame, data: Mapping[str, pd.DataFrame], titles: Mapping[str, str]
) -> str:
    """Per target: the posterior predictive median and 90% band of its model quantity by
    year, with the observed data (points)."""
    names = list(dict.fromkeys(bands["target"]))
    fig, axes = _grid(len(names), 3.6, 2.8)
    for ax, name in zip(axes, names, strict=False):
        band = bands[bands["target"] == name]
        ax.fill_between(
            band["year"],
            band["p05"],
            band["p95"],
            color=POSTERIOR_COLOR,
            alpha=0.25,
            label="posterior 90%",
        )
        ax.plot(band["year"], band["p50"], color=POSTERIOR_COLOR, label="posterior median")
        observed = data.get(name)
        if observed is not None and len(observed):
            ax.plot(observed["year"], observed["value"], "o", color=DATA_COLOR, ms=4, label="data")
        ax.set_title(titles.get(name, name), fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle("Posterior predictive bands against the data")
    return _svg(fig)


def waves(log: Sequence[Mapping[str, object]]) -> str:
    """Share of the prior not ruled out before each wave and before the ensemble."""
    labels = [str(entry["wave"]) for entry in log]
    shares = [100 * float(entry["non_implausible"]) for entry in log]
    fig = Figure(figsize=(4.5, 2.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(labels, shares, color=POSTERIOR_COLOR)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of prior draws not implausible")
    ax.set_xlabel("design drawn for wave")
    fig.suptitle("History matching: the non-implausible region shrinks")
    return _svg(fig)
