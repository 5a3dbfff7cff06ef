"""The look every figure shares: palette of the place levels, style sheet, axes helpers,
replicate bands, map markers, and writing figures to files.

Figures are plain :class:`matplotlib.figure.Figure` objects bound to the non-interactive
Agg canvas: they work on headless machines, never touch pyplot or the caller's backend,
and apply their style only inside :func:`matplotlib.rc_context` blocks. Every ``plot_*``
function accepts an existing ``ax`` and returns the Axes it drew on; without ``ax`` a new
standalone figure is created (``ax.figure``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

# --------------------------------------------------------------------------- style

#: One colour per place level, used by every figure (Okabe-Ito based, colour-blind safe).
LEVEL_COLORS: dict[str, str] = {
    "village": "#009E73",  # green
    "township": "#E69F00",  # orange
    "county_town": "#CC3311",  # red
    "city": "#0072B2",  # blue
}

#: Human-readable names of the levels (singular, for legends such as "village → city").
LEVEL_LABELS: dict[str, str] = {
    "village": "village",
    "township": "township",
    "county_town": "county town",
    "city": "city",
}

#: Colours of the two urbanization measures (not levels).
_MEASURE_COLORS = {"resident": "#0072B2", "registered": "#CC79A7"}

#: Marker per origin level in the migration panels (colour = origin too).
_ORIGIN_MARKERS = {"village": "o", "township": "^", "county_town": "s", "city": "D"}

_COUNTY_LEVELS = ("county_town", "township", "village")
_FLOWS_COLUMNS = ("year", "origin_level", "destination_level", "persons")
_WORLD_COLUMNS = ("place_id", "name", "level", "parent", "x_km", "y_km")
_PLACES_COLUMNS = ("year", "place_id", "residents", "income_pc")
_ALL_LEVELS = ("village", "township", "county_town", "city")

_STYLE = {
    "font.size": 10,
    "axes.titlesize": 11.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 9,
    "legend.framealpha": 0.85,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "lines.linewidth": 1.9,
    "lines.markersize": 4.5,
}

_TICK_LABELSIZE = 9

#: Quantiles across replicates of the band drawn around their mean: the middle 90% of runs.
BAND_QUANTILES = (0.05, 0.95)
_BAND_ALPHA = 0.18
_SAVE_DPI = 150
_SINGLE_FIGSIZE = (7.0, 4.4)
_MAP_FIGSIZE = (8.0, 6.6)


class MissingColumnsError(KeyError, ValueError):
    """A required column is missing from an input table (both a KeyError and ValueError)."""

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return str(self.args[0]) if self.args else ""


# ------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise a clear error if ``df`` is not a non-empty DataFrame holding ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{table!r} table must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnsError(
            f"{table!r} table is missing required column(s): {', '.join(map(repr, missing))}"
        )
    if df.empty:
        raise ValueError(f"{table!r} table is empty; nothing to plot")


def _new_axes(figsize: tuple[float, float]) -> Axes:
    """A standalone figure on the Agg canvas (no pyplot, no global registration)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _style_axes(ax: Axes, grid_axis: str = "y") -> None:
    ax.tick_params(labelsize=_TICK_LABELSIZE)
    if grid_axis:
        ax.grid(True, axis=grid_axis, alpha=0.3, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)


def _year_axis(ax: Axes, years: Sequence[int] | np.ndarray) -> None:
    """Integer year ticks, without thousands separators or offsets."""
    years = np.asarray(years)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, min_n_ticks=2))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{int(round(x))}"))
    if years.size:
        lo, hi = float(years.min()), float(years.max())
        pad = 0.03 * (hi - lo) if hi > lo else 0.5
        ax.set_xlim(lo - pad, hi + pad)
    ax.set_xlabel("Year")


def _marker_for(n_points: int) -> str | None:
    """Point markers only for short series, where they help reading single years."""
    return "o" if n_points <= 15 else None


def _thousands_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: f"{x:,.{decimals}f}")


