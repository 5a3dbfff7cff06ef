"""The places of a county and its outside cities, as a small table of arrays.

A county is either generated from a few numbers (deterministic given the random
generator) or read from a places CSV so that users can model a real county. Outside
cities come from the scenario and are appended after the county's own places.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from countysim.census_county import census_county
from countysim.config.schema import LEVELS, Scenario
from countysim.places_file import (  # noqa: F401 (the reader's names are also this module's)
    PLACES_COLUMNS,
    PlacesFileError,
    read_places,
)

VILLAGE, TOWNSHIP, COUNTY_TOWN, CITY = range(4)
LEVEL_CODE = {name: code for code, name in enumerate(LEVELS)}

# Region of a place relative to the county, used for "near" and "far" migration.
IN_COUNTY, PREFECTURE, PROVINCE, OUTSIDE_PROVINCE = range(4)
REGION_CODE = {"prefecture": PREFECTURE, "province": PROVINCE, "outside_province": OUTSIDE_PROVINCE}


@dataclass
class World:
    """Static attributes of every place, indexed 0..P-1 (county places first, then cities)."""

    ids: np.ndarray  # user-facing place ids (int64)
    names: list[str]
    level: np.ndarray  # int8: VILLAGE, TOWNSHIP, COUNTY_TOWN, CITY
    parent: np.ndarray  # int32 index of the parent place, -1 for the county town and cities
    x_km: np.ndarray
    y_km: np.ndarray
    registered: np.ndarray  # initial hukou population (persons)
    population: np.ndarray  # initial resident population (persons)
    arable_mu: np.ndarray
    region: np.ndarray  # int8: IN_COUNTY for county places, the city's region otherwise
    dist_km: np.ndarray  # P x P travel distances
    # Person columns chosen with the places (a county from the census), else None.
    initial_persons: dict[str, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def county_town(self) -> int:
        return int(np.flatnonzero(self.level == COUNTY_TOWN)[0])

    @property
    def is_county(self) -> np.ndarray:
        return self.level != CITY

    @property
    def is_urban(self) -> np.ndarray:
        return self.level != VILLAGE

    def township_of(self) -> np.ndarray:
        """For every place, the township seat it belongs to (itself for a seat, -1 otherwise)."""
        seat = np.full(self.n, -1, dtype=np.int32)
        seat[self.level == TOWNSHIP] = np.flatnonzero(self.level == TOWNSHIP)
        villages = self.level == VILLAGE
        seat[villages] = self.parent[villages]
        return seat

    def table(self) -> list[dict]:
        """One record per place (for the `world` output table)."""
        return [
            {
                "place_id": int(self.ids[i]),
                "name": self.names[i],
                "level": LEVELS[self.level[i]],
                "parent": int(self.ids[self.parent[i]]) if self.parent[i] >= 0 else -1,
                "x_km": float(self.x_km[i]),
                "y_km": float(self.y_km[i]),
                "arable_mu": float(self.arable_mu[i]),
                "registered_initial": int(self.registered[i]),
            }
            for i in range(self.n)
        ]


def build_world(scenario: Scenario, rng: np.random.Generator) -> World:
    if scenario.county.census is not None:
        county = census_county(scenario, rng)
    elif scenario.county.places_file is not None:
        county = read_places(Path(scenario.county.places_file))
    else:
        county = generate_county(scenario, rng)
    return _with_cities(county, scenario)


def generate_county(scenario: Scenario, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A synthetic county: a county town at the centre, township seats scattered over a disc,
    villages around their seat. Registered population splits into urban hukou (county town and
    seats) and rural hukou (villages); village sizes and land vary around the mean."""
    g = scenario.county.generate
    n_t = g.townships
    spread = g.village_count_spread
    low = max(1, round(g.villages_per_township * (1 - spread)))
    high = max(low, round(g.villages_per_township * (1 + spread)))
    villages_per = rng.integers(low, high + 1, size=n_t)
    n_v = int(villages_per.sum())

    angle = (np.arange(n_t) + rng.uniform(-0.3, 0.3, n_t)) * 2 * np.pi / n_t
    radius = g.radius_km * np.sqrt(rng.uniform(0.15, 0.85, n_t))
    tx, ty = radius * np.cos(angle), radius * np.sin(angle)
    township_radius = g.radius_km / np.sqrt(n_t)  # each township covers ~ area / n_t
    owner = np.repeat(np.arange(n_t), villages_per)
    v_angle = rng.uniform(0, 2 * np.pi, n_v)
    v_radius = township_radius * np.sqrt(rng.uniform(0.05, 1.0, n_v))
    vx = tx[owner] + v_radius * np.cos(v_angle)
    vy = ty[owner] + v_radius * np.sin(v_angle)

    urban = g.registered_population * g.urban_hukou_share
    rural = g.registered_population - urban
    town_weights = rng.gamma(4.0, size=n_t)
    township_reg = (
        urban * (1 - g.county_town_share_of_urban_hukou) * town_weights / town_weights.sum()
    )
    village_weights = rng.gamma(6.0, size=n_v)
    village_reg = rural * village_weights / village_weights.sum()
    land = village_reg * g.arable_mu_per_rural_person * rng.lognormal(0.0, 0.25, n_v)

    level = np.concatenate([[COUNTY_TOWN], np.full(n_t, TOWNSHIP), np.full(n_v, VILLAGE)])
    parent = np.concatenate([[-1], np.zeros(n_t, int), 1 + owner])
    registered = np.concatenate(
        [[urban * g.county_town_share_of_urban_hukou], township_reg, village_reg]
    )
    registered = _round_preserving_total(registered)
    names = ["County town"]
    names += [f"Township {t + 1}" for t in range(n_t)]
    names += [
        f"Village {owner[v] + 1}-{v - np.searchsorted(owner, owner[v]) + 1}" for v in range(n_v)
    ]
    return {
        "ids": np.arange(1 + n_t + n_v, dtype=np.int64),
        "names": names,
        "level": level.astype(np.int8),
        "parent": parent.astype(np.int32),
        "x_km": np.concatenate([[0.0], tx, vx]),
        "y_km": np.concatenate([[0.0], ty, vy]),
        "registered": registered,
        "population": registered.copy(),
        "arable_mu": np.concatenate([[0.0], np.zeros(n_t), land]),
    }


