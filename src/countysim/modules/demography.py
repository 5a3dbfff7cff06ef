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
)
from countysim.population_build import education, skill_of


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
        np.add(p.age, 1, out=p.age)  # in place, in the person arrays
        np.add(p.years_here, 1, out=p.years_here)

        # Rates depend on age alone: computed once per age and looked up.
        ages = np.arange(int(p.age.max()) + 1 if len(p) else 1)
        q = np.minimum(1.0, d.mortality_gompertz_a * np.exp(d.mortality_gompertz_b * ages))
        q[1:2] = np.maximum(q[1:2], d.infant_mortality)  # died in its first year
        if self.mortality_factor != 1.0:
            q = np.minimum(1.0, q * self.mortality_factor)
        dies = rng.random(len(p)) < q.take(p.age)
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
        draw = rng.random(len(p))
        # Women of 15-49 first, then their draws: the same mothers, fewer lookups.
        women = np.flatnonzero(p.female & (p.age >= 15) & (p.age <= 49))
        mothers = women[draw.take(women) < rate.take(p.age.take(women))]
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
        status, age = p.status, p.age
        # Each rule looks only at those it can concern (index arrays, not whole masks).
        status[np.flatnonzero((status == CHILD) & (age >= d.school_entry_age))] = STUDENT
        students = np.flatnonzero(status == STUDENT)
        leaving = np.asarray(d.leaving_age_by_education).take(p.edu.take(students))
        entrants = students[age.take(students) >= leaving]
        status[entrants] = UNEMPLOYED
        p.must_choose[entrants] = True

        old = np.flatnonzero(age >= min(d.retirement_age, d.farming_exit_age))
        old_status, old_age = status.take(old), age.take(old)
        nonfarm = IS_NONFARM[old_status]
        retiring = (nonfarm & (old_age >= d.retirement_age)) | (
            (old_status == FARMER) & (old_age >= d.farming_exit_age)
        )
        del old_status, old_age
        retiring = np.flatnonzero(retiring)  # by index: the same rows
        nonfarm, retiring = nonfarm.take(retiring), old.take(retiring)
        status[retiring] = RETIRED
        p.workplace[retiring] = -1
        # Non-farm workers who retire at home go back to the family land, as long as they can.
        hh = p.hh[retiring]
        to_farm = (
            nonfarm
            & (p.residence[retiring] == model.households.home[hh])
            & (model.households.land_mu[hh] > 0)
            & (age[retiring] < d.farming_exit_age)
        )
        status[retiring[to_farm]] = FARMER
        model.tally.retirements = len(retiring)
