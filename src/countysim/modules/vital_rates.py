"""A census county's own level of fertility and mortality.

The demography module applies one national schedule of fertility by the mother's age and
of mortality by age. Counties differ around it: the 2010 census gives each county's births
and deaths per thousand residents in the year before the census (seeds/data,
``birth_rate_per_mille``, ``death_rate_per_mille``). A county's factor is how far its
crude rate stands from the rate its own residents would have under the national schedule,
relative to the same ratio for the whole country:

    factor = (county rate / county rate expected from the schedule)
             / (national rate / national rate expected from the schedule)

Dividing by the expected rate removes what the county's age structure already explains
(an old county has more deaths under the national schedule); dividing by the national
ratio keeps the scenario's schedule as the national level, so the census's well-known
under-count of births (and of deaths) does not lower every county alike. The national rate
is that of all units of the census table, weighted by residents; the national expected
rate uses the national single-year age structure of 2010 and the census share of women.
"""

from __future__ import annotations

import numpy as np

from countysim.census import census_2010, unit
from countysim.population_build import age_structure_2010
from countysim.world import CITY

#: Bounds of a factor (assumption: a few units' rates are doubtful transcriptions or counts
#: of very small populations; no county's schedule is taken as more than four times, or
#: less than a quarter of, the national one).
FACTOR_RANGE = (0.25, 4.0)


def schedules(d, max_age: int) -> tuple[np.ndarray, np.ndarray]:
    """Births per woman and the chance of dying in the year, by age 0..max_age."""
    ages = np.arange(max_age + 1)
    q = np.minimum(1.0, d.mortality_gompertz_a * np.exp(d.mortality_gompertz_b * ages))
    q[1:2] = np.maximum(q[1:2], d.infant_mortality)
    z = (ages - d.fertility_mean_age) / d.fertility_sd_age
    rate = d.total_fertility * np.exp(-0.5 * z * z) / (d.fertility_sd_age * np.sqrt(2 * np.pi))
    rate[(ages < 15) | (ages > 49)] = 0.0
    return rate, q


def census_rate_factors(model) -> tuple[float, float]:
    """Fertility and mortality factors of a census county (1, 1 for any other county)."""
    census = model.scenario.county.census
    if census is None:
        return 1.0, 1.0
    d, p = model.scenario.demography, model.persons
    row, table = unit(census.code), census_2010()
    ages, national_share = age_structure_2010()
    rate, q = schedules(d, max(int(p.age.max()) if len(p) else 0, int(ages.max())) + 1)
    # Those of the census year reach their next age in the model's first step.
    resident = model.world.level[p.residence] != CITY
    age = p.age[resident].astype(np.int64) + 1
    women = p.female[resident]
    expected_births = rate[age[women]].sum() / max(len(age), 1)
    expected_deaths = q[age].sum() / max(len(age), 1)

    def national(column: str) -> float:  # mean over the units that give it, by residents
        known = table[column].notna() & table["residents"].notna()
        weights = table.loc[known, "residents"].to_numpy(float)
        return float((table.loc[known, column].to_numpy(float) * weights).sum() / weights.sum())

    female_share = national("share_female")
    national_births = national("birth_rate_per_mille")
    national_deaths = national("death_rate_per_mille")
    national_expected_births = female_share * float((national_share * rate[ages + 1]).sum())
    national_expected_deaths = float((national_share * q[ages + 1]).sum())

    def factor(county, expected, national, national_expected) -> float:
        if not (expected > 0 and national > 0 and np.isfinite(county)):
            return 1.0
        ratio = float(county / 1000 / expected) / (national / 1000 / national_expected)
        return float(np.clip(ratio, *FACTOR_RANGE))

    return (
        factor(
            float(row["birth_rate_per_mille"]),
            expected_births,
            national_births,
            national_expected_births,
        ),
        factor(
            float(row["death_rate_per_mille"]),
            expected_deaths,
            national_deaths,
            national_expected_deaths,
        ),
    )
