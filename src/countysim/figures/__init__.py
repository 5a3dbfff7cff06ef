"""Figures of runs and their analysis, one module per family:

- :mod:`~countysim.figures.run_series`: population, urbanization, income and its ratio;
- :mod:`~countysim.figures.migration_flows`: moves between levels (small multiples by
  destination, flow diagram);
- :mod:`~countysim.figures.migrant_workers`: where migrant workers work, ages of movers;
- :mod:`~countysim.figures.county_map`, :mod:`~countysim.figures.net_migration_map`: maps;
- :mod:`~countysim.figures.convergence`: sigma, beta, Theil;
- :mod:`~countysim.figures.reference`: national statistics drawn for reference;
- :mod:`~countysim.figures.style`: palette, style, helpers, writing files;
- :mod:`~countysim.figures.figure_sets`: the overview, the run figures and the analysis
  figures of a run, written as PNG, SVG or PDF.
"""

from countysim.figures.convergence import plot_beta, plot_sigma, plot_theil
from countysim.figures.county_map import plot_map
from countysim.figures.figure_sets import (
    analysis_figures,
    plot_overview,
    run_figures,
    save_analysis_figures,
    save_run_figures,
)
from countysim.figures.migrant_workers import (
    plot_age_profile,
    plot_migrant_destinations,
    plot_migrant_shares,
    plot_migrant_worker_ages,
)
from countysim.figures.migration_flows import plot_flow_diagram, plot_migration
from countysim.figures.net_migration_map import plot_net_migration_map
from countysim.figures.run_series import (
    plot_income,
    plot_income_ratio,
    plot_population,
    plot_urbanization,
)
from countysim.figures.style import (
    BAND_QUANTILES,
    FIGURE_FORMATS,
    LEVEL_COLORS,
    LEVEL_LABELS,
    MissingColumnsError,
    write_figures,
)

__all__ = [
    "BAND_QUANTILES",
    "FIGURE_FORMATS",
    "LEVEL_COLORS",
    "LEVEL_LABELS",
    "MissingColumnsError",
    "analysis_figures",
    "plot_age_profile",
    "plot_beta",
    "plot_flow_diagram",
    "plot_income",
    "plot_income_ratio",
    "plot_map",
    "plot_migrant_destinations",
    "plot_migrant_shares",
    "plot_migrant_worker_ages",
    "plot_migration",
    "plot_net_migration_map",
    "plot_overview",
    "plot_population",
    "plot_sigma",
    "plot_theil",
    "plot_urbanization",
    "run_figures",
    "save_analysis_figures",
    "save_run_figures",
    "write_figures",
]
