"""Arrays against one Python agent per person: the labour market and the location choice of
one sub-step, written both ways, checked to agree and timed.

The array version is the model's own code (`LabourMarket.substep`, then the location choice
of those who reconsider). The agent version is the same rules written the usual Mesa way:
one `mesa.Agent` per person holding its attributes, `AgentSet.select` to find job seekers
and choosers, `groupby(...).agg` for the labour supply of each place, and `do` for each
person finding a job and weighing its options in plain Python. Places keep their arrays (a
few hundred of them; the clearing wage of each is solved by the model's own bisection).
Both versions leave out the land and pension terms of the choice, which would double the
agent code without changing what is measured; retirees and children are not part of it.

Both start from the same spun-up county; their random draws differ, so their results agree
only within sampling error: each runs several seeds, and the check is that the mean counts
(employed, informal, unemployed, farmers, residents by level, movers) differ by less than
four standard errors. Times are process CPU time of the sub-step alone (building the agents
is timed apart). On a shared machine, run it with `nice`; figures are single runs.

    python benchmarks/bench_vs_agents.py [--sizes 10000 100000] [--seeds 4]
"""

from __future__ import annotations

import argparse
import math
import pickle
import time
from pathlib import Path

import mesa
import numpy as np
from threadpoolctl import threadpool_limits

from countysim.model import CountyModel
from countysim.modules.choice import (
    COMMUTE_COUNTY_TOWN,
    COMMUTE_TOWNSHIP,
    FARM,
    MOVE_COUNTY_TOWN,
    MOVE_TOWNSHIP,
    OPTION_NAMES,
    VILLAGE_NONFARM,
)
from countysim.population import EMPLOYED, FARMER, INFORMAL, NONFARM, UNEMPLOYED
from countysim.runner import prepare
from countysim.world import CITY, VILLAGE

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
LEVEL_NAMES = ("county_town", "township", "village", "city")


# --------------------------------------------------------------------------- set-up
def spun_up_county(size: int) -> bytes:
    """A spun-up county, pickled so that every version and seed starts from it."""
    sc = prepare(BASELINE, [f"county.generate.registered_population={size}", "years.end=2012"])
    model = CountyModel(sc)
    model.step()  # one recorded year, so that every module has run once
    model.choice_terms.clear()  # no land or pension terms in either version
    state = {k: v for k, v in vars(model).items() if not k.startswith("_") and k != "rng"}
    return pickle.dumps((sc, {k: state[k] for k in _PARTS}))


_PARTS = (
    "scenario",
    "world",
    "state",
    "persons",
    "households",
    "tally",
    "levers",
    "clock",
    "substep_index",
    "year",
    "modules",
    "choice_terms",
    "income_sources",
    "settlement_terms",
    "demography",
    "farming",
    "land",
    "labour",
    "choice",
    "hukou",
    "capital",
    "services",
    "finance",
    "policy",
    "incomes",
    "pensions",
    "recorder",
)


def restore(blob: bytes, seed: int) -> mesa.Model:
    sc, parts = pickle.loads(blob)
    model = mesa.Model(rng=seed)
    vars(model).update(parts)
    return model


# --------------------------------------------------------------------------- arrays
def array_substep(model, seed: int) -> None:
    """The model's labour market, then the location choice of those who reconsider."""
    model.clock += 1
    model.labour.substep(model)
    model.farming.substep(model)
    choosers = _choosers_by_arrays(model)
    before = model.persons.residence.copy()
    for start in range(0, len(choosers), 16_384):
        model.choice._choose_work(model, choosers[start : start + 16_384])
    model.movers = int((model.persons.residence != before).sum())


def _choosers_by_arrays(model) -> np.ndarray:
    p, c = model.persons, model.scenario.choice
    rate = model.scenario.simulation.activity_rate
    working = np.isin(p.status, NONFARM + (FARMER,))
    chance = np.where(p.status == UNEMPLOYED, rate * c.unemployed_activity_multiplier, rate)
    return np.flatnonzero((working & (model.rng.random(len(p)) < chance)) | p.must_choose)


