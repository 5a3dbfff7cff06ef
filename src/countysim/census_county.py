"""A county as the 2010 census saw it: its places and its persons, from the census table.

The census gives aggregates of a county-level unit (``countysim.census``); the model needs
places and persons. The rules below turn the one into the other. Each names its source or
is marked as an assumption; ``docs/census.md`` explains them at more length.

Places
- Townships: one per ``registered_per_township`` registered persons (at least three,
  assumption), villages: one per ``registered_per_village`` rural-hukou persons (at least
  one per township), spread over
  the townships as evenly as whole numbers allow. Assumption: the census has no township or
  village counts, and no area; the defaults are the typical county of seeds/README.md (15
  townships and about 250 villages for 450,000 registered people).
- Geometry: township seats around the county town, each township a disc of
  ``township_radius_km``, villages around their seat. Assumption, as for a generated county.
- Urban residents (census ``urban_residents``) live in the county town and the township
  seats, the county town holding ``county_town_share_of_urban`` of them; rural residents
  live in the villages. Township seats and villages differ in size by gamma-distributed
  weights (as for a generated county).
- Urban hukou (census ``nonfarm_hukou_share`` of the registered) is registered in the county
  town and seats in the same proportions, rural hukou in the villages.
- Contract land: ``arable_mu_per_rural_person`` per rural-hukou person of a village.

Persons (each row stands for ``simulation.scale`` persons)
- Residents whose hukou is registered outside the county (census in-migrants from another
  county of the province and from another province) hold the hukou of an outside city of
  that region (another county of the province: the prefecture city or the provincial
  capital, half each, assumption; another province: the outside-province city). They live
  in the county town and seats in proportion to their residents, and in villages only when
  they outnumber urban residents (assumption: in-migrants to a county work in its towns).
  They hold an urban hukou with the county's non-farm hukou share (assumption).
- Residents whose hukou is in another township of the county (census in-migrants from the
  same county; blank for some Tibetan units, read as none) live likewise in the towns
  first, and hold the hukou of a place of another township. The census counts moves from
  a village to the county town among them. Where one township holds nearly all the
  county's hukou (small counties), a mover's hukou place may instead be any place of
  another township, so the places' registered counts shift slightly, their sum does not.
- Registered persons living outside the county: registered population minus residents with
  a hukou of the county; they live in the outside cities, across the province or beyond it
  in the shares of the 2013 migrant-worker survey (intra-province 88.71, cross-province
  77.39 million; seeds/data), the prefecture city and provincial capital taking half of the
  intra-province part each (assumption). Where the census registered population is smaller
  than the residents holding the county's hukou (88 units), nobody lives away and the
  registered population is that of the residents (the registered count comes from police
  records, the rest from the census).
- Ages of residents: the census shares of the seven age bands; within a band, the national
  single-year structure of 2010 (``data/age_structure_2010.csv``). Those living away are of
  18-50 (assumption: migrant workers averaged 37 years in 2012, seeds/data). Sex: the
  census share of women.
- Schooling: the scenario's education shares (rural and urban hukou) shifted between the
  lowest level and the two upper ones, in their proportion, until the mean years of
  schooling of those aged 6 and over (``census.YEARS_BY_EDUCATION``, counting a child's
  years so far) equal the census mean.
- Households: at each place, residents form ``round(residents / household_size)`` family
  households (census persons per family household). Heads are women of 20-64 first, then
  persons of 65 and over, then men of 20-64; the other men of 20-64 join the woman head of
  their place at the same rank of age (as a share of each group), so that households hold
  couples; children join the household of a woman 18-42 years older at their place (their
  mother), everyone else a random household of the place.
  A household's home is the place it lives in; those living away belong to a random
  household of their hukou place (assumption, as for a generated county's migrants).
- Farm work: among residents of working age (school leaving to retirement) and elderly
  village farmers (as for a generated county), farmers are drawn from village residents of
  working age until farmers are the census ``farm_employment_share`` of them; where the
  villages have too few, from the township seats and then the county town (assumption: the
  census's urban residents include farmers, towns taking in the villages around them;
  their households hold no contract land in the model, so they farm only if they rent
  land). Everyone else of working age chooses work in the first sub-step.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from countysim.census import AGE_BANDS, YEARS_BY_EDUCATION, unit
from countysim.config.schema import LEVELS, Scenario

VILLAGE, TOWNSHIP, COUNTY_TOWN = (LEVELS.index(n) for n in ("village", "township", "county_town"))
#: Intra- and cross-province out-migrant workers of 2013, million (seeds/data).
INTRA_PROVINCE, CROSS_PROVINCE = 88.71, 77.39
#: Fewest townships of a county (assumption: even the smallest counties have several).
MIN_TOWNSHIPS = 3
#: Where farmers are drawn from, in turn (see the module docstring).
FARM_ORDER = (VILLAGE, TOWNSHIP, COUNTY_TOWN)
#: Ages of registered persons living outside the county (assumption, see above).
AWAY_AGES = (18, 50)


def census_county(scenario: Scenario, rng: np.random.Generator) -> dict:
    """The places of the county (as ``world.generate_county`` returns them) and, under
    ``"persons"``, the person columns the population starts from."""
    census = scenario.county.census
    row = unit(census.code)
    scale = scenario.simulation.scale
    counts = _counts(row)
    places = _places(census, counts, row, rng)
    persons = _persons(scenario, row, counts, places, rng)
    n = len(places["level"])
    county = persons["hukou_place"] < n
    places["registered"] = scale * np.bincount(persons["hukou_place"][county], minlength=n)
    resident = persons["residence"] < n
    places["population"] = scale * np.bincount(persons["residence"][resident], minlength=n)
    places["persons"] = persons
    return places


def _counts(row) -> dict[str, float]:
    same = row["in_migrants_same_county"]
    outside = float(row["in_migrants_other_county_same_province"])
    outside += float(row["in_migrants_other_province"])
    at_home = float(row["residents"]) - outside  # residents holding the county's hukou
    return {
        "residents": float(row["residents"]),
        "urban": float(row["urban_residents"]),
        "registered": max(float(row["registered"]), at_home),
        "same_county": 0.0 if pd.isna(same) else float(same),
        "other_county": float(row["in_migrants_other_county_same_province"]),
        "other_province": float(row["in_migrants_other_province"]),
    }


def _places(census, counts: dict, row, rng: np.random.Generator) -> dict:
    urban_hukou = counts["registered"] * float(row["nonfarm_hukou_share"])
    rural_hukou = counts["registered"] - urban_hukou
    n_t = max(MIN_TOWNSHIPS, round(counts["registered"] / census.registered_per_township))
    n_v = max(n_t, round(rural_hukou / census.registered_per_village))
    villages_per = np.full(n_t, n_v // n_t)
    villages_per[rng.permutation(n_t)[: n_v % n_t]] += 1

    angle = (np.arange(n_t) + rng.uniform(-0.3, 0.3, n_t)) * 2 * np.pi / n_t
    radius = census.township_radius_km * np.sqrt(n_t) * np.sqrt(rng.uniform(0.15, 0.85, n_t))
    tx, ty = radius * np.cos(angle), radius * np.sin(angle)
    owner = np.repeat(np.arange(n_t), villages_per)
    v_angle = rng.uniform(0, 2 * np.pi, n_v)
    v_radius = census.township_radius_km * np.sqrt(rng.uniform(0.05, 1.0, n_v))
    vx, vy = tx[owner] + v_radius * np.cos(v_angle), ty[owner] + v_radius * np.sin(v_angle)

    town = census.county_town_share_of_urban
    seat_w = rng.gamma(4.0, size=n_t)
    seat_w /= seat_w.sum()
    village_w = rng.gamma(6.0, size=n_v)
    village_w /= village_w.sum()
    rural = counts["residents"] - counts["urban"]
    residents = np.concatenate(
        [[counts["urban"] * town], counts["urban"] * (1 - town) * seat_w, rural * village_w]
    )
    registered = np.concatenate(
        [[urban_hukou * town], urban_hukou * (1 - town) * seat_w, rural_hukou * village_w]
    )
    land = rural_hukou * village_w * census.arable_mu_per_rural_person
    names = ["County town"] + [f"Township {t + 1}" for t in range(n_t)]
    first = np.searchsorted(owner, owner)
    names += [f"Village {owner[v] + 1}-{v - first[v] + 1}" for v in range(n_v)]
    return {
        "ids": np.arange(1 + n_t + n_v, dtype=np.int64),
        "names": names,
        "level": np.concatenate(
            [[COUNTY_TOWN], np.full(n_t, TOWNSHIP), np.full(n_v, VILLAGE)]
        ).astype(np.int8),
        "parent": np.concatenate([[-1], np.zeros(n_t, int), 1 + owner]).astype(np.int32),
        "x_km": np.concatenate([[0.0], tx, vx]),
        "y_km": np.concatenate([[0.0], ty, vy]),
        "arable_mu": np.concatenate([[0.0], np.zeros(n_t), land]),
        "target_residents": residents,
        "target_registered": registered,
    }


def area_of(level: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """The township (or county town) each place belongs to: itself for the county town and
    a seat, the seat for a village. Places outside the county (if any) keep their index."""
    area = np.arange(len(level), dtype=np.int64)
    village = level == VILLAGE
    area[village] = parent[village]
    return area


def _round_total(x: np.ndarray, total: int | None = None) -> np.ndarray:
    """Non-negative integers summing to ``total`` (default round(sum x)), by largest
    remainder; an entry exceeds floor(x) by at most one."""
    total = int(round(x.sum())) if total is None else total
    x = np.maximum(x, 0.0)
    if x.sum() > 0:
        x = x * total / x.sum()
    floor = np.floor(x).astype(np.int64)
    short = total - int(floor.sum())
    if short > 0:
        floor[np.argsort(floor - x, kind="stable")[:short]] += 1
    return floor


def _fill(capacity: np.ndarray, n: int, first: np.ndarray) -> np.ndarray:
    """Spread ``n`` persons over places in proportion to their ``capacity``, over the
    ``first`` places before the others, never above a place's capacity."""
    taken = np.zeros(len(capacity), dtype=np.int64)
    for group in (first, ~first):
        cap = np.where(group, capacity - taken, 0)
        room = int(cap.sum())
        k = min(n - int(taken.sum()), room)
        if k > 0:
            taken += np.minimum(_round_total(cap * (k / room), k), cap)
    return taken


