"""The run figures under their earlier module name; they live in :mod:`countysim.figures`
(one module per family of figures). Kept so that code importing ``countysim.plots`` keeps
working."""

from countysim.figures.county_map import plot_map
from countysim.figures.figure_sets import plot_overview, run_figures, save_run_figures
from countysim.figures.migration_flows import plot_migration
from countysim.figures.run_series import (
    plot_income,
    plot_income_ratio,
    plot_population,
    plot_urbanization,
)
from countysim.figures.style import (
    _SINGLE_FIGSIZE,
    _STYLE,
    BAND_QUANTILES,
    LEVEL_COLORS,
    LEVEL_LABELS,
    MissingColumnsError,
    _new_axes,
    _style_axes,
    _year_axis,
    map_colorbar,
)

__all__ = [
    "BAND_QUANTILES",
    "LEVEL_COLORS",
    "LEVEL_LABELS",
    "_SINGLE_FIGSIZE",
    "_STYLE",
    "MissingColumnsError",
    "_new_axes",
    "_style_axes",
    "_year_axis",
    "map_colorbar",
    "plot_income",
    "plot_income_ratio",
    "plot_map",
    "plot_migration",
    "plot_overview",
    "plot_population",
    "plot_urbanization",
    "run_figures",
    "save_run_figures",
]
