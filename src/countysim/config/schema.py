"""The scenario schema: every key a scenario file may hold, its type, bounds and unit.

Default numbers live in ``scenarios/baseline.yaml``, each with its source, not here: a
scenario either spells out every parameter or ``extends:`` one that does. The schema only
says what is allowed, so that a bad value is rejected before anything runs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from countysim.config.census_schema import CensusCounty, regional_outside_cities
from countysim.config.schedule import schedule

LEVELS = ("village", "township", "county_town", "city")


def _num(unit: str, **bounds) -> object:
    """A numeric field with bounds and a unit shown in error messages."""
    return Field(json_schema_extra={"unit": unit}, **bounds)


Share = Annotated[float, _num("share", ge=0.0, le=1.0)]
Rate = Annotated[float, _num("per year", ge=-0.5, le=1.0)]
Yuan = Annotated[float, _num("yuan per year", ge=0.0)]
Km = Annotated[float, _num("km", ge=0.0)]
Weight = Annotated[float, _num("utility units", ge=0.0)]


#: A name that default result folders are named after: one plain folder name, never ".",
#: ".." or a hidden one.
FolderName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$",
        json_schema_extra={"allowed": "letters, digits, _, - and . (not first)"},
    ),
]


class Strict(BaseModel):
    # .inf and .nan are never meaningful inputs; bounds alone would let +inf through.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Years(Strict):
    start: Annotated[int, _num("calendar year", ge=1950, le=2100)]
    end: Annotated[int, _num("calendar year", ge=1950, le=2200)]

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) must not be before start ({self.start})")
        return self


class Simulation(Strict):
    substeps: Annotated[int, _num("sub-steps per year", ge=1, le=52)]
    activity_rate: Annotated[float, _num("share per sub-step", gt=0.0, le=1.0)]
    spinup_years: Annotated[int, _num("years", ge=0, le=200)]
    scale: Annotated[int, _num("persons per row", ge=1, le=1000)]


class Generate(Strict):
    """A synthetic county, deterministic given the seed."""

    townships: Annotated[int, _num("places", ge=1, le=60)]
    villages_per_township: Annotated[int, _num("places", ge=1, le=60)]
    village_count_spread: Annotated[float, _num("share of the mean", ge=0.0, le=0.9)]
    registered_population: Annotated[int, _num("persons", ge=100, le=5_000_000)]
    radius_km: Km
    urban_hukou_share: Share
    county_town_share_of_urban_hukou: Share
    arable_mu_per_rural_person: Annotated[float, _num("mu per person", ge=0.0, le=100.0)]


class County(Strict):
    places_file: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    generate: Generate | None = None
    census: CensusCounty | None = None

    @model_validator(mode="after")
    def _one_source(self) -> County:
        given = [self.places_file, self.generate, self.census]
        if sum(source is not None for source in given) != 1:
            raise ValueError(
                "give exactly one of 'census', 'places_file' or 'generate' (a scenario that "
                "extends one with another county sets the base's to null)"
            )
        return self


class OutsideCity(Strict):
    name: str
    region: Literal["prefecture", "province", "outside_province"]
    distance_km: Km
    wage_yuan: Yuan
    wage_growth: Rate
    job_finding: Share
    cost_of_living: Annotated[float, _num("index, county town = 1", gt=0.0)]
    hukou_barrier: Weight
    service_quality: Annotated[float, _num("index, county town = 1", ge=0.0)]
    non_hukou_service_access: Share
    school_access: Share
    # How many cities of its kind the city stands for (modules/destinations.py).
    cities_represented: Annotated[float, _num("cities", ge=1.0, le=1000.0)] = 1.0
    # Size class of the city by the State Council's standard (Guofa [2014] No. 51), which the
    # settlement rules follow (modules/destinations.py); None: no class, barrier fixed.
    size_class: Literal["small", "medium", "large", "megacity"] | None = None


BarrierShift = schedule("utility", ge=-2.0, le=2.0)


class BarrierTightening(Strict):
    """Change of the hukou barrier of the outside cities of each size class since the
    start (modules/destinations.py); 0: the barriers as given."""

    small: BarrierShift = 0.0
    medium: BarrierShift = 0.0
    large: BarrierShift = 0.0
    megacity: BarrierShift = 0.0


class Destinations(Strict):
    """Paths of the outside cities' wages and job finding (modules/destinations.py): a
    national wage path, beta-convergence of city wages towards it and the catch-up of job
    finding with industrial relocation. Without this section each city's wage grows at
    its own ``wage_growth`` and its job finding stays as given."""

    national_wage_growth: schedule("per year", ge=-0.5, le=1.0)
    reference_wage_yuan: Annotated[float, _num("yuan per year", gt=0.0)]
    wage_convergence_rate: schedule("per year", ge=0.0, le=0.5)
    job_finding_catch_up: schedule("per year", ge=0.0, le=1.0)
    aggregation_weight: Annotated[float, _num("utility per log city", ge=0.0, le=1.0)]
    # Capitalization of growth into the costs of high-wage cities (0: fixed costs).
    housing_cost_elasticity: Annotated[
        float, _num("log cost per log national wage growth per log wage premium", ge=0.0, le=5.0)
    ] = 0.0
    barrier_tightening: BarrierTightening = BarrierTightening()


SettlementYears = schedule("years of residence", ge=0.0, le=50.0)


class SettlementPeriods(Strict):
    """Years of residence before a resident without local hukou may settle, by place."""

    county: SettlementYears
    prefecture: SettlementYears
    province: SettlementYears
    outside_province: SettlementYears


PermitShare = schedule("share of the permit lever", ge=0.0, le=1.0)


class PermitReach(Strict):
    """Share of the residence-permit lever that applies in places of each kind."""

    county: PermitShare
    prefecture: PermitShare
    province: PermitShare
    outside_province: PermitShare


class Requisition(Strict):
    """Contract land taken for the built-up growth of the county's towns."""

    built_up_m2_per_resident: Annotated[
        float, _num("square metres per resident", ge=0.0, le=1000.0)
    ]
    expansion_elasticity: Annotated[
        float, _num("growth of built-up land per growth of residents", ge=0.0, le=5.0)
    ]
    arable_share: Annotated[float, _num("share of new built-up land", ge=0.0, le=1.0)]
    hukou_share: schedule("share of resettled villagers", ge=0.0, le=1.0)


