"""What every recorded column means and in which unit, table by table.

The recorder (:mod:`countysim.recorder`) and the modules' ``outputs``/``place_outputs``
write the columns; this table says what they are. ``docs/outputs.md`` is generated from it
(``python docs/output_table.py``), and a test fails when a run records a column that has no
entry here or when the document is stale.

Units: ``persons`` are counts of people (simulated rows times ``simulation.scale``);
``share`` is a fraction 0-1; ``yuan``/``yuan per year`` are nominal yuan (prices of each
year, as the statistics report them) unless the unit says "at base-year prices"; ``mu`` is
the Chinese land unit (1/15 hectare); ``index`` is a dimensionless measure; ``year`` a
calendar year.
"""

from __future__ import annotations

from typing import NamedTuple

from countysim.recorder import LEVER_COLUMN_PREFIX


class Column(NamedTuple):
    meaning: str
    unit: str


def _levels(prefix: str, meaning: str, unit: str, levels: tuple[str, ...]) -> dict[str, Column]:
    names = {
        "county_town": "the county town",
        "township": "township seats",
        "village": "villages",
        "city": "outside cities",
        "outside": "outside cities",
    }
    return {f"{prefix}_{lv}": Column(meaning.format(where=names[lv]), unit) for lv in levels}


_COUNTY_LEVELS = ("county_town", "township", "village")
_ALL_LEVELS = ("village", "township", "county_town", "city")

