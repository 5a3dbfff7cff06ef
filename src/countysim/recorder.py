"""Recording a year: events counted as they happen (`YearTally`) and the year's tables.

Persons are recorded only in aggregates (bincount over places and levels), never one row
per person, so a 24-year run of a million people stays small.

Definitions follow the statistics they are compared with:
- resident urbanization: share of county residents living in the county town or a township
  seat; registered urbanization: share of county residents holding an urban hukou. The
  `_origin` variants count the county's origin population wherever they live (cities are
  urban): everyone registered in the county at the start or born since, alive, including
  those who settled in a city (they keep their rows, with the city's urban hukou), but not
  persons from outside the county (registered elsewhere at the start, or arrived since).
  Settling in a city thus raises `urbanization_registered_origin`, as it raises the national
  hukou urbanization, while it leaves `urbanization_registered` unmoved.
- migrant workers (the statistics bureau's monitoring survey): rural-hukou persons in non-farm
  work; local if the workplace is in the home township (home village or its seat), out-migrant
  otherwise. Out-migrants are near (elsewhere in the county or the prefecture city), province
  (elsewhere in the province) or far (outside the province).
- urban and rural per-capita disposable income: mean over residents of urban and rural
  county places of the co-resident household's per-capita income.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from countysim.census_measures import census_comparable
from countysim.config.schema import LEVELS
from countysim.measures import gini, theil_splits
from countysim.memory import keep_freed_memory
from countysim.population import (
    EMPLOYED,
    INFORMAL,
    IS_NONFARM,
    UNEMPLOYED,
    status_table,
)
from countysim.world import (
    CITY,
    COUNTY_TOWN,
    IN_COUNTY,
    OUTSIDE_PROVINCE,
    PREFECTURE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
)
from countysim.year_panel import YearPanel

N_LEVELS = len(LEVELS)
IS_AT_WORK = status_table((EMPLOYED, INFORMAL))  # non-farm workers with work
# Lower edges of the age bands of the migration age profile; the last band is open.
AGE_EDGES = np.array([0, 16, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65])
AGE_LABELS = [f"{a}-{b - 1}" for a, b in zip(AGE_EDGES[:-1], AGE_EDGES[1:], strict=True)] + [
    f"{AGE_EDGES[-1]}+"
]

#: How far a migrant worker works from home: in the home township (local), elsewhere in
#: the county or the prefecture city (near), in the province, or outside it (far).
DISTANCES = ("local", "near", "province", "far")
LOCAL = 0
DISTANCE_OF_REGION = np.zeros(4, dtype=np.intp)  # of a workplace outside the home township
DISTANCE_OF_REGION[[IN_COUNTY, PREFECTURE, PROVINCE, OUTSIDE_PROVINCE]] = [1, 1, 2, 3]

#: Prefix of the county-table columns holding the year's value of each policy lever.
LEVER_COLUMN_PREFIX = "lever:"


def age_band(age: np.ndarray) -> np.ndarray:
    """Index of each age's band in AGE_EDGES (a lookup by age, not a search per person)."""
    age = np.asarray(age)
    if age.size == 0:
        return np.zeros(0, dtype=np.intp)
    bands = np.searchsorted(AGE_EDGES, np.arange(int(age.max()) + 1), side="right") - 1
    return bands.take(age)


