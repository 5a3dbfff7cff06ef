"""Build the parameter table of docs/ODD.md from the scenario schema and the baseline scenario.

Unit and allowed values of every parameter come from the schema (``countysim.config.schema``),
the default value and its source from ``scenarios/baseline.yaml`` (the trailing comment of the
key, or of the nearest enclosing key), and the meaning from ``MEANINGS`` below. The table
replaces the text between the markers ``<!-- parameters:start -->`` and
``<!-- parameters:end -->`` of docs/ODD.md.

    python docs/parameter_table.py            # rewrite the table
    python docs/parameter_table.py --check    # exit 1 if the table is out of date
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.scalarbool import ScalarBoolean

from countysim.config import type_alternatives
from countysim.config.schedule import ScheduleModel
from countysim.config.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"

#: Schema fields that label a scenario rather than parameterise the model.
NOT_PARAMETERS = frozenset({"name", "description"})

#: One short phrase per schema field, keyed by dotted path (``[]`` for any list item). The
#: symbols are those of the submodel equations in docs/ODD.md.
MEANINGS: dict[str, str] = {
    "seed": "seed of the single random number generator",
    "years.start": "first simulated (and recorded) year; $t = 0$",
    "years.end": "last simulated year",
    # simulation
    "simulation.substeps": "sub-steps per year $S$ (labour market, farming, choice)",
    "simulation.activity_rate": "chance $\\eta$ that a working person reconsiders in a sub-step",
    "simulation.spinup_years": "years run before the start year to let locations settle",
    "simulation.scale": "persons $\\nu$ represented by one person row",
    # county
    "county.places_file": "CSV describing a real county (instead of generating one)",
    "county.generate.townships": "number of townships (and township seats)",
    "county.generate.villages_per_township": "mean number of villages per township",
    "county.generate.village_count_spread": "spread of the villages-per-township count",
    "county.generate.registered_population": "registered (hukou) population of the county",
    "county.generate.radius_km": "radius of the county disc",
    "county.generate.urban_hukou_share": "share of registered persons holding urban hukou",
    "county.generate.county_town_share_of_urban_hukou": "share of urban hukou in the county town",
    "county.generate.arable_mu_per_rural_person": "contract land per rural-hukou person",
    "county.census.code": "code of the 2010 census unit the county is built from",
    "county.census.name": "its Chinese name (instead of the code)",
    "county.census.registered_per_township": "registered persons per township",
    "county.census.registered_per_village": "rural-hukou persons per village",
    "county.census.county_town_share_of_urban": "county town's share of urban residents and hukou",
    "county.census.township_radius_km": "radius of a township's disc",
    "county.census.arable_mu_per_rural_person": "contract land per rural-hukou person",
    "county.census.inmigration.renewal_rate": "arrivals $\\rho$ per year per in-migrant "
    "resident of the first year, at its town employment",
    "county.census.inmigration.share_female": "share of women among arrivals",
    "county.census.county_wage_index_by_region.east": "wage index $\\omega$ of an eastern "
    "county's places (initial wages and floors times it)",
    "county.census.county_wage_index_by_region.central": "wage index $\\omega$ of a central "
    "county's places",
    "county.census.county_wage_index_by_region.west": "wage index $\\omega$ of a western "
    "county's places",
    "county.census.county_wage_index_by_region.northeast": "wage index $\\omega$ of a "
    "northeastern county's places",
    # outside cities
    "outside_cities[].name": "name of the outside city",
    "outside_cities[].region": "where the city lies relative to the county",
    "outside_cities[].distance_km": "travel distance $d_c$ from the county town",
    "hukou.settlement_years.county": "lever: years of residence before a resident without "
    "local hukou may settle in the county town or a township seat",
    "hukou.settlement_years.prefecture": "lever: the same in the prefecture city",
    "hukou.settlement_years.province": "lever: the same in the provincial capital",
    "hukou.settlement_years.outside_province": "lever: the same in cities outside the "
    "province (the coastal megacity)",
    "hukou.insured_share_of_residence": "lever: share of a city's residence period that must be "
    "spent paying into the employee pension scheme",
    "hukou.settlers_keep_land": "lever: share of settlers who keep their contract land (the rest "
    "return it to the collective)",
    "land.contract_end_first": "earliest year second-round contracts end (drawn per village)",
    "land.contract_end_last": "latest year second-round contracts end",
    "land.extension_years": "years an extension adds to a contract",
    "land.contract_extension": "lever: share of villages whose contracts are extended, from the "
    "lever's year",
    "land.leasable_rights": "lever: strength of separate, leasable and pledgeable management "
    "rights (three-rights separation)",
    "land.reallocation_risk": "perceived standing yearly chance of a land readjustment",
    "land.expiry_reallocation_risk": "added yearly readjustment chance at a contract's end "
    "without extension",
    "land.horizon_decay_years": "years over which the contract-end risk builds up",
    "land.absent_land_loss": "share of an absent household's unleased land lost in a readjustment",
    "land.reservation_dispersion": "spread (sd of log) of households' views of the risk of leasing",
    "land.discount_rate": "rate turning a mu's yearly return into the value lost with it",
    "land.operator_productivity_premium": "productivity premium of operators on leased land",
    "land.local_operator_capacity": "land local operators could take, share of village arable land",
    "land.outside_operator_capacity": "extra land outside operators could take under leasable "
    "rights, share of arable land",
    "land.informal_capacity_mu_per_worker": "most land a unit of family farm labour works, own "
    "and borrowed from kin or neighbours",
    "land.informal_take_up": "share of land its household cannot work that kin or neighbours "
    "would farm",
    "land.informal_productivity_discount": "lower yield of land borrowed from kin or neighbours "
    "for the year, share of output",
    "land.informal_rent_share": "rent of informal lending, share of a family farm's return to a mu",
    "pensions.employer_contribution_rate": "employer's contribution to the employee scheme, share "
    "of the wage",
    "pensions.employee_contribution_rate": "employee's contribution into the individual account, "
    "share of the wage",
    "pensions.basic_accrual_rate": "basic pension added per contribution year, share of the wage",
    "pensions.annuity_years": "years over which an account is paid out",
    "pensions.minimum_years": "contribution years needed for a full employee pension",
    "pensions.urban_enrolment": "yearly chance an urban-hukou formal employee is enrolled",
    "pensions.migrant_enrolment": "lever: yearly chance a rural-hukou formal employee is enrolled",
    "pensions.portability": "lever: share of the employee entitlement and years kept on moving "
    "between pooling areas",
    "pensions.entitlement_indexation": "yearly indexing of members' entitlements, following wages",
    "pensions.benefit_indexation": "lever: yearly raise of pensions in payment",
    "pensions.resident_contribution_yuan": "flat yearly resident-scheme contribution",
    "pensions.resident_participation": "yearly chance a working-age non-member pays into the "
    "resident scheme",
    "pensions.resident_basic_pension": "lever: flat basic pension of the resident scheme",
    "pensions.initial_employee_pensioner_share": "share of urban-hukou elderly holding an "
    "employee pension in the start year",
    "pensions.initial_employee_pension_yuan": "their pension in the start year",
    "pensions.retirement_income_weight": "utility of a log point of retirement income per log "
    "point of earnings",
    "capital.saving_rate": "share of disposable income saved",
    "capital.migrant_savings_home_share": "share of the savings of county people in cities that "
    "reaches the county pool",
    "capital.retained_profit_share": "share of county firms' capital income reinvested",
    "capital.home_bias": "share of savings pool plus profits invested in the county",
    "capital.return_elasticity": "how strongly investment among county places follows the "
    "marginal product of capital",
    "capital.depreciation": "yearly wear of private capital and of county-town infrastructure",
    "capital.outside_investment": "lever: investment from outside the county, per initial "
    "registered person",
    "capital.county_town_investment": "lever: extra county-town infrastructure funded from above, "
    "per initial registered person",
    "capital.infrastructure_capital_ratio": "initial county-town infrastructure as a share of its "
    "initial non-farm capital",
    "capital.infrastructure_elasticity": "elasticity of county-town productivity to its "
    "infrastructure",
    "finance.revenue_share": "county revenue as a share of non-farm output",
    "finance.transfer_yuan_per_person": "first-year transfer from above per counted person",
    "finance.transfer_growth": "yearly growth of transfers per person",
    "finance.resident_based_transfers": "lever: share of transfers counted per resident instead "
    "of per registered person",
    "finance.resident_based_allocation": "lever: share of the budget allocated and planned by "
    "each place's users instead of its registered population",
    "finance.transfer_per_settled_migrant": "lever: one-off transfer per person settling in the "
    "county",
    "finance.cost_growth": "yearly growth of the running cost of a unit of service capacity",
    "finance.capacity_depreciation": "yearly wear of service capacity",
    "finance.construction_cost_years": "cost of building a unit of capacity, in years of its "
    "running cost",
    "finance.staff_share": "share $s_B$ of a place's service spending paid as its staff's "
    "wages (the next year's public wage bill)",
    "finance.village_staff_at_township_seat": "share $v$ of a village's public-service staff "
    "working in its township seat",
    "finance.staff_per_1000_users": "staffing standard $n_B$: public-service posts per 1,000 "
    "units of capacity run",
    "finance.purchases_local_share": "share $\\ell_B$ of public spending other than staff pay "
    "bought from the county's own businesses",
    "finance.reserve_share": "the most the county carries over, as a share of the year's service "
    "spending",
    "hukou.residence_permit_access": "lever: share of the gap in service and school access "
    "of non-hukou residents closed by residence permits",
    "hukou.residence_permit_reach.county": "share $k$ of the permit lever applied in county places",
    "hukou.residence_permit_reach.prefecture": "share $k$ of the permit lever applied in "
    "prefecture cities",
    "hukou.residence_permit_reach.province": "share $k$ of the permit lever applied in "
    "provincial capitals",
    "hukou.residence_permit_reach.outside_province": "share $k$ of the permit lever applied "
    "in cities outside the province",
    "hukou.conversion_intercept": "log-odds of settling in a year for an eligible person "
    "with no net gain",
    "hukou.conversion_gain_weight": "weight of the net gain of settling in its log-odds",
    "hukou.requisition.built_up_m2_per_resident": "built-up land $a$ per town resident (7.16)",
    "hukou.requisition.expansion_elasticity": "elasticity $\\varepsilon$ of a town's built-up land "
    "to its residents",
    "hukou.requisition.arable_share": "share $s$ of new built-up land that was contracted farmland",
    "hukou.requisition.hukou_share": "lever: share of households whose land is requisitioned "
    "that receive an urban hukou",
    "hukou.reclassification_land_loss": "share of its starting contract land a village loses to "
    "requisition before it is reclassified as urban",
    "hukou.college_transfer_share": "lever: share of rural-hukou college entrants who move their "
    "hukou to the college's city",
    "hukou.college_city": "kind of outside city where the county's students go to college",
    "outside_cities[].wage_yuan": "wage $w_c$ per effective worker in the start year",
    "outside_cities[].wage_growth": "yearly wage growth $g_c$",
    "outside_cities[].job_finding": "chance $P_c$ that a job seeker finds a formal job",
    "outside_cities[].cost_of_living": "cost-of-living index $c_r$",
    "outside_cities[].hukou_barrier": "utility cost $b_r$ of living there without its hukou",
    "outside_cities[].service_quality": "public-service quality $q_r$",
    "outside_cities[].non_hukou_service_access": "service access $a_r$ without local hukou",
    "outside_cities[].school_access": "chance $\\zeta_r$ that a migrant's child can follow",
    # destinations
    "destinations.national_wage_growth": "yearly growth $g(t)$ of the national migrant wage "
    "path $W(t)$",
    "destinations.reference_wage_yuan": "national migrant wage $W(0)$ in the start year",
    "destinations.wage_convergence_rate": "yearly rate $\\beta$ at which a city's log wage gap "
    "to $W(t)$ closes",
    "destinations.job_finding_catch_up": "yearly rate $\\rho$ at which a city's job finding "
    "closes its gap to the best city's",
    "destinations.aggregation_weight": "weight $\\mu$ of $\\ln M_c$ in the utility of living in "
    "a city that stands for $M_c$ cities",
    "outside_cities[].cities_represented": "number $M_c$ of cities of its kind the city stands for",
    "outside_cities[].size_class": "size class of the city (Guofa [2014] No. 51), whose "
    "settlement rules its barrier follows",
    "destinations.housing_cost_elasticity": "elasticity $\\eta$ of a city's cost of living to "
    "national wage growth, per log point of its initial wage premium",
    "destinations.barrier_tightening.small": "change of the hukou barrier of small cities",
    "destinations.barrier_tightening.medium": "change of the hukou barrier of medium cities",
    "destinations.barrier_tightening.large": "change of the hukou barrier of large cities",
    "destinations.barrier_tightening.megacity": "change of the hukou barrier of megacities",
    # population
    "population.age_profile": "initial age distribution (2010 census or working ages only)",
    "population.education_shares": "shares of the three education levels, rural hukou",
    "population.education_shares_urban_hukou": "shares of the three education levels, urban hukou",
    "population.skill_by_education": "mean skill $\\bar s_e$ (effective labour) by education",
    "population.skill_dispersion": "sd $\\sigma_s$ of log skill within an education level",
    "population.initial_away_share": "share of rural job seekers 18-45 starting in a city",
    # demography
    "demography.enabled": "whether ageing, deaths, births and life-course transitions run",
    "demography.mortality_gompertz_a": "Gompertz level $a_m$ of the death probability",
    "demography.mortality_gompertz_b": "Gompertz slope $b_m$ of the death probability",
    "demography.infant_mortality": "minimum death probability $q_0$ in the first year of life",
    "demography.sex_ratio_at_birth": "boys per girl at birth, SRB (also sets the initial sexes)",
    "demography.total_fertility": "total fertility rate $\\mathrm{TFR}$",
    "demography.fertility_mean_age": "mean age $\\mu_f$ of the fertility schedule",
    "demography.fertility_sd_age": "sd $\\sigma_f$ of the fertility schedule",
    "demography.school_entry_age": "age $x_s$ at which a child becomes a student",
    "demography.leaving_age_by_education": "age $x_e$ of leaving education, by level",
    "demography.retirement_age": "age $x_r$ of leaving non-farm work",
    "demography.farming_exit_age": "age $x_f$ of leaving farm work",
    # labour
    "labour.capital_elasticity": "capital elasticity $\\theta$ of non-farm output",
    "labour.capital_output_ratio": "initial capital-output ratio $\\kappa$",
    "labour.tfp_growth": "yearly productivity growth $g_A(t)$ in the county (a schedule: the "
    "national growth path)",
    "labour.wage_floor_growth": "yearly growth $g_f(t)$ of the county wage floors (a schedule)",
    "labour.agglomeration_elasticity": "elasticity $\\delta$ of productivity to residents",
    "labour.informal_sector": "whether job seekers without a formal job work informally",
    "labour.informal_wage_ratio": "informal wage as a share $r^{inf}$ of the wage floor",
    "labour.county_town.manufacturing_jobs_per_1000": "initial manufacturing jobs $m_\\ell$",
    "labour.county_town.initial_wage_yuan": "wage $w^0_\\ell$ at which those jobs are offered",
    "labour.county_town.wage_floor_yuan": "wage floor $\\bar w_\\ell$ in the start year",
    "labour.township.manufacturing_jobs_per_1000": "initial manufacturing jobs $m_\\ell$",
    "labour.township.initial_wage_yuan": "wage $w^0_\\ell$ at which those jobs are offered",
    "labour.township.wage_floor_yuan": "wage floor $\\bar w_\\ell$ in the start year",
    "labour.village.manufacturing_jobs_per_1000": "initial manufacturing jobs $m_\\ell$",
    "labour.village.initial_wage_yuan": "wage $w^0_\\ell$ at which those jobs are offered",
    "labour.village.wage_floor_yuan": "wage floor $\\bar w_\\ell$ in the start year",
    # services
    "services.spending_share": "share $\\chi$ of disposable income spent on local services",
    "services.labour_share": "share $\\lambda$ of service revenue paid to labour",
    "services.owner_income_share": "share $\\mu_s$ of service revenue that is the net income "
    "of the owners of local service businesses, shared by the place's residents",
    "services.attractiveness.village": "central-place pull $\\gamma_\\ell$ of a village",
    "services.attractiveness.township": "central-place pull $\\gamma_\\ell$ of a township seat",
    "services.attractiveness.county_town": "central-place pull $\\gamma_\\ell$ of the county town",
    "services.distance_decay_km": "distance $d_0$ over which the pull falls by $1/e$",
    "services.quality.village": "public-service quality $q_r$ of a village",
    "services.quality.township": "public-service quality $q_r$ of a township seat",
    "services.quality.county_town": "public-service quality $q_r$ of the county town",
    "services.non_hukou_access.village": "service access $a_r$ without local hukou, village",
    "services.non_hukou_access.township": "service access $a_r$ without local hukou, seat",
    "services.non_hukou_access.county_town": "service access $a_r$ without hukou, county town",
    "services.school_access.village": "chance $\\zeta_r$ a non-local child can follow, village",
    "services.school_access.township": "chance $\\zeta_r$ a non-local child can follow, seat",
    "services.school_access.county_town": "chance $\\zeta_r$ a non-local child can follow, town",
    # farming
    "farming.land_elasticity": "land elasticity $\\beta$ of farm output",
    "farming.value_added_yuan_per_mu": "value added $v$ per mu at the reference land per worker",
    "farming.reference_mu_per_worker": "land per worker $\\bar t$ at which a mu yields $v$",
    "farming.price_growth": "yearly growth $g_p$ of the national farm price",
    "farming.elderly_labour_weight": "farm labour $\\omega_e$ of a farmer past retirement age",
    "farming.unit": "farming unit: the household or the whole village",
    "farming.pay": "farm pay per worker: average or marginal product",
    "farming.price_rule": "farm price: national path or tied to urban output",
    "farming.relative_price_rho": "demand parameter $\\rho$ of the relative farm price",
    "farming.relative_price_gamma": "elasticity $\\gamma$ of the relative farm price to "
    "relative supplies, $p = \\rho (Y_m/Y_a)^\\gamma$",
    # choice
    "choice.options": "options persons may choose from",
    "choice.cost_of_living.village": "cost-of-living index $c_r$ of a village",
    "choice.cost_of_living.township": "cost-of-living index $c_r$ of a township seat",
    "choice.cost_of_living.county_town": "cost-of-living index $c_r$ of the county town",
    "choice.income_weight": "weight $\\beta_y$ of log expected income",
    "choice.income_floor_yuan": "floor $\\underline y$ of expected income inside the log",
    "choice.cost_of_living_weight": "weight $\\beta_c$ of log cost of living",
    "choice.service_weight": "weight $\\beta_s$ of accessible public-service quality",
    "choice.school_child_weight": "extra service weight $\\beta_k$ per school-age child",
    "choice.moving_cost": "fixed cost $m_0$ of changing residence",
    "choice.moving_cost_per_log_km": "moving cost $m_1$ per unit of $\\ln(1+\\text{km})$",
    "choice.non_hukou_barrier_county": "cost $b_0$ of living in a county town or seat w/o hukou",
    "choice.network_weight": "weight $\\beta_n$ of earlier migrants from the same home place",
    "choice.home_attachment": "utility $h_0$ of living at the household's home place",
    "choice.home_attachment_per_decade": "increase $h_1$ of home attachment per decade past 16",
    "choice.commute_max_km": "longest daily commute $d_{\\max}$",
    "choice.commute_cost_per_km": "commuting cost $\\tau$ per km",
    "choice.unemployed_activity_multiplier": "factor $\\mu$ on the activity rate of the unemployed",
    "choice.retiree_activity_rate": "yearly chance $\\eta_r$ that a retiree away reconsiders",
    "choice.child_rejoin_rate": "yearly chance $\\eta_k$ that a child apart rejoins the mother",
    "choice.partner_follow_share_county": (
        "share $\\phi_c$ of movers within the county whose partner moves with them"
    ),
    "choice.partner_follow_share_city": (
        "share $\\phi_m$ of movers to a city whose partner moves with them (times the city's"
        " school access)"
    ),
    # incomes
    "incomes.remittance_share": "share $\\psi$ of earnings sent home by members living away",
    "incomes.price_base_year": "year whose prices real incomes are stated in ($P=1$)",
    "incomes.consumer_price_first_year": "year of the first listed rise in consumer prices",
    "incomes.consumer_price_growth": "yearly consumer price rises $\\pi$ (the last holds after)",
}

# What the region of a county from the census changes in each kind of outside city.
_CITY_KINDS = {
    "prefecture": "prefecture city",
    "province": "provincial capital",
    "outside_province": "city outside the province",
}
_CITY_VALUES = {
    "distance_km": "distance $d_c$",
    "wage_yuan": "start-year wage $w_c$",
    "cost_of_living": "cost-of-living index $c_r$",
    "job_finding": "job-finding chance $P_c$",
}
MEANINGS.update(
    {
        f"county.census.outside_cities_by_region.{region}.{kind}.{value}": f"{what} of the "
        f"{city} for {county} (unset: the scenario's; see scenarios/census_county.yaml)"
        for region, county in (
            ("east", "an eastern county"),
            ("central", "a central county"),
            ("west", "a western county"),
            ("northeast", "a northeastern county"),
        )
        for kind, city in _CITY_KINDS.items()
        for value, what in _CITY_VALUES.items()
    }
)

_MISSING = object()  # a key the baseline does not set


@dataclass(frozen=True)
class Row:
    path: str  # dotted path with list indices, e.g. outside_cities[0].wage_yuan
    key: str  # dotted path with [] for list items, the key of MEANINGS
    unit: str
    allowed: str
    default: str
    source: str


# ------------------------------------------------------------------------------ the schema


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds (directly, optionally, or as list items) and whether in a list."""
    for alt in type_alternatives(annotation):
        if isinstance(alt, type) and issubclass(alt, ScheduleModel):
            return None, False  # a lever's schedule is one parameter, not a section
        if isinstance(alt, type) and issubclass(alt, BaseModel):
            return alt, False
        if get_origin(alt) is list:
            for item in type_alternatives(get_args(alt)[0]):
                if isinstance(item, type) and issubclass(item, BaseModel):
                    return item, True
    return None, False


