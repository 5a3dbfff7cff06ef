"""Land requisition: contract land taken for the growth of the county's towns, and the
villagers who receive an urban hukou with it (zhengdi nongzhuanfei).

Towns grow outward onto the farmland of the villages around them; the state requisitions
that collective land and resettles the villagers who farmed it. The Land Administration
Law (1998, art. 47) counts the villagers to resettle as the farmland taken divided by the
farmland per person of the collective before the taking, and resettled villagers were
commonly registered as urban residents (Chan 2010, hukou and urbanization statistics;
Wang 2005, ch. 2 on nongzhuanfei). The built-up area of Chinese cities grew about one and
a half times as fast as their population (National New Urbanization Plan 2014-2020:
+76.4% against +50.5%, 2000-2011).

Rule, once a year for every county town and township seat u whose residents at the end of
last year exceeded the most it has had since the start by dR_u > 0 (built-up land lasts:
a town that lost residents builds again only once it has regained them): the farmland it
takes is

    T_u = e * a * dR_u * s / 666.7  mu,

a the built-up land per resident (m2), e the elasticity of built-up land to residents, s
the share of new built-up land that was contracted farmland. The county town takes from
the villages nearest to it, a township seat from its own villages nearest to it: each
village gives all its remaining contract land before the next one gives any. Within a
village, plots are taken in a lasting random order of households (where their plots lie):
whole holdings, until T_v is reached, so that the land per person resettled is the
village's, as art. 47 counts it. The village's members (holders of its hukou) in those
households receive an urban hukou of the town with chance `hukou.requisition.hukou_share`
(a lasting draw per household); they keep their home and residence, and choose where to
live as before. The draws come from a stream of the module's own, spawned from the
model's, and last, so that two runs (a reform and its baseline) that need the same land
take the same households.
"""

from __future__ import annotations

import copy

import numpy as np

from countysim.modules.base import Module
from countysim.world import COUNTY_TOWN, TOWNSHIP, VILLAGE

M2_PER_MU = 10_000 / 15  # one mu is a fifteenth of a hectare


