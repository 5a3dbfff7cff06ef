"""One sub-step of the labour market and the location choice, per agent against per array.

countysim keeps persons in numpy arrays (``modules/labour.py``, ``modules/choice.py``). This
script writes the same sub-step the usual Mesa way, one ``mesa.Agent`` per person with the
rules in its methods and the AgentSet doing the rest (``select``, ``groupby``/``agg``,
``shuffle_do``), checks that both give the same aggregates, and times both.

The sub-step: public services hire their staff from the job seekers in every county place,
the labour market clears for the others (supply by place, the clearing wage above the floor,
jobs rationed at random), then persons reconsider where to live and
work (working-age choosers by multinomial logit over the same options and utility terms,
retirees living away between staying and going home, children following their mothers).
The farm production between the two in the model is left out of both. What other modules
contribute (prospective farm income, the land and pension terms of the utility) comes from
their array code in both versions: it is not what is compared.

Agreement: the clearing wages are deterministic given the persons and the staff hired; the
staff lottery (order among equals, the last post) draws from the county model's stream in
the same order in both versions, so both hire the same staff and the wages must match to
rounding; the random outcomes (employment rate of job seekers, share of persons who move
to each level of place, share farming) are compared over several seeds, each version with
its own random streams, and must agree within ``--tolerance`` standard errors of the
difference of the two means (the standard error from the spread over seeds, floored by the
binomial standard error of a share).

Times are wall-clock seconds of one sub-step from the same spun-up county (best of three up
to 20,000 persons, else one); making the agents is timed apart. Run it with ``nice``:

    python benchmarks/bench_vs_agents.py [--check-population 3000] [--seeds 8] [--sizes ...]
"""

from __future__ import annotations

import argparse
import copy
import math
import time
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np

from countysim.model import CountyModel
from countysim.modules.choice import (
    COMMUTE_COUNTY_TOWN,
    COMMUTE_TOWNSHIP,
    FARM,
    MOVE_TOWNSHIP,
    VILLAGE_NONFARM,
)
from countysim.population import (
    EMPLOYED,
    FARMER,
    INFORMAL,
    IS_IN_SCHOOL_AGE,
    IS_NONFARM,
    IS_WORKING,
    RETIRED,
    UNEMPLOYED,
)
from countysim.runner import prepare
from countysim.world import CITY, COUNTY_TOWN, TOWNSHIP, VILLAGE

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
LEVELS = {"village": VILLAGE, "township": TOWNSHIP, "county_town": COUNTY_TOWN, "city": CITY}
_BISECTION_STEPS = 60


def county(population: int, seed: int = 1) -> CountyModel:
    """A generated county of about ``population`` persons after its spin-up."""
    overrides = [
        f"county.generate.registered_population={population}",
        "simulation.scale=1",
        f"seed={seed}",
    ]
    if population < 20_000:  # at least a few hundred persons per village
        overrides += ["county.generate.townships=2", "county.generate.villages_per_township=4"]
    return CountyModel(prepare(BASELINE, overrides))


def _begin_substep(snapshot: CountyModel, seed: np.random.SeedSequence) -> CountyModel:
    """A copy of the snapshot at the first sub-step of a year, drawing from ``seed``."""
    model = copy.deepcopy(snapshot)
    model.rng = np.random.default_rng(seed)
    model.clock += 1
    model.substep_index = 0
    return model


# ------------------------------------------------------------------------- arrays
def array_substep(model: CountyModel) -> None:
    """The project's own code: the labour market's and the location choice's sub-steps."""
    model.labour.substep(model)
    model.choice.substep(model)