def _persons(scenario: Scenario, row, counts: dict, places: dict, rng) -> dict:
    scale = scenario.simulation.scale
    level = places["level"]
    n = len(level)
    urban = level != VILLAGE
    residents = _round_total(places["target_residents"] / scale)
    in_outside = round((counts["other_county"] + counts["other_province"]) / scale)
    in_outside = min(in_outside, int(residents.sum()))
    other_province = min(round(counts["other_province"] / scale), in_outside)
    movers_n = min(round(counts["same_county"] / scale), int(residents.sum()) - in_outside)

    cities = _city_indices(scenario, n)
    if cities is None:  # no outside cities: nobody can hold a hukou from outside the county
        in_outside = other_province = 0
    incomers = _fill(residents, in_outside, urban)
    movers = _fill(residents - incomers, movers_n, urban)
    home = residents - incomers - movers

    registered = _round_total(places["target_registered"] / scale)
    away_n = max(int(registered.sum()) - int(home.sum()) - movers_n, 0) if cities else 0
    wanted_away = np.maximum(registered - home, 0).astype(float)
    if wanted_away.sum() == 0:
        wanted_away = registered.astype(float)
    away_pool = np.repeat(np.arange(n), _round_total(wanted_away, movers_n + away_n))
    away_pool = rng.permutation(away_pool)

    mover_res = rng.permutation(np.repeat(np.arange(n), movers))
    mover_hukou, away_hukou = _movers_elsewhere(
        mover_res, away_pool[:movers_n], away_pool[movers_n:], level, places["parent"], rng
    )

    in_res = rng.permutation(np.repeat(np.arange(n), incomers))
    in_hukou = np.empty(in_outside, dtype=np.int64)
    if in_outside:
        in_hukou[:other_province] = cities["outside_province"]
        in_province = in_outside - other_province
        in_hukou[other_province:] = np.where(
            rng.random(in_province) < 0.5, cities["prefecture"], cities["province"]
        )
    away_res = _away_destinations(cities, len(away_hukou), rng)

    home_place = np.repeat(np.arange(n), home)
    hukou = np.concatenate([home_place, mover_hukou, in_hukou, away_hukou]).astype(np.int32)
    residence = np.concatenate([home_place, mover_res, in_res, away_res]).astype(np.int32)
    n_res = len(home_place) + len(mover_res) + len(in_res)
    lives_away = np.arange(len(hukou)) >= n_res

    age = _ages(row, n_res, len(away_hukou), rng)
    female = rng.random(len(age)) < float(row["share_female"])
    hukou_urban = np.where(
        hukou < n, np.isin(level[np.minimum(hukou, n - 1)], (TOWNSHIP, COUNTY_TOWN)), False
    )
    incomer = (np.arange(len(hukou)) >= len(home_place) + len(mover_res)) & ~lives_away
    hukou_urban[incomer] = rng.random(int(incomer.sum())) < float(row["nonfarm_hukou_share"])
    edu = _education(scenario, row, age, hukou_urban, rng)
    hh, hh_home, mother = _households(
        np.where(lives_away, hukou, residence), age, female, lives_away, row, rng
    )
    farmer = _farmers(scenario, row, age, edu, residence, lives_away, level, rng)
    return {
        "age": age,
        "female": female,
        "edu": edu,
        "hukou_urban": hukou_urban,
        "hukou_place": hukou,
        "residence": residence,
        "hh": hh,
        "hh_home": hh_home,
        "mother": mother,
        "farmer": farmer,
    }