class Land(Strict):
    """Land contracts, tenure security and the village rental market."""

    contract_end_first: Annotated[int, _num("calendar year", ge=1990, le=2100)]
    contract_end_last: Annotated[int, _num("calendar year", ge=1990, le=2100)]
    extension_years: Annotated[int, _num("years", ge=0, le=100)]
    contract_extension: schedule("share of villages with contracts extended", ge=0.0, le=1.0)
    leasable_rights: schedule("strength of leasable management rights, 0-1", ge=0.0, le=1.0)
    reallocation_risk: Annotated[float, _num("chance per year", ge=0.0, le=1.0)]
    expiry_reallocation_risk: Annotated[float, _num("chance per year", ge=0.0, le=1.0)]
    horizon_decay_years: Annotated[float, _num("years", gt=0.0, le=100.0)]
    absent_land_loss: Annotated[float, _num("share of unleased land", ge=0.0, le=1.0)]
    reservation_dispersion: Annotated[float, _num("sd of log", ge=0.0, le=3.0)]
    discount_rate: Annotated[float, _num("per year", gt=0.0, le=1.0)]
    operator_productivity_premium: Annotated[float, _num("share of output", ge=0.0, le=2.0)]
    local_operator_capacity: Annotated[float, _num("share of village arable land", ge=0.0, le=1.0)]
    outside_operator_capacity: Annotated[
        float, _num("share of village arable land", ge=0.0, le=1.0)
    ]
    # Kin and neighbour tenancy (modules/kin_tenancy.py).
    informal_capacity_mu_per_worker: Annotated[float, _num("mu per farm worker", ge=0.0, le=200.0)]
    informal_take_up: Annotated[float, _num("share of land offered", ge=0.0, le=1.0)]
    informal_rent_share: Annotated[float, _num("share of a mu's farm return", ge=0.0, le=1.0)]
    informal_productivity_discount: Annotated[float, _num("share of output", ge=0.0, le=1.0)]

    @model_validator(mode="after")
    def _contract_ends_ordered(self) -> Land:
        if self.contract_end_last < self.contract_end_first:
            raise ValueError(
                f"contract_end_last ({self.contract_end_last}) must not be before "
                f"contract_end_first ({self.contract_end_first})"
            )
        return self


