"""The population a county starts with: persons by hukou place with ages, sexes,
education and skill, stem-family households, contract land, and the first migrants
already living in the outside cities (a generated county), or the persons a census county
was built with (`census_county.py`). The arrays themselves are `population.py`'s.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from countysim.config.schema import Scenario
from countysim.population import (
    CHILD,
    FARMER,
    PERSON_COLUMNS,
    RETIRED,
    STUDENT,
    UNEMPLOYED,
    Households,
    Persons,
)
from countysim.world import CITY, COUNTY_TOWN, TOWNSHIP, VILLAGE, World


def education(pop, urban_hukou: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Education level (0 junior middle or less, 1 senior high, 2 college) by hukou type."""
    rural = rng.choice(3, size=len(urban_hukou), p=pop.education_shares)
    urban = rng.choice(3, size=len(urban_hukou), p=pop.education_shares_urban_hukou)
    return np.where(urban_hukou, urban, rural).astype(np.int8)


def skill_of(pop, edu: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Effective labour units: the education level's skill times a lognormal of mean 1."""
    sd = pop.skill_dispersion
    return np.asarray(pop.skill_by_education)[edu] * rng.lognormal(-0.5 * sd**2, sd, len(edu))


def age_structure_2010() -> tuple[np.ndarray, np.ndarray]:
    """Single-year ages 0..94 and their probabilities from the 2010 census age structure."""
    text = resources.files("countysim").joinpath("data/age_structure_2010.csv").read_text()
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    ages, probs = [], []
    for lo, hi, share in rows:
        span = range(int(lo), int(hi) + 1)
        ages.extend(span)
        probs.extend([float(share) / len(span)] * len(span))
    p = np.array(probs)
    return np.array(ages), p / p.sum()


def initial_population(
    scenario: Scenario, world: World, rng: np.random.Generator
) -> tuple[Persons, Households]:
    """Persons by hukou place with ages, sexes, education and skill; stem-family households
    formed by pairing adults and giving children a mother of plausible age; contract land
    shared among a village's households in proportion to their size."""
    if world.initial_persons is not None:  # a county from the census comes with its persons
        return _persons_as_built(scenario, world, world.initial_persons, rng)
    pop, demo = scenario.population, scenario.demography
    scale = scenario.simulation.scale
    reg = np.round(world.registered / scale).astype(np.int64)
    place = np.repeat(np.arange(world.n, dtype=np.int32), reg)
    n = len(place)

    if pop.age_profile == "working_age":
        age = rng.integers(20, min(demo.retirement_age, 50), size=n)
    else:
        ages, probs = age_structure_2010()
        age = rng.choice(ages, size=n, p=probs)
    female = rng.random(n) < 1.0 / (1.0 + demo.sex_ratio_at_birth)
    urban_hukou = np.isin(world.level[place], (TOWNSHIP, COUNTY_TOWN))
    edu = education(pop, urban_hukou, rng)
    skill = skill_of(pop, edu, rng)

    hh, mother = _form_households(place, age, female, rng)
    n_hh = int(hh.max()) + 1 if n else 0
    hh_home = np.zeros(n_hh, dtype=np.int32)
    hh_home[hh] = place
    size = np.bincount(hh, minlength=n_hh)
    village_people = np.bincount(hh_home, weights=size, minlength=world.n)
    # A row-household stands for `scale` real households; its land is one real household's.
    land_per_person = np.divide(
        world.arable_mu, scale * village_people, out=np.zeros(world.n), where=village_people > 0
    )
    households = Households(hh_home, size * land_per_person[hh_home])

    status = np.full(n, CHILD, dtype=np.int8)
    leaving = np.asarray(demo.leaving_age_by_education)[edu]
    status[age >= demo.school_entry_age] = STUDENT
    adult = age >= leaving
    status[adult] = UNEMPLOYED  # a first choice of work is made in the first sub-step
    status[age >= demo.retirement_age] = RETIRED
    rural = world.level[place] == VILLAGE
    farming = rural & adult & (age < demo.farming_exit_age) & (age >= demo.retirement_age)
    status[farming] = FARMER

    given = dict(
        pid=np.arange(n, dtype=np.int32),
        age=age,
        female=female,
        edu=edu,
        skill=skill,
        hh=hh,
        mother=mother,
        hukou_urban=urban_hukou,
        hukou_place=place,
        residence=place,
        status=status,
        must_choose=status == UNEMPLOYED,
    )
    persons = Persons(_with_fills(given, n), next_pid=n)
    _place_initial_migrants(persons, scenario, world, rng)
    return persons, households


def _with_fills(given: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """The columns given, and the others of `PERSON_COLUMNS` at their fill values (made
    only for those not given: the population's largest moment in memory)."""
    return {
        name: given[name] if name in given else np.full(n, fill, dtype=dtype)
        for name, (dtype, fill) in PERSON_COLUMNS.items()
    }


def _form_households(place, age, female, rng):
    """Pair women and men of a place by age rank; every woman of 20-64 heads a household; each
    child under 20 gets a mother 18-42 years older in the same place; the elderly join a random
    household of their place (stem families) or live alone."""
    n = len(place)
    # int32, as the person columns they become (rows and ids below 2^31).
    hh = np.full(n, -1, dtype=np.int32)
    mother = np.full(n, -1, dtype=np.int32)
    idx = np.arange(n)

    heads = idx[female & (age >= 20) & (age < 65)]
    hh[heads] = np.arange(len(heads))
    next_id = len(heads)

    # Men of 20-64 marry the woman of the same within-place age rank.
    men = idx[~female & (age >= 20) & (age < 65)]
    w_rank = _rank_within(place[heads], age[heads])
    m_rank = _rank_within(place[men], age[men])
    w_key = place[heads].astype(np.int64) * n + w_rank
    m_key = place[men].astype(np.int64) * n + m_rank
    order = np.argsort(w_key)
    pos = np.searchsorted(w_key[order], m_key)
    pos = np.minimum(pos, len(heads) - 1) if len(heads) else pos
    matched = (w_key[order][pos] == m_key) if len(heads) else np.zeros(len(men), bool)
    hh[men[matched]] = hh[heads[order][pos[matched]]]

    # Children get a mother 18-42 years older in the same place, and her household.
    kids = idx[age < 20]
    women = idx[female & (age >= 18) & (age < 65)]
    w_key2 = place[women].astype(np.int64) * 200 + age[women]
    w_order = women[np.argsort(w_key2, kind="stable")]
    w_sorted = np.sort(w_key2)
    lo = np.searchsorted(w_sorted, place[kids].astype(np.int64) * 200 + age[kids] + 18)
    hi = np.searchsorted(w_sorted, place[kids].astype(np.int64) * 200 + age[kids] + 43)
    has = hi > lo
    pick = lo[has] + np.floor(rng.random(has.sum()) * (hi[has] - lo[has])).astype(np.int64)
    mum = w_order[pick]
    mother[kids[has]] = mum  # row == pid at initialisation
    # A girl of 18-19 can be a mother and still a child here; her household comes first.
    hh[kids[has]] = np.where(hh[mum] >= 0, hh[mum], -1)

    # Everyone else (unmatched adults, the elderly, orphans): a household of their place,
    # or a new one-person household.
    rest = idx[hh < 0]
    join = rng.random(len(rest)) < np.where(age[rest] >= 65, 0.7, 0.3)
    has_hh = idx[hh >= 0]
    if len(has_hh):
        by_place = has_hh[np.argsort(place[has_hh], kind="stable")]
        starts = np.searchsorted(place[by_place], place[rest], side="left")
        ends = np.searchsorted(place[by_place], place[rest], side="right")
        can = join & (ends > starts)
        choose = starts[can] + np.floor(rng.random(can.sum()) * (ends[can] - starts[can]))
        hh[rest[can]] = hh[by_place[choose.astype(np.int64)]]
    alone = rest[hh[rest] < 0]
    hh[alone] = next_id + np.arange(len(alone))
    del idx, rest, has_hh, alone  # gone before the renumbering, the step's largest
    # Renumber so household ids are 0..H-1 in the order of the ids: each id's rank among
    # those used (what `np.unique`'s inverse gives, without its sorts of every person).
    used = np.zeros(next_id + n + 1, dtype=bool)
    used[hh] = True
    rank = np.cumsum(used, dtype=np.int32)
    rank -= 1
    return rank.take(hh), mother


def _rank_within(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Rank of each value within its group (0 = smallest)."""
    order = np.lexsort((value, group))
    ranks = np.empty(len(group), dtype=np.int64)
    g_sorted = group[order]
    starts = np.searchsorted(g_sorted, g_sorted, side="left")
    ranks[order] = np.arange(len(group)) - starts
    return ranks


def _place_initial_migrants(persons: Persons, scenario, world: World, rng) -> None:
    """Move some rural working-age persons away from home before the spin-up, so it starts
    near the observed pattern. A places file that gives resident populations says how many
    have left each village and where the county's towns gained them (the rest are in the
    cities); a generated county sends `initial_away_share` of them to the cities."""
    cities = np.flatnonzero(world.level == CITY)
    scale = scenario.simulation.scale
    eligible = (
        ~persons.hukou_urban
        & (persons.age >= 18)
        & (persons.age <= 45)
        & (persons.status == UNEMPLOYED)
    )
    deficit = np.maximum(world.registered - world.population, 0) * world.is_county
    surplus = np.maximum(world.population - world.registered, 0) * world.is_county
    if deficit.sum() > 0:
        candidates = np.bincount(persons.hukou_place[eligible], minlength=world.n) * scale
        leave = np.divide(deficit, candidates, out=np.zeros(world.n), where=candidates > 0)
        chance = np.minimum(leave, 1.0)[persons.hukou_place]
        to_county = min(1.0, surplus.sum() / deficit.sum())
        weights = surplus * to_county
        if len(cities):
            weights[cities] = deficit.sum() * (1 - to_county) / len(cities)
    else:
        chance = np.full(len(persons), scenario.population.initial_away_share)
        weights = np.zeros(world.n)
        weights[cities] = 1.0
    if weights.sum() == 0:
        return
    away = np.flatnonzero(eligible & (rng.random(len(persons)) < chance))
    dest = rng.choice(world.n, size=len(away), p=weights / weights.sum())
    persons.residence[away] = dest
    persons.workplace[away] = dest


def _persons_as_built(
    scenario: Scenario, world: World, built: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[Persons, Households]:
    """Persons whose places, ages, sexes, schooling, households and farm work were chosen
    with the places (``census_county.py``); skill, land and activity follow the rules of
    ``initial_population``. Those living outside the county start as job seekers there."""
    pop, demo = scenario.population, scenario.demography
    scale = scenario.simulation.scale
    age, edu, hh, hh_home = built["age"], built["edu"], built["hh"], built["hh_home"]
    n = len(age)
    size = np.bincount(hh, minlength=len(hh_home))
    village_people = np.bincount(hh_home, weights=size, minlength=world.n)
    land_per_person = np.divide(
        world.arable_mu, scale * village_people, out=np.zeros(world.n), where=village_people > 0
    )
    households = Households(hh_home, size * land_per_person[hh_home])

    status = np.full(n, CHILD, dtype=np.int8)
    status[age >= demo.school_entry_age] = STUDENT
    adult = age >= np.asarray(demo.leaving_age_by_education)[edu]
    status[adult] = UNEMPLOYED  # a first choice of work is made in the first sub-step
    status[age >= demo.retirement_age] = RETIRED
    status[built["farmer"]] = FARMER
    residence = built["residence"]
    away = world.level[residence] == CITY
    given = dict(
        pid=np.arange(n, dtype=np.int32),
        age=age,
        female=built["female"],
        edu=edu,
        skill=skill_of(pop, edu, rng),
        hh=hh,
        mother=built["mother"],  # rows are pids at the start
        hukou_urban=built["hukou_urban"],
        hukou_place=built["hukou_place"],
        residence=residence,
        workplace=np.where(away & (status == UNEMPLOYED), residence, -1),
        status=status,
        must_choose=status == UNEMPLOYED,
    )
    return Persons(_with_fills(given, n), next_pid=n), households