def _city_indices(scenario: Scenario, n_county: int) -> dict[str, int] | None:
    """Index of the first outside city of each region (another region's if one is missing)."""
    cities = scenario.outside_cities
    if not cities:
        return None
    found = {}
    for region in ("prefecture", "province", "outside_province"):
        k = next((i for i, c in enumerate(cities) if c.region == region), 0)
        found[region] = n_county + k
    return found


def _away_destinations(cities, n: int, rng) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    far = CROSS_PROVINCE / (CROSS_PROVINCE + INTRA_PROVINCE)
    u = rng.random(n)
    return np.where(
        u < far,
        cities["outside_province"],
        np.where(u < far + (1 - far) / 2, cities["prefecture"], cities["province"]),
    )


def _movers_elsewhere(mover_res, mover_hukou, away_hukou, level, parent, rng, rounds=30):
    """Pair same-county movers with hukou places of another township: a mover whose hukou
    place lies in the township they live in swaps it with a person living away (or, when
    nobody lives away, with another mover)."""
    area = area_of(level, parent)
    mover_hukou, away_hukou = mover_hukou.copy(), away_hukou.copy()
    for _ in range(rounds):
        clash = np.flatnonzero(area[mover_hukou] == area[mover_res])
        if not len(clash):
            break
        pool = away_hukou if len(away_hukou) else mover_hukou
        partner = rng.integers(0, len(pool), size=len(clash))
        partner, first = np.unique(partner, return_index=True)
        clash = clash[first]
        swap = area[pool[partner]] != area[mover_res[clash]]
        clash, partner = clash[swap], partner[swap]
        mover_hukou[clash], pool[partner] = pool[partner], mover_hukou[clash].copy()
    # Left over where one township holds nearly all hukou: a place of another township.
    for _ in range(rounds):
        clash = np.flatnonzero(area[mover_hukou] == area[mover_res])
        if not len(clash):
            break
        mover_hukou[clash] = rng.integers(0, len(level), size=len(clash))
    return mover_hukou, away_hukou


