"""Kin and neighbour tenancy: informal lending of land its owners cannot work.

Most land of households whose members have left, or who are too old to farm it all, is
not abandoned: relatives and neighbours in the village farm it without a formal lease,
rent-free or for a token rent (Kung 2002; Deininger and Jin 2005; Gao, Huang and Rozelle
2012, who find much of China's rural rental market to be informal, short-term and among
kin, often at zero rent). Abandonment is concentrated where no one is left to take the
land or the plots are poor (Li, Li et al. 2018; Xu et al. 2019).

Rule, once a contract year, after the formal rental market (`land`), per village:

- A unit of family farm labour can work at most `informal_capacity_mu_per_worker` mu
  (K). A household whose land not leased out formally, U_h, exceeds what its farm labour
  L_h can work lends the excess to kin or neighbours if it finds a taker: it offers
  o_h = m max(U_h - K L_h, 0), m = `informal_take_up` the share of such land someone in
  the village would take (the rest is remote or poor land no one wants). A household with
  no farm labour (all members away, or none left able to farm) thus offers m U_h.
- A household of the same village with farm labour takes up to its spare capacity,
  c_h = max(K L_h - U_h, 0).
- The village's transfers are min(sum o, sum c): every offer is taken in the same
  proportion, every household's capacity filled in the same proportion.

The owner keeps the contract right and lends for the year only, so in a readjustment
the land counts as the owner's unleased land (`land`): informal lending gives none of the
security of a formal lease, and the tenure term of the location choice is unchanged
(Deininger and Jin 2005: short informal lending keeps the owner's claim but not a formal
tenant's protection). The borrower pays `informal_rent_share` of a family farm's return
to a mu (`Farming.land_return`), 0 by default.
"""

from __future__ import annotations

import numpy as np


def lend(
    home: np.ndarray,
    unlet: np.ndarray,
    labour: np.ndarray,
    in_village: np.ndarray,
    capacity_per_worker: float,
    take_up: float,
    n_places: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Land each household lends (o scaled to what is taken) and borrows, mu per row.

    `home`: each household's village; `unlet`: its land not leased out formally, U_h;
    `labour`: its farm labour, L_h; `in_village`: whether its home is a village. Rows
    stand for the same number of real households each, so proportions need no scale."""
    workable = capacity_per_worker * labour
    offer = np.where(in_village, take_up * np.maximum(unlet - workable, 0.0), 0.0)
    # Written by index: the same values as a select on flags in no order (labour > 0), which
    # mispredicts a branch for every other household.
    room = np.zeros(len(unlet))
    working = np.flatnonzero(in_village & (labour > 0))
    room[working] = np.maximum(workable.take(working) - unlet.take(working), 0.0)
    del working, workable
    # Sums over the households that offer, and those that have room (apart: a household
    # with land beyond what it can work has no room), in order: the others add 0.
    # Of masks: finding the non-zero values of a float array takes ten times as long.
    # One after the other, each index array freed once summed (a lower peak).
    lenders = np.flatnonzero(offer != 0)
    offered = np.bincount(home.take(lenders), weights=offer.take(lenders), minlength=n_places)
    del lenders
    takers = np.flatnonzero(room != 0)
    spare = np.bincount(home.take(takers), weights=room.take(takers), minlength=n_places)
    del takers
    moved = np.minimum(offered, spare)
    lent_share = np.divide(moved, offered, out=np.zeros(n_places), where=offered > 0)
    filled_share = np.divide(moved, spare, out=np.zeros(n_places), where=spare > 0)
    offer *= lent_share.take(home)  # in place: both are this function's own arrays
    room *= filled_share.take(home)
    return offer, room