# --------------------------------------------------------------------------- agents
class Person(mesa.Agent):
    """One person, its attributes as Python values (copied from the county's arrays)."""

    def __init__(self, model, row: int) -> None:
        super().__init__(model)
        p = model.persons
        self.row = row
        self.status = int(p.status[row])
        self.workplace = int(p.workplace[row])
        self.residence = int(p.residence[row])
        self.skill = float(p.skill[row])
        self.age = int(p.age[row])
        self.hh = int(p.hh[row])
        self.hukou_place = int(p.hukou_place[row])
        self.must_choose = bool(p.must_choose[row])
        self.years_here = int(p.years_here[row])
        self.wage_income = float(p.wage_income[row])
        self.kids = 0

    def seeking(self) -> bool:
        return self.status in NONFARM and self.workplace >= 0

    def find_job(self, market) -> None:
        """Draw a job at the workplace's job-finding rate and earn the sub-step's pay."""
        w = self.workplace
        formal = self.model.rng.random() < market.job_prob[w]
        informal = not formal and market.informal_sector
        self.status = EMPLOYED if formal else INFORMAL if informal else UNEMPLOYED
        pay = market.wage[w] if formal else market.informal_wage[w] if informal else 0.0
        self.wage_income += pay * self.skill / market.substeps

    def reconsiders(self, rate: float, unemployed_multiplier: float) -> bool:
        working = self.status in NONFARM or self.status == FARMER
        chance = rate * unemployed_multiplier if self.status == UNEMPLOYED else rate
        return (working and self.model.rng.random() < chance) or self.must_choose

    def choose(self, places) -> None:
        """Weigh every feasible option (residence, workplace) and take the best one."""
        self.must_choose = False
        best, best_u = None, -math.inf
        for option, res, work in places.options_of(self):
            u = places.utility(self, option, res, work) + self.model.rng.gumbel()
            if u > best_u:
                best, best_u = (res, work), u
        if best is None:
            return
        res, work = best
        same_job = work == self.workplace and work >= 0
        self.status = FARMER if work < 0 else self.status if same_job else UNEMPLOYED
        if res != self.residence:
            self.years_here = 0
        self.residence, self.workplace = res, work