# ------------------------------------------------------------------------- agents
class Person(mesa.Agent):
    """One person, with the attributes the two mechanisms read and change."""

    def __init__(self, model: PersonModel, row: int) -> None:
        super().__init__(model)
        p, hh = model.county.persons, model.county.households
        self.row = row
        self.status = int(p.status[row])
        self.workplace = int(p.workplace[row])
        self.residence = int(p.residence[row])
        self.skill = float(p.skill[row])
        self.edu = int(p.edu[row])
        self.hukou_urban = bool(p.hukou_urban[row])
        self.staff, self.queue_draw = False, 0.0
        self.age = int(p.age[row])
        self.hukou_place = int(p.hukou_place[row])
        self.home = int(hh.home[p.hh[row]])
        self.land = float(hh.land_mu[p.hh[row]])
        self.must_choose = bool(p.must_choose[row])
        self.wage_income = float(p.wage_income[row])
        self.years_here = int(p.years_here[row])
        self.mother: Person | None = None
        self.school_children = 0
        self.moved_from: int | None = None

    # labour market ------------------------------------------------------------
    def seek_work(self) -> None:
        """Public staff work at the staff's pay; the others find a formal job with the place's
        market chance, else informal work or none."""
        m = self.model
        place = self.workplace
        if self.staff:
            self.status = EMPLOYED
            self.wage_income += m.staff_pay[place] * self.skill / m.substeps
            return
        formal = m.rng.random() < m.job_prob[place]
        informal = not formal and m.informal_sector
        self.status = EMPLOYED if formal else INFORMAL if informal else UNEMPLOYED
        pay = m.wage[place] if formal else m.informal_wage[place] if informal else 0.0
        self.wage_income += pay * self.skill / m.substeps

    def queue_group(self) -> tuple:
        """Group in the workplace's queue for public posts: residents before commuters, the
        most educated first, urban hukou first among equals (`PersonModel.hire_staff`)."""
        commuter = self.residence != self.workplace
        return self.workplace, commuter, -self.edu, not self.hukou_urban

    def queue_key(self) -> tuple:
        """Order in the workplace's queue: the group, then the lottery's draw."""
        return *self.queue_group(), self.queue_draw, self.row

    # location choice ----------------------------------------------------------
    def reconsider(self) -> None:
        """Choose among the options by utility plus Gumbel noise (multinomial logit)."""
        m, c = self.model, self.model.c
        self.must_choose = False
        best, best_u = None, -math.inf
        for k, (res, work) in enumerate(self.options()):
            if work is None:
                continue
            if work >= 0:
                chance = m.expected_job_prob[work]  # staff posts included, as in the arrays
                income = self.skill * (
                    chance * m.wage[work]
                    + (1 - chance) * (m.informal_wage[work] if m.informal_sector else 0)
                )
            else:
                income = m.farm_income[self.row]
            u = c.income_weight * math.log(max(income, c.income_floor_yuan))
            u += self.residence_utility(res)
            if work >= 0 and work != res:
                u -= c.commute_cost_per_km * m.dist[res][work]
            u += m.terms[self.row][k] + m.rng.gumbel()
            if u > best_u:
                best, best_u = (res, work), u
        if best is None:
            return
        res, work = best
        if work < 0:
            self.status = FARMER
        elif work != self.workplace:
            self.status = UNEMPLOYED  # a new workplace: searching until the next clearing
        if res != self.residence:
            self.moved_from, self.residence, self.years_here = self.residence, res, 0
        self.workplace = work

    def options(self) -> list[tuple[int, int | None]]:
        """(residence, workplace) of each option in the project's order; workplace None where
        the option is not open to this person, -1 for farming."""
        m, c = self.model, self.model.c
        home = self.home
        village = home if m.level[home] == VILLAGE else -1
        seat = m.seat[home]
        town = m.county_town
        young = self.age < m.retirement_age
        can_farm = village >= 0 and self.land > 0 and self.age < m.farming_exit_age
        options = [(village, -1 if can_farm and m.enabled[FARM] else None)]
        for option, work in (
            (VILLAGE_NONFARM, village),
            (COMMUTE_TOWNSHIP, seat),
            (COMMUTE_COUNTY_TOWN, town),
        ):
            open_ = village >= 0 and work >= 0 and young and m.enabled[option]
            if open_ and option != VILLAGE_NONFARM:
                open_ = m.dist[village][work] <= c.commute_max_km
            options.append((village, work if open_ else None))
        options.append((seat, seat if seat >= 0 and young and m.enabled[MOVE_TOWNSHIP] else None))
        options.append((town, town if young and m.enabled[MOVE_TOWNSHIP + 1] else None))
        for i, city in enumerate(m.cities):
            open_ = young and m.enabled[MOVE_TOWNSHIP + 2 + i]
            options.append((city, city if open_ else None))
        return options

    def residence_utility(self, res: int) -> float:
        m, c = self.model, self.model.c
        hukou_here = self.hukou_place == res
        access = 1.0 if hukou_here else m.non_hukou_access[res]
        u = -c.cost_of_living_weight * m.log_cost_of_living[res]
        u += (
            c.service_weight
            * m.service_quality[res]
            * access
            * (1 + c.school_child_weight * self.school_children)
        )
        if res != self.residence:
            u -= m.moving_cost[self.residence][res]
        if m.urban[res] and not hukou_here:
            u -= m.barrier[res]
        if res == self.home:
            u += c.home_attachment + c.home_attachment_per_decade * max(self.age - 16, 0) / 10
        else:
            u += c.network_weight * math.log1p(m.network.get((self.home, res), 0) * m.scale)
        return u

    def maybe_go_home(self) -> None:
        """A retiree living away weighs staying against going home."""
        m = self.model
        stay = self.residence_utility(self.residence) + m.retiree_terms[self.row][0]
        home = self.residence_utility(self.home) + m.retiree_terms[self.row][1]
        if home + m.rng.gumbel() > stay + m.rng.gumbel():
            self.moved_from, self.residence, self.years_here = self.residence, self.home, 0
            if self.land > 0 and self.age < m.farming_exit_age:
                self.status = FARMER

    def follow_mother(self) -> None:
        """A child apart from its mother joins her: surely if she just moved, at the rejoin
        rate otherwise; only where schooling is open to the child."""
        m, mother = self.model, self.mother
        dest = mother.residence
        if dest == self.residence:
            return
        open_ = 1.0 if dest in (self.home, self.hukou_place) else m.school_access[dest]
        chance = open_ if mother.moved_from is not None else m.rejoin * open_
        if m.rng.random() < chance:
            self.moved_from, self.residence, self.years_here = self.residence, dest, 0


