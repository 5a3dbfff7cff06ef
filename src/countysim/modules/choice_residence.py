"""The location choice's residence terms (`modules/choice.py`): cost of living, services,
moving cost, hukou barrier, home attachment and network, for any persons and residences
(`residence_utility`), and for the choosers from tables by home place."""

from __future__ import annotations

import numpy as np

from countysim.world import CITY


class ResidenceTerms:
    """Residence terms of `LocationChoice`, which holds the network and the option tables
    they read."""

    def residence_utility(self, model, rows: np.ndarray, res: np.ndarray) -> np.ndarray:
        """Utility terms that depend on where a person lives, shape like `res`."""
        p, world, st, c = model.persons, model.world, model.state, model.scenario.choice
        n_places = world.n
        current = p.residence.take(rows)[:, None]
        home = model.households.home.take(p.hh.take(rows))[:, None]
        hukou_here = p.hukou_place.take(rows)[:, None] == res
        kids = self.school_children(model).take(rows)[:, None]
        # Terms of a place (or a pair of places) are computed per place and then looked up
        # (`take`, on the flattened table for pairs), rather than once per person and
        # option: the same numbers, far fewer logarithms. An option's residence of -1 (none)
        # looks up some other place; `_options` marks such options infeasible.
        u = (-c.cost_of_living_weight * np.log(st.cost_of_living)).take(res)
        # Services: quality times access (1 with the place's hukou), times the children.
        quality = c.service_weight * st.service_quality
        service = (quality * st.non_hukou_access).take(res)
        np.copyto(service, quality.take(res), where=hukou_here)
        service *= 1 + c.school_child_weight * kids
        u += service
        del service
        pair = current * n_places + res  # cell of (current place, option's residence)
        u -= self._moving_cost(model).take(pair)  # 0 where the residence stays
        barrier = np.where(world.level == CITY, st.hukou_barrier, c.non_hukou_barrier_county)
        # The barrier of an urban place lived in without its hukou (0 for a village).
        barrier = (self.urban * barrier).take(res)
        np.copyto(barrier, 0.0, where=hukou_here)
        u -= barrier
        del barrier
        age = p.age.take(rows)[:, None]
        attach = c.home_attachment + c.home_attachment_per_decade * np.maximum(age - 16, 0) / 10
        away = res != home
        u += ~away * attach
        np.add(pair, (home - current) * n_places, out=pair)  # now (home, residence)
        u += self._network_utility(model, pair) * away
        return u

    def _network_utility(self, model, pair: np.ndarray) -> np.ndarray:
        """network_weight * log(1 + network) of each (home, residence) cell in `pair`:
        only the cells asked for (the home places' tables, the retirees who reconsider),
        not a table of every cell (P x P, 8 bytes a cell, made again each sub-step)."""
        return model.scenario.choice.network_weight * np.log1p(self._network(model, pair))

    def _moving_cost(self, model) -> np.ndarray:
        """P x P: utility cost of moving from one place to another (fixed plus per log km),
        0 from a place to itself (staying costs nothing)."""
        if getattr(self, "_moving", None) is None:
            c = model.scenario.choice
            self._moving = c.moving_cost + c.moving_cost_per_log_km * np.log1p(model.world.dist_km)
            np.fill_diagonal(self._moving, 0.0)
        return self._moving

    def _home_residence_terms(self, model) -> tuple[np.ndarray, ...]:
        """Per home place and distinct residence of its options (P, R): the residence, the
        terms that depend on them alone (cost of living, services and barrier without the
        hukou, network), the service and barrier difference the place's hukou makes, the
        service without hukou, and which residence is the home place (-1: none)."""
        world, st, c = model.world, model.state, model.scenario.choice
        n = world.n
        # The same within a sub-step's choice but for the network, which changes after it.
        cached = getattr(self, "_residence_terms", None)
        key = (model.clock, self._net_version)
        if cached is not None and cached[0] == key:
            return cached[1]
        res = self._place_options(model)[0][:, self.distinct_residence]
        home = np.arange(n)[:, None]
        own = res == home
        quality = c.service_weight * st.service_quality
        service = quality * st.non_hukou_access
        level_barrier = np.where(world.level == CITY, st.hukou_barrier, c.non_hukou_barrier_county)
        barrier = self.urban * level_barrier
        base = (-c.cost_of_living_weight * np.log(st.cost_of_living)).take(res)
        base += service.take(res)
        base -= barrier.take(res)
        base += self._network_utility(model, home * n + res) * ~own
        # The residence that is the home place: at most one a place (its own level's).
        own_column = np.where(own.any(axis=1), own.argmax(axis=1), -1)
        assert (own.sum(axis=1) <= 1).all()
        terms = (res, base, (quality - service + barrier).take(res), service.take(res), own_column)
        self._residence_terms = (key, terms)
        return terms

    def _chooser_residence_utility(self, model, rows, home, age, current) -> np.ndarray:
        """`residence_utility` at the distinct residences of the choosers' options, shape
        (n, R), from tables by home place: the same terms, summed in another order."""
        p, c, n = model.persons, model.scenario.choice, model.world.n
        res_of, base, hukou_gain, service_of, own_column = self._home_residence_terms(model)
        u = base.take(home, axis=0)
        res = res_of.take(home, axis=0)
        hukou_here = res == p.hukou_place.take(rows)[:, None]
        cell = np.flatnonzero(hukou_here)  # at most one residence per person
        flat = u.reshape(-1)
        flat[cell] += hukou_gain.reshape(-1).take(
            home.take(cell // res.shape[1]) * res.shape[1] + cell % res.shape[1]
        )
        kids = self.school_children(model).take(rows)
        mums = np.flatnonzero(kids)
        if len(mums):
            service = service_of.take(home.take(mums), axis=0)
            quality = c.service_weight * model.state.service_quality
            np.copyto(service, quality.take(res[mums]), where=hukou_here[mums])
            service *= (c.school_child_weight * kids.take(mums))[:, None]
            u[mums] += service
        pair = current[:, None] * n + res  # (current place, residence)
        u -= self._moving_cost(model).take(pair)
        attach = c.home_attachment + c.home_attachment_per_decade * np.maximum(age - 16, 0) / 10
        column = own_column.take(home)
        at_home = np.flatnonzero(column >= 0)
        flat[at_home * res.shape[1] + column.take(at_home)] += attach.take(at_home)
        return u