class YearTally:
    """Events of the current year, filled by the modules as they act."""

    def __init__(self, n_places: int) -> None:
        self.n_places = n_places
        self.reset()

    def reset(self) -> None:
        n = self.n_places
        self.births_by_place = np.zeros(n, dtype=np.int64)
        self.deaths_by_place = np.zeros(n, dtype=np.int64)
        self.moves_in = np.zeros(n, dtype=np.int64)
        self.moves_out = np.zeros(n, dtype=np.int64)
        self.flows = np.zeros((N_LEVELS, N_LEVELS), dtype=np.int64)
        self.returns = 0
        self.settlements = np.zeros(n, dtype=np.int64)
        self.moves_by_age = np.zeros(len(AGE_EDGES), dtype=np.int64)
        self.returns_by_age = np.zeros(len(AGE_EDGES), dtype=np.int64)
        self.retirements = 0
        self.remittances_sent = 0.0
        self.remittances_received = 0.0

    def record_moves(
        self, model, moved: np.ndarray, origin: np.ndarray, *, first_arrival: bool = False
    ) -> None:
        """Count the moves of persons `moved` (rows), who lived at `origin` before. A move
        to one's household's home is a return, unless it is a `first_arrival` (a person
        from outside the county who joined a household where they arrived)."""
        p, level = model.persons, model.world.level
        if not len(moved):
            return
        # Gathers by take, and the returns by index: the same counts.
        dest = p.residence.take(moved)
        n = self.n_places
        self.moves_out += np.bincount(origin, minlength=n)
        self.moves_in += np.bincount(dest, minlength=n)
        key = level.take(origin).astype(np.int64) * N_LEVELS + level.take(dest)
        self.flows += np.bincount(key, minlength=N_LEVELS**2).reshape(N_LEVELS, N_LEVELS)
        home = model.households.home.take(p.hh.take(moved))
        returned = (dest == home) & (not first_arrival)
        if first_arrival:  # from outside the county: not of its origin population
            model.recorder.note_outsiders(p.pid.take(moved))
        returned = np.flatnonzero(returned)
        self.returns += len(returned)
        band = age_band(p.age.take(moved))
        self.moves_by_age += np.bincount(band, minlength=len(AGE_EDGES))
        self.returns_by_age += np.bincount(band.take(returned), minlength=len(AGE_EDGES))


