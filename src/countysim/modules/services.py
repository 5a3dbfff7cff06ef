"""Services: spending by residents on shops, schools and clinics in the places above them.

Residents of a county place spend a share of their disposable income on services, bought
in their own place, their township seat or the county town. The split follows a
central-place rule: a place's pull is its level's attractiveness times exp(-d / d0) at
distance d. That spending is each place's service revenue, which sets service labour
demand in the next year's labour market, so emptying villages shrink township services
and a growing county town gains service jobs. Residents of outside cities spend there,
outside the county's accounts (city labour markets are exogenous).

Public services (schools, clinics) are used by a place's residents with access: hukou
holders living there, and other residents as far as the place's access rule opens to them
(residence permits, see `hukou`). Their quality is the capacity that public finance builds
and runs (`finance`) per user, capped at full coverage, times the standard of the place's
level (a county hospital is not a village clinic):

    users_j   = sum over residents i of j of (1 if hukou_i = j else access_j)
    quality_j = standard(level_j) * min(1, capacity_j / users_j)

so crowding lowers quality where residents outgrow capacity, and capacity beyond the users
sits idle. Outside cities keep their exogenous quality and access.

Public purchases. What last year's public spending bought from the county's businesses
(building, upkeep, supplies; `finance.public_purchases`) adds to the revenue of the place
where it is bought, so county spending, like residents' spending, becomes local service
and construction jobs (the local multiplier of Moretti 2010).

Owners' income. Of a place's service revenue R_j, a share lambda pays labour (`labour`); a
share mu_s is the net income of those who own the shops, restaurants and workshops, mostly
self-employed households living in the place (getihu), and the rest buys goods and
inputs. That net business income is shared among the place's residents, per person:
b_j = mu_s R_j / residents_j. The household survey counts it as net business income, about
a tenth of urban residents' disposable income in 2013-2019 (NBS, yearly communiques on
households' income); before this rule it was nobody's income, and urban incomes had no
business part.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.world import COUNTY_TOWN, TOWNSHIP, VILLAGE


def _by_level(level: np.ndarray, values) -> np.ndarray:
    """A level's value for every county place (0 for the outside cities)."""
    return np.select(
        [level == VILLAGE, level == TOWNSHIP, level == COUNTY_TOWN],
        [values.village, values.township, values.county_town],
        0.0,
    )


def service_users(model) -> np.ndarray:
    """Users of each place's public services (persons): residents holding its hukou count
    fully, other residents by the place's access share."""
    p, st = model.persons, model.state
    # Those holding the place's hukou written by index: the same shares as a select, which
    # mispredicts a branch for every other person.
    access = st.non_hukou_access.take(p.residence)
    access[np.flatnonzero(p.hukou_place == p.residence)] = 1.0
    users = np.bincount(p.residence, weights=access, minlength=model.world.n)
    return model.scenario.simulation.scale * users


def coverage(capacity: np.ndarray, users: np.ndarray) -> np.ndarray:
    """Capacity per user, capped at 1 (1 where nobody uses the place's services)."""
    ratio = np.divide(capacity, users, out=np.ones_like(capacity), where=users > 0)
    return np.minimum(ratio, 1.0)


class Services(Module):
    name = "services"

    def setup(self, model) -> None:
        sv, world, st = model.scenario.services, model.world, model.state
        level = world.level
        model.income_sources.append(self.owner_income)
        self.weights = self._spending_weights(model)
        self.county = world.is_county
        self.standard = _by_level(level, sv.quality)
        st.non_hukou_access[:] = _by_level(level, sv.non_hukou_access)
        st.school_access[:] = _by_level(level, sv.school_access)
        for i, city in zip(
            np.flatnonzero(~world.is_county), model.scenario.outside_cities, strict=True
        ):
            st.service_quality[i] = city.service_quality
            st.non_hukou_access[i] = city.non_hukou_service_access
            st.school_access[i] = city.school_access

    def _spending_weights(self, model) -> np.ndarray:
        """P x P matrix: share of a resident of place i's service spending that goes to j."""
        sv, world = model.scenario.services, model.world
        n = world.n
        attract = _by_level(world.level, sv.attractiveness)
        seat = world.township_of()
        town = world.county_town
        w = np.zeros((n, n))
        for i in np.flatnonzero(world.is_county):
            # A place buys from itself and from the places above it in the hierarchy.
            targets = {i, town}
            if seat[i] >= 0:
                targets.add(seat[i])
            for j in targets:
                w[i, j] = attract[j] * np.exp(-world.dist_km[i, j] / sv.distance_decay_km)
        total = w.sum(axis=1, keepdims=True)
        return np.divide(w, total, out=np.zeros_like(w), where=total > 0)

    def update_quality(self, model, users: np.ndarray) -> None:
        """Quality of the county's places from public-service capacity and their users."""
        quality = self.standard * coverage(model.finance.capacity, users)
        model.state.service_quality[self.county] = quality[self.county]

    def step(self, model) -> None:
        """Service revenue of every county place from last year's resident incomes, and the
        quality of public services for the residents they now have."""
        p, world = model.persons, model.world
        scale = model.scenario.simulation.scale
        spent = (
            scale
            * model.scenario.services.spending_share
            * np.bincount(p.residence, weights=p.income, minlength=world.n)
        )
        # Public purchases from local businesses are local demand too (`finance`).
        model.state.service_revenue = spent @ self.weights + model.finance.public_purchases(model)
        self.users = service_users(model)  # the finance step of the year uses them too
        self.update_quality(model, self.users)

    def owner_income(self, model) -> np.ndarray:
        """Each person's share of the net income of the service businesses of the place
        where she lives: mu_s R_j over the residents of j (0 in the outside cities)."""
        p, n = model.persons, model.world.n
        scale = model.scenario.simulation.scale
        residents = scale * np.bincount(p.residence, minlength=n)
        owners = model.scenario.services.owner_income_share * model.state.service_revenue
        per_resident = np.divide(
            owners, residents, out=np.zeros(n), where=(residents > 0) & self.county
        )
        return per_resident.take(p.residence)
