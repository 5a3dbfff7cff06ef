"""Global sensitivity analysis of sweep outputs with SALib: Sobol indices, Morris effects.

Both work on one output at a time, given as one number per design point in the design's
order. With replicates, that number is the mean over a point's replicates (``point_means``),
which removes most of the model's own noise from the estimates. Indices refer to the
parameters' quantiles (the unit hypercube the design was drawn in), so Morris effects are in
output units per full range of a parameter.

- Sobol (``sobol_indices``): first-order (S1, the share of the output's variance due to the
  parameter alone) and total (ST, including all its interactions), each with the half-width
  of a bootstrap confidence interval.
- Morris (``morris_effects``): mu* (mean absolute elementary effect: overall influence), its
  confidence half-width, and sigma (their spread: interactions or non-linearity).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from countysim.experiments.design import Design
from countysim.experiments.execution import OK

SOBOL_COLUMNS = ("output", "parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("output", "parameter", "mu", "mu_star", "mu_star_conf", "sigma")


class AnalysisError(ValueError):
    """An output cannot be analysed (wrong design, missing or undefined values)."""


def point_means(runs: pd.DataFrame, design: Design, outputs: list[str]) -> pd.DataFrame:
    """Each output's mean over the successful replicates of every design point.

    ``runs`` has a ``point`` column, the outputs and, if present, a ``status`` column (only
    ``"ok"`` rows count). The result has one row per design point, in design order; points
    without a successful run are NaN.
    """
    ok = runs[runs["status"] == OK] if "status" in runs.columns else runs
    means = ok.groupby("point")[outputs].mean()
    return means.reindex(pd.RangeIndex(len(design), name="point"))


def sobol_indices(
    design: Design,
    values: pd.Series,
    *,
    conf_level: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """First-order and total Sobol indices of one output (``values``, by design point).

    Needs a ``sobol`` design. Returns one row per parameter: ``output, parameter, S1,
    S1_conf, ST, ST_conf``, the ``_conf`` columns being half-widths of ``conf_level``
    bootstrap intervals.
    """
    y = _checked(design, values, "sobol")
    result = sobol.analyze(
        design.problem(),
        y,
        calc_second_order=bool(design.settings.get("second_order", False)),
        num_resamples=resamples,
        conf_level=conf_level,
        seed=seed,
    )
    table = pd.DataFrame(
        {key: result[key] for key in ("S1", "S1_conf", "ST", "ST_conf")}, index=design.names
    )
    return _tidy(table, values.name, SOBOL_COLUMNS)


def morris_effects(
    design: Design,
    values: pd.Series,
    *,
    conf_level: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris elementary effects of one output: ``output, parameter, mu, mu_star,
    mu_star_conf, sigma`` per parameter. Needs a ``morris`` design."""
    y = _checked(design, values, "morris")
    result = morris.analyze(
        design.problem(),
        design.unit,
        y,
        num_resamples=resamples,
        conf_level=conf_level,
        num_levels=int(design.settings["levels"]),
        seed=seed,
    )
    table = pd.DataFrame(
        {key: np.asarray(result[key], dtype=float) for key in MORRIS_COLUMNS[2:]},
        index=design.names,
    )
    return _tidy(table, values.name, MORRIS_COLUMNS)


def indices(design: Design, values: pd.Series, **options) -> pd.DataFrame:
    """The sensitivity measure that suits the design: Sobol indices or Morris effects."""
    if design.kind == "sobol":
        return sobol_indices(design, values, **options)
    if design.kind == "morris":
        return morris_effects(design, values, **options)
    raise AnalysisError(f"a {design.kind} design has no sensitivity indices; use sobol or morris")


def _checked(design: Design, values: pd.Series, kind: str) -> np.ndarray:
    if design.kind != kind:
        raise AnalysisError(f"{kind} analysis needs a {kind} design, not a {design.kind} design")
    y = np.asarray(values, dtype=float)
    if len(y) != len(design):
        raise AnalysisError(f"{values.name}: {len(y)} values for {len(design)} design points")
    undefined = int(np.isnan(y).sum())
    if undefined:
        raise AnalysisError(
            f"{values.name}: undefined at {undefined} of {len(y)} design points: their runs "
            "failed or are not done yet (see countysim status), or a threshold is never crossed"
        )
    if np.ptp(y) == 0:
        raise AnalysisError(f"{values.name}: the same at every design point; nothing to attribute")
    return y


def _tidy(table: pd.DataFrame, output: object, columns: tuple[str, ...]) -> pd.DataFrame:
    table = table.rename_axis("parameter").reset_index()
    table.insert(0, "output", output)
    return table[list(columns)]
