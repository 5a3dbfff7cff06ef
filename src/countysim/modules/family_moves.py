"""Family moves in the location choice: partners who move with a mover, and children who
follow their mother (ODD 7.4). Called by `modules/choice.py` after the choosers have chosen;
the random draws are the model's, in the same order as when these lived in the choice."""

from __future__ import annotations

import numpy as np

from countysim.population import FARMER, IS_WORKING, UNEMPLOYED
from countysim.world import CITY

#: Largest age gap (years) between a mover and the household member taken for a partner
#: (assumption: wider gaps in the model's households are mostly parents and grown children).
PARTNER_MAX_AGE_GAP = 10


def partners_follow(model, movers: np.ndarray, origin: np.ndarray, pool: np.ndarray):
    """A mover's partner moves with him or her at the scenario's share (one for moves
    within the county, one for moves to a city); the children then follow their mother
    (`children_follow`). The partner is the member of the mover's household of the
    other sex and of working age, nearest in age and at most `PARTNER_MAX_AGE_GAP`
    years apart, who lived where the mover did (or at the household's home, when the
    mover settles in a county place away from it) and did not move in this sub-step (a
    household records no marriages, so this finds the couple). A partner who follows
    keeps a job at the destination; otherwise he or she farms on coming home to land,
    or looks for work at the destination. `movers` are rows in increasing order; `pool`:
    the rows, in increasing order, of everyone of an age to be a partner (18 to
    retirement age), which the location choice keeps for the year. Returns the partners
    who moved, where they lived and their network cells before."""
    p, world, c, rng = model.persons, model.world, model.scenario.choice, model.rng
    none = np.zeros(0, dtype=np.intp)
    if not len(movers) or max(c.partner_follow_share_county, c.partner_follow_share_city) == 0:
        return none, none.astype(p.residence.dtype), none.astype(np.int64)
    d = model.scenario.demography
    # Found apart: the search's arrays (candidates, keys, positions) are freed before the
    # network cells are counted, a moment of the spin-up's peak.
    partner = _partners_of(model, movers, pool)
    if partner is None:  # e.g. the Harris-Todaro limit: one-person households
        return none, none.astype(p.residence.dtype), none.astype(np.int64)
    dest = p.residence.take(movers)
    # A family moves to a city as far as its schools take the children in; where they
    # are closed the partner stays at home with them (the left-behind family).
    city_share = c.partner_follow_share_city * model.state.school_access.take(dest)
    share = np.where(world.level.take(dest) == CITY, city_share, c.partner_follow_share_county)
    # The partner lived where the mover did, or at home when the mover settles in the
    # county (a return from a city to a town brings the family from the village).
    where = p.residence[np.maximum(partner, 0)]
    home = model.households.home.take(p.hh.take(movers))
    in_county = world.level.take(dest) != CITY
    go = (partner >= 0) & ((where == origin) | (in_county & (where == home) & (dest != home)))
    go &= rng.random(len(movers)) < share
    partner, dest = partner[go], dest[go]
    partner, first = np.unique(partner, return_index=True)  # one mover per partner
    dest = dest[first]
    before = p.residence.take(partner).copy()
    net_before = model.choice.network_keys(model, partner)
    p.residence[partner] = dest
    p.years_here[partner] = 0
    same_job = (p.workplace.take(partner) == dest) & (p.status.take(partner) != FARMER)
    home = model.households.home.take(p.hh.take(partner))
    farm = ~same_job & (dest == home) & (model.households.land_mu.take(p.hh.take(partner)) > 0)
    farm &= p.age.take(partner) < d.farming_exit_age
    p.status[partner] = np.where(
        same_job, p.status.take(partner), np.where(farm, FARMER, UNEMPLOYED)
    )
    p.workplace[partner] = np.where(same_job, dest, np.where(farm, -1, dest))
    return partner, before, net_before


def _partners_of(model, movers: np.ndarray, pool):
    """The partner's row of each of `movers` (-1: none), as `partners_follow` describes,
    or None where no household member can be one."""
    p = model.persons
    # Only members of a mover's household can be a partner: they are found first (one
    # lookup per person), and the rules are then applied to them alone.
    mover_household = np.zeros(len(model.households), dtype=bool)
    mover_household[p.hh.take(movers)] = True
    cand = pool.take(np.flatnonzero(mover_household.take(p.hh.take(pool)))).astype(np.intp)
    cand = cand[
        IS_WORKING[p.status.take(cand)]
        & ~among(cand, movers)  # movers are sorted: they are the choosers who moved
    ]
    if not len(cand):
        return None
    # Candidates sorted by (household, sex, age); a mover looks up his own age among
    # those of the other sex of his household and takes the nearer neighbour.
    key = (p.hh.take(cand).astype(np.int64) * 2 + p.female.take(cand)) * 256 + p.age.take(cand)
    # Ties broken by position, so every key is distinct: the order of a stable sort,
    # from the faster unstable one.
    order = np.argsort(key * len(cand) + np.arange(len(cand)))
    cand, key = cand[order], key[order]
    group = p.hh.take(movers).astype(np.int64) * 2 + ~p.female.take(movers)
    pos = np.searchsorted(key, group * 256 + p.age.take(movers))
    best = np.full(len(movers), -1, dtype=np.intp)
    gap = np.full(len(movers), PARTNER_MAX_AGE_GAP + 1)
    for side in (pos - 1, pos):  # the two neighbours, not a loop over persons
        inside = (side >= 0) & (side < len(cand))
        at = np.where(inside, side, 0)
        same = inside & (key[at] // 256 == group)
        diff = np.abs(key[at] % 256 - p.age.take(movers))
        better = same & (diff < gap)
        best = np.where(better, at, best)
        gap = np.where(better, diff, gap)
    return np.where(best >= 0, cand[np.maximum(best, 0)], -1)


def children_follow(model, moved, kids, mum, kids_home, kids_hukou):
    """Children go with a mother who moved, if schooling there is open to them; children
    apart from their mother rejoin her at the yearly rejoin rate. `kids` and `mum`: the
    rows of children and of their mothers; `kids_home`, `kids_hukou`: the children's home
    and hukou places (fixed within a year's sub-steps). Returns the children who moved
    and where they lived."""
    p, st, rng = model.persons, model.state, model.rng
    none = np.zeros(0, dtype=np.intp)
    if not len(kids):
        return none, none.astype(p.residence.dtype)
    # Gathers by take (int32 rows): quicker than indexing, the same values.
    apart = np.flatnonzero(p.residence.take(kids) != p.residence.take(mum))
    kids, mum = kids.take(apart), mum.take(apart)
    dest = p.residence.take(mum)
    open_to_child = st.school_access.take(dest)
    np.copyto(
        open_to_child, 1.0, where=(dest == kids_home.take(apart)) | (dest == kids_hukou.take(apart))
    )
    mum_moved = np.zeros(len(p), dtype=bool)
    mum_moved[moved] = True
    rejoin = model.scenario.choice.child_rejoin_rate / model.scenario.simulation.substeps
    chance = np.where(mum_moved.take(mum), open_to_child, rejoin * open_to_child)
    go = rng.random(len(kids)) < chance
    gone = kids[go]
    origin = p.residence.take(gone)
    p.residence[gone] = dest[go]
    p.years_here[gone] = 0
    return gone, origin


def among(values: np.ndarray, sorted_rows: np.ndarray) -> np.ndarray:
    """Whether each of `values` is one of `sorted_rows` (sorted, distinct): a search among
    them rather than a mask over every person."""
    if not len(sorted_rows):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_rows, values), len(sorted_rows) - 1)
    return sorted_rows[pos] == values
