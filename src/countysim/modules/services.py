"""Services: spending by residents on shops, schools and clinics in the places above them.

Residents of a county place spend a share of their disposable income on services, bought
in their own place, their township seat or the county town. The split follows a
central-place rule: a place's pull is its level's attractiveness times exp(-d / d0) at
distance d. That spending is each place's service revenue, which sets service labour
demand in the next year's labour market, so emptying villages shrink township services
and a growing county town gains service jobs. Residents of outside cities spend there,
outside the county's accounts (city labour markets are exogenous).

Public-service quality and access by level (schools, clinics) are also set here.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.world import COUNTY_TOWN, TOWNSHIP, VILLAGE


class Services(Module):
    name = "services"

    def setup(self, model) -> None:
        sv, world, st = model.scenario.services, model.world, model.state
        level = world.level
        self.weights = self._spending_weights(model)
        for attr, values in (
            ("service_quality", sv.quality),
            ("non_hukou_access", sv.non_hukou_access),
            ("school_access", sv.school_access),
        ):
            arr = getattr(st, attr)
            arr[level == VILLAGE] = values.village
            arr[level == TOWNSHIP] = values.township
            arr[level == COUNTY_TOWN] = values.county_town
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
        attract = np.select(
            [world.level == VILLAGE, world.level == TOWNSHIP, world.level == COUNTY_TOWN],
            [sv.attractiveness.village, sv.attractiveness.township, sv.attractiveness.county_town],
            0.0,
        )
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

    def step(self, model) -> None:
        """Service revenue of every county place from last year's resident incomes."""
        p, world = model.persons, model.world
        scale = model.scenario.simulation.scale
        spent = (
            scale
            * model.scenario.services.spending_share
            * np.bincount(p.residence, weights=p.income, minlength=world.n)
        )
        model.state.service_revenue = spent @ self.weights
