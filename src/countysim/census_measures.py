"""County-table quantities defined as the census defines them, so that a simulated county
can be set beside its census figures (``countysim.census``, docs/census.md).

All are over the county's residents (persons living in its county town, township seats and
villages), whatever their hukou:
- ``share_65_plus``: share aged 65 or more;
- ``household_size``: residents per co-resident household, i.e. per group of members of one
  household living in one place. The census counts family households by who lives
  together, so a member working in a city is not in the count at home; the model keeps
  him in his household, which therefore counts once at home and once in the city. The
  census leaves out collective households (dormitories); the model has none;
- ``hukou_elsewhere_*_share``: residents whose hukou is registered in another township of
  the county (``same_county``: a place of another township, the county town counting as
  one), in another county of the province (``other_county``: the prefecture city or the
  provincial capital) or in another province (``other_province``);
- ``farm_employment_share``: farmers among residents who work (farming, formal or
  informal non-farm work), as the census's share of workers in agriculture;
- ``mean_years_schooling``: mean years of schooling of residents aged 6 and over, by
  ``census.YEARS_BY_EDUCATION``, a child counting the years since age 6.
"""

from __future__ import annotations

import numpy as np

from countysim.census import YEARS_BY_EDUCATION
from countysim.population import EMPLOYED, FARMER, INFORMAL
from countysim.world import CITY, IN_COUNTY, OUTSIDE_PROVINCE, PREFECTURE, PROVINCE, VILLAGE


def census_comparable(
    model, county: np.ndarray | None = None, at_home: np.ndarray | None = None
) -> dict[str, float]:
    """This year's census-comparable quantities of the county's residents. `county` (the
    mask of persons living in the county) and `at_home` (of persons living at their
    household's home) may be passed by a caller that has them already."""
    p, world = model.persons, model.world
    if county is None:
        county = world.level[p.residence] != CITY
    rows = np.flatnonzero(county)  # indices, then gathers: cheaper than masks, once
    residents = len(rows)
    if residents == 0:
        return dict.fromkeys(CENSUS_COLUMNS, float("nan"))
    # Gathers by `take` into int32 (place codes), each freed when counted: the recorder's
    # memory peak of the year passes through here.
    res, hukou = p.residence.take(rows), p.hukou_place.take(rows)
    area = np.arange(world.n, dtype=np.int32)
    village = world.level == VILLAGE
    area[village] = world.parent[village]
    # Residents by the region of their hukou place: counted per place, then summed.
    by_hukou = np.bincount(hukou, minlength=world.n)
    other_county = int(by_hukou[(world.region == PREFECTURE) | (world.region == PROVINCE)].sum())
    other_province = int(by_hukou[world.region == OUTSIDE_PROVINCE].sum())
    # A hukou in the county in another area than the residence; -1 marks a city's hukou.
    county_area = np.where(world.region == IN_COUNTY, area, -1).astype(np.int32).take(hukou)
    del hukou
    same_county = int(np.count_nonzero((county_area >= 0) & (county_area != area.take(res))))
    del county_area
    units = _co_resident_households(model, rows, res, at_home)
    del res

    # Shares are counts over residents: the same numbers as the means of the masks.
    # The three states counted by comparing the int8 codes (a count of every code would
    # cast them to indices first, four times the time).
    status = p.status.take(rows)
    farmers = int(np.count_nonzero(status == FARMER))
    workers = farmers + int(np.count_nonzero(status == EMPLOYED))
    workers += int(np.count_nonzero(status == INFORMAL))
    del status
    age = p.age.take(rows)
    school = np.flatnonzero(age >= 6)
    edu = p.edu.take(rows.take(school))
    years = np.minimum(np.asarray(YEARS_BY_EDUCATION).take(edu), age.take(school) - 6)
    return {
        "share_65_plus": np.count_nonzero(age >= 65) / residents,
        "household_size": residents / units,
        "hukou_elsewhere_same_county_share": same_county / residents,
        "hukou_elsewhere_other_county_share": other_county / residents,
        "hukou_elsewhere_other_province_share": other_province / residents,
        "farm_employment_share": farmers / workers if workers else float("nan"),
        "mean_years_schooling": float(years.mean()) if len(years) else float("nan"),
    }


def _co_resident_households(
    model, rows: np.ndarray, res: np.ndarray, at_home: np.ndarray | None
) -> int:
    """Distinct (household, place) pairs among county residents (`rows`, living at `res`).
    Most live at their household's home, counted with a bincount; the rest by sorting
    their pairs."""
    hh = model.persons.hh.take(rows)
    at_home = model.households.home.take(hh) == res if at_home is None else at_home.take(rows)
    # By index, not by mask: a mask in no order mispredicts a branch for every other row.
    home, away = np.flatnonzero(at_home), np.flatnonzero(~at_home)
    units = int(np.count_nonzero(np.bincount(hh.take(home), minlength=len(model.households))))
    away = np.sort(hh.take(away).astype(np.int64) * model.world.n + res.take(away))
    return units + (1 + int(np.count_nonzero(np.diff(away))) if len(away) else 0)


CENSUS_COLUMNS = (
    "share_65_plus",
    "household_size",
    "hukou_elsewhere_same_county_share",
    "hukou_elsewhere_other_county_share",
    "hukou_elsewhere_other_province_share",
    "farm_employment_share",
    "mean_years_schooling",
)
