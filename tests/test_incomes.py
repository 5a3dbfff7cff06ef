"""Incomes: the consumer price index that deflates reported incomes; remittances."""

from __future__ import annotations

import numpy as np
import pytest

from countysim.modules.incomes import Incomes
from tests.conftest import small_scenario


def _prices(*overrides: str):
    scenario = small_scenario(
        "incomes.price_base_year=2012",
        "incomes.consumer_price_first_year=2011",
        "incomes.consumer_price_growth=[0.05, 0.02, 0.03]",
        *overrides,
    )
    return lambda year: Incomes().price_index(scenario, year)


def test_price_index_compounds_the_listed_rises_from_the_base_year():
    index = _prices()
    assert index(2012) == 1.0
    assert index(2013) == pytest.approx(1.03)  # 2013 is the list's last year
    assert index(2015) == pytest.approx(1.03**3)  # the last rise holds after the list
    assert index(2011) == pytest.approx(1 / 1.02)  # undoing 2012's rise
    assert index(2010) == pytest.approx(1 / (1.02 * 1.05))
    assert index(2008) == pytest.approx(1 / (1.02 * 1.05**3))  # the first holds before


def test_real_incomes_are_nominal_ones_deflated_and_equal_in_the_base_year(small_run):
    county = small_run.county
    first = county.iloc[0]
    assert first.consumer_price_index == 1.0  # the baseline's base year is its first year
    assert first.income_urban_pc_real == first.income_urban_pc
    later = county.iloc[-1]
    assert later.consumer_price_index > 1.0
    assert later.income_rural_pc_real == pytest.approx(
        later.income_rural_pc / later.consumer_price_index
    )


def test_remittances_sent_are_received_and_scale_with_the_share():
    from countysim.runner import simulate

    low = simulate(small_scenario("incomes.remittance_share=0.1")).county
    high = simulate(small_scenario("incomes.remittance_share=0.2")).county
    for county in (low, high):
        np.testing.assert_allclose(county.remittances_sent, county.remittances_received)
    none = simulate(small_scenario("incomes.remittance_share=0")).county
    assert (none.remittances_sent == 0).all()
    assert high.remittances_sent.iloc[0] > low.remittances_sent.iloc[0]