def _infos(info: FieldInfo) -> list[FieldInfo]:
    """The field's own metadata, then that of annotated parts (list items, union members)."""
    found = [info]

    def visit(annotation: Any) -> None:
        origin = get_origin(annotation)
        if origin is Annotated:
            found.extend(m for m in get_args(annotation)[1:] if isinstance(m, FieldInfo))
            visit(get_args(annotation)[0])
        elif origin is Union or origin is types.UnionType or origin is list:
            for arg in get_args(annotation):
                visit(arg)

    visit(info.annotation)
    return found


def _number(value: float) -> str:
    if isinstance(value, int) and value >= 2**62:
        return f"2^{value.bit_length()}−1" if value == 2 ** value.bit_length() - 1 else f"{value:g}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _interval(infos: list[FieldInfo]) -> str:
    """``[0, 1]``, ``(0, 1]``, ``≥ 0``, ... from the first ge/gt/le/lt found."""
    bounds: dict[str, Any] = {}
    for info in infos:
        for constraint in info.metadata:
            for name in ("ge", "gt", "le", "lt"):
                if getattr(constraint, name, None) is not None:
                    bounds.setdefault(name, getattr(constraint, name))
    low = high = None
    if "ge" in bounds or "gt" in bounds:
        low = ("[", bounds["ge"]) if "ge" in bounds else ("(", bounds["gt"])
    if "le" in bounds or "lt" in bounds:
        high = (bounds["le"], "]") if "le" in bounds else (bounds["lt"], ")")
    if low and high:
        return f"{low[0]}{_number(low[1])}, {_number(high[0])}{high[1]}"
    if low:
        return f"{'≥' if low[0] == '[' else '>'} {_number(low[1])}"
    if high:
        return f"{'≤' if high[1] == ']' else '<'} {_number(high[0])}"
    return ""


