"""The non-farm labour market of every county place and the outside cities.

In a county place j, manufacturing produces Y = A K^theta E^(1-theta) and hires where the
marginal product equals the wage, E_m(w) = K (A (1-theta) / w)^(1/theta); the service
sector spends a share lambda of its revenue R (what residents below and around spend
there, see `services`) on labour, E_s(w) = lambda R / w. Public services (schools,
clinics, administration) fill their posts first (`finance.public_posts`, a staffing
standard per unit of capacity) with the place's most educated seekers, urban-hukou
holders first among equals, and pay them the staff's wage bill B_j out of last year's
spending of the county's budget on the place (`_hire_staff`); equals are queued at random
and the seeker who would overfill the posts is hired by chance, both uniforms drawn only
for the seekers of the queue groups where a place's posts run out (those before are all
hired, those after none). Service and public jobs are local demand that grows with the
incomes and budgets of the place and the places around it (a local multiplier, Moretti
2010, AER P&P 100(2)). With the other job seekers
supplying S effective units, the wage clears D(w) = E_m(w) + E_s(w) = S above the floor;
if demand at the floor falls short, the wage is the floor and jobs are rationed at
random, each seeker finding one with probability D(floor)/S (Harris-Todaro). Those
without a job work informally at a lower wage if the scenario allows it, or are unemployed.

Outside cities are not modelled as markets: their wage follows an exogenous path and a
seeker finds a job with a fixed probability.
"""

from __future__ import annotations

import numpy as np

from countysim.config.schedule import growth_factor
from countysim.modules.base import Module
from countysim.population import EMPLOYED, INFORMAL, IS_NONFARM, UNEMPLOYED
from countysim.world import CITY, COUNTY_TOWN, TOWNSHIP, VILLAGE

_BISECTION_STEPS = 60