class Hukou(Strict):
    settlement_years: SettlementPeriods
    residence_permit_access: schedule("share of the access gap closed", ge=0.0, le=1.0)
    residence_permit_reach: PermitReach
    insured_share_of_residence: schedule("share of the residence period", ge=0.0, le=1.0)
    conversion_intercept: Annotated[float, _num("log-odds per year", ge=-20.0, le=20.0)]
    conversion_gain_weight: Weight
    settlers_keep_land: schedule("share of settlers", ge=0.0, le=1.0)
    # Other ways to an urban hukou (land_requisition.py, reclassification.py, college_hukou.py).
    requisition: Requisition
    reclassification_land_loss: Annotated[
        float, _num("share of a village's land taken", gt=0.0, le=1.0)
    ]
    college_transfer_share: schedule("share of rural-hukou college entrants", ge=0.0, le=1.0)
    college_city: Literal["prefecture", "province", "outside_province"]


class Pensions(Strict):
    """The urban employee pension scheme and the urban-rural resident scheme."""

    employer_contribution_rate: Annotated[float, _num("share of the wage", ge=0.0, le=0.5)]
    employee_contribution_rate: Annotated[float, _num("share of the wage", ge=0.0, le=0.5)]
    basic_accrual_rate: Annotated[
        float, _num("share of the wage per contribution year", ge=0.0, le=0.05)
    ]
    annuity_years: Annotated[float, _num("years of pension per yuan of account", gt=0.0, le=40.0)]
    minimum_years: Annotated[float, _num("contribution years", ge=0.0, le=45.0)]
    urban_enrolment: Annotated[float, _num("share of formal employees per year", ge=0.0, le=1.0)]
    migrant_enrolment: schedule("share of formal employees per year", ge=0.0, le=1.0)
    portability: schedule("share of the entitlement kept on moving", ge=0.0, le=1.0)
    entitlement_indexation: Rate
    benefit_indexation: schedule("per year", ge=-0.5, le=1.0)
    resident_contribution_yuan: Yuan
    resident_participation: Annotated[float, _num("share of working age per year", ge=0.0, le=1.0)]
    resident_basic_pension: schedule("yuan per year", ge=0.0, le=1e6)
    initial_employee_pensioner_share: Annotated[
        float, _num("share of urban-hukou elderly", ge=0.0, le=1.0)
    ]
    initial_employee_pension_yuan: Yuan
    retirement_income_weight: Annotated[
        float, _num("utility of a log point of pension per log point of income", ge=0.0, le=5.0)
    ]


class Population(Strict):
    age_profile: Literal["china_2010", "working_age"]
    education_shares: Annotated[
        list[Annotated[float, _num("share", ge=0.0, le=1.0)]], Field(min_length=3, max_length=3)
    ]
    education_shares_urban_hukou: Annotated[
        list[Annotated[float, _num("share", ge=0.0, le=1.0)]], Field(min_length=3, max_length=3)
    ]
    skill_by_education: Annotated[
        list[Annotated[float, _num("effective labour units", gt=0.0)]],
        Field(min_length=3, max_length=3),
    ]
    skill_dispersion: Annotated[float, _num("sd of log skill", ge=0.0, le=2.0)]
    initial_away_share: Share

    @model_validator(mode="after")
    def _shares_sum(self) -> Population:
        for name in ("education_shares", "education_shares_urban_hukou"):
            total = sum(getattr(self, name))
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"{name} must sum to 1 (they sum to {total:g})")
        return self


class Capital(Strict):
    """Savings, investment across the county's places, and outside and public investment."""

    saving_rate: Annotated[float, _num("share of disposable income", ge=0.0, le=0.9)]
    migrant_savings_home_share: Share
    retained_profit_share: Annotated[float, _num("share of capital income", ge=0.0, le=1.0)]
    home_bias: Annotated[float, _num("share of investable funds", ge=0.0, le=1.0)]
    return_elasticity: Annotated[float, _num("elasticity", ge=0.0, le=20.0)]
    depreciation: Annotated[float, _num("per year", ge=0.0, le=0.5)]
    outside_investment: schedule("yuan per year per initial registered person", ge=0.0, le=1e5)
    county_town_investment: schedule("yuan per year per initial registered person", ge=0.0, le=1e5)
    infrastructure_capital_ratio: Annotated[
        float, _num("share of the county town's initial non-farm capital", gt=0.0, le=10.0)
    ]
    infrastructure_elasticity: Annotated[float, _num("gamma, elasticity", ge=0.0, le=1.0)]


