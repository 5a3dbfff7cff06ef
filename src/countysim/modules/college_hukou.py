"""College hukou: rural students admitted to college move their hukou to the city of their
college and hold an urban hukou from then on.

Admission to higher education was the classic way for a rural youth to "eat commodity
grain": the student's hukou moved to the school and turned non-agricultural, and the
graduate kept it (Chan 2010; Wang 2005, ch. 2; Chan and Zhang 1999 count students among
the main nongzhuanfei channels). The transfer became optional in the 2000s, and as rural
hukou gained value (contract land, compensation for requisition) fewer students moved it;
the 2014 hukou opinions ended the agricultural/non-agricultural split altogether.

Rule: in the year a person who will finish college (education level 2) reaches the age at
which senior high ends (`demography.leaving_age_by_education[1]`), she enters college. A
rural-hukou entrant whose hukou is in the county moves it, with chance
`hukou.college_transfer_share` (a schedule), to the outside city of the kind
`hukou.college_city` (the first such city; any city if none is of that kind), as an urban
hukou. She keeps her household and residence while studying (the model does not move
students). In the year she leaves college (`leaving_age_by_education[2]`) she chooses where
to live and work as everyone does; at the end of that year a graduate who does not live in
the college's city has her hukou sent back to her home county, registered as an urban
hukou in the county town (graduates' hukou returned to the place of origin, *sheng yuan
di*; Chan and Zhang 1999). From then on the settlement rules apply to her as to anyone.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.population import STUDENT
from countysim.world import CITY, REGION_CODE

COLLEGE = 2  # education level: college


class CollegeHukou(Module):
    name = "college_hukou"

    def setup(self, model) -> None:
        world = model.world
        cities = np.flatnonzero(world.level == CITY)
        kind = cities[world.region[cities] == REGION_CODE[model.scenario.hukou.college_city]]
        self.city = int(kind[0]) if len(kind) else int(cities[0]) if len(cities) else -1
        self.transferred = 0
        self.rng = model.rng.spawn(1)[0]  # its own stream, spawned from the model's
        model.persons.add_column("college_hukou", np.bool_, False)  # moved it to college

    def levers(self, scenario) -> dict[str, object]:
        return {"hukou.college_transfer_share": scenario.hukou.college_transfer_share}

    def step(self, model) -> None:
        self.transferred = 0
        if self.city < 0:
            return
        p, world = model.persons, model.world
        entry_age = model.scenario.demography.leaving_age_by_education[COLLEGE - 1]
        entrants = np.flatnonzero(
            (p.status == STUDENT)
            & (p.edu == COLLEGE)
            & (p.age == entry_age)
            & ~p.hukou_urban
            & world.is_county.take(p.hukou_place)
        )
        share = model.levers["hukou.college_transfer_share"]
        movers = entrants[self.rng.random(len(entrants)) < share]
        p.hukou_urban[movers] = True
        p.hukou_place[movers] = self.city
        p.college_hukou[movers] = True
        self.transferred = len(movers) * model.scenario.simulation.scale
        # This year's graduates with the college's hukou who live elsewhere: sent home.
        graduation_age = model.scenario.demography.leaving_age_by_education[COLLEGE]
        home = p.college_hukou & (p.age == graduation_age) & (p.hukou_place == self.city)
        home &= p.residence != self.city
        p.hukou_place[home] = world.county_town

    def outputs(self, model) -> dict[str, float]:
        return {"hukou_conversions_college": float(self.transferred)}
