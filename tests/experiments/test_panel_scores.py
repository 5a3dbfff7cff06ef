"""Scores and null models of the county panel against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from countysim.experiments.panel_quantities import LOG_CHANGE, QUANTITIES
from countysim.experiments.panel_scores import (
    fit_change,
    fold_numbers,
    null_predictions,
    score,
    score_arrays,
    scored_values,
)


def test_score_arrays_by_hand():
    predicted, actual = np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 5.0])
    n, rmse, mae, bias, corr, sign = score_arrays(
        predicted, actual, np.array([0.5, -1.0, 0.0]), np.array([1.0, 1.0, 2.0])
    )
    assert n == 3
    assert rmse == pytest.approx(math.sqrt(5 / 3))  # errors 0, -1, -2
    assert mae == pytest.approx(1.0)
    assert bias == pytest.approx(-1.0)
    assert corr == pytest.approx(1.0)  # actual = 2 predicted - 1
    assert sign == pytest.approx(1 / 3)  # right, wrong, and no change is never right


def test_constant_prediction_has_no_correlation_and_empty_scores_are_nan():
    _, _, _, _, corr, _ = score_arrays(np.ones(3), np.arange(3.0), np.zeros(3), np.ones(3))
    assert math.isnan(corr)
    n, rmse, *_ = score_arrays(np.array([]), np.array([]), np.array([]), np.array([]))
    assert n == 0 and math.isnan(rmse)


def _table(start: dict[str, list[float]], end: dict[str, list[float]], codes) -> pd.DataFrame:
    columns = {}
    for q in QUANTITIES:
        columns[f"{q.name}_start"] = start.get(q.name, [0.5] * len(codes))
        columns[f"{q.name}_end"] = end.get(q.name, [0.5] * len(codes))
    return pd.DataFrame(columns, index=pd.Index(codes, name="code"))


def test_scored_values_use_logs_for_residents():
    table = _table({"residents": [100.0]}, {"residents": [200.0], "urban_share": [0.7]}, ["a"])
    level, change = scored_values(table)
    assert level.loc["a", "residents"] == pytest.approx(math.log(200))
    assert level.loc["a", LOG_CHANGE] == pytest.approx(math.log(2))
    assert change.loc["a", LOG_CHANGE] == pytest.approx(math.log(2))
    assert change.loc["a", "urban_share"] == pytest.approx(0.2)


def test_score_of_a_source_against_the_census():
    codes = ["a", "b"]
    actual = _table({"residents": [100.0, 100.0]}, {"residents": [110.0, 90.0]}, codes)
    predicted = _table({"residents": [100.0, 100.0]}, {"residents": [120.0, 120.0]}, codes)
    row = score(predicted, actual).loc[LOG_CHANGE]
    errors = np.log([120 / 110, 120 / 90])
    assert row["rmse"] == pytest.approx(math.sqrt(np.mean(errors**2)))
    assert row["right_sign_share"] == pytest.approx(0.5)  # b shrank, predicted to grow


def test_fit_change_of_each_null_model():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = 0.5 + 2.0 * x[:, 0]
    test = np.array([[4.0], [np.nan]])
    assert fit_change("persistence", x, y, test).tolist() == [0.0, 0.0]
    assert fit_change("mean_change", x, y, test).tolist() == [3.5, 3.5]
    # an exact linear relation is recovered; a missing covariate takes the training mean
    assert fit_change("regression", x, y, test) == pytest.approx([8.5, 3.5])
    with pytest.raises(ValueError, match="unknown null model"):
        fit_change("oracle", x, y, test)


def test_folds_are_balanced_and_reproducible():
    folds = fold_numbers(10, 3, seed=4)
    assert sorted(np.bincount(folds)) == [3, 3, 4]
    assert (folds == fold_numbers(10, 3, seed=4)).all()
    with pytest.raises(ValueError):
        fold_numbers(3, 5, seed=0)


def test_null_models_are_cross_validated():
    # Four counties, two folds: each county's mean change comes from the other fold only.
    codes = ["a", "b", "c", "d"]
    start = {"urban_share": [0.1, 0.2, 0.3, 0.4]}
    end = {"urban_share": [0.2, 0.4, 0.6, 0.8]}  # changes 0.1, 0.2, 0.3, 0.4
    actual = _table(start, end, codes)
    x = pd.DataFrame({"z": [1.0, 2.0, 3.0, 4.0]}, index=actual.index)
    folds = fold_numbers(4, 2, seed=0)
    nulls = null_predictions(actual, x, folds=2, seed=0)
    change = np.array([0.1, 0.2, 0.3, 0.4])
    for i, code in enumerate(codes):
        other = change[folds != folds[i]].mean()
        got = nulls["mean_change"].loc[code, "urban_share_end"]
        assert got == pytest.approx(start["urban_share"][i] + other)
        assert nulls["persistence"].loc[code, "urban_share_end"] == start["urban_share"][i]
    # the change is linear in z, so the out-of-fold regression predicts it exactly
    assert nulls["regression"]["urban_share_end"].to_numpy() == pytest.approx(end["urban_share"])