COUNTY: dict[str, Column] = {
    "year": Column("calendar year of the row", "year"),
    **_levels(
        "residents",
        "residents of {where} at the end of the year",
        "persons",
        _COUNTY_LEVELS,
    ),
    "residents_outside": Column(
        "people from the county living in outside cities at the end of the year", "persons"
    ),
    "residents_county": Column(
        "residents of the county (county town, township seats, villages)", "persons"
    ),
    **_levels(
        "registered", "persons whose hukou is registered in {where}", "persons", _COUNTY_LEVELS
    ),
    "registered_total": Column("persons whose hukou is registered in the county", "persons"),
    "urbanization_resident": Column(
        "share of county residents living in the county town or a township seat", "share"
    ),
    "urbanization_registered": Column("share of county residents holding an urban hukou", "share"),
    "urbanization_resident_origin": Column(
        "share of the county's origin population living in a town or city (origin population: "
        "persons registered in the county at the start or born since, alive, wherever they "
        "live, those who settled in a city included; not persons from outside the county)",
        "share",
    ),
    "urbanization_registered_origin": Column(
        "share of the county's origin population (as above) holding an urban hukou, of the "
        "county or of a city: the county's analogue of national hukou urbanization, which "
        "a settler in a city raises",
        "share",
    ),
    "urbanization_gap": Column(
        "resident minus registered urbanization of county residents", "share"
    ),
    "migrant_workers_local": Column(
        "rural-hukou persons in non-farm work within their home township", "persons"
    ),
    "migrant_workers_out": Column(
        "rural-hukou persons in non-farm work outside their home township", "persons"
    ),
    "migrant_local_share": Column("local migrant workers among all migrant workers", "share"),
    "migrants_near": Column(
        "out-migrant workers working elsewhere in the county or in the prefecture city", "persons"
    ),
    "migrants_province": Column("out-migrant workers working elsewhere in the province", "persons"),
    "migrants_far": Column("out-migrant workers working outside the province", "persons"),
    "income_urban_pc": Column(
        "mean per-capita disposable household income of residents of the county town and "
        "township seats; empty (NaN) in a year when nobody lives there",
        "yuan per year",
    ),
    "income_rural_pc": Column(
        "mean per-capita disposable household income of village residents; empty (NaN) in a "
        "year when nobody lives in a village",
        "yuan per year",
    ),
    "income_ratio": Column(
        "urban over rural per-capita income of county residents; empty (NaN) when village "
        "residents have no income (or there are none), where the ratio has no value",
        "ratio",
    ),
    "income_urban_pc_real": Column(
        "income_urban_pc deflated by consumer_price_index", "yuan per year at base-year prices"
    ),
    "income_rural_pc_real": Column(
        "income_rural_pc deflated by consumer_price_index", "yuan per year at base-year prices"
    ),
    "consumer_price_index": Column(
        "national consumer prices relative to incomes.price_base_year (1 there)", "index"
    ),
    "gini": Column(
        "Gini coefficient of per-capita income among county residents; this and the Theil "
        "columns are empty (NaN) in a year when county residents have no income at all, where "
        "inequality has no value",
        "index",
    ),
    "theil": Column("Theil T index of per-capita income among county residents", "index"),
    "theil_between": Column("Theil T between urban and rural residents", "index"),
    "theil_within": Column("Theil T within urban and within rural residents", "index"),
    "theil_hukou_between": Column("Theil T between urban- and rural-hukou residents", "index"),
    "theil_hukou_within": Column("Theil T within each hukou type", "index"),
    **_levels(
        "unemployment",
        "unemployed among non-farm job seekers living in {where}",
        "share",
        _ALL_LEVELS,
    ),
    "population_start": Column("county residents at the start of the year", "persons"),
    "births": Column("births to county residents in the year", "persons"),
    "deaths": Column("deaths of county residents in the year", "persons"),
    "exits": Column("moves from a county place to an outside city in the year", "persons"),
    "entries": Column("moves from an outside city to a county place in the year", "persons"),
    "population_end": Column(
        "county residents at the end of the year (start + births - deaths - exits + entries)",
        "persons",
    ),
    "births_outside": Column(
        "births to people from the county living in outside cities", "persons"
    ),
    "deaths_outside": Column(
        "deaths of people from the county living in outside cities", "persons"
    ),
    "remittances_sent": Column(
        "money sent home by household members living away, in the year", "yuan per year"
    ),
    "remittances_received": Column(
        "remittances received by households at home, in the year", "yuan per year"
    ),
    "share_65_plus": Column("county residents aged 65 or more (census-comparable)", "share"),
    "household_size": Column(
        "county residents per co-resident household (census-comparable)", "persons"
    ),
    "hukou_elsewhere_same_county_share": Column(
        "county residents with hukou in another township of the county", "share"
    ),
    "hukou_elsewhere_other_county_share": Column(
        "county residents with hukou in another county of the province", "share"
    ),
    "hukou_elsewhere_other_province_share": Column(
        "county residents with hukou in another province", "share"
    ),
    "farm_employment_share": Column(
        "farmers among county residents who work; empty (NaN) in a year when none works",
        "share",
    ),
    "mean_years_schooling": Column(
        "mean years of schooling of county residents aged 6 and over; empty (NaN) when there "
        "are none",
        "years",
    ),
    "return_moves": Column("moves back to the household's home place in the year", "persons"),
    "left_behind_children": Column(
        "children under 16 not living in the same place as their mother", "persons"
    ),
    "left_behind_elderly": Column(
        "persons of 60 or more at home in a village whose working-age (16-59) household "
        "members all live elsewhere",
        "persons",
    ),
    "land_leased_share": Column("contracted village land leased out", "share"),
    "land_idle_share": Column("village land left idle", "share"),
    "land_informal_share": Column(
        "village land lent informally to kin or neighbours (no formal lease)", "share"
    ),
    "farm_size_mu": Column("land farmed per farming household", "mu"),
    "land_per_farm_worker_mu": Column("land farmed and leased per farm worker", "mu"),
    "farm_output_per_mu": Column("farm output per mu of arable land", "yuan per mu"),
    "land_rent_yuan_per_mu": Column("mean rent of leased land", "yuan per mu per year"),
    "land_returned_mu": Column(
        "contracted land returned to the collective by settlers in the year", "mu"
    ),
    "land_collective_mu": Column("land held by the village collectives (not contracted)", "mu"),
    "land_readjustment_risk": Column(
        "expected chance of a land readjustment, as households see it", "share"
    ),
    "away_share_rural": Column(
        "working-age members of village collectives living outside the county", "share"
    ),
    "away_share_land_rich": Column(
        "the same among members with land per member above the county median", "share"
    ),
    "savings_collected": Column(
        "household savings collected by county financial institutions in the year", "yuan per year"
    ),
    "savings_kept_in_cities": Column(
        "savings of migrants kept where they work, not sent home", "yuan per year"
    ),
    "retained_profits": Column("profits retained by county firms for investment", "yuan per year"),
    "investment_outflow": Column(
        "savings and profits invested outside the county", "yuan per year"
    ),
    "outside_investment": Column(
        "investment from outside the county (a policy lever)", "yuan per year"
    ),
    "infrastructure_investment": Column(
        "public infrastructure investment in the county town", "yuan per year"
    ),
    "investment_county": Column("investment in county places in the year", "yuan per year"),
    **_levels("investment", "investment in {where} in the year", "yuan per year", _COUNTY_LEVELS),
    "capital_county": Column("productive capital stock of county places", "yuan"),
    **_levels("capital", "productive capital stock of {where}", "yuan", _COUNTY_LEVELS),
    "infrastructure_capital_county_town": Column(
        "infrastructure capital of the county town", "yuan"
    ),
    "infrastructure_tfp_multiplier": Column(
        "productivity multiplier of county-town firms from infrastructure", "index"
    ),
    "budget_revenue": Column("county's own fiscal revenue in the year", "yuan per year"),
    "budget_transfers": Column("fiscal transfers received from higher levels", "yuan per year"),
    "budget_settlement_rewards": Column(
        "transfers rewarding migrants settled in the county", "yuan per year"
    ),
    "budget_available": Column(
        "revenue, transfers, rewards and the reserve carried over", "yuan per year"
    ),
    "budget_spent_services": Column(
        "spending on public services (schools, clinics)", "yuan per year"
    ),
    "budget_spent_other": Column("other spending", "yuan per year"),
    "budget_spent": Column("all spending in the year", "yuan per year"),
    "budget_balance": Column("reserve carried to the next year", "yuan"),
    "public_staff_pay": Column(
        "pay of public-service staff in county places: the staff share of last year's"
        " service spending, paid in the year's labour markets",
        "yuan per year",
    ),
    "public_staff": Column(
        "public-service staff (teachers, doctors, officials) working in county places",
        "effective workers",
    ),
    "service_cost_per_unit": Column(
        "yearly running cost of one unit of service capacity (one user served)", "yuan per year"
    ),
    "service_capacity": Column("public-service capacity of county places", "users"),
    "service_users": Column("users of public services in county places", "persons"),
    "idle_capacity": Column("capacity without users", "users"),
    "idle_capacity_share": Column("idle capacity among all capacity", "share"),
    "idle_capacity_cost": Column("running cost of idle capacity", "yuan per year"),
    "service_shortfall_share": Column("users beyond the capacity of their place", "share"),
    **_levels(
        "service_quality", "user-weighted service quality in {where}", "index", _COUNTY_LEVELS
    ),
    "service_coverage_dispersion": Column(
        "standard deviation of capacity over users across county places", "index"
    ),
    "settlements_county": Column("hukou settlements in county places in the year", "persons"),
    "settlements_city": Column("hukou settlements in outside cities in the year", "persons"),
    "hukou_conversions_requisition": Column(
        "villagers given an urban hukou in the year when their contract land was requisitioned",
        "persons",
    ),
    "hukou_conversions_reclassification": Column(
        "rural hukou holders of villages reclassified as urban in the year", "persons"
    ),
    "hukou_conversions_college": Column(
        "rural-hukou college entrants who moved their hukou to the college's city in the year",
        "persons",
    ),
    "land_requisitioned_mu": Column(
        "contract land requisitioned in the year for the growth of the county's towns", "mu"
    ),
    "villages_reclassified": Column(
        "villages reclassified as urban residents' committees so far", "villages"
    ),
    "pension_coverage_migrants": Column(
        "migrant workers enrolled in the employee pension scheme", "share"
    ),
    "pension_coverage_workers": Column(
        "working-age workers enrolled in the employee pension scheme", "share"
    ),
    "pension_income_rural_elderly": Column(
        "mean pension of retirees living in villages", "yuan per year"
    ),
    "pension_income_urban_elderly": Column(
        "mean pension of retirees living in towns", "yuan per year"
    ),
    "pension_employee_contributions": Column(
        "contributions to the employee scheme in the year", "yuan per year"
    ),
    "pension_employee_benefits": Column("benefits paid by the employee scheme", "yuan per year"),
    "pension_employee_transfers": Column(
        "pension rights transferred out when workers move", "yuan per year"
    ),
    "pension_employee_lost": Column(
        "pension rights lost on moving (not portable)", "yuan per year"
    ),
    "pension_employee_forfeited": Column(
        "contributions forfeited by those who leave before vesting", "yuan per year"
    ),
    "pension_employee_subsidy": Column("public subsidy to the employee scheme", "yuan per year"),
    "pension_employee_balance": Column("fund balance of the employee scheme", "yuan"),
    "pension_resident_contributions": Column(
        "contributions to the resident scheme", "yuan per year"
    ),
    "pension_resident_contributions_government": Column(
        "part of pension_resident_contributions that the local government pays for members "
        "whose earnings do not cover the contribution",
        "yuan per year",
    ),
    "pension_resident_benefits": Column("benefits paid by the resident scheme", "yuan per year"),
    "pension_resident_subsidy": Column("public subsidy to the resident scheme", "yuan per year"),
    "pension_resident_balance": Column("fund balance of the resident scheme", "yuan"),
}

