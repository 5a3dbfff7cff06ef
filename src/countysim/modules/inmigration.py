"""In-migration: people from other counties and provinces who come to the county's towns.

The location choice moves the county's own people; nobody else enters the county through
it. Yet a county's towns draw workers from around them: in 2010 a county's residents with
a hukou of another county of the province or of another province were 2-3% each on
average (seeds/data), and they come and go. This module brings them in.

Each year, for each origin k (another county of the province; another province),

    arrivals_k(t) = renewal_rate * S_k * E(t-1) / E_ref

persons arrive, where S_k is the number of the county's residents who held a hukou of
origin k when the run began (for a census county, the census's own stock), E(t-1) the
non-farm employment of the county's towns (county town and township seats) at the end of
last year and E_ref that of the first year. A county whose stock was large keeps drawing
in proportion, and more so as its towns' jobs grow; a county whose stock was nil (a
generated county) draws nobody. Once there, in-migrants are like any other resident: they
look for work, reconsider where to live, settle their hukou or leave by the location
choice, the hukou module and demography, which is what takes the place of a fixed length
of stay.

Who arrives (see docs/ODD.md 7.15): workers of 18-50 in the national age structure of
2010, women in the share of migrant workers, rural hukou of a city of their origin's
region (another county: the prefecture city or provincial capital; another province: the
city outside the province), schooling and skill as those of that hukou type. They go to
the towns in proportion to their non-farm employment, as job seekers there, and join a
random household living in the place they go to (assumption, as the census builder does
for the in-migrants of 2010: the model has no dormitories or lodging of its own). Each
arrival is recorded as a move from the city of the person's hukou to the town, so the
county table counts them among `entries` and the flows table as moves from a city.
"""

from __future__ import annotations

import numpy as np

from countysim.census_county import AWAY_AGES
from countysim.modules.base import Module
from countysim.population import UNEMPLOYED
from countysim.population_build import age_structure_2010, education, skill_of
from countysim.world import CITY, OUTSIDE_PROVINCE, PREFECTURE, PROVINCE

#: The two origins the census counts, by the regions of the outside cities they hold.
ORIGINS = {"other_county": (PREFECTURE, PROVINCE), "other_province": (OUTSIDE_PROVINCE,)}


class InMigration(Module):
    name = "inmigration"

    def setup(self, model) -> None:
        census = model.scenario.county.census
        self.params = None if census is None else census.inmigration
        world, p = model.world, model.persons
        self.towns = np.flatnonzero(world.is_county & world.is_urban)
        in_county = world.is_county[p.residence]
        self.cities = {
            k: np.flatnonzero((world.level == CITY) & np.isin(world.region, regions))
            for k, regions in ORIGINS.items()
        }
        # Persons (not rows) of each origin living in the county at the start.
        self.stock = {
            k: model.scenario.simulation.scale
            * int(np.isin(p.hukou_place[in_county], cities).sum())
            for k, cities in self.cities.items()
        }
        self.reference_jobs: float | None = None  # town employment of the first year
        #: Persons arrived this year by origin (also in the flows table, as moves from cities).
        self.arrivals = dict.fromkeys(ORIGINS, 0.0)

    def active(self) -> bool:
        return (
            self.params is not None
            and self.params.renewal_rate > 0
            and any(self.stock[k] > 0 and len(self.cities[k]) for k in ORIGINS)
        )

    def step(self, model) -> None:
        self.arrivals = dict.fromkeys(ORIGINS, 0.0)
        if not self.active():
            return
        jobs = model.state.employment[self.towns]
        if jobs.sum() <= 0:  # no labour market has cleared yet (the first year of a run)
            return
        if self.reference_jobs is None:
            self.reference_jobs = float(jobs.sum())
        growth = float(jobs.sum()) / self.reference_jobs
        scale, rng = model.scenario.simulation.scale, model.rng
        # Only places with a household to join can take arrivals.
        has_household = np.bincount(model.households.home, minlength=model.world.n) > 0
        weight = jobs * has_household[self.towns]
        if weight.sum() <= 0:
            return
        counts = {}
        for k in ORIGINS:
            expected = self.params.renewal_rate * self.stock[k] * growth / scale
            rows = int(expected)
            counts[k] = rows + int(rng.random() < expected - rows)
        total = sum(counts.values())
        if total == 0:
            return
        hukou = np.concatenate(
            [rng.choice(self.cities[k], size=counts[k]) for k in ORIGINS if counts[k]]
        )
        dest = self.towns[rng.choice(len(self.towns), size=total, p=weight / weight.sum())]
        self._arrive(model, hukou, dest)
        self.arrivals = {k: float(counts[k] * scale) for k in ORIGINS}

    def _arrive(self, model, hukou: np.ndarray, dest: np.ndarray) -> None:
        p, rng, pop = model.persons, model.rng, model.scenario.population
        n = len(hukou)
        ages, share = age_structure_2010()
        working = (ages >= AWAY_AGES[0]) & (ages <= AWAY_AGES[1])
        age = rng.choice(ages[working], size=n, p=share[working] / share[working].sum())
        rural = np.zeros(n, dtype=bool)
        edu = education(pop, rural, rng)
        # A random household living at the destination (sorted by home, searched by place).
        by_home = np.argsort(model.households.home, kind="stable")
        homes = model.households.home[by_home]
        lo = np.searchsorted(homes, dest, side="left")
        hi = np.searchsorted(homes, dest, side="right")
        hh = by_home[lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)]
        first = len(p)
        p.append(
            {
                "age": age,
                "female": rng.random(n) < self.params.share_female,
                "edu": edu,
                "skill": skill_of(pop, edu, rng),
                "hh": hh,
                "hukou_urban": rural,
                "hukou_place": hukou,
                "residence": hukou,  # where they come from, until the move below
                "status": np.full(n, UNEMPLOYED),
            }
        )
        rows = np.arange(first, first + n)
        p.residence[rows] = dest
        p.workplace[rows] = dest  # job seekers in the town they came to
        model.tally.record_moves(model, rows, hukou.astype(p.residence.dtype), first_arrival=True)
