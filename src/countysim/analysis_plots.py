"""The analysis figures under their earlier module name; they live in
:mod:`countysim.figures` (one module per family of figures). Kept so that code importing
``countysim.analysis_plots`` keeps working."""

from countysim.figures.convergence import plot_beta, plot_sigma, plot_theil
from countysim.figures.figure_sets import analysis_figures, save_analysis_figures
from countysim.figures.migrant_workers import (
    plot_age_profile,
    plot_migrant_destinations,
    plot_migrant_shares,
    plot_migrant_worker_ages,
)
from countysim.figures.migration_flows import plot_flow_diagram
from countysim.figures.net_migration_map import plot_net_migration_map

__all__ = [
    "analysis_figures",
    "plot_age_profile",
    "plot_beta",
    "plot_flow_diagram",
    "plot_migrant_destinations",
    "plot_migrant_shares",
    "plot_migrant_worker_ages",
    "plot_net_migration_map",
    "plot_sigma",
    "plot_theil",
    "save_analysis_figures",
]