class Places:
    """What persons read of places, as Python lists (one lookup per use, as agents do)."""

    def __init__(self, model) -> None:
        world, st, c = model.world, model.state, model.scenario.choice
        self.model = model
        self.c = c
        self.demo = model.scenario.demography
        self.level = world.level.tolist()
        self.seat = world.township_of().tolist()
        self.town = world.county_town
        self.cities = np.flatnonzero(world.level == CITY).tolist()
        self.dist = world.dist_km.tolist()
        self.urban = world.is_urban.tolist()
        self.cost_of_living = st.cost_of_living.tolist()
        self.service_quality = st.service_quality.tolist()
        self.non_hukou_access = st.non_hukou_access.tolist()
        self.hukou_barrier = st.hukou_barrier.tolist()
        self.enabled = model.choice.enabled.tolist()
        self.home = model.households.home.tolist()
        self.land = model.households.land_mu.tolist()
        self.network = model.choice._network(model).tolist()
        self.informal_sector = model.scenario.labour.informal_sector
        self.substeps = model.scenario.simulation.substeps
        self.refresh_market()

    def refresh_market(self) -> None:
        st = self.model.state
        self.wage = st.wage.tolist()
        self.job_prob = st.job_prob.tolist()
        self.informal_wage = st.informal_wage.tolist()

    def options_of(self, a: Person):
        home = self.home[a.hh]
        village = home if self.level[home] == VILLAGE else -1
        seat, town = self.seat[home], self.town
        working_age = a.age < self.demo.retirement_age
        candidates = [
            (FARM, village, -1, self.land[a.hh] > 0 and a.age < self.demo.farming_exit_age),
            (VILLAGE_NONFARM, village, village, working_age),
            (COMMUTE_TOWNSHIP, village, seat, working_age and self._commutes(village, seat)),
            (COMMUTE_COUNTY_TOWN, village, town, working_age and self._commutes(village, town)),
            (MOVE_TOWNSHIP, seat, seat, working_age and seat >= 0),
            (MOVE_COUNTY_TOWN, town, town, working_age),
        ]
        for k, city in enumerate(self.cities):
            candidates.append((len(OPTION_NAMES) + k, city, city, working_age))
        for option, res, work, ok in candidates:
            if ok and self.enabled[option] and (option > COMMUTE_COUNTY_TOWN or village >= 0):
                yield option, res, work

    def _commutes(self, village: int, place: int) -> bool:
        return village >= 0 and place >= 0 and self.dist[village][place] <= self.c.commute_max_km

    def utility(self, a: Person, option: int, res: int, work: int) -> float:
        c = self.c
        if option == FARM:
            income = self.model.farm_income_of[a.row]
        else:
            informal = self.informal_wage[work] if self.informal_sector else 0.0
            p_job = self.job_prob[work]
            income = a.skill * (p_job * self.wage[work] + (1 - p_job) * informal)
        u = c.income_weight * math.log(max(income, c.income_floor_yuan))
        hukou_here = a.hukou_place == res
        access = 1.0 if hukou_here else self.non_hukou_access[res]
        u -= c.cost_of_living_weight * math.log(self.cost_of_living[res])
        u += (
            c.service_weight
            * self.service_quality[res]
            * access
            * (1 + c.school_child_weight * a.kids)
        )
        if res != a.residence:
            u -= c.moving_cost + c.moving_cost_per_log_km * math.log1p(self.dist[a.residence][res])
        if self.urban[res] and not hukou_here:
            u -= self.hukou_barrier[res] if self.level[res] == CITY else c.non_hukou_barrier_county
        home = self.home[a.hh]
        if res == home:
            u += c.home_attachment + c.home_attachment_per_decade * max(a.age - 16, 0) / 10
        else:
            u += c.network_weight * math.log1p(self.network[home][res])
        if work >= 0 and work != res:
            u -= c.commute_cost_per_km * self.dist[res][work]
        return u


def build_agents(model) -> mesa.agent.AgentSet:
    people = mesa.agent.AgentSet([Person(model, i) for i in range(len(model.persons))], random=None)
    kids = model.choice.school_children(model)
    for a in people:
        a.kids = int(kids[a.row])
    return people


def agent_substep(model, people, places: Places) -> None:
    """The same sub-step, one agent at a time."""
    model.clock += 1
    lab, st, world = model.labour, model.state, model.world
    scale = model.scenario.simulation.scale
    seekers = people.select(lambda a: a.seeking())
    by_place = seekers.groupby("workplace").agg("skill", sum)
    supply = np.zeros(world.n)
    for place, skill in by_place.items():
        supply[place] = scale * skill
    # Place-level clearing, as in the model (there are only a few hundred places).
    county, floor = world.is_county, st.wage_floor
    manu_f, serv_f = lab.demand(model, floor)
    d_floor = manu_f + serv_f
    clears = county & (d_floor > supply) & (supply > 0)
    wage = floor.copy()
    wage[clears] = lab._clearing_wage(model, floor, d_floor, supply, clears)
    st.wage[county] = wage[county]
    job_prob = np.where(supply > 0, np.minimum(1.0, d_floor / np.maximum(supply, 1e-12)), 1.0)
    st.job_prob[county] = np.where(d_floor > 0, job_prob, 0.0)[county]
    places.refresh_market()
    seekers.do("find_job", places)
    _sync_to_arrays(model, people)  # farming reads the arrays
    model.farming.substep(model)
    everyone = np.arange(len(model.persons))
    model.farm_income_of = model.farming.prospective_income(model, everyone)
    c = model.scenario.choice
    rate = model.scenario.simulation.activity_rate
    choosers = people.select(lambda a: a.reconsiders(rate, c.unemployed_activity_multiplier))
    before = {a.unique_id: a.residence for a in choosers}
    choosers.do("choose", places)
    model.movers = sum(a.residence != before[a.unique_id] for a in choosers)
    _sync_to_arrays(model, people)