#: The county table's lever columns: ``lever:<dotted scenario key>``.
LEVER_COLUMN = Column(
    "value of the policy lever at that scenario key in force that year", "unit of the scenario key"
)

PLACES: dict[str, Column] = {
    "year": Column("calendar year of the row", "year"),
    "place_id": Column("place number (row of the world table)", "id"),
    "name": Column("place name", "text"),
    "level": Column("village, township, county_town or city", "text"),
    "residents": Column("residents at the end of the year", "persons"),
    "registered": Column("persons whose hukou is registered here", "persons"),
    "employment": Column("jobs filled at the place", "persons"),
    "income_pc": Column(
        "mean over residents of their household's per-capita disposable income", "yuan per year"
    ),
    "wage": Column("non-farm wage at the place", "yuan per year"),
    "unemployment_rate": Column("unemployed among non-farm job seekers living here", "share"),
    "moves_in": Column("persons moving in during the year", "persons"),
    "moves_out": Column("persons moving out during the year", "persons"),
    "land_farmed_mu": Column("land farmed", "mu"),
    "land_idle_mu": Column("land left idle", "mu"),
    "farm_output": Column("value of farm output", "yuan per year"),
    "land_contracted_mu": Column("land contracted to households", "mu"),
    "land_requisitioned_mu": Column(
        "contract land requisitioned from the village in the year", "mu"
    ),
    "land_collective_mu": Column("land held by the collective", "mu"),
    "land_leased_mu": Column("contracted land leased out", "mu"),
    "land_rent_yuan_per_mu": Column("mean rent of leased land", "yuan per mu per year"),
    "capital": Column("productive capital stock", "yuan"),
    "investment": Column("investment in the year", "yuan per year"),
    "return_to_capital": Column(
        "return to capital used for investment decisions", "share per year"
    ),
    "service_capacity": Column("public-service capacity", "users"),
    "service_users": Column("users of public services", "persons"),
    "service_quality": Column("service quality", "index"),
    "idle_capacity": Column("capacity without users", "users"),
    "service_budget": Column("service budget allocated", "yuan per year"),
    "service_spent": Column("service budget spent", "yuan per year"),
}