def _allowed(info: FieldInfo) -> str:
    infos = _infos(info)
    interval = _interval(infos)
    alts = type_alternatives(info.annotation)
    for alt in alts:
        if get_origin(alt) is list:
            lengths = {}
            for constraint in info.metadata:
                for name in ("min_length", "max_length"):
                    if getattr(constraint, name, None) is not None:
                        lengths[name] = getattr(constraint, name)
            items = type_alternatives(get_args(alt)[0])
            if len(items) == 1 and get_origin(items[0]) is Literal:
                least = lengths.get("min_length", 1)
                return f"at least {least} of " + ", ".join(map(str, get_args(items[0])))
            if lengths.get("min_length") == lengths.get("max_length") is not None:
                count = f"{lengths['min_length']} values"
            else:
                count = "list"
            return f"{count}, each {interval}" if interval else count
        if get_origin(alt) is Literal:
            return " / ".join(map(str, get_args(alt)))
        if alt is bool:
            return "true / false"
    text = interval
    if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("file"):
        text = "path of a CSV file"
    if type(None) in alts:
        text = f"{text}, or unset" if text else "optional"
    return text


def _unit(info: FieldInfo) -> str:
    for part in _infos(info):
        if isinstance(part.json_schema_extra, dict) and "unit" in part.json_schema_extra:
            return str(part.json_schema_extra["unit"])
    return ""