class Finance(Strict):
    """The county's public-service budget: revenue, transfers, allocation, capacity."""

    revenue_share: Annotated[float, _num("share of non-farm output", ge=0.0, le=0.5)]
    transfer_yuan_per_person: Yuan
    transfer_growth: Rate
    resident_based_transfers: schedule("share of transfers paid per resident", ge=0.0, le=1.0)
    resident_based_allocation: schedule("share of the budget allocated by users", ge=0.0, le=1.0)
    transfer_per_settled_migrant: schedule("yuan per person settling in the county", ge=0.0)
    cost_growth: Rate
    capacity_depreciation: Annotated[float, _num("per year", ge=0.0, le=0.5)]
    construction_cost_years: Annotated[float, _num("years of running cost", ge=0.0, le=100.0)]
    reserve_share: Annotated[float, _num("share of the year's service spending", ge=0.0, le=5.0)]
    # Pay of public-service staff as labour demand where they work (modules/finance.py).
    staff_share: Annotated[
        float, _num("share of service spending paid as staff wages", ge=0.0, le=1.0)
    ] = 0.0
    village_staff_at_township_seat: Annotated[
        float, _num("share of a village's staff", ge=0.0, le=1.0)
    ] = 0.0
    staff_per_1000_users: Annotated[
        float, _num("public-service posts per 1,000 units of capacity", ge=0.0, le=500.0)
    ] = 0.0
    purchases_local_share: Annotated[
        float, _num("share of non-staff public spending", ge=0.0, le=1.0)
    ] = 0.0


class Demography(Strict):
    enabled: bool
    mortality_gompertz_a: Annotated[float, _num("per year", ge=0.0, le=0.1)]
    mortality_gompertz_b: Annotated[float, _num("per year of age", ge=0.0, le=0.3)]
    infant_mortality: Share
    sex_ratio_at_birth: Annotated[float, _num("boys per girl", ge=0.8, le=1.5)]
    total_fertility: Annotated[float, _num("births per woman", ge=0.0, le=8.0)]
    fertility_mean_age: Annotated[float, _num("years", ge=15.0, le=45.0)]
    fertility_sd_age: Annotated[float, _num("years", gt=0.0, le=15.0)]
    school_entry_age: Annotated[int, _num("years", ge=3, le=10)]
    leaving_age_by_education: Annotated[
        list[Annotated[int, _num("years", ge=12, le=30)]], Field(min_length=3, max_length=3)
    ]
    retirement_age: Annotated[int, _num("years", ge=40, le=80)]
    farming_exit_age: Annotated[int, _num("years", ge=40, le=95)]


class LevelLabour(Strict):
    """Initial non-farm labour demand and pay in the places of one county level."""

    manufacturing_jobs_per_1000: Annotated[
        float, _num("jobs per 1,000 registered persons of the county", ge=0.0, le=1000.0)
    ]
    initial_wage_yuan: Yuan
    wage_floor_yuan: Yuan


class Labour(Strict):
    capital_elasticity: Annotated[float, _num("theta, share", gt=0.0, lt=1.0)]
    capital_output_ratio: Annotated[float, _num("years of output", gt=0.0, le=20.0)]
    tfp_growth: schedule("per year", ge=-0.5, le=1.0)
    wage_floor_growth: schedule("per year", ge=-0.5, le=1.0)
    agglomeration_elasticity: Annotated[float, _num("elasticity", ge=0.0, le=0.3)]
    informal_sector: bool
    informal_wage_ratio: Share
    county_town: LevelLabour
    township: LevelLabour
    village: LevelLabour


class LevelValues(Strict):
    village: Annotated[float, _num("index", ge=0.0)]
    township: Annotated[float, _num("index", ge=0.0)]
    county_town: Annotated[float, _num("index", ge=0.0)]


