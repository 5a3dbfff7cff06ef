"""Incomes: earnings, remittances and per-capita disposable income.

A member earning away from the household's home place sends a share of the earnings to
the members who live at home; if nobody lives at home, nothing is sent. Disposable
income is own earnings minus remittances sent plus remittances received, plus transfers
that other modules add (pensions, land rent) through `model.income_sources`. Members
living together in one place pool their income: each gets the per-capita income of the
co-resident household, which is what household surveys report per person.

Prices. Incomes are nominal yuan of each year, as the national statistics report them. A
national consumer price path deflates them for reporting: P_t is 1 in the base year and
moves by the scenario's yearly rise in consumer prices (the listed years' rises, the first
of them before the list and the last after it); real income is y_t / P_t, in yuan of the
base year. Prices do not enter any decision: choices compare places within one year, where
the price level is common to all of them.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module


class Incomes(Module):
    name = "incomes"

    def step(self, model) -> None:
        p, scale = model.persons, model.scenario.simulation.scale
        # Who is at home first, so that the homes' array is gone before the earnings' peak.
        at_home = p.residence == model.households.home.take(p.hh)  # take: quicker than []
        earnings = p.wage_income + p.farm_income
        for source in model.income_sources:
            earnings += source(model)  # in place: `earnings` is this step's own array

        n_hh = len(model.households)
        here, away = np.flatnonzero(at_home), np.flatnonzero(~at_home)
        del at_home
        # Members at home of each household, counted from their rows (no array of weights);
        # their households kept for what they receive.
        hh_here = p.hh.take(here)
        stayers = np.bincount(hh_here, minlength=n_hh)
        # Only members away from a home where someone lives send, only those at home receive:
        # the others' remittances are 0, which adds nothing to any sum below.
        senders = away.take(np.flatnonzero(stayers.take(p.hh.take(away)) > 0))  # by index
        sent = model.scenario.incomes.remittance_share * earnings.take(senders)
        pot = np.bincount(p.hh.take(senders), weights=sent, minlength=n_hh)
        # Senders and receivers are apart: each side is settled, and its arrays freed, in turn.
        earnings[senders] -= sent
        model.tally.remittances_sent = scale * float(sent.sum())
        del senders, sent
        # Per household, then looked up: the same quotients, no person-sized temporaries.
        received = (pot / np.maximum(stayers, 1)).take(hh_here)
        del pot, hh_here
        earnings[here] += received
        model.tally.remittances_received = scale * float(received.sum())
        del received
        p.income = earnings  # into the column: the array is not needed any more
        del earnings  # gone before the co-resident means

        # Written into the column itself (assigning would copy into it all the same): one
        # person-sized array fewer at the year's memory peak.
        _coresident_mean(p.income, p.hh, here, away, stayers, p.residence, out=p.income_pc)

    def price_index(self, scenario, year: int) -> float:
        """P_t: consumer prices of `year` relative to the base year (1 there)."""
        inc = scenario.incomes
        growth = inc.consumer_price_growth

        def rise(y: int) -> float:  # the rise in consumer prices during year y
            k = min(max(y - inc.consumer_price_first_year, 0), len(growth) - 1)
            return growth[k]

        index = 1.0
        for y in range(inc.price_base_year + 1, year + 1):
            index *= 1 + rise(y)
        for y in range(year + 1, inc.price_base_year + 1):
            index /= 1 + rise(y)
        return index

    def outputs(self, model) -> dict[str, float]:
        return {"consumer_price_index": self.price_index(model.scenario, model.year)}


def _coresident_mean(income, hh, home, away, stayers, residence, out=None) -> np.ndarray:
    """Mean income of each person's co-resident household (members of one household living
    in one place), sorting only a few. Those at home are grouped by household id. Of those
    away, most live where one chosen member of their household lives (each household's
    last-listed member away) and are grouped by household id too; the few left, in a
    household's second or third place, are grouped by household and place. Sums run in row
    order within every group, as a grouping by (household, place) would. `home` and `away`
    are the rows of those at home and away, `stayers` counts each household's members at
    home. Every row of `out` (a new array if None) is written."""
    mean = np.empty(len(income)) if out is None else out
    n_hh = len(stayers)
    # Each group's quotient is taken per group and then looked up (the same quotients as
    # per person, with fewer person-sized temporaries at the year's memory peak).
    h = hh.take(home)
    total = np.bincount(h, weights=income.take(home), minlength=n_hh)
    mean[home] = (total / np.maximum(stayers, 1)).take(h)
    h = hh.take(away)
    place_of = np.empty(n_hh, dtype=residence.dtype)
    where = residence.take(away)
    place_of[h] = where
    same = place_of.take(h) == where
    del where
    # By index, not by mask: the same rows in their order, gathered by take.
    same, rest = np.flatnonzero(same), np.flatnonzero(~same)
    group, h = away.take(same), h.take(same)
    total = np.bincount(h, weights=income.take(group), minlength=n_hh)
    size = np.bincount(h, minlength=n_hh)
    mean[group] = (total / np.maximum(size, 1)).take(h)
    rest = away.take(rest)
    places = int(residence.max()) + 1 if len(residence) else 1
    key = hh.take(rest).astype(np.int64) * places + residence.take(rest)
    _, index = np.unique(key, return_inverse=True)
    mean[rest] = (np.bincount(index, weights=income.take(rest)) / np.bincount(index)).take(index)
    return mean