class LabourMarket(Module):
    name = "labour"

    def setup(self, model) -> None:
        lab, world, st = model.scenario.labour, model.world, model.state
        theta = lab.capital_elasticity
        self.theta = theta
        # A census county pays its region's wage level (docs/census.md); others index 1.
        census = model.scenario.county.census
        self.wage_index = 1.0 if census is None else census.county_wage_index
        county_registered = world.registered[world.is_county].sum()
        self.base_tfp = np.zeros(world.n)
        for level, params in (
            (COUNTY_TOWN, lab.county_town),
            (TOWNSHIP, lab.township),
            (VILLAGE, lab.village),
        ):
            at = world.level == level
            st.wage_floor[at] = params.wage_floor_yuan * self.wage_index
            st.wage[at] = params.initial_wage_yuan * self.wage_index
            # Jobs at the initial wage, shared among the level's places by registered population.
            reg = world.registered[at].astype(float)
            share = reg / reg.sum() if reg.sum() > 0 else np.full(at.sum(), 1.0 / max(at.sum(), 1))
            jobs = params.manufacturing_jobs_per_1000 / 1000 * county_registered * share
            w0 = params.initial_wage_yuan * self.wage_index
            output = w0 * jobs / (1 - theta)
            st.capital[at] = lab.capital_output_ratio * output
            with np.errstate(divide="ignore", invalid="ignore"):
                tfp = output / (st.capital[at] ** theta * jobs ** (1 - theta))
            self.base_tfp[at] = np.nan_to_num(tfp)
        st.tfp[:] = self.base_tfp
        st.informal_wage[:] = lab.informal_wage_ratio * st.wage_floor

        cities = np.flatnonzero(world.level == CITY)
        self.city_base_wage = np.array([c.wage_yuan for c in model.scenario.outside_cities])
        self.city_growth = np.array([c.wage_growth for c in model.scenario.outside_cities])
        self.city_job_finding = np.array([c.job_finding for c in model.scenario.outside_cities])
        self.cities = cities
        self.base_residents = None
        self.local_bill = np.zeros(world.n)  # the service sector's wage bill, lambda R
        self.public_bill = np.zeros(world.n)
        self.staff_units = np.zeros(world.n)
        self.step(model)

    def rebase_agglomeration(self) -> None:
        """Measure agglomeration from the residents of the next year (after the spin-up)."""
        self.base_residents = None

    def step(self, model) -> None:
        """This year's productivity, floors and city wages (trend and agglomeration)."""
        lab, st, world = model.scenario.labour, model.state, model.world
        t = model.year - model.scenario.years.start
        county = world.is_county
        if self.base_residents is None:
            self.base_residents = np.maximum(st.residents.copy(), 1.0)
        crowd = (
            np.maximum(st.residents, 1.0) / self.base_residents
        ) ** lab.agglomeration_elasticity
        # A number or a schedule of yearly rates (the national growth path).
        trend = growth_factor(lab.tfp_growth, model.scenario.years.start, model.year)
        st.tfp[county] = self.base_tfp[county] * trend * crowd[county] * st.tfp_multiplier[county]
        floor0 = np.select(
            [world.level == COUNTY_TOWN, world.level == TOWNSHIP, world.level == VILLAGE],
            [
                lab.county_town.wage_floor_yuan,
                lab.township.wage_floor_yuan,
                lab.village.wage_floor_yuan,
            ],
            0.0,
        )
        growth = growth_factor(lab.wage_floor_growth, model.scenario.years.start, model.year)
        st.wage_floor[county] = floor0[county] * self.wage_index * growth
        city_wage = self.city_base_wage * (1 + self.city_growth) ** t
        st.wage[self.cities] = city_wage
        st.wage_floor[self.cities] = city_wage
        st.informal_wage[:] = lab.informal_wage_ratio * st.wage_floor
        st.job_prob[self.cities] = self.city_job_finding

    def wage_bills(self, model) -> None:
        """The wage bills of local demand: private services, lambda R (a fixed sum of pay:
        demand is the bill over the wage), and public-service staff, B (see `_hire_staff`)."""
        self.public_bill = model.finance.public_wage_bill(model)
        lam = model.scenario.services.labour_share
        self.local_bill = lam * model.state.service_revenue

    def demand(self, model, wage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Manufacturing and local (private and public service) labour demand at a wage, per
        place, in effective (skill-weighted) workers, the unit in which supply is counted."""
        st, theta = model.state, self.theta
        with np.errstate(divide="ignore", invalid="ignore"):
            manu = st.capital * (st.tfp * (1 - theta) / wage) ** (1 / theta)
            serv = self.local_bill / wage
        return np.nan_to_num(manu), np.nan_to_num(serv)

    def substep(self, model) -> None:
        """Hire public-service staff, clear every county market for the other seekers, ration
        jobs, and pay the sub-step's wages."""
        p, st, world = model.persons, model.state, model.world
        scale = model.scenario.simulation.scale
        seekers = np.flatnonzero(IS_NONFARM[p.status] & (p.workplace >= 0))
        # Gathers by take: quicker than indexing, the same values.
        where = p.workplace.take(seekers)
        skill = p.skill.take(seekers)
        county = world.is_county
        self.wage_bills(model)
        staff, staff_pay = self._hire_staff(model, seekers, where, skill)
        staff_rows = self.staff_rows  # found when hired
        staff_units = self.staff_units  # the staff's units per place, as hired
        # The others' units: the staff weigh 0 (adding 0 leaves every place's sum as it is).
        private = skill.copy()
        private[staff_rows] = 0.0
        supply = scale * np.bincount(where, weights=private, minlength=world.n)
        del private

        floor = st.wage_floor
        manu_f, serv_f = self.demand(model, floor)
        d_floor = manu_f + serv_f
        clears = county & (d_floor > supply) & (supply > 0)
        wage = floor.copy()
        wage[clears] = self._clearing_wage(model, floor, d_floor, supply, clears)
        st.wage[county] = wage[county]
        job_prob = np.where(supply > 0, np.minimum(1.0, d_floor / np.maximum(supply, 1e-12)), 1.0)
        job_prob = np.where(d_floor > 0, job_prob, 0.0)
        # A seeker's chance of a job counts the staff posts too (what choices expect).
        seeking = supply + staff_units
        overall = np.divide(
            staff_units + job_prob * supply, seeking, out=job_prob.copy(), where=seeking > 0
        )
        st.job_prob[county] = overall[county]

        manu, _ = self.demand(model, st.wage)
        filled = np.where(clears, 1.0, np.minimum(1.0, supply / np.maximum(d_floor, 1e-12)))
        manu_jobs = manu * filled * county
        st.manufacturing_output = np.where(
            manu_jobs > 0,
            st.tfp * st.capital**self.theta * manu_jobs ** (1 - self.theta),
            0.0,
        )

        # Rationing: the market's chance in county places (staff are hired apart), the fixed
        # job finding in the outside cities (no market there: their demand is zero above).
        chance = np.where(county, job_prob, st.job_prob)
        formal = (model.rng.random(len(seekers)) < chance.take(where)) | staff
        # Without a job: informal work if the scenario has that sector, else unemployment.
        sector = model.scenario.labour.informal_sector
        otherwise = np.int8(INFORMAL if sector else UNEMPLOYED)
        # The code by arithmetic on the flags (the same codes): a select on flags in no
        # order mispredicts a branch for every other seeker and takes several times longer.
        status = formal.astype(np.int8)
        status *= np.int8(EMPLOYED - otherwise)
        status += otherwise
        p.status[seekers] = status
        del status
        other_pay = st.informal_wage if sector else np.zeros(world.n)
        # One lookup in the places' two pays (formal ones after the others) per seeker.
        cell = formal * np.int32(world.n)
        cell += where
        pay = np.concatenate([other_pay, st.wage]).take(cell)
        del cell
        pay[staff_rows] = staff_pay.take(where.take(staff_rows))
        pay *= skill  # in place, in the order of pay * skill / substeps
        pay /= model.scenario.simulation.substeps
        # Gathered by take, added and written back: the same sums, quicker than `+=` on
        # the indexed column.
        pay += p.wage_income.take(seekers)
        p.wage_income[seekers] = pay
        # Those who work, by workplace: every seeker (counted when staff were hired) with an
        # informal sector, else those with a formal job.
        working = self.seekers_at if sector else np.bincount(where[formal], minlength=world.n)
        st.employment = scale * working.astype(float)

    def _hire_staff(self, model, seekers, where, skill) -> tuple[np.ndarray, np.ndarray]:
        """Public-service staff among the seekers working in each county place, and their pay
        per effective unit and year. The place's posts (`finance.public_posts`) go to the
        seekers who live in the place before commuters, among those to the most educated
        first and, among equals, to urban-hukou holders (open recruitment by examination and
        diploma, State Council Regulations on the personnel management of public
        institutions, 2014). A post pays the public wage bill B over the posts; posts nobody
        fills are not paid. The staff's units per place are kept in `staff_units`, the
        seekers per place in `seekers_at`."""
        p = model.persons
        n, scale = model.world.n, model.scenario.simulation.scale
        county = model.world.is_county
        bill = np.where(county, self.public_bill, 0.0)
        # No post without pay (a budget with no staff share hires nobody).
        posts = np.where(bill > 0, model.finance.public_posts(model), 0.0)
        if len(seekers) == 0:
            self.staff_units, self.seekers_at = np.zeros(n), np.zeros(n, dtype=np.intp)
            self.staff_rows = np.zeros(0, dtype=np.intp)
            return np.zeros(0, dtype=bool), np.zeros(n)
        # Queue order within a place: residents before commuters (staff live where they work:
        # teachers and officials of the town and the seats), the most educated first, urban
        # hukou first among equals, then the noise. Seekers fall into coarse groups (place,
        # then everything but the noise), summed by counting: every member of a group that
        # ends before the place's posts are filled is hired, nobody of a group that starts
        # after, and only the groups in between are sorted by the noise.
        edu = p.edu.take(seekers)
        hi_edu = int(edu.max())
        levels = hi_edu - int(edu.min()) + 1
        groups = 4 * levels
        gid = where * np.int32(groups)
        gid += (p.residence.take(seekers) != where) * np.int32(2 * levels)
        gid += (hi_edu - edu) * 2
        gid += ~p.hukou_urban.take(seekers)
        cells = n * groups
        counts = np.bincount(gid, minlength=cells).reshape(n, groups)
        units = np.bincount(gid, weights=skill, minlength=cells).reshape(n, groups)
        units_after = np.cumsum(units, axis=1)
        units_before = units_after - units
        self.seekers_at = counts.sum(axis=1)  # seekers working in each place
        room = (posts / scale)[:, None]  # units of posts, the units of a seeker's skill
        sure = (units_after <= room * (1 - 1e-9) - 1e-9) & (room > 0)
        head = (units_before <= room * (1 + 1e-9) + 1e-9) & (room > 0) & ~sure
        kind = np.where(sure, np.int8(1), np.where(head, np.int8(2), np.int8(0))).ravel()
        kind = kind.take(gid)  # per seeker: take, quicker than indexing with int32 codes
        staff = kind == 1
        rows = np.flatnonzero(kind == 2)
        if len(rows):
            # The noise and the chance of the marginal seeker matter only in these groups:
            # drawn for their seekers alone (the noise by row, the chance by queue position).
            noise = model.rng.random(len(rows))
            chance = model.rng.random(len(rows))
            rows, hired = self._queue_head(
                rows, gid, noise, chance, skill, room.ravel(), units_before
            )
            staff[rows] = hired
        hired_rows = np.flatnonzero(staff)
        self.staff_rows = hired_rows  # the staff's rows among the seekers
        units = scale * np.bincount(
            where.take(hired_rows), weights=skill.take(hired_rows), minlength=n
        )
        self.staff_units = units
        paid_for = np.maximum(posts, units)
        return staff, np.divide(bill, paid_for, out=np.zeros(n), where=paid_for > 0)

    @staticmethod
    def _queue_head(rows, gid, noise, chance, skill, room, units_before):
        """The seekers of the groups where a place's posts run out (`rows`) in queue order,
        and who among them is hired, given the units of the groups ahead. `noise` is a
        uniform per row (the order among equals), `chance` one per position in this queue."""
        groups = units_before.shape[1]
        # By group, then by the noise: a stable sort by group (by counting, for small codes)
        # of the rows in the order of their noise, the order of `np.lexsort` and quicker.
        # (Gathers by take: the same values, quicker than indexing.)
        by_noise = np.argsort(noise)
        key = noise.take(by_noise)
        if np.any(key[1:] == key[:-1]):  # equal draws keep the order of the rows
            by_noise = np.argsort(noise, kind="stable")
        rows = rows.take(by_noise)
        code = gid.take(rows)
        if units_before.size <= np.iinfo(np.int16).max:
            code = code.astype(np.int16)
        rows = rows.take(np.argsort(code, kind="stable"))
        g, s = gid.take(rows), skill.take(rows)
        ahead = np.cumsum(s) - s
        first = np.searchsorted(g, g)  # each group's first position
        ahead -= ahead.take(first)
        ahead += units_before.ravel().take(g)  # units of earlier seekers in the place's queue
        # Hired while posts are left; the one who would fill more than the posts left is
        # hired with the chance (posts left) / (her units), so that the staff fill the
        # posts on average at any scale (a person is `scale` persons, often more than a
        # village's posts). The bill is shared, never exceeded, when they overfill them.
        left = room.take(g // groups) - ahead
        fits = left >= s
        marginal = (left > 0) & ~fits & (chance * s < left)
        return rows, fits | marginal

    @staticmethod
    def expected_pay(model) -> np.ndarray:
        """Pay per unit of skill a job seeker expects at each place: the formal wage at the
        chance of a job, else the informal wage (or nothing without that sector), as the
        location choice and the land's value of staying away weigh it."""
        st = model.state
        informal = st.informal_wage if model.scenario.labour.informal_sector else 0.0
        return st.job_prob * st.wage + (1 - st.job_prob) * informal

    def outputs(self, model) -> dict[str, float]:
        county = model.world.is_county
        return {
            "public_staff_pay": float(self.public_bill[county].sum()),
            "public_staff": float(self.staff_units[county].sum()),
        }

    def _clearing_wage(self, model, floor, d_floor, supply, clears) -> np.ndarray:
        """Solve D(w) = S for w above the floor by bisection in log w. D falls at least as fast
        as 1/w, so D(floor * D(floor)/S) <= S brackets the root."""
        lo = np.log(floor[clears])
        hi = lo + np.log(d_floor[clears] / supply[clears])
        idx = np.flatnonzero(clears)
        theta = self.theta
        st = model.state
        k, a, r, s = st.capital[idx], st.tfp[idx], self.local_bill[idx], supply[idx]
        # What does not change from one step to the next, once (the same values).
        a_share, power = a * (1 - theta), 1 / theta
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            w = np.exp(mid)
            d = k * (a_share / w) ** power + r / w
            too_low = d > s
            lo = np.where(too_low, mid, lo)
            hi = np.where(too_low, hi, mid)
        return np.exp(0.5 * (lo + hi))
