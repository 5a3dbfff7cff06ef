"""Lever effects: the contrasts' scenarios are valid and differ only in their lever, and the
effects are computed replicate by replicate from a comparison table."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from countysim.config import resolved_dict
from countysim.experiments.lever_effects import (
    CONTRASTS,
    SCENARIOS,
    Contrast,
    effect_table,
    replicate_effects,
    scenario_overrides,
)
from countysim.runner import prepare

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_each_scenario_changes_only_its_land_lever():
    base = _flat(resolved_dict(prepare(BASELINE, scenario_overrides("baseline"))))
    for name in SCENARIOS:
        flat = _flat(resolved_dict(prepare(BASELINE, scenario_overrides(name))))
        changed = {k for k in base.keys() | flat.keys() if base.get(k) != flat.get(k)}
        levers = {o.split("=")[0] for o in SCENARIOS[name]}
        # A schedule lever resolves to a mapping: its keys lie below the lever's key.
        under = {k for k in changed if any(k == v or k.startswith(v + ".") for v in levers)}
        assert changed - {"name"} == under, name
        assert bool(under) == bool(levers), name
    assert all(c.treated in SCENARIOS and c.reference in SCENARIOS for c in CONTRASTS)


def _table(levels: dict[str, list[float]], years=(2014, 2015)) -> pd.DataFrame:
    """A comparison table whose every column is `levels[scenario][replicate]` in all years."""
    rows = []
    for scenario, values in levels.items():
        for replicate, v in enumerate(values):
            for year in years:
                rows.append(
                    {
                        "scenario": scenario,
                        "replicate": replicate,
                        "year": year,
                        "away_share_rural": v,
                        "farm_output_per_mu": v,
                        "land_idle_share": 0.5,
                        "land_per_farm_worker_mu": 4.0,
                    }
                )
    return pd.DataFrame(rows)


def test_effects_are_paired_replicate_by_replicate():
    table = _table({"a": [0.20, 0.30, 0.25], "b": [0.25, 0.33, 0.27]})
    points = Contrast("c", "a", "b", (2014, 2015), "away_points", -2.4, "s")
    effects = replicate_effects(table, points, beta=0.4)
    np.testing.assert_allclose(effects.effect, [-5.0, -3.0, -2.0])
    np.testing.assert_allclose(effects.relative, [-20.0, -100 * 0.03 / 0.33, -100 * 0.02 / 0.27])
    percent = Contrast("c", "a", "b", (2014, 2015), "output_percent", 8.0, "s")
    expected = 100 * (np.array([20, 30, 25]) / [25, 33, 27] - 1)
    np.testing.assert_allclose(replicate_effects(table, percent, beta=0.4).effect, expected)
    summary = effect_table(table, 0.4, [points]).iloc[0]
    assert summary.effect == pytest.approx(-10 / 3)
    assert summary.ci_low < summary.effect < summary.ci_high
    assert summary.q05 < summary.q95


def test_productivity_counts_land_in_use_and_workers():
    table = _table({"a": [1.0], "b": [1.0]})
    table.loc[table.scenario == "a", "land_idle_share"] = 0.0  # same output from more land
    tfp = Contrast("c", "a", "b", (2014, 2015), "tfp_percent", 10.0, "s")
    # Output per mu of land in use halves: Q / (T^b L^(1-b)) with T/L fixed falls by half.
    assert replicate_effects(table, tfp, beta=0.4).effect.iloc[0] == pytest.approx(-50.0)


def test_a_contrast_outside_the_simulated_years_is_refused():
    table = _table({"a": [1.0], "b": [1.0]})
    late = Contrast("c", "a", "b", (2014, 2030), "away_points", -2.4, "s")
    with pytest.raises(ValueError, match="years"):
        replicate_effects(table, late, beta=0.4)
