"""The quantities a county panel compares with the census: where each is in a run's county
table and in the census tables of 2010 and 2020.

Census columns are those of ``county_census_2010.csv`` and
``county_census_2020_calibration.csv`` (see the census notes shipped with the data): the 2010
table counts residents whose hukou is elsewhere as ``in_migrants_*``, the 2020 table as
``hukou_elsewhere_*``; both count people living away from the township of their hukou.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """One county quantity: its label and unit, the county-table column of a run, and the
    columns of the 2010 and 2020 census tables. ``log`` quantities are scored on the log
    scale (errors in log points), since county sizes span two orders of magnitude."""

    name: str
    label: str
    unit: str
    model_column: str
    census_2010: str
    census_2020: str
    log: bool = False


QUANTITIES: tuple[Quantity, ...] = (
    Quantity("residents", "resident population (log)", "persons", "residents_county", "residents",
             "residents", log=True),
    Quantity("urban_share", "urban share of residents", "share", "urbanization_resident",
             "urban_share", "urban_share"),
    Quantity("share_65_plus", "share aged 65+", "share", "share_65_plus", "share_age_65_plus",
             "share_age_65_plus"),
    Quantity("household_size", "persons per family household", "persons", "household_size",
             "household_size", "household_size"),
    Quantity("hukou_elsewhere_same_county_share", "hukou elsewhere: same county", "share",
             "hukou_elsewhere_same_county_share", "in_migrants_same_county_share",
             "hukou_elsewhere_same_county_share"),
    Quantity("hukou_elsewhere_other_county_share", "hukou elsewhere: other county of the province",
             "share", "hukou_elsewhere_other_county_share",
             "in_migrants_other_county_same_province_share",
             "hukou_elsewhere_other_county_same_province_share"),
    Quantity("hukou_elsewhere_other_province_share", "hukou elsewhere: other province", "share",
             "hukou_elsewhere_other_province_share", "in_migrants_other_province_share",
             "hukou_elsewhere_other_province_share"),
)  # fmt: skip

BY_NAME = {q.name: q for q in QUANTITIES}

#: The change of the resident population between the two censuses, in log points; scored
#: as a quantity of its own (it is what a county's growth or decline is judged on).
LOG_CHANGE = "residents_log_change"

#: Everything scored, in display order: the quantities, with the log change after residents.
SCORED = ("residents", LOG_CHANGE, *(q.name for q in QUANTITIES[1:]))

LABELS = {q.name: q.label for q in QUANTITIES} | {
    LOG_CHANGE: "change of resident population since 2010 (log)"
}
UNITS = {q.name: q.unit for q in QUANTITIES} | {LOG_CHANGE: "log points"}

#: 2020 census columns a targets file must have (besides ``code``).
TARGET_COLUMNS = ("code", *dict.fromkeys(q.census_2020 for q in QUANTITIES))
#: 2010 census columns the panel needs (selection, quantities and null-model covariates).
CENSUS_KEY_COLUMNS = ("code", "name", "province_code", "province", "region", "unit_type")