def _national_single_years() -> tuple[np.ndarray, np.ndarray]:
    text = resources.files("countysim").joinpath("data/age_structure_2010.csv").read_text()
    probs = np.zeros(95)
    for line in text.strip().splitlines()[1:]:
        lo, hi, share = line.split(",")
        probs[int(lo) : int(hi) + 1] = float(share) / (int(hi) - int(lo) + 1)
    return np.arange(95), probs


def _ages(row, n_res: int, n_away: int, rng) -> np.ndarray:
    ages, national = _national_single_years()
    probs = np.zeros(len(ages))
    for column, lo, hi in AGE_BANDS:
        band = national[lo : hi + 1]
        probs[lo : hi + 1] = float(row[column]) * band / band.sum()
    away = np.where((ages >= AWAY_AGES[0]) & (ages <= AWAY_AGES[1]), national, 0.0)
    res_age = rng.choice(ages, size=n_res, p=probs / probs.sum())
    away_age = rng.choice(ages, size=n_away, p=away / away.sum())
    return np.concatenate([res_age, away_age]).astype(np.int16)


def _education(scenario: Scenario, row, age, hukou_urban, rng) -> np.ndarray:
    """Education levels with the census mean years of schooling (see the module docstring)."""
    pop = scenario.population
    rural, urban = np.array(pop.education_shares), np.array(pop.education_shares_urban_hukou)
    years = np.array(YEARS_BY_EDUCATION)
    school_age = age >= 6
    # Years so far of a person of each level: a child counts the years since age 6.
    so_far = np.minimum(years[None, :], (age[school_age, None] - 6).astype(float))
    is_urban = hukou_urban[school_age]

    def mean_years(shift: float) -> float:
        r, u = _shifted(rural, shift), _shifted(urban, shift)
        per = np.where(is_urban[:, None], u[None, :], r[None, :])
        return float((per * so_far).sum(axis=1).mean()) if len(so_far) else 0.0

    lo, hi = -1.0, 1.0
    target = float(row["mean_years_schooling"])
    for _ in range(40):  # mean years rise with the shift: bisect
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mean_years(mid) < target else (lo, mid)
    shift = 0.5 * (lo + hi)
    r, u = _shifted(rural, shift), _shifted(urban, shift)
    draw = rng.random(len(age))
    level_r = np.searchsorted(np.cumsum(r)[:-1], draw, side="right")
    level_u = np.searchsorted(np.cumsum(u)[:-1], draw, side="right")
    return np.where(hukou_urban, level_u, level_r).astype(np.int8)