class PersonModel(mesa.Model):
    """Persons of a county as Mesa agents; places stay the county model's arrays."""

    def __init__(self, county_model: CountyModel, seed: np.random.SeedSequence) -> None:
        super().__init__(rng=np.random.default_rng(seed))
        self.county = county_model
        rows = range(len(county_model.persons))
        self.people = [Person(self, row) for row in rows]
        p = county_model.persons
        mothers = p.rows_of(p.mother)
        for person, mother in zip(self.people, mothers.tolist(), strict=True):
            if mother >= 0:
                person.mother = self.people[mother]

    def substep(self) -> None:
        self._place_terms()
        self.clear_labour_market()
        self.choose()

    def _place_terms(self) -> None:
        cm = self.county
        world, sc = cm.world, cm.scenario
        self.c, self.scale = sc.choice, sc.simulation.scale
        self.substeps = sc.simulation.substeps
        self.informal_sector = sc.labour.informal_sector
        self.level, self.dist = world.level.tolist(), world.dist_km.tolist()
        self.seat, self.county_town = world.township_of().tolist(), world.county_town
        self.cities = np.flatnonzero(world.level == CITY).tolist()
        self.urban = world.is_urban.tolist()
        self.enabled = cm.choice.enabled.tolist()
        self.retirement_age = sc.demography.retirement_age
        self.farming_exit_age = sc.demography.farming_exit_age
        self.rejoin = self.c.child_rejoin_rate / self.substeps

    # ------------------------------------------------------------------ labour
    def clear_labour_market(self) -> None:
        cm = self.county
        st, world = cm.state, cm.world
        cm.labour.wage_bills(cm)  # the services' and public staff's wage bills: place-level
        seekers = self.agents.select(lambda a: IS_NONFARM[a.status] and a.workplace >= 0)
        staff_units = self.hire_staff(seekers)
        skill = seekers.select(lambda a: not a.staff).groupby("workplace").agg("skill", sum)
        supply = np.zeros(world.n)
        for place, total in skill.items():
            supply[place] = self.scale * total
        floor = st.wage_floor
        manu, serv = cm.labour.demand(cm, floor)  # the firms' side: place-level, as before
        d_floor = manu + serv
        wage, job_prob, expected = st.wage.copy(), st.job_prob.copy(), st.job_prob.copy()
        for j in np.flatnonzero(world.is_county).tolist():
            clears = d_floor[j] > supply[j] > 0
            wage[j] = self._clearing_wage(j, supply[j], d_floor[j]) if clears else floor[j]
            if supply[j] > 0:
                job_prob[j] = min(1.0, d_floor[j] / supply[j]) if d_floor[j] > 0 else 0.0
            else:
                job_prob[j] = 1.0 if d_floor[j] > 0 else 0.0
            # A seeker's chance counting the staff posts (what choices expect).
            seeking = supply[j] + staff_units[j]
            expected[j] = job_prob[j]
            if seeking > 0:
                expected[j] = (staff_units[j] + job_prob[j] * supply[j]) / seeking
        st.wage[:], st.job_prob[:] = wage, expected
        self.wage, self.job_prob = wage.tolist(), job_prob.tolist()
        self.expected_job_prob = expected.tolist()
        self.informal_wage = st.informal_wage.tolist()
        seekers.shuffle_do("seek_work")

    def hire_staff(self, seekers: mesa.agent.AgentSet) -> np.ndarray:
        """The labour module's staff rule, person by person: each county place's public posts
        go down a queue of the seekers working there (residents before commuters, the most
        educated first, urban hukou first among equals, then a random order); a seeker is
        hired while posts are left, the one who would overfill them with the chance (posts
        left) / (her units). Sets the staff's pay per unit; returns their units per place."""
        cm = self.county
        world, n = cm.world, cm.world.n
        bill = np.where(world.is_county, cm.labour.public_bill, 0.0)
        posts = np.where(bill > 0, cm.finance.public_posts(cm), 0.0)
        people = sorted(seekers, key=lambda a: a.row)
        room = (posts / self.scale).tolist()  # in units of a seeker's skill
        # The lottery (order among equals, the last post) matters only in the queue groups
        # where a place's posts run out: the groups' units, summed in row order, and the
        # groups before and after the posts, with the arrays' tolerances.
        group_units: dict[tuple, float] = {}
        for person in people:
            key = person.queue_group()
            group_units[key] = group_units.get(key, 0.0) + person.skill
        lottery, before = set(), [0.0] * n
        for key in sorted(group_units):
            j, r = key[0], room[key[0]]
            after = before[j] + group_units[key]
            sure = after <= r * (1 - 1e-9) - 1e-9 and r > 0
            if r > 0 and not sure and before[j] <= r * (1 + 1e-9) + 1e-9:
                lottery.add(key)
            before[j] = after
        # Its draws from the county model's stream as the arrays draw them, so that both
        # versions hire the same staff: the order among equals per seeker of those groups in
        # row order, then the chance of the last post per position in their queue.
        drawn = [person for person in people if person.queue_group() in lottery]
        noise = cm.rng.random(len(drawn))
        chance = cm.rng.random(len(drawn))
        for person in people:
            person.staff, person.queue_draw = False, 0.0
        for person, draw in zip(drawn, noise.tolist(), strict=True):
            person.queue_draw = draw
        ahead = [0.0] * n  # units of the seekers ahead in each place's queue, hired or not
        position = 0  # among the lottery's seekers
        for person in sorted(people, key=Person.queue_key):
            j = person.workplace
            left = room[j] - ahead[j]
            fits = left >= person.skill
            if person.queue_group() in lottery:
                last = left > 0 and chance[position] * person.skill < left
                position += 1
            else:
                last = False
            person.staff = room[j] > 0 and (fits or last)
            ahead[j] += person.skill
        units = np.zeros(n)
        for place, total in (
            seekers.select(lambda a: a.staff).groupby("workplace").agg("skill", sum).items()
        ):
            units[place] = self.scale * total
        paid_for = np.maximum(posts, units)
        self.staff_pay = np.divide(bill, paid_for, out=np.zeros(n), where=paid_for > 0).tolist()
        return units

    def _clearing_wage(self, j: int, supply: float, demand_at_floor: float) -> float:
        st, lab = self.county.state, self.county.labour
        theta, lam = lab.theta, self.county.scenario.services.labour_share
        k, a, r = st.capital[j], st.tfp[j], st.service_revenue[j]
        lo = math.log(st.wage_floor[j])
        hi = lo + math.log(demand_at_floor / supply)
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            w = math.exp(mid)
            if k * (a * (1 - theta) / w) ** (1 / theta) + lam * r / w > supply:
                lo = mid
            else:
                hi = mid
        return math.exp(0.5 * (lo + hi))

    # ------------------------------------------------------------------ choice
    def choose(self) -> None:
        cm, c = self.county, self.c
        st = cm.state
        self._write_back()  # the other mechanisms' array code reads the persons' arrays
        self.farm_income = cm.farming.prospective_income(cm, np.arange(len(self.people)))
        self.farm_income = self.farm_income.tolist()
        self.log_cost_of_living = np.log(st.cost_of_living).tolist()
        self.service_quality = st.service_quality.tolist()
        self.non_hukou_access = st.non_hukou_access.tolist()
        self.school_access = st.school_access.tolist()
        self.moving_cost = cm.choice._moving_cost(cm).tolist()
        self.barrier = np.where(
            cm.world.level == CITY, st.hukou_barrier, c.non_hukou_barrier_county
        ).tolist()
        working = self.agents.select(lambda a: a.age >= 16 and IS_WORKING[a.status])
        self.network = working.groupby(lambda a: (a.home, a.residence)).count()
        for person in self.people:
            person.school_children = 0
        for child in self.agents.select(lambda a: 6 <= a.age <= 15 and a.mother is not None):
            child.mother.school_children += 1

        rate = cm.scenario.simulation.activity_rate
        retiree_rate = c.retiree_activity_rate / self.substeps
        choosers, retirees = [], []
        for person in self.people:
            draw = self.rng.random()
            chance = (
                rate * c.unemployed_activity_multiplier if person.status == UNEMPLOYED else rate
            )
            if (IS_WORKING[person.status] and draw < chance) or person.must_choose:
                choosers.append(person)
            elif (
                draw < retiree_rate and person.status == RETIRED and person.residence != person.home
            ):
                retirees.append(person)
        self.terms = self._other_terms(choosers, retirees)
        mesa.agent.AgentSet(choosers, random=self.random).shuffle_do("reconsider")
        mesa.agent.AgentSet(retirees, random=self.random).shuffle_do("maybe_go_home")
        children = self.agents.select(lambda a: IS_IN_SCHOOL_AGE[a.status] and a.mother is not None)
        children.shuffle_do("follow_mother")

    def _other_terms(self, choosers: list[Person], retirees: list[Person]) -> dict:
        """The land and pension terms of every option of the choosers, and of staying and
        going home of the retirees, from those modules' array code."""
        cm = self.county
        terms: dict[int, list[float]] = {}
        rows = np.array([a.row for a in choosers], dtype=np.intp)
        if len(rows):
            hh = cm.persons.hh.take(rows)
            home, age = cm.households.home.take(hh), cm.persons.age.take(rows)
            res, work, _ = cm.choice._options(cm, rows, hh, home, age)
            total = np.zeros(res.shape)
            for term in cm.choice_terms:
                total += term(cm, rows, res, work)
            terms.update(zip(rows.tolist(), total.tolist(), strict=True))
        rows = np.array([a.row for a in retirees], dtype=np.intp)
        self.retiree_terms: dict[int, list[float]] = {}
        if len(rows):
            res = np.stack([[a.residence for a in retirees], [a.home for a in retirees]], axis=1)
            total = np.zeros(res.shape)
            for term in cm.choice_terms:
                total += term(cm, rows, res.astype(np.int32), np.full_like(res, -1))
            self.retiree_terms.update(zip(rows.tolist(), total.tolist(), strict=True))
        return terms

    def _write_back(self) -> None:
        p = self.county.persons
        p.status[:] = [a.status for a in self.people]
        p.wage_income[:] = [a.wage_income for a in self.people]