class Recorder:
    """Builds the county table, the place panel and the flows table, one year at a time."""

    def __init__(self, persons=None, world=None) -> None:
        # Pids of persons from outside the county (registered elsewhere at the start or
        # arrived since), left out of the origin population; the dead are dropped yearly.
        self.outsiders = np.zeros(0, dtype=np.int64)
        if persons is not None:
            self.note_outsiders(persons.pid[~world.is_county[persons.hukou_place]])
        self.county: list[dict] = []
        self.places = YearPanel()  # the place panel, a block of columns per year
        self.flows: list[dict] = []
        self.ages: list[dict[str, np.ndarray]] = []  # migration age profile, one dict per year

    def note_outsiders(self, pids: np.ndarray) -> None:
        """Count the persons `pids` as from outside the county from now on."""
        self.outsiders = np.concatenate([self.outsiders, np.asarray(pids, dtype=np.int64)])

    def origin_urbanization(self, model, count: np.ndarray) -> dict[str, float]:
        """Resident and registered urbanization of the county's origin population: everyone
        in the model but the outsiders still alive (`count`: persons living in each place).
        Outsiders are few (none in a generated county), so they are looked up by pid and
        subtracted from the totals rather than masked out of every person."""
        p, is_urban = model.persons, model.world.is_urban
        persons, urban_places = len(p), count[is_urban].sum()
        urban_hukou = np.count_nonzero(p.hukou_urban)
        if len(self.outsiders):
            rows = p.rows_of(self.outsiders)
            self.outsiders = self.outsiders[rows >= 0]  # the dead leave the list
            rows = rows[rows >= 0]
            persons -= len(rows)
            urban_places -= np.count_nonzero(is_urban.take(p.residence.take(rows)))
            urban_hukou -= np.count_nonzero(p.hukou_urban.take(rows))
        return {
            "urbanization_resident_origin": _ratio(urban_places, persons),
            "urbanization_registered_origin": _ratio(urban_hukou, persons),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The county table, place panel, flows and migration age profile as DataFrames."""
        text_in_heap()
        places = self.places.columns()
        ages = {k: np.concatenate([year[k] for year in self.ages]) for k in self.ages[0]}
        return {
            "county": pd.DataFrame(self.county),
            "places": pd.DataFrame(places),
            "flows": pd.DataFrame(self.flows),
            "ages": pd.DataFrame(ages),
        }

    def record(self, model, start_residents: np.ndarray) -> None:
        p, world, st, tally = model.persons, model.world, model.state, model.tally
        scale = model.scenario.simulation.scale
        n, year = world.n, model.year
        level = world.level
        in_county = world.is_county.take(p.residence)  # persons living in the county

        count = np.bincount(p.residence, minlength=n)  # persons living in each place
        residents = scale * count
        registered = scale * np.bincount(p.hukou_place, minlength=n)
        by_level = np.bincount(level, weights=residents, minlength=N_LEVELS)
        reg_level = np.bincount(level, weights=registered, minlength=N_LEVELS)
        st.residents, st.registered = residents.astype(float), registered.astype(float)

        row: dict[str, float] = {"year": year}
        for code, name in (
            (COUNTY_TOWN, "county_town"),
            (TOWNSHIP, "township"),
            (VILLAGE, "village"),
        ):
            row[f"residents_{name}"] = by_level[code]
        row["residents_outside"] = by_level[CITY]
        row["residents_county"] = by_level[:CITY].sum()
        for code, name in (
            (COUNTY_TOWN, "county_town"),
            (TOWNSHIP, "township"),
            (VILLAGE, "village"),
        ):
            row[f"registered_{name}"] = reg_level[code]
        row["registered_total"] = reg_level[:CITY].sum()

        # Where the place decides, persons are counted per place: the same counts.
        in_county_count = count[world.is_county].sum()
        row["urbanization_resident"] = _ratio(
            count[world.is_county & world.is_urban].sum(), in_county_count
        )
        urban_hukou_here = np.count_nonzero(p.hukou_urban & in_county)
        row["urbanization_registered"] = _ratio(urban_hukou_here, in_county_count)
        row.update(self.origin_urbanization(model, count))

        home = model.households.home.take(p.hh)  # each person's household's home place
        at_home = p.residence == home
        row.update(self._migrant_workers(model, scale, year, home))
        row.update(self._incomes(model, in_county))
        # Job seekers (non-farm, in work or not) and the unemployed, shared with the places:
        # their places of residence and of work.
        seeking = np.flatnonzero(IS_NONFARM[p.status] & (p.workplace >= 0))
        idle = np.flatnonzero(p.status.take(seeking) == UNEMPLOYED)
        seekers = {"residence": p.residence.take(seeking), "workplace": p.workplace.take(seeking)}
        unemployed = {k: v.take(idle) for k, v in seekers.items()}
        row.update(self._unemployment(model, seekers["residence"], unemployed["residence"]))
        row.update(self._accounting(model, start_residents, residents))
        row.update(census_comparable(model, in_county, at_home))  # as in the census tables
        row["urbanization_gap"] = row["urbanization_resident"] - row["urbanization_registered"]
        row["return_moves"] = scale * tally.returns
        row["left_behind_children"] = scale * self._left_behind(model)
        row["left_behind_elderly"] = scale * self._left_behind_elderly(model, home, at_home)
        for module in model.modules:
            row.update(module.outputs(model))
        row.update({LEVER_COLUMN_PREFIX + path: value for path, value in model.levers.items()})
        self.county.append(row)

        self._place_rows(
            model, count, residents, registered, seekers["workplace"], unemployed["workplace"]
        )
        for o in range(N_LEVELS):
            for d in range(N_LEVELS):
                self.flows.append(
                    {
                        "year": year,
                        "origin_level": LEVELS[o],
                        "destination_level": LEVELS[d],
                        "persons": scale * int(tally.flows[o, d]),
                    }
                )

    def _migrant_workers(self, model, scale, year, home_of) -> dict:
        p, world = model.persons, model.world
        working = ~p.hukou_urban & IS_AT_WORK[p.status] & (p.workplace >= 0)
        rows = np.flatnonzero(working)
        home = home_of.take(rows)
        seat = world.township_of()
        work = p.workplace.take(rows)
        local = (work == home) | (work == seat.take(home))
        # Local, near, province or far, by age band: one count gives every total. The
        # distance of each workplace, then the local ones' by index (the same codes as a
        # select, which mispredicts a branch for every other worker).
        where = DISTANCE_OF_REGION.take(world.region).take(work)
        where[np.flatnonzero(local)] = LOCAL
        n_bands = len(AGE_EDGES)
        where *= n_bands
        where += age_band(p.age.take(rows))
        by_band = np.bincount(where, minlength=len(DISTANCES) * n_bands).reshape(
            len(DISTANCES), n_bands
        )
        n_local, n_out = scale * by_band[LOCAL].sum(), scale * by_band[LOCAL + 1 :].sum()
        tally = model.tally
        self.ages.append(
            {
                "year": np.full(n_bands, year),
                "age_band": np.array(AGE_LABELS, dtype=object),
                "moves": scale * tally.moves_by_age,
                "returns": scale * tally.returns_by_age,
                "migrant_workers_local": scale * by_band[LOCAL],
                "migrant_workers_out": scale * by_band[LOCAL + 1 :].sum(axis=0),
            }
        )
        return {
            "migrant_workers_local": n_local,
            "migrant_workers_out": n_out,
            "migrant_local_share": n_local / max(n_local + n_out, 1),
            "migrants_near": scale * by_band[DISTANCES.index("near")].sum(),
            "migrants_province": scale * by_band[DISTANCES.index("province")].sum(),
            "migrants_far": scale * by_band[DISTANCES.index("far")].sum(),
        }

    def _incomes(self, model, in_county) -> dict:
        """Mean incomes of urban and rural residents of the county, and inequality among
        its residents (Gini, Theil split by urban residence and by hukou type)."""
        p, world = model.persons, model.world
        rows = np.flatnonzero(in_county)  # indices, then gathers: cheaper than masks
        y = p.income_pc.take(rows)
        urban = world.is_urban.take(p.residence.take(rows))
        n_urban = np.count_nonzero(urban)
        n_rural = len(rows) - n_urban
        splits = None
        if y.sum() > 0:
            # Both splits from one pass of logarithms (see `theil_splits`); the split by
            # urban residence has the groups' means, the same masked sums over counts.
            splits = theil_splits(y, [urban, p.hukou_urban.take(rows)])
            means = dict(zip(splits[0].groups, splits[0].means, strict=True))
            mean_u, mean_r = means.get(1, np.nan), means.get(0, np.nan)
        else:
            # Means as masked sums (the sum of a group's incomes without copying them).
            mean_u = float(np.multiply(y, urban).sum() / n_urban) if n_urban else np.nan
            mean_r = float(np.multiply(y, ~urban).sum() / n_rural) if n_rural else np.nan
        out = {
            "income_urban_pc": mean_u,
            "income_rural_pc": mean_r,
            "income_ratio": mean_u / mean_r if mean_r > 0 else np.nan,
        }
        prices = model.incomes.price_index(model.scenario, model.year)  # base year = 1
        out["income_urban_pc_real"] = mean_u / prices
        out["income_rural_pc_real"] = mean_r / prices
        if splits is not None:
            split, by_hukou = splits
            out.update(gini=gini(y), theil=split.total, theil_between=split.between)
            out["theil_within"] = split.within
            out["theil_hukou_between"] = by_hukou.between
            out["theil_hukou_within"] = by_hukou.within
        else:
            for key in ("gini", "theil", "theil_between", "theil_within"):
                out[key] = np.nan
            out["theil_hukou_between"] = out["theil_hukou_within"] = np.nan
        return out

    def _unemployment(self, model, seeking_at: np.ndarray, unemployed_at: np.ndarray) -> dict:
        """Unemployment rate by level of the place of residence, from the places where job
        seekers and the unemployed live (counted per place, then per level)."""
        n, level = model.world.n, model.world.level
        force = np.bincount(level, np.bincount(seeking_at, minlength=n), minlength=N_LEVELS)
        idle = np.bincount(level, np.bincount(unemployed_at, minlength=n), minlength=N_LEVELS)
        rate = np.divide(idle, force, out=np.zeros(N_LEVELS), where=force > 0)
        return {f"unemployment_{name}": rate[code] for code, name in enumerate(LEVELS)}

    def _accounting(self, model, start_residents, residents) -> dict:
        """County residents: start + births - deaths - exits + entries = end, where exits and
        entries are moves between the county's places and the outside cities."""
        tally, level, scale = model.tally, model.world.level, model.scenario.simulation.scale
        county = level != CITY
        return {
            "population_start": float(start_residents[county].sum()),
            "births": scale * float(tally.births_by_place[county].sum()),
            "deaths": scale * float(tally.deaths_by_place[county].sum()),
            "exits": scale * float(tally.flows[:CITY, CITY].sum()),
            "entries": scale * float(tally.flows[CITY, :CITY].sum()),
            "population_end": float(residents[county].sum()),
            "births_outside": scale * float(tally.births_by_place[~county].sum()),
            "deaths_outside": scale * float(tally.deaths_by_place[~county].sum()),
            "remittances_sent": tally.remittances_sent,
            "remittances_received": tally.remittances_received,
        }

    def _left_behind(self, model) -> int:
        p = model.persons
        kids = np.flatnonzero((p.age < 16) & (p.mother >= 0))
        mum = p.rows_of(p.mother.take(kids))
        ok = np.flatnonzero(mum >= 0)
        return int(
            np.count_nonzero(p.residence.take(kids.take(ok)) != p.residence.take(mum.take(ok)))
        )

    def _left_behind_elderly(self, model, home, at_home) -> int:
        """Persons of 60 or more living at home in a village whose household's members of
        working age (16-59) all live elsewhere. `home` is each person's household's home
        place and `at_home` whether she lives there."""
        p, hh = model.persons, model.households
        working_age = np.flatnonzero((p.age >= 16) & (p.age < 60))
        n_hh = len(hh)
        # Members of working age of each household, away (column 0) and at home (1).
        key = p.hh.take(working_age).astype(np.int64) * 2 + at_home.take(working_age)
        members = np.bincount(key, minlength=2 * n_hh).reshape(n_hh, 2)
        empty_nest = (members[:, 0] > 0) & (members[:, 1] == 0)
        old = np.flatnonzero((p.age >= 60) & at_home)
        village = model.world.level.take(home.take(old)) == VILLAGE
        return int(np.count_nonzero(village & empty_nest.take(p.hh.take(old))))

    def _place_rows(self, model, count, residents, registered, seeking_at, unemployed_at) -> None:
        """The year's place panel; `count` is persons living in each place, `seeking_at`
        and `unemployed_at` the workplaces of non-farm job seekers and of those without
        work."""
        p, world, st = model.persons, model.world, model.state
        n = world.n
        income = np.bincount(p.residence, weights=p.income_pc, minlength=n)
        income_pc = np.divide(income, count, out=np.zeros(n), where=count > 0)
        force = np.bincount(seeking_at, minlength=n)
        idle = np.bincount(unemployed_at, minlength=n)
        unemployment = np.divide(idle, force, out=np.zeros(n), where=force > 0)
        scale = model.scenario.simulation.scale
        block = {
            "year": np.full(n, model.year),
            "place_id": world.ids,
            "name": np.array(world.names, dtype=object),
            "level": np.array(LEVELS, dtype=object)[world.level],
            "residents": residents,
            "registered": registered,
            "employment": st.employment.copy(),
            "income_pc": income_pc,
            "wage": st.wage.copy(),
            "unemployment_rate": unemployment,
            "moves_in": scale * model.tally.moves_in,
            "moves_out": scale * model.tally.moves_out,
            "land_farmed_mu": st.land_farmed.copy(),
            "land_idle_mu": st.land_idle.copy(),
            "farm_output": st.farm_output.copy(),
        }
        for module in model.modules:
            block.update(module.place_outputs(model))
        self.places.append(block)


@functools.cache
def text_in_heap() -> bool:
    """Let pandas' text columns (Arrow arrays) use the C library's heap, where the model's
    freed memory is kept for reuse (`memory.keep_freed_memory`), instead of Arrow's own
    allocator, which reserves arenas of its own: about 12 MB more resident memory for the
    tables of a run, a third of a 200,000-person county's memory beyond its arrays. Once
    per process (it sets Arrow's default pool); returns whether it was done."""
    if not keep_freed_memory():
        return False
    try:
        import pyarrow
    except ImportError:
        return False
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    return True


def _ratio(count, of) -> float:
    """A count over another (persons over persons); NaN where there are none."""
    return float(count / of) if of else float("nan")
