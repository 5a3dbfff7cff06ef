"""Designs and sensitivity analysis, on Python functions with known answers.

The Ishigami function goes through exactly the code a sweep uses: ``make_design``, tasks run
by ``execute`` on an executor, ``point_means`` and ``sobol_indices``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from countysim.experiments import (
    Design,
    InlineExecutor,
    Parameter,
    RunTask,
    execute,
    make_design,
    morris_effects,
    point_means,
    sobol_indices,
)
from countysim.experiments.execution import run_id
from countysim.experiments.sensitivity import AnalysisError

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(parameters, seed):
    """y = sin x1 + a sin² x2 + b x3⁴ sin x1 on [-pi, pi]³ (the seed is not used)."""
    x1, x2, x3 = (parameters[f"x{i}"] for i in (1, 2, 3))
    return {"y": math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)}


def ishigami_indices() -> tuple[list[float], list[float]]:
    """Analytic first-order and total indices (Ishigami and Homma 1990)."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return [v1 / variance, v2 / variance, 0.0], [
        (v1 + v13) / variance,
        v2 / variance,
        v13 / variance,
    ]


def run_design(design: Design, model) -> pd.DataFrame:
    """Every design point once through the executor path of a sweep; one row per run."""
    tasks = [
        RunTask(run_id(p, 0), p, 0, 0, values) for p, values in enumerate(design.point_values())
    ]
    records = execute(tasks, model, InlineExecutor(), max_in_flight=1, progress=False)
    return pd.DataFrame([{"point": r.task.point, "status": r.status, **r.outputs} for r in records])


def test_sobol_recovers_the_ishigami_indices():
    parameters = [Parameter(f"x{i}", bounds=(-math.pi, math.pi)) for i in (1, 2, 3)]
    design = make_design("sobol", parameters, samples=2048, seed=11)
    assert len(design) == 2048 * (3 + 2)
    runs = run_design(design, ishigami)
    table = sobol_indices(design, point_means(runs, design, ["y"])["y"], seed=1)
    first, total = ishigami_indices()
    assert table["parameter"].tolist() == ["x1", "x2", "x3"]
    np.testing.assert_allclose(table["S1"], first, atol=0.04)
    np.testing.assert_allclose(table["ST"], total, atol=0.04)
    # the analytic values lie within the (95%) confidence intervals, widened a little
    assert (abs(table["S1"] - first) <= 1.5 * table["S1_conf"]).all()
    assert (abs(table["ST"] - total) <= 1.5 * table["ST_conf"]).all()


def test_morris_effects_of_a_linear_function():
    """y = 3 a on a in [0, 10], b unused: every effect of a is 30 per full range."""
    parameters = [Parameter("a", bounds=(0.0, 10.0)), Parameter("b", bounds=(-1.0, 1.0))]
    design = make_design("morris", parameters, samples=10, levels=4, seed=5)
    assert len(design) == 10 * (2 + 1)
    runs = run_design(design, lambda p, seed: {"y": 3.0 * p["a"]})
    table = morris_effects(design, point_means(runs, design, ["y"])["y"]).set_index("parameter")
    assert table.loc["a", "mu_star"] == pytest.approx(30.0)
    assert table.loc["a", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["b", "mu_star"] == pytest.approx(0.0, abs=1e-12)


def test_undefined_or_constant_outputs_are_refused():
    design = make_design("sobol", [Parameter("x", bounds=(0, 1))], samples=8)
    with pytest.raises(AnalysisError, match="undefined at 1 of 24"):
        sobol_indices(design, pd.Series([1.0] * 23 + [np.nan], name="y"))
    with pytest.raises(AnalysisError, match="the same at every design point"):
        sobol_indices(design, pd.Series([2.0] * 24, name="y"))
    with pytest.raises(AnalysisError, match="needs a morris design"):
        morris_effects(design, pd.Series(np.arange(24.0), name="y"))


def test_grid_list_and_lhs_designs():
    grid = make_design(
        "grid", [Parameter("a", bounds=(0, 1)), Parameter("b", values=("x", "y"))], levels=3
    )
    assert grid.points.to_dict("list") == {
        "a": [0.0, 0.0, 0.5, 0.5, 1.0, 1.0],
        "b": ["x", "y"] * 3,
    }
    listed = make_design("list", points=[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    assert listed.point_values() == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    lhs = make_design("lhs", [Parameter("a", bounds=(2, 4))], samples=10, seed=1)
    strata = np.floor((lhs.points["a"] - 2) / 0.2).astype(int)
    assert sorted(strata) == list(range(10)), "one point per tenth of the range"


def test_sampled_values_respect_bounds_and_integers_are_equally_likely():
    parameters = [
        Parameter("n", bounds=(1, 4), integer=True),
        Parameter("log", bounds=(1.0, 100.0), distribution="loguniform"),
        Parameter("tri", bounds=(0.0, 2.0), distribution="triangular", mode=0.5),
        Parameter("tn", bounds=(0.0, 1.0), distribution="truncnorm", mean=0.3, sd=0.2),
        Parameter("cat", values=("p", "q")),
    ]
    design = make_design("lhs", parameters, samples=4000, seed=2)
    points = design.points
    assert points["n"].value_counts().to_dict() == {1: 1000, 2: 1000, 3: 1000, 4: 1000}
    for p in parameters[1:4]:
        assert points[p.name].between(*p.bounds).all()
    assert points["tri"].median() < 1.0 and points["tn"].median() < 0.5
    assert points["cat"].value_counts().to_dict() == {"p": 2000, "q": 2000}


def test_designs_round_trip_through_plain_data():
    parameters = [Parameter("a", bounds=(0, 1)), Parameter("k", bounds=(1, 3), integer=True)]
    design = make_design("morris", parameters, samples=4, seed=3)
    again = Design.from_dict(design.to_dict())
    pd.testing.assert_frame_equal(again.points, design.points)
    np.testing.assert_array_equal(again.unit, design.unit)
    assert again.parameters == design.parameters and again.settings == design.settings


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("sobol", {"samples": 12}, "power of two"),
        ("lhs", {}, "positive number of samples"),
        ("spiral", {"samples": 4}, "unknown design kind"),
    ],
)
def test_bad_designs_are_refused(kind, options, message):
    with pytest.raises(ValueError, match=message):
        make_design(kind, [Parameter("a", bounds=(0, 1))], **options)
