"""Incomes: earnings, remittances and per-capita disposable income.

A member earning away from the household's home place sends a share of the earnings to
the members who live at home; if nobody lives at home, nothing is sent. Disposable
income is own earnings minus remittances sent plus remittances received, plus transfers
that other modules add (pensions, land rent) through `model.income_sources`. Members
living together in one place pool their income: each gets the per-capita income of the
co-resident household, which is what household surveys report per person.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module


class Incomes(Module):
    name = "incomes"

    def step(self, model) -> None:
        p, scale = model.persons, model.scenario.simulation.scale
        home = model.households.home[p.hh]
        earnings = p.wage_income + p.farm_income
        for source in model.income_sources:
            earnings = earnings + source(model)

        at_home = p.residence == home
        n_hh = len(model.households)
        stayers = np.bincount(p.hh, weights=at_home, minlength=n_hh)
        sends = ~at_home & (stayers[p.hh] > 0)
        sent = np.where(sends, model.scenario.incomes.remittance_share * earnings, 0.0)
        pot = np.bincount(p.hh, weights=sent, minlength=n_hh)
        received = np.where(at_home, pot[p.hh] / np.maximum(stayers[p.hh], 1), 0.0)
        p.income = earnings - sent + received

        unit = p.hh.astype(np.int64) * model.world.n + p.residence
        _, group = np.unique(unit, return_inverse=True)
        total = np.bincount(group, weights=p.income)
        size = np.bincount(group)
        p.income_pc = total[group] / size[group]

        model.tally.remittances_sent = scale * float(sent.sum())
        model.tally.remittances_received = scale * float(received.sum())