def agent_substep(model: CountyModel, seed: np.random.SeedSequence) -> PersonModel:
    people = PersonModel(model, seed)
    people.substep()
    return people


# ------------------------------------------------------------------------- comparing
@dataclass
class Outcome:
    """What one sub-step gave, in the units compared."""

    wages: np.ndarray  # clearing wage of each county place
    shares: dict[str, float]  # random outcomes, each a share
    counts: dict[str, int]  # the denominator of each share


def outcome(model: CountyModel, before: CountyModel, status, residence) -> Outcome:
    p0 = before.persons
    seekers = IS_NONFARM[p0.status] & (p0.workplace >= 0)
    moved = residence != p0.residence
    level = model.world.level[residence]
    n = len(residence)
    shares = {"employment_rate": float((status[seekers] == EMPLOYED).mean())}
    counts = {"employment_rate": int(seekers.sum())}
    for name, code in LEVELS.items():
        shares[f"movers_to_{name}"] = float((moved & (level == code)).sum() / n)
        counts[f"movers_to_{name}"] = n
    shares["farming"] = float((status == FARMER).mean())
    counts["farming"] = n
    wages = model.state.wage[model.world.is_county].copy()
    return Outcome(wages, shares, counts)


def compare(population: int, seeds: int, tolerance: float, *, verbose: bool = True) -> dict:
    """Run both versions over ``seeds`` seeds on one county; return per measure the two
    means, the standard error of their difference and whether they agree."""
    snapshot = county(population)
    results: dict[str, list[list[float]]] = {}
    counts: dict[str, int] = {}
    wage_gap = 0.0
    for seed in np.random.SeedSequence(2024).spawn(seeds):
        array_seed, agent_seed = seed.spawn(2)
        by_arrays = _begin_substep(snapshot, array_seed)
        array_substep(by_arrays)
        a = outcome(by_arrays, snapshot, by_arrays.persons.status, by_arrays.persons.residence)
        by_agents = _begin_substep(snapshot, array_seed)
        people = agent_substep(by_agents, agent_seed)
        status = np.array([x.status for x in people.people])
        residence = np.array([x.residence for x in people.people])
        b = outcome(by_agents, snapshot, status, residence)
        mesa.Agent._ids.pop(people, None)
        wage_gap = max(wage_gap, float(np.max(np.abs(a.wages / b.wages - 1))))
        for name in a.shares:
            results.setdefault(name, [[], []])
            results[name][0].append(a.shares[name])
            results[name][1].append(b.shares[name])
            counts[name] = a.counts[name]
    report = {"wage_max_relative_gap": wage_gap, "measures": {}}
    for name, (arrays, agents) in results.items():
        mean_a, mean_b = float(np.mean(arrays)), float(np.mean(agents))
        pooled = 0.5 * (mean_a + mean_b)
        binomial = math.sqrt(max(pooled * (1 - pooled), 1e-12) / max(counts[name], 1))
        se = math.sqrt(
            max(np.var(arrays, ddof=1), binomial**2) / seeds
            + max(np.var(agents, ddof=1), binomial**2) / seeds
        )
        agree = abs(mean_a - mean_b) <= tolerance * se
        report["measures"][name] = (mean_a, mean_b, se, agree)
    if verbose:
        print(f"agreement on a county of {population:,} persons over {seeds} seeds")
        print(f"  clearing wages: largest relative gap {wage_gap:.1e}")
        print(f"  {'measure':<22} {'arrays':>9} {'agents':>9} {'s.e.':>8} {'z':>6}  agree")
        for name, (mean_a, mean_b, se, agree) in report["measures"].items():
            z = (mean_a - mean_b) / se
            print(
                f"  {name:<22} {mean_a:>9.5f} {mean_b:>9.5f} {se:>8.5f} {z:>6.2f}  "
                f"{'yes' if agree else 'NO'}"
            )
    return report


