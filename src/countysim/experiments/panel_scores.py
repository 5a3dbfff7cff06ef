"""Scores of a county panel, and the null models the model must beat.

Every source of predictions (the model, each null model) is a table indexed by county code
with two columns per quantity: ``<quantity>_start`` (its 2010 value) and ``<quantity>_end``
(its value in the target year), in the units of the census. ``scored_values`` puts a table on
the scale the scores use (log for the resident population, and the log change of the
resident population as a quantity of its own); ``score`` compares it with the census.

The null models predict the change between the censuses from the 2010 census alone:

- ``persistence``: nothing changes, the 2010 value is the prediction;
- ``mean_change``: the 2010 value plus the mean change of the counties it was fitted on;
- ``regression``: the 2010 value plus a linear regression of the change on 2010 covariates
  (size, urban share, age, households, migrants, schooling, farm work, region, unit type).

They are fitted on the targets (the calibration half) and evaluated out of sample by k-fold
cross-validation: each county's prediction comes from a fit on the folds it is not in, so
the null models are not scored on the counties they were fitted to, while the model (which
is not fitted county by county) is scored on every county.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from countysim.experiments.panel_quantities import LOG_CHANGE, QUANTITIES, SCORED

NULL_MODELS = ("persistence", "mean_change", "regression")
NULL_LABELS = {
    "persistence": "persistence of 2010",
    "mean_change": "2010 plus the mean change",
    "regression": "regression on 2010 covariates",
}
SCORE_COLUMNS = ("n", "rmse", "mae", "bias", "correlation", "right_sign_share")

#: 2010 census columns of the regression null model (besides region and unit-type dummies).
COVARIATES = (
    "urban_share",
    "share_age_0_14",
    "share_age_65_plus",
    "household_size",
    "in_migrants_same_county_share",
    "in_migrants_other_county_same_province_share",
    "in_migrants_other_province_share",
    "mean_years_schooling",
    "farm_employment_share",
    "nonfarm_hukou_share",
    "birth_rate_per_mille",
    "death_rate_per_mille",
)
#: Columns of the 2010 census used only to derive covariates.
DERIVED_FROM = ("residents", "registered", "region", "unit_type")


def start_end(census_2010: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """The census values of every quantity: ``<q>_start`` from 2010, ``<q>_end`` from the
    targets (NaN for counties without targets), indexed by code."""
    base = census_2010.set_index("code")
    end = targets.set_index("code").reindex(base.index)
    columns = {}
    for q in QUANTITIES:
        columns[f"{q.name}_start"] = pd.to_numeric(base[q.census_2010], errors="coerce")
        columns[f"{q.name}_end"] = pd.to_numeric(end[q.census_2020], errors="coerce")
    return pd.DataFrame(columns, index=base.index)


def scored_values(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values at the end, change since the start) of every scored quantity, on the scoring
    scale: log for log quantities; the resident log change counts as its own change."""
    level, change = {}, {}
    for q in QUANTITIES:
        start = table[f"{q.name}_start"].astype(float)
        end = table[f"{q.name}_end"].astype(float)
        if q.log:
            start, end = _log(start), _log(end)
        level[q.name], change[q.name] = end, end - start
        if q.name == "residents":
            level[LOG_CHANGE] = change[LOG_CHANGE] = end - start
    return pd.DataFrame(level)[list(SCORED)], pd.DataFrame(change)[list(SCORED)]


def _log(values: pd.Series) -> pd.Series:
    return np.log(values.where(values > 0))


def errors(predicted: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Predicted minus actual, per county and scored quantity (on the scoring scale)."""
    got, _ = scored_values(predicted)
    want, _ = scored_values(actual.reindex(predicted.index))
    return got - want


def score(predicted: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Scores of one source of predictions against the census, one row per scored quantity:
    number of counties, RMSE, MAE, mean error (bias), correlation of predicted and actual,
    and the share of counties where the change since 2010 has the right sign."""
    got, got_change = scored_values(predicted)
    want, want_change = scored_values(actual.reindex(predicted.index))
    rows = {}
    for name in SCORED:
        both = got[name].notna() & want[name].notna()
        p, a = got.loc[both, name].to_numpy(), want.loc[both, name].to_numpy()
        dp, da = got_change.loc[both, name].to_numpy(), want_change.loc[both, name].to_numpy()
        rows[name] = score_arrays(p, a, dp, da)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(SCORE_COLUMNS))
    return table.rename_axis("quantity")


def score_arrays(
    predicted: np.ndarray,
    actual: np.ndarray,
    predicted_change: np.ndarray,
    actual_change: np.ndarray,
) -> tuple[int, float, float, float, float, float]:
    """(n, RMSE, MAE, bias, correlation, right-sign share) of paired arrays. The correlation
    is undefined (NaN) when either side is constant; a predicted change of zero never has
    the right sign (persistence claims no change)."""
    n = len(predicted)
    if n == 0:
        return 0, *([float("nan")] * 5)
    error = predicted - actual
    rmse = float(np.sqrt(np.mean(error**2)))
    mae = float(np.mean(np.abs(error)))
    bias = float(np.mean(error))
    if n > 1 and np.std(predicted) > 0 and np.std(actual) > 0:
        correlation = float(np.corrcoef(predicted, actual)[0, 1])
    else:
        correlation = float("nan")
    right = np.sign(predicted_change) == np.sign(actual_change)
    right &= predicted_change != 0
    return n, rmse, mae, bias, correlation, float(np.mean(right))


