"""Posteriors: weighted summaries, reading and drawing parameter sets, and runs whose bands
carry parameter uncertainty (``run --replicates --posterior``, ``compare --posterior``)."""

import json

import numpy as np
import pandas as pd
import pytest
from calibration_helpers import BASELINE

from countysim.cli import main
from countysim.compare import compare
from countysim.experiments.calibration_posterior import (
    PosteriorError,
    draw_parameter_sets,
    read_posterior,
    weighted_quantiles,
    write_posterior,
)

SMALL = ["county.generate.registered_population=4000", "years.end=2016",
         "simulation.spinup_years=0"]  # fmt: skip


@pytest.fixture
def posterior_file(tmp_path):
    table = pd.DataFrame(
        {
            "set": [0, 1, 2],
            "choice.income_weight": [0.8, 2.5, 1.5],
            "urbanization": [0.3, 0.4, 0.35],
            "log_likelihood": [-1.0, -2.1, -np.inf],
            "weight": [0.75, 0.25, 0.0],
        }
    )
    path = tmp_path / "posterior.parquet"
    provenance = {"calibration": "test", "calibration_hash": "ab" * 32,
                  "parameters": ["choice.income_weight"]}  # fmt: skip
    write_posterior(path, table, provenance)
    return path


def test_weighted_quantiles():
    values = np.arange(1001, dtype=float)
    assert weighted_quantiles(values, np.ones(1001), [0.05, 0.5, 0.95]) == pytest.approx(
        [50, 500, 950], abs=1
    )
    assert weighted_quantiles([1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [0.1, 0.9]) == pytest.approx(
        [2.0, 2.0]
    )


def test_draws_follow_the_weights(posterior_file):
    table, provenance = read_posterior(posterior_file)
    assert provenance["calibration"] == "test" and list(table.columns) == [
        "choice.income_weight", "weight",
    ]  # fmt: skip
    sets = draw_parameter_sets(table, 400, seed=3)
    values = [s["choice.income_weight"] for s in sets]
    assert values.count(0.8) == 300 and values.count(2.5) == 100  # systematic: exact shares
    assert draw_parameter_sets(table, 400, seed=3) == sets


def test_a_parquet_file_that_is_not_a_posterior_is_refused(tmp_path):
    path = tmp_path / "other.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(path)
    with pytest.raises(PosteriorError, match="not a countysim posterior"):
        read_posterior(path)
    out = tmp_path / "out"
    args = ["run", str(BASELINE), "--replicates", "2", "--posterior", str(path), "--out", str(out)]
    assert main(args) == 2 and not out.exists()


def test_run_replicates_draw_parameter_sets_from_the_posterior(tmp_path, posterior_file):
    out = tmp_path / "run"
    settings = [item for pair in (("--set", s) for s in SMALL) for item in pair]
    code = main(["run", str(BASELINE), *settings, "--replicates", "2", "--posterior",
                 str(posterior_file), "--workers", "1", "--out", str(out), "--no-figures",
                 "--no-report", "--quiet"])  # fmt: skip
    assert code == 0
    info = json.loads((out / "manifest.json").read_text())
    assert info["posterior"]["calibration_hash"] == "ab" * 32
    drawn = [s["choice.income_weight"] for s in info["replicates"]["parameter_sets"]]
    assert set(drawn) <= {0.8, 2.5} and len(drawn) == 2


def test_compare_pairs_parameter_sets_across_scenarios(posterior_file):
    # A reform whose schedule has a year within SMALL's short run (2012-2016).
    result = compare(
        [BASELINE, BASELINE.parent / "county_town_investment.yaml"],
        replicates=4,
        overrides=SMALL,
        posterior=posterior_file,
    )
    sets = result.posterior["parameter_sets"]
    assert [s["choice.income_weight"] for s in sets].count(0.8) == 3
    plain = compare([BASELINE, BASELINE.parent / "county_town_investment.yaml"], replicates=4,
                    overrides=SMALL)  # fmt: skip
    assert not np.allclose(
        result.table["urbanization_resident"], plain.table["urbanization_resident"]
    )