def timing(population: int, repeat: int) -> tuple[float, float, float]:
    """Seconds of one sub-step by arrays and by agents (each the best of ``repeat``), and
    of making the agents."""
    snapshot = county(population)
    seed = np.random.SeedSequence(7)
    arrays = agents = made = math.inf
    for _ in range(repeat):
        model = _begin_substep(snapshot, seed)
        started = time.perf_counter()
        array_substep(model)
        arrays = min(arrays, time.perf_counter() - started)
        model = _begin_substep(snapshot, seed)
        started = time.perf_counter()
        people = PersonModel(model, seed)
        made = min(made, time.perf_counter() - started)
        started = time.perf_counter()
        people.substep()
        agents = min(agents, time.perf_counter() - started)
        mesa.Agent._ids.pop(people, None)
    return arrays, agents, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-population", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--tolerance", type=float, default=4.0, help="in standard errors")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    args = parser.parse_args()
    report = compare(args.check_population, args.seeds, args.tolerance)
    if not all(agree for *_, agree in report["measures"].values()):
        raise SystemExit("the two versions disagree beyond sampling error")
    print("one sub-step (labour market clearing and location choice), seconds:")
    print(f"  {'persons':>9} {'arrays':>8} {'agents':>8} {'ratio':>7} {'making agents':>14}")
    for size in args.sizes:
        arrays, agents, made = timing(size, repeat=3 if size <= 20_000 else 1)
        print(f"  {size:>9,} {arrays:>8.3f} {agents:>8.2f} {agents / arrays:>6.0f}x {made:>14.2f}")


if __name__ == "__main__":
    main()
