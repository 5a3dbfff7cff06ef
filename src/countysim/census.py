"""The 2010 county census table: reading it once, searching it, and naming a county by it.

The table (``data/county_census_2010.csv``, see ``docs/census.md`` and ``seeds/README.md``)
holds every county-level unit of the 2010 census tabulation by county: residents,
registered population, urban residents, households, age bands, residents whose hukou is
registered elsewhere, schooling and farm work. A county of the model can be built from any
unit that is not an urban district (``census_county.py``); this module only reads and
searches the table, so that the scenario schema can check a code or name before anything
runs.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
from importlib import resources

import pandas as pd

#: Unit types of the table (by the end of the unit's name).
UNIT_TYPES = ("county", "county_city", "banner", "district", "other")
#: The statistics bureau's four regions.
REGIONS = ("east", "central", "west", "northeast")
#: Age bands of the table: (column, first age, last age); the last band is open (to 94 here).
AGE_BANDS = (
    ("share_age_0_14", 0, 14),
    ("share_age_15_24", 15, 24),
    ("share_age_25_34", 25, 34),
    ("share_age_35_44", 35, 44),
    ("share_age_45_54", 45, 54),
    ("share_age_55_64", 55, 64),
    ("share_age_65_plus", 65, 94),
)
#: Years of schooling of the model's three education levels (junior middle school or less,
#: senior high school, college). Assumption: the first level mixes no schooling, primary
#: (6 years) and junior middle school (9 years); senior high ends after 12 years; college
#: after 15-16 (three-year and four-year programmes).
YEARS_BY_EDUCATION = (7.0, 12.0, 15.5)

#: County-table columns and the 2010 census columns they compare with (docs/census.md). In
#: the 2020 table the hukou columns are named ``hukou_elsewhere_*`` instead.
COMPARABLE_2010 = {
    "residents_county": "residents",
    "urbanization_resident": "urban_share",
    "share_65_plus": "share_age_65_plus",
    "household_size": "household_size",
    "hukou_elsewhere_same_county_share": "in_migrants_same_county_share",
    "hukou_elsewhere_other_county_share": "in_migrants_other_county_same_province_share",
    "hukou_elsewhere_other_province_share": "in_migrants_other_province_share",
    "farm_employment_share": "farm_employment_share",
    "mean_years_schooling": "mean_years_schooling",
}

_INTEGER_COLUMNS = (
    "residents",
    "registered",
    "urban_residents",
    "rural_residents",
    "households",
    "household_residents",
    "in_migrants_other_county_same_province",
    "in_migrants_other_province",
    "long_form_workers",
)


#: The table, as a path inside the package (named in the provenance of runs that use it).
TABLE_FILE = "countysim/data/county_census_2010.csv"


@functools.cache
def table_sha256() -> str:
    """SHA-256 of the table file, for the provenance of runs built from it."""
    data = resources.files("countysim").joinpath("data/county_census_2010.csv").read_bytes()
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _table() -> pd.DataFrame:
    path = resources.files("countysim").joinpath("data/county_census_2010.csv")
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype={"code": str, "province_code": str, "data_flags": str})
    table["code"] = table["code"].str.zfill(6)
    table["province_code"] = table["province_code"].str.zfill(2)
    for column in _INTEGER_COLUMNS:
        table[column] = table[column].astype("int64")
    # Blank in 18 Tibetan units, where the source's figure is unusable: kept as missing.
    table["in_migrants_same_county"] = table["in_migrants_same_county"].astype("Int64")
    table["data_flags"] = table["data_flags"].fillna("")
    for column in ("unit_type", "region"):
        table[column] = table[column].astype("category")
    return table.set_index("code", drop=False).rename_axis(None)


def census_2010() -> pd.DataFrame:
    """Every county-level unit of the 2010 census, indexed by its 6-character ``code``.

    Read once per process; the frame is shared, so copy it before changing it.
    """
    return _table()


def find_counties(
    query: str | None = None,
    province: str | None = None,
    region: str | None = None,
    unit_type: str | None = None,
) -> pd.DataFrame:
    """Units of the 2010 census matching every filter given (a copy, in code order).

    ``query`` is the start of a code (digits) or part of a Chinese name; ``province`` a
    Chinese name (``河南`` or ``河南省``), an English name (``Henan``) or a 2-digit code;
    ``region`` one of REGIONS; ``unit_type`` one of UNIT_TYPES.
    """
    table = census_2010()
    keep = pd.Series(True, index=table.index)
    if query:
        query = str(query).strip()
        if query.isdigit():
            keep &= table["code"].str.startswith(query)
        else:
            keep &= table["name"].str.contains(query, regex=False)
    if province:
        keep &= _province_mask(table, str(province).strip())
    if region:
        if region not in REGIONS:
            raise ValueError(f"region {region!r} is not one of {', '.join(REGIONS)}")
        keep &= table["region"] == region
    if unit_type:
        if unit_type not in UNIT_TYPES:
            raise ValueError(f"unit type {unit_type!r} is not one of {', '.join(UNIT_TYPES)}")
        keep &= table["unit_type"] == unit_type
    return table[keep].copy()


def _province_mask(table: pd.DataFrame, province: str) -> pd.Series:
    if province.isdigit():
        mask = table["province_code"] == province.zfill(2)
    else:
        mask = (table["province"] == province) | table["province"].str.startswith(province)
        mask |= table["province_en"].str.lower() == province.lower()
    if not mask.any():
        names = sorted(set(table["province"]) | set(table["province_en"]))
        close = difflib.get_close_matches(province, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"no province {province!r}{hint}")
    return mask


def _label(row: pd.Series) -> str:
    return f"{row['code']} {row['name']} ({row['province']}{row['prefecture']})"


def _modelled(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["unit_type"] != "district"]


def _nearest_by_code(code: str, n: int = 3) -> list[str]:
    """Units a county can be built from whose codes are closest to ``code``: those of the
    same prefecture first, then by spelling."""
    units = _modelled(census_2010())
    same = units[units["code"].str[:4] == code[:4]]
    if len(same):
        gap = (same["code"].astype(int) - int(code)).abs() if code.isdigit() else None
        picked = same.loc[gap.sort_values(kind="stable").index] if gap is not None else same
        return [_label(row) for _, row in picked.head(n).iterrows()]
    close = difflib.get_close_matches(code, list(units["code"]), n=n, cutoff=0.5)
    return [_label(units.loc[c]) for c in close]


def check_code(code: str) -> str:
    """The code itself if it names a unit a county can be built from, else ValueError saying
    why (not six digits, unknown, or an urban district) and naming the nearest units."""
    table = census_2010()
    if not (len(code) == 6 and code.isdigit()):
        raise ValueError("a county code is six digits, e.g. '411421'")
    if code not in table.index:
        near = _nearest_by_code(code)
        hint = f"; nearest: {', '.join(near)}" if near else ""
        raise ValueError(f"no county-level unit of the 2010 census has this code{hint}")
    row = table.loc[code]
    if row["unit_type"] == "district":
        near = _nearest_by_code(code)
        hint = f"; counties nearby: {', '.join(near)}" if near else ""
        raise ValueError(
            f"{_label(row)} is an urban district of a prefecture city, not a county; a "
            f"county can be built from a county, county-level city or banner{hint}"
        )
    return code


def code_of_name(name: str) -> str:
    """The code of the unit called ``name`` (exactly, or else the only unit whose name
    starts with it), else ValueError listing the candidates or the nearest names."""
    table = census_2010()
    matches = table[table["name"] == name]
    if matches.empty:
        matches = table[table["name"].str.startswith(name)]
    if len(matches) == 1:
        return check_code(matches.index[0])
    if len(matches) > 1:
        shown = [_label(row) for _, row in matches.head(8).iterrows()]
        more = f" and {len(matches) - 8} more" if len(matches) > 8 else ""
        raise ValueError(
            f"{len(matches)} units match this name: {', '.join(shown)}{more}; give the code "
            "instead (county.census.code)"
        )
    close = difflib.get_close_matches(name, list(_modelled(table)["name"]), n=3, cutoff=0.4)
    hint = "; nearest: " + ", ".join(_label(table[table["name"] == c].iloc[0]) for c in close)
    raise ValueError(f"no unit of the 2010 census has this name{hint if close else ''}")


def unit(code: str) -> pd.Series:
    """The census row of a unit a county can be built from (ValueError if there is none)."""
    return census_2010().loc[check_code(code)]