class LandRequisition(Module):
    name = "land_requisition"

    def setup(self, model) -> None:
        world, hh = model.world, model.households
        n = world.n
        self.active = model.land.active
        # A stream of its own, spawned from the model's: takings happen in some years and
        # not others, and must not shift the draws of the other mechanisms.
        # Its lasting draws are drawn again from the stream's start when land is taken
        # (`_lasting_draws`) rather than held all years (16 bytes a household).
        self.rng = model.rng.spawn(1)[0]
        self.peak_residents: np.ndarray | None = None  # most residents so far, per place
        # Contract land of each village at the start (mu): the base of its share taken.
        scale = model.scenario.simulation.scale
        self.initial_mu = scale * np.bincount(hh.home, weights=hh.land_mu, minlength=n)
        self.taken_total_mu = np.zeros(n)  # land taken from each village so far
        self.absorbed_by = np.full(n, -1, dtype=np.int32)  # the town that took it first
        self.taken_mu = np.zeros(n)  # this year, per village
        self.converted = np.zeros(n, dtype=np.int64)  # persons this year, by hukou village
        # Villages a town takes from, nearest first.
        towns = np.flatnonzero((world.level == COUNTY_TOWN) | (world.level == TOWNSHIP))
        villages = world.level == VILLAGE
        self.order: dict[int, np.ndarray] = {}
        for u in towns:
            own = villages if world.level[u] == COUNTY_TOWN else villages & (world.parent == u)
            candidates = np.flatnonzero(own)
            self.order[int(u)] = candidates[np.argsort(world.dist_km[u, candidates], kind="stable")]

    def levers(self, scenario) -> dict[str, object]:
        return {"hukou.requisition.hukou_share": scenario.hukou.requisition.hukou_share}

    def land_needed(self, model, growth: np.ndarray) -> np.ndarray:
        """Contract land (mu) each town takes for residents beyond its most so far."""
        r = model.scenario.hukou.requisition
        per_resident = r.expansion_elasticity * r.built_up_m2_per_resident * r.arable_share
        return np.maximum(growth, 0.0) * per_resident / M2_PER_MU

    def step(self, model) -> None:
        n = model.world.n
        self.taken_mu = np.zeros(n)
        self.converted = np.zeros(n, dtype=np.int64)
        residents = model.state.residents.copy()
        peak = self.peak_residents
        self.peak_residents = residents if peak is None else np.maximum(peak, residents)
        if not self.active or peak is None:  # the first year has no growth to build for
            return
        hh, scale = model.households, model.scenario.simulation.scale
        available = scale * np.bincount(hh.home, weights=hh.land_mu, minlength=n)
        need = self.land_needed(model, residents - peak)
        for town, villages in self.order.items():
            if need[town] <= 0 or not len(villages):
                continue
            left = available[villages]
            before = np.cumsum(left) - left  # land of the nearer villages
            take = np.clip(need[town] - before, 0.0, left)
            available[villages] -= take
            self.taken_mu[villages] += take
            fresh = villages[(take > 0) & (self.absorbed_by[villages] < 0)]
            self.absorbed_by[fresh] = town
        if self.taken_mu.sum() > 0:
            self._take(model)

    def _take(self, model) -> None:
        """Whole holdings, in each household's lasting place in its village's order, until
        the village's share is taken; their members' hukou converts."""
        p, hh = model.persons, model.households
        scale, n = model.scenario.simulation.scale, model.world.n
        lie, converts_draw = self._lasting_draws(len(hh))
        # Only holdings in the villages that give land this year can be taken.
        holding = np.flatnonzero((self.taken_mu[hh.home] > 0) & (hh.land_mu > 0))
        order = holding[np.lexsort((lie[holding], hh.home[holding]))]  # by village, then lie
        land = hh.land_mu[order] * scale
        village = hh.home[order]
        before = np.cumsum(land) - land
        first = np.searchsorted(village, village)  # each village's first position
        before -= before[first]  # land of the holdings before it in its village
        taken = np.zeros(len(hh), dtype=bool)
        taken[order] = before < self.taken_mu[village] - 1e-9
        # What is taken is whole holdings: at most one holding more than T_v.
        self.taken_mu = scale * np.bincount(hh.home[taken], weights=hh.land_mu[taken], minlength=n)
        self.taken_total_mu += self.taken_mu
        hh.land_mu = np.where(taken, 0.0, hh.land_mu)
        hh.leased_out_mu = np.where(taken, 0.0, hh.leased_out_mu)
        hh.idle_mu = np.where(taken, 0.0, hh.idle_mu)
        converts = taken & (converts_draw < model.levers["hukou.requisition.hukou_share"])
        rows = np.flatnonzero(converts.take(p.hh))  # members of the converting households
        home = hh.home[p.hh[rows]]
        rows = rows[(p.hukou_place[rows] == home) & ~p.hukou_urban[rows]]
        village = p.hukou_place[rows]
        self.converted = scale * np.bincount(village, minlength=n)
        p.hukou_urban[rows] = True
        p.hukou_place[rows] = self.absorbed_by[village]

    def _lasting_draws(self, households: int) -> tuple[np.ndarray, np.ndarray]:
        """Two lasting uniform draws per household: where its plots lie in the village's
        order of taking, and whether it is registered as urban when they are taken. Lasting,
        so that two runs that need the same land take the same households."""
        # The stream from its start (`self.rng` itself is never drawn from): the same
        # numbers every time, for the households the county starts with (their number never
        # changes).
        lie, converts_draw = copy.deepcopy(self.rng).random((2, households))
        return lie, converts_draw

    def outputs(self, model) -> dict[str, float]:
        return {
            "land_requisitioned_mu": float(self.taken_mu.sum()),
            "hukou_conversions_requisition": float(self.converted.sum()),
        }

    def place_outputs(self, model) -> dict[str, np.ndarray]:
        return {"land_requisitioned_mu": self.taken_mu.copy()}