def _shifted(shares: np.ndarray, shift: float) -> np.ndarray:
    """Move ``shift`` of the population from the lowest level to the upper two (negative:
    back), keeping the upper two in proportion; shares stay within 0 and 1."""
    upper = shares[1:] / shares[1:].sum() if shares[1:].sum() > 0 else np.array([0.5, 0.5])
    if shift >= 0:
        moved = min(shift, shares[0])
        return np.concatenate([[shares[0] - moved], shares[1:] + moved * upper])
    moved = min(-shift, shares[1:].sum())
    return np.concatenate([[shares[0] + moved], shares[1:] - moved * upper])


def _households(place, age, female, lives_away, row, rng):
    """Household of every person, each household's home, and each child's mother (a row
    index, -1 if none): see the module docstring."""
    n_persons = len(place)
    idx = np.arange(n_persons)
    res = idx[~lives_away]
    per_place = np.bincount(place[res])
    want = np.where(per_place > 0, np.maximum(1, np.round(per_place / row["household_size"])), 0)
    # Heads: first by priority, then at random, within each place.
    priority = np.select(
        [female & (age >= 20) & (age < 65), age >= 65, ~female & (age >= 20) & (age < 65)],
        [0, 1, 2],
        default=3,
    )[res]
    order = np.lexsort((rng.random(len(res)), priority, place[res]))
    ranked = res[order]
    start = np.searchsorted(place[ranked], place[ranked], side="left")
    rank = np.arange(len(ranked)) - start
    heads = ranked[rank < want[place[ranked]]]
    heads = heads[np.argsort(place[heads], kind="stable")]
    hh = np.full(n_persons, -1, dtype=np.int64)
    hh[heads] = np.arange(len(heads))
    head_place = place[heads]

    def random_household(who: np.ndarray) -> np.ndarray:
        lo = np.searchsorted(head_place, place[who], side="left")
        hi = np.searchsorted(head_place, place[who], side="right")
        got = np.where(hi > lo, lo + np.floor(rng.random(len(who)) * (hi - lo)), -1)
        return got.astype(np.int64)

    # Men of 20-64 who head no household join the woman head of their place at the same
    # rank of age (as a share of each group), so that the place's households hold couples.
    men = idx[(hh < 0) & ~female & (age >= 20) & (age < 65) & ~lives_away]
    wives = heads[female[heads] & (age[heads] >= 20) & (age[heads] < 65)]
    wives = wives[np.lexsort((age[wives], place[wives]))]
    men = men[np.lexsort((age[men], place[men]))]
    first_wife = np.searchsorted(place[wives], place[men], side="left")
    n_wives = np.searchsorted(place[wives], place[men], side="right") - first_wife
    first_man = np.searchsorted(place[men], place[men], side="left")
    n_men = np.searchsorted(place[men], place[men], side="right") - first_man
    share = (np.arange(len(men)) - first_man + 0.5) / n_men
    paired = n_wives > 0
    wife = first_wife[paired] + np.floor(share[paired] * n_wives[paired]).astype(np.int64)
    hh[men[paired]] = hh[wives[wife]]
    adults = idx[(hh < 0) & (age >= 20) & ~lives_away]
    hh[adults] = random_household(adults)
    kids = idx[(hh < 0) & (age < 20) & ~lives_away]
    mother = np.full(n_persons, -1, dtype=np.int64)
    women = idx[female & (age >= 18) & ~lives_away & (hh >= 0)]
    key = place[women].astype(np.int64) * 200 + age[women]
    w_order = women[np.argsort(key, kind="stable")]
    w_sorted = np.sort(key)
    kid_key = place[kids].astype(np.int64) * 200 + age[kids]
    lo = np.searchsorted(w_sorted, kid_key + 18)
    hi = np.searchsorted(w_sorted, kid_key + 43)
    has = hi > lo
    pick = lo[has] + np.floor(rng.random(int(has.sum())) * (hi[has] - lo[has])).astype(np.int64)
    mother[kids[has]] = w_order[pick]
    hh[kids[has]] = hh[w_order[pick]]
    orphans = kids[~has]
    hh[orphans] = random_household(orphans)
    away = idx[lives_away]
    hh[away] = random_household(away)
    homeless = idx[hh < 0]  # living away from a place where nobody lives: a household alone
    hh[homeless] = len(heads) + np.arange(len(homeless))
    hh_home = np.concatenate([head_place, place[homeless]]).astype(np.int32)
    return hh.astype(np.int32), hh_home, mother


def _farmers(scenario, row, age, edu, residence, lives_away, level, rng) -> np.ndarray:
    """Who farms at the start (see the module docstring)."""
    demo = scenario.demography
    leaving = np.asarray(demo.leaving_age_by_education)[edu]
    in_village = ~lives_away & (level[np.minimum(residence, len(level) - 1)] == VILLAGE)
    working_age = ~lives_away & (age >= leaving) & (age < demo.retirement_age)
    elderly = in_village & (age >= demo.retirement_age) & (age < demo.farming_exit_age)
    workers = int(working_age.sum() + elderly.sum())
    needed = round(float(row["farm_employment_share"]) * workers) - int(elderly.sum())
    # Village residents first, then those of the township seats, then of the county town.
    where = level[np.minimum(residence, len(level) - 1)]
    candidates = np.concatenate(
        [rng.permutation(np.flatnonzero(working_age & (where == lev))) for lev in FARM_ORDER]
    )
    chosen = candidates[: max(needed, 0)]
    farmer = elderly.copy()
    farmer[chosen] = True
    return farmer