FLOWS: dict[str, Column] = {
    "year": Column("calendar year of the row", "year"),
    "origin_level": Column("level moved from (village, township, county_town, city)", "text"),
    "destination_level": Column("level moved to", "text"),
    "persons": Column(
        "persons moving from a place of the origin level to one of the destination level", "persons"
    ),
}

AGES: dict[str, Column] = {
    "year": Column("calendar year of the row", "year"),
    "age_band": Column("age band, e.g. 20-24 or 65+", "years"),
    "moves": Column("persons of the band moving in the year", "persons"),
    "returns": Column("moves of the band back to the household home", "persons"),
    "migrant_workers_local": Column("local migrant workers of the band", "persons"),
    "migrant_workers_out": Column("out-migrant workers of the band", "persons"),
}

WORLD: dict[str, Column] = {
    "place_id": Column("place number", "id"),
    "name": Column("place name", "text"),
    "level": Column("village, township, county_town or city", "text"),
    "parent": Column("place_id of the place above (township seat, county town); -1 for none", "id"),
    "x_km": Column("east-west position", "km"),
    "y_km": Column("north-south position", "km"),
    "arable_mu": Column("arable land of the place", "mu"),
    "registered_initial": Column("registered population at the start", "persons"),
}

#: Columns added to every table by ``countysim run --replicates`` and ``compare``.
REPLICATE_EXTRAS: dict[str, Column] = {
    "replicate": Column(
        "replicate number (0, 1, ...); every table of a replicate run has it", "id"
    ),
}
SUMMARY: dict[str, Column] = {
    "indicator": Column("county-table column summarised", "text"),
    "year": Column("calendar year", "year"),
    "mean": Column("mean over replicates", "unit of the indicator"),
    "p05": Column("5% quantile over replicates", "unit of the indicator"),
    "p95": Column("95% quantile over replicates", "unit of the indicator"),
}
COMPARISON_EXTRAS: dict[str, Column] = {
    "scenario": Column("scenario name", "text"),
    "seed": Column("seed of the run", "id"),
    "near_share": Column(
        "out-migrant workers in the county or prefecture city among all out-migrant workers",
        "share",
    ),
    "far_share": Column(
        "out-migrant workers outside the province among all out-migrant workers", "share"
    ),
}

#: Every table a run writes, by the name of its CSV file.
TABLES: dict[str, dict[str, Column]] = {
    "county": COUNTY,
    "places": PLACES,
    "flows": FLOWS,
    "ages": AGES,
    "world": WORLD,
}
#: Tables and columns of replicate runs and comparisons (besides the run tables).
EXTRA_TABLES: dict[str, dict[str, Column]] = {
    "any table of a replicate run": REPLICATE_EXTRAS,
    "summary (replicate runs)": SUMMARY,
    "comparison (compare)": COMPARISON_EXTRAS,
}


def definition(table: str, column: str) -> Column | None:
    """The definition of a recorded column, or None when it has none."""
    if table == "county" and column.startswith(LEVER_COLUMN_PREFIX):
        return LEVER_COLUMN
    if column in REPLICATE_EXTRAS:
        return REPLICATE_EXTRAS[column]
    return TABLES.get(table, {}).get(column)


def undefined(table: str, columns) -> list[str]:
    """The columns of ``table`` that have no definition here."""
    return [c for c in columns if definition(table, c) is None]
