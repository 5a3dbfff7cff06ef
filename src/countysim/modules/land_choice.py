"""The land's terms in the location choice and in settling (`modules/land.py`, "Location
choice and settlement"): the yearly value of a member's share t_i of the household's contract
land in options where the person does not farm it,

  living in the county:  E_P = q max(r - lambda V, 0)
  living outside it:     E_A = q max(r - lambda V, -rho a_abs V) - (1 - q) rho a_abs V,

entering the utility as income_weight * log(1 + t_i E / y), and the share a settler gives
up, entering the net gain of settling in the same way."""

from __future__ import annotations

import numpy as np


class LandChoiceTerms:
    """Choice and settlement terms of `Land`, which holds the rents, tenant shares, land
    values, hazards and land per member they read."""

    def _share(self, model, rows: np.ndarray) -> np.ndarray:
        """t_i: each person's share of the household's contract land, mu (0 if not a
        member of the village collective)."""
        p = model.persons
        return self.land_per_member.take(p.hh.take(rows)) * p.contract_member.take(rows)

    def _earnings(self, model, rows: np.ndarray, work: np.ndarray) -> np.ndarray:
        """Expected earnings at each workplace, as in the location choice (skill times the
        job-finding-weighted wage), or last year's income where there is no workplace."""
        p, c = model.persons, model.scenario.choice
        wage = model.labour.expected_pay(model).take(np.maximum(work, 0))
        earnings = np.where(
            work >= 0, p.skill.take(rows)[:, None] * wage, p.income.take(rows)[:, None]
        )
        return np.maximum(earnings, c.income_floor_yuan, out=earnings)

    def choice_term(self, model, rows, res, work) -> np.ndarray:
        """Utility of the land a person keeps while not farming it (E_P, E_A above)."""
        # Of the residence only whether it is in the county counts (and, farming, whether
        # it is home): computed once for commuting to a place and moving there.
        shared = model.choice.shared_work_columns(rows, res, work, model.world.is_county)
        if shared is None:
            earnings = model.choice.option_earnings(rows, work)
        else:  # by distinct workplace
            res, work, earnings = shared
            earnings = earnings.copy()
        lp = model.scenario.land
        h, home = model.choice.chooser_households(model, rows)
        value = self.land_value
        rent, q = self.rent.take(home), self.tenant_share.take(home)
        lease = rent - self._lease_hazard(model, h) * value
        away_loss = self._by_end(model, self.risk_by_end, h) * lp.absent_land_loss * value
        present = q * np.maximum(lease, 0.0)
        away = q * np.maximum(lease, -away_loss) - (1 - q) * away_loss
        outside = ~model.world.is_county.take(res)
        per_mu = np.where(outside, away[:, None], present[:, None])
        # Farming at home: only the options without a workplace can be.
        farm = np.flatnonzero(work < 0)
        k = work.shape[1]
        at_home = res.reshape(-1).take(farm) == home.take(farm // k)
        at_home &= ~outside.reshape(-1).take(farm)
        per_mu.reshape(-1)[farm[at_home]] = 0.0
        if earnings is None:  # not the choice's own
            earnings = self._earnings(model, rows, work)
        else:
            # Without a workplace, last year's income (as `_earnings`): looked up only
            # where the land's value is not zero, which it divides.
            floor = model.scenario.choice.income_floor_yuan
            earnings.reshape(-1)[farm[at_home]] = floor
            away = farm[~at_home]
            income = model.persons.income.take(rows.take(away // k))
            earnings.reshape(-1)[away] = np.maximum(income, floor)
        # In place on one matrix of the options' shape: the same operations, fewer copies.
        share = self.land_per_member.take(h) * model.persons.contract_member.take(rows)
        ratio = np.multiply(share[:, None], per_mu, out=per_mu)
        ratio /= earnings
        np.maximum(ratio, -0.9, out=ratio)
        np.log1p(ratio, out=ratio)
        ratio *= model.scenario.choice.income_weight
        return ratio

    def settlement_term(self, model, rows) -> np.ndarray:
        """Utility lost by settling where the rules take the settler's land share."""
        p = model.persons
        keep = model.levers["hukou.settlers_keep_land"]
        loss = (1 - keep) * self._share(model, rows) * model.farming.land_return()
        earnings = self._earnings(model, rows, p.workplace.take(rows)[:, None])[:, 0]
        ratio = np.minimum(loss / earnings, 0.9)
        return model.scenario.choice.income_weight * np.log1p(-ratio)
