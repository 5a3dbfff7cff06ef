"""Inequality and convergence measures for county income distributions."""

from .convergence import BetaResult, beta_convergence, coefficient_of_variation, sigma
from .inequality import (
    TheilSplit,
    gini,
    gini_between,
    theil,
    theil_decomposition,
    two_group_gini,
    two_group_theil,
)

__all__ = [
    "BetaResult",
    "TheilSplit",
    "beta_convergence",
    "coefficient_of_variation",
    "gini",
    "gini_between",
    "sigma",
    "theil",
    "theil_decomposition",
    "two_group_gini",
    "two_group_theil",
]