# ----------------------------------------------------------------------------- null models


def covariates(census_2010: pd.DataFrame) -> pd.DataFrame:
    """The regression's 2010 covariates by code: log residents, log registered per
    resident, ``COVARIATES``, and dummies of region and unit type (first level dropped)."""
    base = census_2010.set_index("code")
    numeric = {name: pd.to_numeric(base[name], errors="coerce") for name in COVARIATES}
    residents = pd.to_numeric(base["residents"], errors="coerce")
    registered = pd.to_numeric(base["registered"], errors="coerce")
    numeric["log_residents"] = np.log(residents.where(residents > 0))
    numeric["log_registered_per_resident"] = np.log((registered / residents).where(registered > 0))
    frame = pd.DataFrame(numeric, index=base.index)
    dummies = pd.get_dummies(base[["region", "unit_type"]].astype(str), drop_first=True)
    return pd.concat([frame, dummies.astype(float)], axis=1)


def fold_numbers(count: int, folds: int, seed: int) -> np.ndarray:
    """Fold of each of ``count`` counties: a random permutation cut into ``folds`` parts
    whose sizes differ by at most one."""
    if not 2 <= folds <= count:
        raise ValueError(f"cross-validation needs 2 to {count} folds, got {folds}")
    order = np.random.default_rng(seed).permutation(count)
    numbers = np.empty(count, dtype=int)
    numbers[order] = np.arange(count) % folds
    return numbers


def fit_change(
    kind: str, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray
) -> np.ndarray:
    """Predicted change of the test counties by one null model fitted on the training ones.
    Missing covariates take the training mean (so a county is never dropped for a blank)."""
    if kind == "persistence":
        return np.zeros(len(x_test))
    if kind == "mean_change":
        return np.full(len(x_test), float(np.mean(y_train)))
    if kind != "regression":
        raise ValueError(f"unknown null model {kind!r}; choose from {', '.join(NULL_MODELS)}")
    means = np.nanmean(x_train, axis=0)
    means = np.where(np.isnan(means), 0.0, means)  # a covariate blank in every training county
    train = np.where(np.isnan(x_train), means, x_train)
    test = np.where(np.isnan(x_test), means, x_test)
    design = np.column_stack([np.ones(len(train)), train])
    coefficients, *_ = np.linalg.lstsq(design, y_train, rcond=None)
    return np.column_stack([np.ones(len(test)), test]) @ coefficients


def null_predictions(
    actual: pd.DataFrame, x: pd.DataFrame, *, folds: int = 10, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Out-of-fold predictions of every null model, for every county with targets.

    ``actual`` is ``start_end`` of the fitting counties (the calibration half), ``x`` their
    covariates. For each quantity, the counties with both census values are cut into
    ``folds`` folds; each fold is predicted from a fit on the others. Returns one table per
    null model, shaped like ``actual`` (``_start`` is the 2010 census value).
    """
    codes = actual.index[actual.filter(like="_end").notna().any(axis=1)]
    out = {kind: pd.DataFrame(index=codes, dtype=float) for kind in NULL_MODELS}
    fold_of = pd.Series(fold_numbers(len(codes), folds, seed), index=codes)
    x = x.reindex(codes)
    for q in QUANTITIES:
        start = actual.loc[codes, f"{q.name}_start"].astype(float)
        end = actual.loc[codes, f"{q.name}_end"].astype(float)
        scaled_start, scaled_end = (_log(start), _log(end)) if q.log else (start, end)
        change = scaled_end - scaled_start
        usable = change.notna().to_numpy()
        predicted = np.full(len(codes), np.nan)
        for kind in NULL_MODELS:
            for fold in range(folds):
                test = usable & (fold_of.to_numpy() == fold)
                train = usable & ~(fold_of.to_numpy() == fold)
                if not test.any() or not train.any():
                    continue
                predicted[test] = fit_change(
                    kind, x.to_numpy()[train], change.to_numpy()[train], x.to_numpy()[test]
                )
            level = scaled_start.to_numpy() + predicted
            out[kind][f"{q.name}_start"] = start.to_numpy()
            out[kind][f"{q.name}_end"] = np.exp(level) if q.log else level
            predicted = np.full(len(codes), np.nan)
    return out


def score_table(
    model: pd.DataFrame, nulls: Mapping[str, pd.DataFrame], actual: pd.DataFrame
) -> pd.DataFrame:
    """Scores of the model and of each null model on the same counties (those the model
    predicted and the targets cover), in long form: source, quantity, scores."""
    scored_codes = model.index.intersection(
        actual.index[actual.filter(like="_end").notna().any(axis=1)]
    )
    frames = [score(model.loc[scored_codes], actual).assign(source="model")]
    for kind, table in nulls.items():
        common = scored_codes.intersection(table.index)
        frames.append(score(table.loc[common], actual).assign(source=kind))
    long = pd.concat(frames).reset_index()
    return long[["source", "quantity", *SCORE_COLUMNS]]