class Services(Strict):
    spending_share: Share
    labour_share: Share
    # Net income of the owners of local service businesses (modules/services.py).
    owner_income_share: Annotated[float, _num("share of service revenue", ge=0.0, le=1.0)] = 0.0
    attractiveness: LevelValues
    distance_decay_km: Annotated[float, _num("km", gt=0.0)]
    quality: LevelValues  # when capacity covers all users (see modules/services.py)
    non_hukou_access: LevelValues
    school_access: LevelValues


class Farming(Strict):
    land_elasticity: Annotated[float, _num("beta, share", gt=0.0, lt=1.0)]
    value_added_yuan_per_mu: Annotated[float, _num("yuan per mu per year", ge=0.0)]
    reference_mu_per_worker: Annotated[float, _num("mu per worker", gt=0.0)]
    price_growth: Rate
    elderly_labour_weight: Share
    unit: Literal["household", "village"]
    pay: Literal["average", "marginal"]
    price_rule: Literal["national", "relative"]
    relative_price_rho: Annotated[float, _num("rho", gt=0.0)] | None = None
    # p = rho (Y_m / Y_a)^gamma; 1 is the unit-elastic (Cobb-Douglas) case, 0 a fixed price.
    relative_price_gamma: Annotated[float, _num("gamma, elasticity", ge=0.0, le=1.0)] = 1.0

    @model_validator(mode="after")
    def _rho_when_relative(self) -> Farming:
        if self.price_rule == "relative" and self.relative_price_rho is None:
            raise ValueError("price_rule 'relative' needs relative_price_rho")
        return self


OptionName = Literal[
    "farm",
    "village_nonfarm",
    "commute_township",
    "commute_county_town",
    "move_township",
    "move_county_town",
    "move_city",
]


class Choice(Strict):
    options: Annotated[list[OptionName], Field(min_length=2)]
    cost_of_living: LevelValues
    income_weight: Weight
    income_floor_yuan: Annotated[float, _num("yuan per year", gt=0.0)]
    cost_of_living_weight: Weight
    service_weight: Weight
    school_child_weight: Weight
    moving_cost: Weight
    moving_cost_per_log_km: Weight
    non_hukou_barrier_county: Weight
    network_weight: Weight
    home_attachment: Weight
    home_attachment_per_decade: Weight
    commute_max_km: Km
    commute_cost_per_km: Weight
    unemployed_activity_multiplier: Annotated[float, _num("multiplier", ge=1.0, le=20.0)]
    retiree_activity_rate: Share
    child_rejoin_rate: Share
    # Shares of movers whose partner moves with them (ODD 7.4); 0 keeps movers alone.
    partner_follow_share_county: Share = 0.0
    partner_follow_share_city: Share = 0.0


class Incomes(Strict):
    remittance_share: Share
    # Consumer prices only deflate what is reported (real incomes beside nominal ones); the
    # model's wages, prices and transfers are nominal paths of their own.
    price_base_year: Annotated[int, _num("calendar year", ge=1950, le=2100)]
    consumer_price_first_year: Annotated[int, _num("calendar year", ge=1950, le=2100)]
    consumer_price_growth: Annotated[
        list[Annotated[float, _num("per year", ge=-0.5, le=1.0)]], Field(min_length=1)
    ]


class Scenario(Strict):
    name: FolderName
    description: str = ""
    seed: Annotated[int, _num("integer", ge=0, le=2**63 - 1)]
    years: Years
    simulation: Simulation
    county: County
    outside_cities: list[OutsideCity]
    destinations: Destinations | None = None
    population: Population
    demography: Demography
    labour: Labour
    services: Services
    farming: Farming
    choice: Choice
    capital: Capital
    finance: Finance
    incomes: Incomes
    pensions: Pensions
    hukou: Hukou
    land: Land

    @model_validator(mode="after")
    def _census_region_cities(self) -> Scenario:
        # A county from the census sees the outside cities of its region; the change sets
        # values, so validating a resolved scenario again leaves it as it is.
        if self.county.census is None:
            return self
        cities = regional_outside_cities(self.county.census, self.outside_cities)
        return self.model_copy(update={"outside_cities": cities})
