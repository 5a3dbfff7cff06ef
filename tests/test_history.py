"""The policy history 2010-2024 and the projection built on it."""

from __future__ import annotations

from pathlib import Path

import countysim
from countysim.config.schedule import value_at
from countysim.runner import prepare
from tests.test_scenarios import unsourced_numbers

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SMALL = {
    "county.generate.registered_population": 3000,
    "county.generate.townships": 2,
    "county.generate.villages_per_township": 3,
    "simulation.spinup_years": 1,
}


def test_every_number_of_the_history_and_projection_has_a_source():
    for name in ("history.yaml", "projection.yaml"):
        assert unsourced_numbers((SCENARIOS / name).read_text(encoding="utf-8")) == [], name


def test_the_history_runs_2010_to_2024_with_the_reforms_after_2012():
    history = prepare(SCENARIOS / "history.yaml")
    baseline = prepare(SCENARIOS / "baseline.yaml")
    assert (history.years.start, history.years.end) == (2010, 2024)
    # the same policies as the counterfactual until the reforms, different ones after
    for lever in (
        lambda s: s.hukou.settlement_years.county,
        lambda s: s.hukou.settlement_years.prefecture,
        lambda s: s.land.leasable_rights,
        lambda s: s.land.contract_extension,
        lambda s: s.pensions.portability,
        lambda s: s.finance.resident_based_transfers,
    ):
        assert value_at(lever(history), 2012) == value_at(lever(baseline), 2012)
        assert value_at(lever(history), 2024) != value_at(lever(baseline), 2024)
    assert value_at(history.hukou.settlement_years.county, 2020) == 0
    assert value_at(history.land.leasable_rights, 2019) == 0.8


def test_the_projection_continues_the_history_unchanged():
    history = countysim.run(SCENARIOS / "history.yaml", overrides=SMALL).county
    projection = countysim.run(SCENARIOS / "projection.yaml", overrides=SMALL).county
    assert projection["year"].max() == 2035
    past = projection[projection["year"] <= 2024]
    assert past.equals(history)
