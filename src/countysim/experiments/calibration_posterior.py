"""The posterior of a calibration: a weighted ensemble of parameter sets, its summaries,
and how posterior files are read and sampled for runs with parameter uncertainty.

A posterior file is Parquet: one row per parameter set, a column per calibrated parameter
(its dotted scenario key), one per target (the set's simulated statistic), ``log_likelihood``
and ``weight`` (summing to 1). Its key-value metadata ``countysim`` holds the provenance as
JSON: version and commit, the calibration file, its hash, data files and the date.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from countysim.config import check_key
from countysim.experiments.calibration_priors import Prior
from countysim.experiments.scenario_model import scenario_for
from countysim.experiments.store import write_atomically

#: The Parquet metadata key of a posterior's provenance.
METADATA_KEY = b"countysim"
#: Columns of a posterior that are not parameters.
NON_PARAMETERS = ("set", "log_likelihood", "weight", "runs_ok")
BAND = (0.05, 0.5, 0.95)


class PosteriorError(ValueError):
    """A posterior file that cannot be used (exit status 2)."""

    exit_code = 2


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (the weighted empirical CDF, interpolated between
    the midpoints of each value's weight)."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = np.isfinite(values) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if len(values) == 0:
        return np.full(len(q), np.nan)
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return np.interp(q, cumulative, values)


def parameter_summary(
    posterior: pd.DataFrame, priors: Sequence[Prior], truth: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Per parameter: the prior's and the posterior's median and 90% interval, the ratio of
    the interval widths, and (for synthetic data) the true value and whether it is inside."""
    rows = []
    for prior in priors:
        low, high = prior.interval(0.9)
        p05, p50, p95 = weighted_quantiles(posterior[prior.name], posterior["weight"], BAND)
        row: dict[str, Any] = {
            "parameter": prior.name,
            "prior": prior.kind,
            "prior_p05": low,
            "prior_p50": float(prior.from_unit(np.array([0.5]))[0]),
            "prior_p95": high,
            "posterior_p05": p05,
            "posterior_p50": p50,
            "posterior_p95": p95,
            "width_ratio": (p95 - p05) / (high - low),
        }
        if truth is not None:
            row["truth"] = truth[prior.name]
            row["truth_inside"] = bool(p05 <= truth[prior.name] <= p95)
        rows.append(row)
    return pd.DataFrame(rows)


def write_posterior(path: Path, table: pd.DataFrame, provenance: Mapping[str, Any]) -> None:
    """Write a posterior table with its provenance in the Parquet metadata."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = dict(arrow.schema.metadata or {})
    metadata[METADATA_KEY] = json.dumps(provenance, default=str).encode("utf-8")
    arrow = arrow.replace_schema_metadata(metadata)
    write_atomically(path, lambda temporary: pq.write_table(arrow, temporary))


def read_posterior(path: str | os.PathLike) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A posterior's parameter sets with weights, and its provenance.

    Returns the table of parameter columns (dotted scenario keys) and ``weight``; raises
    ``PosteriorError`` if the file is not a countysim posterior."""
    where = os.fspath(path)
    try:
        arrow = pq.read_table(where)
    except (OSError, pa.ArrowInvalid) as exc:
        raise PosteriorError(f"{where}: not a readable Parquet posterior ({exc})") from None
    metadata = arrow.schema.metadata or {}
    if METADATA_KEY not in metadata or "weight" not in arrow.column_names:
        raise PosteriorError(
            f"{where}: not a countysim posterior (no weights and provenance); use the "
            "posterior.parquet that countysim calibrate writes"
        )
    provenance = json.loads(metadata[METADATA_KEY])
    parameters = list(provenance.get("parameters", []))
    unknown = [name for name in parameters if check_key(name) is not None]
    if not parameters or unknown:
        raise PosteriorError(f"{where}: its parameters are not scenario values: {unknown}")
    table = arrow.to_pandas()[[*parameters, "weight"]]
    if not np.isclose(table["weight"].sum(), 1.0) or (table["weight"] < 0).any():
        raise PosteriorError(f"{where}: weights must be non-negative and sum to 1")
    return table, provenance


def draw_parameter_sets(posterior: pd.DataFrame, count: int, seed: int) -> list[dict[str, float]]:
    """``count`` parameter sets drawn from a weighted posterior by systematic resampling
    (one uniform offset, then evenly spaced: every set appears in proportion to its weight,
    with less noise than independent draws). The same seed gives the same sets."""
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy(dtype=float)
    positions = (rng.random() + np.arange(count)) / count
    rows = np.minimum(np.searchsorted(np.cumsum(weights), positions), len(weights) - 1)
    parameters = [c for c in posterior.columns if c != "weight"]
    return [
        {name: float(posterior[name].iloc[row]) for name in parameters}
        for row in rng.permutation(rows)
    ]


def posterior_draws(
    path: str | os.PathLike, count: int, seed: int, base: Mapping[str, Any]
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """``count`` parameter sets drawn from the posterior at ``path`` for runs of the
    resolved scenario ``base``, each checked as a whole scenario (``ScenarioError`` if one is
    not allowed there), and the provenance to record with the results."""
    table, provenance = read_posterior(path)
    sets = draw_parameter_sets(table, count, seed)
    for values in sets:
        scenario_for(base, values)
    recorded = ("calibration", "calibration_file", "calibration_hash", "git_commit", "parameters")
    return sets, {"file": str(Path(path).resolve()), "draw_seed": seed} | {
        key: provenance.get(key) for key in recorded
    }