def schema_keys(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[str]:
    """Dotted path of every parameter of the schema, ``[]`` standing for any list item."""
    for name, info in model.model_fields.items():
        if not prefix and name in NOT_PARAMETERS:
            continue
        path = f"{prefix}.{name}" if prefix else name
        sub, is_list = _model_in(info.annotation)
        if sub is None:
            yield path
        else:
            yield from schema_keys(sub, path + "[]" if is_list else path)


# ------------------------------------------------------------------------------ the baseline


def _comment(line: str) -> str:
    """The trailing comment of a YAML line (a ``#`` after a blank, outside quotes)."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return ""


def _show(value: Any) -> str:
    if value is _MISSING or value is None:
        return "—"
    if isinstance(value, bool | ScalarBoolean):  # an anchored YAML bool is a ScalarBoolean
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):  # a schedule: {steps: [...]} or {ramp: [...]}
        return "; ".join(f"{k} {_show(v)}" for k, v in value.items())
    return str(value)


def rows(baseline: Path = BASELINE) -> list[Row]:
    """One row per parameter, in schema order, list items expanded as in the baseline."""
    text = baseline.read_text(encoding="utf-8")
    lines = text.splitlines()
    data = YAML(typ="rt").load(text)
    out: list[Row] = []

    def walk(model: type[BaseModel], node: Any, path: str, key: str, inherited: str) -> None:
        for name, info in model.model_fields.items():
            if not path and name in NOT_PARAMETERS:
                continue
            sub_path = f"{path}.{name}" if path else name
            sub_key = f"{key}.{name}" if key else name
            value, comment = _MISSING, inherited
            if isinstance(node, dict) and name in node:
                value = node[name]
                own = _comment(lines[node.lc.key(name)[0]])
                comment = own or inherited
            sub, is_list = _model_in(info.annotation)
            if sub is not None and is_list:
                items = value if isinstance(value, list) and value else [_MISSING]
                for i, item in enumerate(items):
                    index = "[]" if item is _MISSING else f"[{i}]"
                    walk(sub, item, sub_path + index, sub_key + "[]", comment)
            elif sub is not None and isinstance(value, dict):
                walk(sub, value, sub_path, sub_key, comment)
            elif sub is not None:
                walk(sub, _MISSING, sub_path, sub_key, "")
            else:
                source = comment if value is not _MISSING else "not set in the baseline"
                out.append(
                    Row(sub_path, sub_key, _unit(info), _allowed(info), _show(value), source)
                )

    walk(Scenario, data, "", "", "")
    return out


# ------------------------------------------------------------------------------ the table


def problems() -> list[str]:
    """Parameters without a meaning, and meanings of parameters that no longer exist."""
    keys = list(schema_keys())
    missing = [f"no meaning for {k!r}: add it to MEANINGS" for k in keys if k not in MEANINGS]
    stale = [f"MEANINGS has {k!r}, which the schema lacks" for k in MEANINGS if k not in keys]
    return missing + stale


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def table(baseline: Path = BASELINE) -> str:
    """The markdown between the markers: one table per top-level section of the scenario."""
    all_rows = rows(baseline)
    city_names = {
        r.path.rsplit(".", 1)[0]: r.default for r in all_rows if r.key == "outside_cities[].name"
    }
    parts: list[str] = []
    group = None
    for row in all_rows:
        head = row.path.split(".")[0] if "." in row.path else "scenario"
        if head != group:
            group = head
            city = city_names.get(head, "—")
            title = f"`{head}` ({city})" if city != "—" else f"`{head}`"
            parts += [
                "",
                f"**{title}**",
                "",
                "| Parameter | Meaning | Unit | Allowed | Default | Source |",
                "|---|---|---|---|---|---|",
            ]
        meaning = MEANINGS.get(row.key, "")
        cells = (f"`{row.path}`", meaning, row.unit, row.allowed, row.default, row.source)
        parts.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(parts).lstrip("\n")


def render(document: str, baseline: Path = BASELINE) -> str:
    """``document`` with the text between the markers replaced by the current table."""
    start, end = document.find(START), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{ODD.name} lacks the markers {START} ... {END}")
    return document[: start + len(START)] + "\n\n" + table(baseline) + "\n\n" + document[end:]


def check(path: Path = ODD) -> bool:
    """Whether every parameter has a meaning and ``path`` holds the current table."""
    current = path.read_text(encoding="utf-8")
    return not problems() and render(current) == current


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if docs/ODD.md is out of date, change nothing"
    )
    args = parser.parse_args(argv)
    issues = problems()
    for issue in issues:
        print(f"parameter_table: {issue}", file=sys.stderr)
    current = ODD.read_text(encoding="utf-8")
    new = render(current)
    if args.check:
        if new != current:
            print(
                "parameter_table: the parameter table in docs/ODD.md is out of date; "
                "run python docs/parameter_table.py",
                file=sys.stderr,
            )
        return 1 if issues or new != current else 0
    if issues:
        return 1
    if new != current:
        ODD.write_text(new, encoding="utf-8")
        print(f"parameter_table: rewrote the parameter table of {ODD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
