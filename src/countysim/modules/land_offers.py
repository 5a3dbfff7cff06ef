"""Sums over a village's households for the land market (`land`): the land offered at a
rent, from households sorted once, and sums by place over the households with values;
the tenure hazards by year of contract end."""

from __future__ import annotations

import numpy as np


def offer_curve(farm, home, land, farmers, reservation, n: int):
    """Land offered in each village at a rent per village, as `Land._lease`'s `offered` summed
    over each village's households. A household offers land - farmers * W(r) (all its land
    without farmers) once the rent r reaches its reservation rent and, with farmers, the rent
    above which they want less than its land (W falls with the rent): sorted once by that
    threshold, the households offering at a rent are a prefix of each village's, and the
    offer is a difference of running sums (kept in extended precision, so that a village's
    sum is as exact as a sum of its own households)."""
    threshold = reservation.copy()
    f = np.flatnonzero(farmers > 0)
    threshold[f] = np.maximum(threshold[f], farm.rent_for_land_wanted(land[f] / farmers[f]))
    by_threshold = np.argsort(threshold)
    ranked = threshold[by_threshold]
    village = home[by_threshold]
    if n <= np.iinfo(np.int16).max:
        village = village.astype(np.int16)  # a stable sort of small codes counts them
    rank = np.argsort(village, kind="stable")  # by village, then by threshold
    order = by_threshold[rank]
    span = len(threshold) + 1
    key = home[order].astype(np.int64) * span + rank
    land_sum = np.concatenate([[0.0], np.cumsum(land[order], dtype=np.longdouble)])
    farmers_sum = np.concatenate([[0.0], np.cumsum(farmers[order], dtype=np.longdouble)])
    village_key = np.arange(n, dtype=np.int64) * span
    first = np.searchsorted(key, village_key)

    def offers(rent: np.ndarray) -> np.ndarray:
        end = np.searchsorted(key, village_key + np.searchsorted(ranked, rent, side="right"))
        offered_land = (land_sum[end] - land_sum[first]).astype(float)
        wanted = farm.land_wanted_per_worker(rent) * (farmers_sum[end] - farmers_sum[first])
        return offered_land - wanted.astype(float)

    return offers


def sum_by_place(home, values, rows, n: int, scale) -> np.ndarray:
    """scale times the sum of `values` by `home` place, where only the households `rows`
    (in order) have values other than 0: the same sums as over every household (adding 0
    changes no sum), in a fraction of the time (a sum by place over households listed by
    place adds each to the previous one, and waits for it)."""
    return scale * np.bincount(home.take(rows), weights=values.take(rows), minlength=n)


def hazards_by_end(contract_end: np.ndarray, year: int, lp):
    """The readjustment hazards by year of contract end, from the first of `contract_end`
    to its last: that first year, h_end (the expiry's) and rho (the whole, at most 1). A
    household's are those of its contract's end: tables of a few dozen years rather than
    two arrays of every household held all year (16 bytes a household); the same numbers."""
    first = int(contract_end.min()) if len(contract_end) else year
    last = int(contract_end.max()) if len(contract_end) else year
    years_left = np.maximum(np.arange(first, last + 1, dtype=contract_end.dtype) - year, 0)
    horizon = np.exp(-years_left / lp.horizon_decay_years)
    expiry = lp.expiry_reallocation_risk * horizon
    return first, expiry, np.minimum(1.0, lp.reallocation_risk + expiry)
