"""Hukou: settling, i.e. moving one's household registration to where one lives.

Hukou is a state of the person, separate from residence. A resident of an urban place
whose hukou is elsewhere becomes eligible to settle after the place's residence period
(a lever: none in county towns after relaxation, years in large cities); cities also ask
for years paid into the employee pension scheme (the person's contribution years, a lever:
the insured share of the period), as the State Council's hukou opinions of 2014 (Guofa
[2014] No. 25) let medium cities ask for up to three years of urban social insurance, large
cities up to five and the largest count them in points (Shanghai's 2009 rules for permit
holders: seven years of permit and social insurance). Enrolling migrants thus opens the
cities to them. An eligible adult settles in a year with probability

    P = 1 / (1 + exp(-(intercept + gain_weight * net gain)))

where the net gain is what local hukou adds: full access to the place's public services
(valued as in the location choice, more with school-age children) and the end of the
barrier of living without local hukou, plus gains and losses that other modules add
through `model.settlement_terms` (pensions gained, land given up).

A settler's children living with her settle with her. Settlers stay members of their
household: family ties (remittances to parents, the land contract, the pull of home) do
not end with a change of registration.
"""

from __future__ import annotations

import numpy as np

from countysim.config.schema import PermitReach, SettlementPeriods
from countysim.modules.base import Module
from countysim.population import IS_IN_SCHOOL_AGE
from countysim.world import CITY


class Hukou(Module):
    name = "hukou"

    def setup(self, model) -> None:
        self.base_access = model.state.non_hukou_access.copy()
        self.base_school = model.state.school_access.copy()

    def levers(self, scenario) -> dict[str, object]:
        periods = scenario.hukou.settlement_years
        levers = {
            f"hukou.settlement_years.{name}": getattr(periods, name)
            for name in SettlementPeriods.model_fields
        }
        levers["hukou.residence_permit_access"] = scenario.hukou.residence_permit_access
        reach = scenario.hukou.residence_permit_reach
        for name in PermitReach.model_fields:
            levers[f"hukou.residence_permit_reach.{name}"] = getattr(reach, name)
        levers["hukou.insured_share_of_residence"] = scenario.hukou.insured_share_of_residence
        return levers

    def apply_levers(self, model) -> None:
        """Residence permits open services and schools to residents without local hukou: a
        permit lever p closes the share p k of the gap, access = base + p k (1 - base), k the
        reach of permits in the place's kind of city (cities that control their population
        most tightly open least)."""
        permit, st = model.levers["hukou.residence_permit_access"], model.state
        reach = [
            model.levers[f"hukou.residence_permit_reach.{name}"]
            for name in ("county", "prefecture", "province", "outside_province")
        ]
        closed = permit * np.asarray(reach)[model.world.region]
        st.non_hukou_access = self.base_access + closed * (1 - self.base_access)
        st.school_access = self.base_school + closed * (1 - self.base_school)

    def settlement_years(self, model) -> np.ndarray:
        """Years of residence a non-local resident needs before settling, per place."""
        by_region = [
            model.levers[f"hukou.settlement_years.{name}"]
            for name in ("county", "prefecture", "province", "outside_province")
        ]
        return np.asarray(by_region)[model.world.region]

    def outputs(self, model) -> dict[str, float]:
        settled = model.tally.settlements
        county = model.world.is_county
        return {
            "settlements_county": float(settled[county].sum()),
            "settlements_city": float(settled[~county].sum()),
        }

    def step(self, model) -> None:
        p, world, h = model.persons, model.world, model.scenario.hukou
        res = p.residence
        adult = ~IS_IN_SCHOOL_AGE[p.status]
        non_local = (p.hukou_place != res) & world.is_urban.take(res) & adult
        required = self.settlement_years(model)
        # Cities count only the years in which social insurance was paid (employee-scheme
        # contribution years); county places ask for residence alone.
        insured = model.levers["hukou.insured_share_of_residence"] * required
        insured = np.where(world.is_county, 0.0, insured)
        rows = np.flatnonzero(non_local)  # then the eligible among them
        here = res.take(rows)
        insured_years = model.pensions.contribution_years(model).take(rows)
        eligible = (p.years_here.take(rows) >= required.take(here)) & (
            insured_years >= insured.take(here)
        )
        rows = rows.take(np.flatnonzero(eligible))
        model.tally.settlements = np.zeros(world.n, dtype=np.int64)
        if not len(rows):
            return
        gain = self.net_gain(model, rows)
        chance = 1.0 / (1.0 + np.exp(-(h.conversion_intercept + h.conversion_gain_weight * gain)))
        settle = rows[model.rng.random(len(rows)) < chance]
        if len(settle):
            self._settle(model, settle)

    def net_gain(self, model, rows: np.ndarray) -> np.ndarray:
        """Utility gained by settling where one lives (services, barrier, other modules)."""
        p, world, st, c = model.persons, model.world, model.state, model.scenario.choice
        r = p.residence.take(rows)
        kids = model.choice.school_children(model).take(rows)
        services = c.service_weight * st.service_quality[r] * (1 - st.non_hukou_access[r])
        services *= 1 + c.school_child_weight * kids
        barrier = np.where(world.level[r] == CITY, st.hukou_barrier[r], c.non_hukou_barrier_county)
        gain = services + barrier
        for term in model.settlement_terms:
            gain = gain + term(model, rows)
        return gain

    def _settle(self, model, settlers: np.ndarray) -> None:
        p = model.persons
        p.hukou_urban[settlers] = True
        p.hukou_place[settlers] = p.residence[settlers]
        # Children living with a settling mother settle with her.
        kids = np.flatnonzero(IS_IN_SCHOOL_AGE[p.status] & (p.mother >= 0))
        # Only children living where a settler lives can live with a settling mother: their
        # mothers looked up alone (the same children, in the same order).
        settled_at = np.zeros(model.world.n, dtype=bool)
        settled_at[p.residence.take(settlers)] = True
        kids = kids.take(np.flatnonzero(settled_at.take(p.residence.take(kids))))
        mum = p.rows_of(p.mother.take(kids))
        settling = np.zeros(len(p), dtype=bool)
        settling[settlers] = True
        follow = (mum >= 0) & settling.take(np.maximum(mum, 0))
        kids, mum = kids[follow], mum[follow]
        kids = kids[p.residence[kids] == p.residence[mum]]
        p.hukou_urban[kids] = True
        p.hukou_place[kids] = p.residence[kids]
        everyone = np.concatenate([settlers, kids])
        model.tally.settlements = (
            np.bincount(p.residence[everyone], minlength=model.world.n)
            * model.scenario.simulation.scale
        )