def _round_preserving_total(x: np.ndarray) -> np.ndarray:
    """Integers that sum to round(sum(x)), by largest remainder."""
    floor = np.floor(x).astype(np.int64)
    short = int(round(x.sum())) - int(floor.sum())
    if short > 0:
        floor[np.argsort(floor - x)[:short]] += 1
    return floor


def _with_cities(county: dict, scenario: Scenario) -> World:
    """Append the outside cities and compute the distance matrix."""
    cities = scenario.outside_cities
    n_c, n_county = len(cities), len(county["names"])
    ct = int(np.flatnonzero(county["level"] == COUNTY_TOWN)[0])
    cx0, cy0 = county["x_km"][ct], county["y_km"][ct]
    # Cities are drawn on a circle only for a sensible picture; travel distance is what counts.
    angle = np.linspace(0.25 * np.pi, 1.75 * np.pi, max(n_c, 1))[:n_c]
    dist_c = np.array([c.distance_km for c in cities], dtype=float)
    level = np.concatenate([county["level"], np.full(n_c, CITY, dtype=np.int8)])
    x = np.concatenate([county["x_km"], cx0 + dist_c * np.cos(angle)])
    y = np.concatenate([county["y_km"], cy0 + dist_c * np.sin(angle)])
    n = n_county + n_c

    local = np.hypot(
        x[:n_county, None] - x[None, :n_county], y[:n_county, None] - y[None, :n_county]
    )
    to_town = local[:, ct]
    dist = np.zeros((n, n))
    dist[:n_county, :n_county] = local
    # A trip to a city goes through the county town; between cities, by their straight line.
    dist[:n_county, n_county:] = to_town[:, None] + dist_c[None, :]
    dist[n_county:, :n_county] = dist[:n_county, n_county:].T
    dist[n_county:, n_county:] = np.hypot(
        x[n_county:, None] - x[None, n_county:], y[n_county:, None] - y[None, n_county:]
    )
    max_id = int(county["ids"].max())
    region = np.concatenate(
        [np.full(n_county, IN_COUNTY), [REGION_CODE[c.region] for c in cities]]
    ).astype(np.int8)
    return World(
        ids=np.concatenate([county["ids"], max_id + 1 + np.arange(n_c)]).astype(np.int64),
        names=list(county["names"]) + [c.name for c in cities],
        level=level,
        parent=np.concatenate([county["parent"], np.full(n_c, -1, dtype=np.int32)]),
        x_km=x,
        y_km=y,
        registered=np.concatenate([county["registered"], np.zeros(n_c, dtype=np.int64)]),
        population=np.concatenate([county["population"], np.zeros(n_c, dtype=np.int64)]),
        arable_mu=np.concatenate([county["arable_mu"], np.zeros(n_c)]),
        region=region,
        dist_km=dist,
        initial_persons=county.get("persons"),
    )