def _sync_to_arrays(model, people) -> None:
    p = model.persons
    for name in ("status", "workplace", "residence", "years_here", "wage_income", "must_choose"):
        p._cols[name][:] = people.get(name)


# --------------------------------------------------------------------------- compare
def aggregates(model) -> dict[str, float]:
    p, level = model.persons, model.world.level
    out = {
        "employed": int((p.status == EMPLOYED).sum()),
        "informal": int((p.status == INFORMAL).sum()),
        "unemployed": int((p.status == UNEMPLOYED).sum()),
        "farmers": int((p.status == FARMER).sum()),
        "movers": model.movers,
    }
    residents = np.bincount(level[p.residence], minlength=len(LEVEL_NAMES))
    out.update({f"residents_{n}": int(residents[i]) for i, n in enumerate(LEVEL_NAMES)})
    return out


def compare(size: int, seeds: int) -> None:
    blob = spun_up_county(size)
    runs = {"arrays": [], "agents": []}
    times = {"arrays": [], "agents": [], "agents_build": []}
    for seed in range(seeds):
        model = restore(blob, seed)
        t0 = time.process_time()
        array_substep(model, seed)
        times["arrays"].append(time.process_time() - t0)
        runs["arrays"].append(aggregates(model))
        mesa.Agent._ids.pop(model, None)

        model = restore(blob, seed)
        t0 = time.process_time()
        people, places = build_agents(model), None
        places = Places(model)
        times["agents_build"].append(time.process_time() - t0)
        t0 = time.process_time()
        agent_substep(model, people, places)
        times["agents"].append(time.process_time() - t0)
        runs["agents"].append(aggregates(model))
        people.clear()
        mesa.Agent._ids.pop(model, None)

    print(f"\n{size:,} people, {seeds} seeds each: mean (sd) of counts after the sub-step")
    print(f"{'':>22} {'arrays':>18} {'agents':>18}  agree")
    all_agree = True
    for key in runs["arrays"][0]:
        a = np.array([r[key] for r in runs["arrays"]], dtype=float)
        b = np.array([r[key] for r in runs["agents"]], dtype=float)
        se = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / seeds) if seeds > 1 else 0.0
        # Binomial noise as a floor: a count that happens to repeat exactly has no spread.
        se = max(se, math.sqrt(max(a.mean(), 1.0) / seeds))
        agree = abs(a.mean() - b.mean()) <= 4 * se
        all_agree &= agree
        print(
            f"{key:>22} {a.mean():>11.1f} ({a.std(ddof=1):>4.0f}) "
            f"{b.mean():>11.1f} ({b.std(ddof=1):>4.0f})  {'yes' if agree else 'NO'}"
        )
    t_a, t_m = np.mean(times["arrays"]), np.mean(times["agents"])
    print(
        f"CPU seconds per sub-step: arrays {t_a:.3f}, agents {t_m:.3f} "
        f"({t_m / t_a:.0f}x; building the agents {np.mean(times['agents_build']):.2f} s more)"
    )
    print("results agree within sampling error" if all_agree else "RESULTS DIFFER")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seeds", type=int, default=4, help="runs of each version per size")
    args = parser.parse_args()
    with threadpool_limits(1):
        for size in args.sizes:
            compare(size, args.seeds)


if __name__ == "__main__":
    main()