def _by_year(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Rows sorted by year with integer years (averaging accidental duplicate years)."""
    out = df[["year", *columns]].copy()
    out["year"] = pd.to_numeric(out["year"]).round().astype(int)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce")
    return out.groupby("year", as_index=False)[list(columns)].mean().sort_values("year")


def _replicate_count(df: pd.DataFrame) -> int:
    """How many runs a table holds: the distinct values of its ``replicate`` column, else 1."""
    return int(df["replicate"].nunique()) if "replicate" in df.columns else 1


def _band_by_year(
    df: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The per-year ``BAND_QUANTILES`` of ``columns`` across replicates as (low, high) tables
    with the years of ``_by_year`` (whose mean over duplicate years is then the replicate
    mean); None for a single run, which has no band."""
    if _replicate_count(df) < 2:
        return None
    out = df[["year", *columns]].copy()
    out["year"] = pd.to_numeric(out["year"]).round().astype(int)
    for c in columns:
        out[c] = pd.to_numeric(out[c], errors="coerce")
    grouped = out.groupby("year")[list(columns)]
    low, high = (grouped.quantile(q).reset_index().sort_values("year") for q in BAND_QUANTILES)
    return low, high


def _fill_band(ax: Axes, years, low, high, color: str) -> None:
    ax.fill_between(years, low, high, color=color, alpha=_BAND_ALPHA, linewidth=0)


def _band_handle(replicates: int) -> Patch:
    """Legend entry explaining the bands of a figure drawn from several replicates."""
    low, high = (round(100 * q) for q in BAND_QUANTILES)
    label = f"mean of {replicates} replicates, {low}–{high}% band"
    return Patch(facecolor="0.5", alpha=2 * _BAND_ALPHA, linewidth=0, label=label)


def _legend(ax: Axes, replicates: int, handles: list | None = None, **kwargs):
    """``ax.legend(**kwargs)``, with the band entry added when the figure shows replicates."""
    if replicates < 2:
        return ax.legend(**kwargs) if handles is None else ax.legend(handles, **kwargs)
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    handles = [*handles, _band_handle(replicates)]
    return ax.legend(handles, [h.get_label() for h in handles], **kwargs)


# ------------------------------------------------------------------------ population

# ---------------------------------------------------------------- map markers

_MAP_MARKERS = {"county_town": "s", "township": "^", "village": "o"}
_MAP_EDGES = {
    # (edge colour, edge width)
    "county_town": ("black", 1.3),
    "township": ("0.15", 1.0),
    "village": ("0.2", 0.5),
}
_MAP_LABELS = {"county_town": "County town", "township": "Township seat", "village": "Village"}
_MAX_MARKER_AREA = 1400.0  # points^2 of the largest place (circle-equivalent)


def _marker_area(marker: str) -> float:
    """Filled area (in markersize^2 units) of a matplotlib marker."""
    style = MarkerStyle(marker)
    path = style.get_path().transformed(style.get_transform())
    area = 0.0
    for poly in path.to_polygons():
        x, y = poly[:, 0], poly[:, 1]
        area += 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    return area


def _area_factor(marker: str) -> float:
    """Scale for scatter ``s`` so that ``marker`` covers the same area as a circle."""
    return _marker_area("o") / _marker_area(marker)


def map_colorbar(ax: Axes, norm, cmap, label: str):
    """The colour bar under a county map, in the style every map shares."""
    cbar = ax.figure.colorbar(
        mpl.cm.ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        location="bottom",
        shrink=0.8,
        aspect=35,
        pad=0.02,
    )
    cbar.set_label(label)
    cbar.ax.tick_params(labelsize=_TICK_LABELSIZE)
    return cbar


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


# -------------------------------------------------------------------------- saving

#: File formats the command line offers for figures (`--format`).
FIGURE_FORMATS = ("png", "svg", "pdf")


def check_formats(formats: str | Sequence[str]) -> list[str]:
    """Lower-case format names without dots; a clear error for one matplotlib cannot write."""
    fmts = [formats] if isinstance(formats, str) else list(formats)
    fmts = [f.lower().lstrip(".") for f in fmts]
    supported = FigureCanvasAgg(Figure()).get_supported_filetypes()
    bad = [f for f in fmts if f not in supported]
    if not fmts or bad:
        raise ValueError(f"unsupported figure format(s) {fmts}; choose from {sorted(supported)}")
    return fmts


def write_figures(
    figures: dict[str, Figure],
    outdir: str | Path,
    formats: str | Sequence[str] = ("png",),
    *,
    dpi: int = _SAVE_DPI,
    footer: str | None = None,
) -> list[Path]:
    """Write each figure as ``<name>.<format>`` in ``outdir`` (created if needed), raster
    formats at ``dpi``; ``footer`` (a run's provenance) is printed small under each figure.
    Returns the paths, figures outer, formats inner."""
    fmts = check_formats(formats)
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, fig in figures.items():
        if footer:
            fig.text(0.0, -0.02, footer, fontsize=6, color="0.4", ha="left", va="top")
        for fmt in fmts:
            path = outdir / f"{name}.{fmt}"
            fig.savefig(path, dpi=dpi, bbox_inches="tight", format=fmt)
            written.append(path)
    return written
