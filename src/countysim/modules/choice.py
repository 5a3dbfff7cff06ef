"""Location and work choice: who lives where and works at what.

In each sub-step a share of working-age persons reconsiders (the activity rate; the
unemployed more often, new entrants always); the activity draws are made only for those
they select (`sparse_uniforms`: geometric gaps at the highest rate, then a uniform below
it for each selected person, the same chance for every rule as a uniform per person).
Each picks from a small option set by multinomial logit (`draw_logit`: the option at one
uniform draw on the cumulative logit probabilities over the feasible options, the
distribution of the argmax of utility plus Gumbel noise from one draw per chooser
instead of one per option):

    farm at home | non-farm work in the home village | commute from home to the township
    seat or the county town | move to the home township seat | move to the county town |
    move to each outside city

Utility of an option (residence r, workplace w) for person i:

    income_weight * log(max(expected income, floor))
        expected = skill * (P(job) * wage + (1 - P(job)) * informal wage); farm: the farm
        income the person would earn at home
  - cost_of_living_weight * log(cost of living at r)
  + service_weight * quality(r) * access(i, r) * (1 + school_child_weight * school-age
        children of i, counted for mothers)
  - moving cost (if r is not where i lives now: a fixed part plus a part rising with log km)
  - barrier for living in an urban place without its hukou
  - commuting cost per km
  + network_weight * log(1 + working persons from i's home place living at r), r not home
  + home attachment (at the home place; rising with age)
  + terms contributed by other modules (land, pensions, ...) through `model.choice_terms`

Retirees living away reconsider, at a lower rate, between staying and going home (a
two-option logit, one uniform each).
Children follow a mother who moves if schooling at the destination is open to them,
otherwise they stay behind; those left behind rejoin her at a yearly rate.
The network and the school-age children are counted once a year and kept up to date
through its sub-steps in `choice_aggregates.py`; the residence terms are in
`choice_residence.py`, the draws in `choice_draws.py`.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.modules.choice_aggregates import YearAggregates
from countysim.modules.choice_draws import draw_binary_logit, draw_logit, sparse_uniforms
from countysim.modules.choice_residence import ResidenceTerms
from countysim.modules.family_moves import among, children_follow, partners_follow
from countysim.population import (
    FARMER,
    IS_WORKING,
    RETIRED,
    UNEMPLOYED,
)
from countysim.world import CITY, COUNTY_TOWN, TOWNSHIP, VILLAGE

FARM, VILLAGE_NONFARM, COMMUTE_TOWNSHIP, COMMUTE_COUNTY_TOWN, MOVE_TOWNSHIP, MOVE_COUNTY_TOWN = (
    range(6)
)
#: Choosers whose options are weighed at once: bounds the memory of the first sub-step of a
#: run, when every adult chooses, to about ten MB (results do not depend on it).
CHOOSER_CHUNK = 8_192
OPTION_NAMES = (
    "farm",
    "village_nonfarm",
    "commute_township",
    "commute_county_town",
    "move_township",
    "move_county_town",
)


class LocationChoice(YearAggregates, ResidenceTerms, Module):
    name = "choice"

    def setup(self, model) -> None:
        world, c = model.world, model.scenario.choice
        self.cities = np.flatnonzero(world.level == CITY)
        self.n_options = len(OPTION_NAMES) + len(self.cities)
        # The options' distinct workplaces (farm, village, township seat, county town, the
        # cities) and residences (village, township seat, county town, the cities), as
        # columns of the option arrays, and each option's column among them.
        cities = list(range(len(OPTION_NAMES), self.n_options))
        self.distinct_work = [FARM, VILLAGE_NONFARM, COMMUTE_TOWNSHIP, COMMUTE_COUNTY_TOWN]
        self.distinct_work += cities
        self.work_of_option = np.array([0, 1, 2, 3, 2, 3] + [4 + i for i in range(len(cities))])
        self.distinct_residence = [FARM, MOVE_TOWNSHIP, MOVE_COUNTY_TOWN, *cities]
        self.residence_of_option = np.array(
            [0, 0, 0, 0, 1, 2] + [3 + i for i in range(len(cities))]
        )
        enabled = set(c.options)
        self.enabled = np.array(
            [name in enabled for name in OPTION_NAMES] + ["move_city" in enabled] * len(self.cities)
        )
        # Aggregates that stay fixed within a year's sub-steps, or that the choice itself
        # keeps up to date from those who move (see `substep`).
        self._kids: np.ndarray | None = None  # school-age children of each person
        self._net: np.ndarray | None = None  # working-age persons by home place x residence
        self._net_version = 0  # counts the network's changes (its terms' tables follow)
        self._child_rows = self._mother_rows = np.zeros(0, dtype=np.int32)
        self._child_home = self._child_hukou = np.zeros(0, dtype=np.int32)
        self.urban = world.is_urban
        st, col = model.state, c.cost_of_living
        st.cost_of_living[:] = np.select(
            [world.level == VILLAGE, world.level == TOWNSHIP, world.level == COUNTY_TOWN],
            [col.village, col.township, col.county_town],
            1.0,
        )
        for i, city in zip(self.cities, model.scenario.outside_cities, strict=True):
            st.cost_of_living[i] = city.cost_of_living
            st.hukou_barrier[i] = city.hukou_barrier

    # ----------------------------------------------------------------- options
    def _options(self, model, rows, hh, home, age) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Residence, workplace (-1 = farm) and feasibility of each option, shape (n, K):
        those of the person's home place (`_place_options`), less what age and land rule
        out (`hh`, `home`, `age`: the rows' households, home places and ages)."""
        demo = model.scenario.demography
        res_of, work_of, ok_of = self._place_options(model)
        res, work, ok = (
            res_of.take(home, axis=0),
            work_of.take(home, axis=0),
            ok_of.take(home, axis=0),
        )
        land = model.households.land_mu.take(hh)
        ok[:, FARM] &= (land > 0) & (age < demo.farming_exit_age)
        ok[:, FARM + 1 :] &= (age < demo.retirement_age)[:, None]  # the old only farm
        return res, work, ok

    def _place_options(self, model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Residence, workplace and feasibility of each option for a person of each home
        place, shape (P, K), made again only if the places' levels change."""
        world, c = model.world, model.scenario.choice
        cached = getattr(self, "_by_home", None)
        if cached is not None and np.array_equal(cached[0], world.level):
            return cached[1:]
        home = np.arange(world.n)
        n, k = len(home), self.n_options
        village = np.where(world.level[home] == VILLAGE, home, -1)
        seat = world.township_of()[home]
        town = np.full(n, world.county_town)
        res = np.empty((n, k), dtype=np.int32)
        work = np.empty((n, k), dtype=np.int32)
        res[:, :4] = village[:, None]
        work[:, FARM] = -1
        work[:, VILLAGE_NONFARM] = village
        work[:, COMMUTE_TOWNSHIP] = seat
        work[:, COMMUTE_COUNTY_TOWN] = town
        res[:, MOVE_TOWNSHIP] = work[:, MOVE_TOWNSHIP] = seat
        res[:, MOVE_COUNTY_TOWN] = work[:, MOVE_COUNTY_TOWN] = town
        res[:, 6:] = work[:, 6:] = self.cities[None, :]

        ok = np.broadcast_to(self.enabled, (n, k)).copy()
        ok[:, :4] &= (village >= 0)[:, None]
        ok[:, MOVE_TOWNSHIP] &= seat >= 0
        for opt in (COMMUTE_TOWNSHIP, COMMUTE_COUNTY_TOWN):
            d = world.dist_km[np.maximum(village, 0), np.maximum(work[:, opt], 0)]
            ok[:, opt] &= (work[:, opt] >= 0) & (d <= c.commute_max_km)
        self._by_home = (world.level.copy(), res, work, ok)
        return res, work, ok

    def _expected_income(self, model, rows, home, age, skill, can_farm) -> np.ndarray:
        """Expected income at each of the options' distinct workplaces, shape (n, W); the
        farm income only where farming is an option (`can_farm`; elsewhere the floor)."""
        # Per place, then per home place's workplaces, then looked up by home: the same
        # numbers as per person and option.
        nonfarm = model.labour.expected_pay(model)
        work_of = self._place_options(model)[1][:, self.distinct_work]
        income = nonfarm.take(np.maximum(work_of, 0)).take(home, axis=0)
        income *= skill[:, None]
        if can_farm.all():
            income[:, FARM] = model.farming.prospective_income(model, rows, age)
        else:
            farm = np.flatnonzero(can_farm)
            income[:, FARM] = model.scenario.choice.income_floor_yuan
            income[farm, FARM] = model.farming.prospective_income(
                model, rows.take(farm), age.take(farm)
            )
        return income

    # ----------------------------------------------------------------- the step
    def substep(self, model) -> None:
        p, c, rng = model.persons, model.scenario.choice, model.rng
        if model.substep_index == 0 or self._net is None:
            self._year_aggregates(model)
        rate = model.scenario.simulation.activity_rate
        unemployed_rate = rate * c.unemployed_activity_multiplier
        retiree_rate = c.retiree_activity_rate / model.scenario.simulation.substeps
        # Each person's activity draw is asked only where it falls below the highest rate
        # used (`sparse_uniforms`); the rules `draw < rate` then apply among those.
        near, draw = sparse_uniforms(rng, len(p), max(rate, unemployed_rate, retiree_rate))
        near_status = p.status.take(near)
        chance = np.where(near_status == UNEMPLOYED, unemployed_rate, rate)
        chosen = near[IS_WORKING[near_status] & (draw < chance)]
        # Sorted and distinct, as a union of the two sets would be, without sorting; those
        # who must choose (new entrants) all choose at the year's first sub-step.
        if p.must_choose.any():
            choosing = p.must_choose.copy()
            choosing[chosen] = True
            rows = np.flatnonzero(choosing)
            del choosing
            p.must_choose[:] = False  # all of them choose now
        else:
            rows = chosen
        # int32, as the person columns that hold rows: the spin-up's first sub-step has
        # every adult choose, and its arrays of all choosers are the step's peak's base.
        rows = rows.astype(np.int32)
        # The choosers' households, home places and ages, for the network cells and the
        # options, gathered once (the choice changes none of them).
        hh = p.hh.take(rows)
        home = model.households.home.take(hh)
        age = p.age.take(rows)
        origin = p.residence.take(rows)
        status = p.status.take(rows)
        # One uniform per chooser, in the order of rows, drawn chunk by chunk as the
        # weighed choosers need them (the stream of one draw for all: nothing else draws
        # meanwhile). The old have at most one option (farming), which the draw would give
        # them whatever its utility: only the others' options are weighed, in chunks, and
        # their uniforms are drawn but unused. Half chunks when most adults choose (the
        # spin-up's first sub-step): its arrays of all choosers add to the chunks' own.
        chunk = CHOOSER_CHUNK if 4 * len(rows) < len(p) else CHOOSER_CHUNK // 2
        young = age < model.scenario.demography.retirement_age
        drawn, uniform = 0, None  # choosers (in the order of rows) whose uniforms are drawn
        for weigh in (False, True):
            group = np.flatnonzero(young == weigh).astype(np.int32)
            for start in range(0, len(group), chunk):
                at = group[start : start + chunk]
                if weigh:
                    uniform = rng.random(int(at[-1]) + 1 - drawn)[at - drawn]
                    drawn = int(at[-1]) + 1
                else:
                    uniform = None
                self._choose_work(
                    model,
                    (rows[at], hh[at], home[at], age[at], origin[at], status[at]),
                    uniform,
                    weigh,
                )
        for start in range(drawn, len(rows), chunk):  # the old after the last weighed
            rng.random(min(chunk, len(rows) - start))
        del hh, uniform, young, group  # freed before the family moves, the step's peak
        # Retirees by their status before this sub-step's choice, which changes no retiree's.
        retired = near[(near_status == RETIRED) & (draw < retiree_rate)]
        del near, draw, near_status, chance, chosen
        back, back_origin, back_net = self._retirees(model, retired)
        changed = p.residence.take(rows) != origin
        partners, partners_origin, partners_net = partners_follow(
            model, rows[changed], origin[changed], self._partner_pool
        )
        # Only choosers, returning retirees and partners changed residence or work here; the
        # network of the next sub-step is this one's plus their changes (a partner who also
        # chose is counted once, among the choosers), applied part by part rather than
        # gathered at once. The choosers' cells before the choice come from what was
        # gathered before it; where they live now, as some followed a partner after it.
        others = ~among(partners, rows)
        self._update_network(
            [
                lambda: self._counted_keys(model, home, origin, age, status),
                back_net,
                partners_net[others],
            ],
            [
                lambda: self._counted_keys(
                    model, home, p.residence.take(rows), age, p.status.take(rows)
                ),
                lambda: self.network_keys(model, np.concatenate([back, partners[others]])),
            ],
        )
        moved = np.concatenate([rows[changed], back, partners])
        origin = np.concatenate([origin[changed], back_origin, partners_origin])
        kids, kids_origin = children_follow(
            model, moved, self._child_rows, self._mother_rows, self._child_home, self._child_hukou
        )
        model.tally.record_moves(
            model, np.concatenate([moved, kids]), np.concatenate([origin, kids_origin])
        )

    def _choose_work(self, model, choosers, uniform, weigh: bool) -> None:
        """The options of `choosers` (rows, households, home places, ages, residences and
        statuses) weighed and drawn at `uniform`, or, if not `weigh` (the old), farming
        where it is open to them."""
        p = model.persons
        rows, hh, home, age, current, status = choosers
        res, work, ok = self._options(model, rows, hh, home, age)
        if weigh:
            u = self._utility(model, rows, hh, home, age, current, res, work, ok)
            pick = draw_logit(u, ok, uniform)
        else:
            pick = np.where(ok[:, FARM], FARM, -1)
        has_option = pick >= 0
        if not has_option.all():
            rows, pick, res, work = (
                rows[has_option],
                pick[has_option],
                res[has_option],
                work[has_option],
            )
            current, status = current[has_option], status[has_option]
        cell = np.arange(0, len(rows) * self.n_options, self.n_options) + pick
        new_res = res.reshape(-1).take(cell)
        new_work = work.reshape(-1).take(cell)
        # Keeping the same workplace keeps the job (or the search); a new workplace means
        # searching until the next clearing of the labour market.
        same_job = (new_work == p.workplace.take(rows)) & (new_work >= 0)
        p.status[rows] = np.where(new_work < 0, FARMER, np.where(same_job, status, UNEMPLOYED))
        p.years_here[rows[new_res != current]] = 0
        p.residence[rows] = new_res
        p.workplace[rows] = new_work

    def _utility(self, model, rows, hh, home, age, current, res, work, ok) -> np.ndarray:
        """Utility of each option for each of `rows` (without the random term), (n, K)."""
        c = model.scenario.choice
        # Options share workplaces (commuting to a place or moving there) and residences
        # (the four at home): income and residence terms are computed once for each
        # distinct one and then spread over the options.
        skill = model.persons.skill.take(rows)
        income = self._expected_income(model, rows, home, age, skill, ok[:, FARM])
        np.maximum(income, c.income_floor_yuan, out=income)
        # For the terms of other modules, which ask the same of the same choosers.
        self._chunk = [rows, hh, home, work, income.copy(), age, skill, res, None]
        np.log(income, out=income)
        income *= c.income_weight
        # Terms by distinct workplace (see `shared_work_columns`) added before the spread
        # over the options, the others after the choice's own.
        by_option = []
        for term in model.choice_terms:
            value = term(model, rows, res, work)
            if value.shape[1] == self.n_options:
                by_option.append(value)
            else:
                income += value
        # Indexing: quicker than take along the columns, the same copy.
        u = income[:, self.work_of_option]
        del income
        u += self._chooser_residence_utility(model, rows, home, age, current)[
            :, self.residence_of_option
        ]
        # Only the commuting options have a workplace other than the residence; their
        # cost depends on the home place alone.
        commute = self._commute_cost(model)
        for opt in (COMMUTE_TOWNSHIP, COMMUTE_COUNTY_TOWN):
            u[:, opt] -= commute[:, opt].take(home)
        for value in by_option:
            u += value
        self._chunk = None
        return u

    def chooser_households(self, model, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Households and home places of `rows`: those gathered for the choosers being
        weighed, when `rows` are they, else gathered now."""
        chunk = getattr(self, "_chunk", None)
        if chunk is not None and chunk[0] is rows:
            return chunk[1], chunk[2]
        hh = model.persons.hh.take(rows)
        return hh, model.households.home.take(hh)

    def chooser_age_skill(self, model, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ages and skills of `rows`, as `chooser_households`."""
        chunk = getattr(self, "_chunk", None)
        if chunk is not None and chunk[0] is rows:
            return chunk[5], chunk[6]
        return model.persons.age.take(rows), model.persons.skill.take(rows)

    def option_earnings(self, rows: np.ndarray, work: np.ndarray) -> np.ndarray | None:
        """Expected earnings of the choosers being weighed at each option's workplace, at
        least the income floor, shape (n, K), when `rows` and `work` are theirs (None
        otherwise); the farming option's (workplace -1) are left to the caller."""
        chunk = getattr(self, "_chunk", None)
        if chunk is None or chunk[0] is not rows or chunk[3] is not work:
            return None
        return chunk[4].take(self.work_of_option, axis=1)

    def shared_work_columns(self, rows, res, work, key: np.ndarray):
        """For a choice term that depends on an option's workplace, and on its residence
        only through `key` (a value per place), when `rows`, `res` and `work` are the
        choosers being weighed and their options: the residences and workplaces of one
        option per distinct workplace (n, W) and the choosers' expected earnings there
        (the choice's own, at least the floor; not to be written). The term is then to be
        given by distinct workplace, (n, W), which the choice spreads over the options.
        None if some home place has a feasible option whose residence's key differs from
        that of the option standing for its workplace (commuting there or moving there)."""
        chunk = getattr(self, "_chunk", None)
        if chunk is None or chunk[0] is not rows or chunk[3] is not work or chunk[7] is not res:
            return None
        res_of, _, ok_of = self._by_home[1:]
        # Moving to a place stands for commuting there: its residence is a place whatever
        # the home place (commuting's is the home village, -1 for other home places).
        pick = np.array(self.distinct_work)
        pick[2:4] = (MOVE_TOWNSHIP, MOVE_COUNTY_TOWN)
        cache = self.__dict__.setdefault("_shared", {})
        known = cache.get(key.tobytes())
        if known is None or known[0] is not res_of:
            keys = key.take(res_of)
            stand_in = keys.take(pick.take(self.work_of_option), axis=1)
            known = cache[key.tobytes()] = (res_of, bool(((keys == stand_in) | ~ok_of).all()))
        if not known[1]:
            return None
        if chunk[8] is None:
            chunk[8] = (res[:, pick], work[:, pick])  # quicker than take along columns
        return (*chunk[8], chunk[4])

    def _commute_cost(self, model) -> np.ndarray:
        """Commuting cost of each option for a person of each home place (P, K)."""
        res, work, _ = self._place_options(model)
        cached = getattr(self, "_commute", None)
        if cached is not None and cached[0] is res:
            return cached[1]
        c, dist = model.scenario.choice, model.world.dist_km
        cost = np.zeros(res.shape)
        for opt in (COMMUTE_TOWNSHIP, COMMUTE_COUNTY_TOWN):
            r, w = res[:, opt], work[:, opt]
            commute = (w >= 0) & (w != r)
            km = dist[np.maximum(r, 0), np.maximum(w, 0)]
            cost[:, opt] = commute * c.commute_cost_per_km * km
        self._commute = (res, cost)
        return cost

    def _retirees(self, model, rows: np.ndarray):
        """Retirees living away among `rows` (retirees whose activity draw fell below the
        retirees' rate) choose between staying and going home (farming if they can).
        Returns those who went home, where they lived and their network cells before."""
        p = model.persons
        home = model.households.home.take(p.hh.take(rows))
        away = p.residence.take(rows) != home
        rows, home = rows[away], home[away]
        if not len(rows):
            return rows, rows.astype(p.residence.dtype), rows.astype(np.int64)
        res = np.stack([p.residence.take(rows), home], axis=1).astype(np.int32)
        u = self.residence_utility(model, rows, res)
        for term in model.choice_terms:
            u += term(model, rows, res, np.full_like(res, -1))
        go_home = draw_binary_logit(u[:, 0], u[:, 1], model.rng.random(len(rows)))
        back = rows[go_home]
        origin, net_before = p.residence[back], self.network_keys(model, back)
        p.residence[back] = home[go_home]
        p.years_here[back] = 0
        d = model.scenario.demography
        can_farm = (model.households.land_mu[p.hh[back]] > 0) & (p.age[back] < d.farming_exit_age)
        p.status[back[can_farm]] = FARMER
        return back, origin, net_before
