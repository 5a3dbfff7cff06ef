"""Demography: ageing, deaths, births, school, entry to the labour force, retirement."""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.modules.vital_rates import census_rate_factors
from countysim.population import (
    CHILD,
    FARMER,
    IS_NONFARM,
    RETIRED,
    STUDENT,
    UNEMPLOYED,
    education,
    skill_of,
)


class Demography(Module):
    """Yearly vital events. Mortality is Gompertz, m(x) = a exp(b x), plus an infant rate at
    age 0; fertility is a normal schedule over the mother's age scaled to the total
    fertility rate; children take the mother's household, residence and hukou."""

    name = "demography"
    #: Multipliers of the national fertility and mortality schedules: a census county's own
    #: level (``vital_rates``), 1 for any other county.
    fertility_factor = mortality_factor = 1.0

    def setup(self, model) -> None:
        if model.scenario.demography.enabled:
            self.fertility_factor, self.mortality_factor = census_rate_factors(model)

    def step(self, model) -> None:
        d = model.scenario.demography
        if not d.enabled:
            return
        p, rng = model.persons, model.rng
        p.age = p.age + 1
        p.years_here = p.years_here + 1

        # Rates depend on age alone: computed once per age and looked up.
        ages = np.arange(int(p.age.max()) + 1 if len(p) else 1)
        q = np.minimum(1.0, d.mortality_gompertz_a * np.exp(d.mortality_gompertz_b * ages))
        q[1:2] = np.maximum(q[1:2], d.infant_mortality)  # died in its first year
        if self.mortality_factor != 1.0:
            q = np.minimum(1.0, q * self.mortality_factor)
        dies = rng.random(len(p)) < q[p.age]
        model.tally.deaths_by_place = np.bincount(p.residence[dies], minlength=model.world.n)
        p.keep(~dies)

        self._births(model)
        self._life_course(model)

    def _births(self, model) -> None:
        d, p, rng = model.scenario.demography, model.persons, model.rng
        z = (np.arange(int(p.age.max()) + 1 if len(p) else 1) - d.fertility_mean_age) / (
            d.fertility_sd_age
        )
        rate = d.total_fertility * np.exp(-0.5 * z * z) / (d.fertility_sd_age * np.sqrt(2 * np.pi))
        rate = rate * self.fertility_factor
        mothers = np.flatnonzero(
            p.female & (p.age >= 15) & (p.age <= 49) & (rng.random(len(p)) < rate[p.age])
        )
        n = len(mothers)
        model.tally.births_by_place = np.bincount(p.residence[mothers], minlength=model.world.n)
        if n == 0:
            return
        pop = model.scenario.population
        edu = education(pop, p.hukou_urban[mothers], rng)
        skill = skill_of(pop, edu, rng)
        p.append(
            {
                "age": np.zeros(n),
                "female": rng.random(n) < 1.0 / (1.0 + d.sex_ratio_at_birth),
                "edu": edu,
                "skill": skill,
                "hh": p.hh[mothers],
                "mother": p.pid[mothers],
                "hukou_urban": p.hukou_urban[mothers],
                "hukou_place": p.hukou_place[mothers],
                "residence": p.residence[mothers],
                "status": np.full(n, CHILD),
            }
        )

    def _life_course(self, model) -> None:
        d, p = model.scenario.demography, model.persons
        p.status[(p.status == CHILD) & (p.age >= d.school_entry_age)] = STUDENT
        leaving = np.asarray(d.leaving_age_by_education)[p.edu]
        entrants = (p.status == STUDENT) & (p.age >= leaving)
        p.status[entrants] = UNEMPLOYED
        p.must_choose[entrants] = True

        nonfarm = IS_NONFARM[p.status]
        retiring = (nonfarm & (p.age >= d.retirement_age)) | (
            (p.status == FARMER) & (p.age >= d.farming_exit_age)
        )
        p.status[retiring] = RETIRED
        p.workplace[retiring] = -1
        # Non-farm workers who retire at home go back to the family land, as long as they can.
        home = model.households.home[p.hh]
        to_farm = (
            retiring
            & nonfarm
            & (p.residence == home)
            & (model.households.land_mu[p.hh] > 0)
            & (p.age < d.farming_exit_age)
        )
        p.status[to_farm] = FARMER
        model.tally.retirements = int(retiring.sum())
