"""The ``county.census`` section of a scenario: a county built from the 2010 census.

The unit is named by its code or its name and checked against the census table here, at
validation, so that a district, an unknown code or an ambiguous name is reported with the
file, line and key like any other bad value. The rules that turn census aggregates into
places (people per township and village, the county town's share of urban residents,
spacing, land) and the outside cities of each of the four regions are parameters of the
section, so every number is written, with its source, in the scenario file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from countysim.census import check_code, code_of_name, unit


def _num(unit_name: str, **bounds) -> object:
    return Field(json_schema_extra={"unit": unit_name}, **bounds)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RegionalCity(_Strict):
    """What a county's region changes in one kind of outside city; a value left out keeps
    the scenario's own (``outside_cities``)."""

    distance_km: Annotated[float, _num("km", ge=0.0)] | None = None
    wage_yuan: Annotated[float, _num("yuan per year", ge=0.0)] | None = None
    cost_of_living: Annotated[float, _num("index, county town = 1", gt=0.0)] | None = None
    job_finding: Annotated[float, _num("share", ge=0.0, le=1.0)] | None = None


class RegionalCities(_Strict):
    """The changes for the cities of each ``region`` of ``outside_cities``."""

    prefecture: RegionalCity
    province: RegionalCity
    outside_province: RegionalCity


class CitiesByRegion(_Strict):
    east: RegionalCities
    central: RegionalCities
    west: RegionalCities
    northeast: RegionalCities


class WageIndexByRegion(_Strict):
    """Wage level of the county's own places (county town, township seats, villages) in each
    region, relative to the scenario's (central China): initial wages and wage floors are
    multiplied by the county's region's index when the labour market is set up."""

    east: Annotated[float, _num("index, central China = 1", gt=0.0, le=10.0)]
    central: Annotated[float, _num("index, central China = 1", gt=0.0, le=10.0)]
    west: Annotated[float, _num("index, central China = 1", gt=0.0, le=10.0)]
    northeast: Annotated[float, _num("index, central China = 1", gt=0.0, le=10.0)]


class InMigration(_Strict):
    """Arrivals from outside the county into its towns (``modules/inmigration.py``): each
    year ``renewal_rate`` times the residents who held a hukou of another county or
    province at the start, scaled by the towns' non-farm employment since then."""

    renewal_rate: Annotated[float, _num("per year", ge=0.0, le=1.0)]
    share_female: Annotated[float, _num("share", ge=0.0, le=1.0)]


class CensusCounty(_Strict):
    """A county-level unit of the 2010 census (not an urban district), by code or name."""

    code: str | None = None
    name: str | None = None
    registered_per_township: Annotated[int, _num("registered persons", ge=1000, le=500_000)]
    registered_per_village: Annotated[int, _num("registered persons", ge=100, le=50_000)]
    county_town_share_of_urban: Annotated[
        float, _num("share of urban residents and urban hukou", ge=0.0, le=1.0)
    ]
    township_radius_km: Annotated[float, _num("km", gt=0.0, le=100.0)]
    arable_mu_per_rural_person: Annotated[float, _num("mu per person", ge=0.0, le=100.0)]
    outside_cities_by_region: CitiesByRegion
    #: None: the county's places pay the scenario's wages whatever the region.
    county_wage_index_by_region: WageIndexByRegion | None = None
    #: None: nobody arrives from outside the county.
    inmigration: InMigration | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: object) -> object:
        # `--set county.census.code=411421` reads as an integer; a code is its six digits.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("code")
    @classmethod
    def _known_code(cls, value: str | None) -> str | None:
        return None if value is None else check_code(value)

    @field_validator("name")
    @classmethod
    def _known_name(cls, value: str | None) -> str | None:
        if value is not None:
            code_of_name(value)
        return value

    @model_validator(mode="after")
    def _one_unit(self) -> CensusCounty:
        if self.code is None and self.name is None:
            raise ValueError("give the unit's 'code' (six digits) or its 'name'")
        if self.name is None:
            return self
        named = code_of_name(self.name)
        if self.code is not None and self.code != named:
            raise ValueError(
                f"code {self.code!r} and name {self.name!r} are different units; give one of "
                "them (set the other to null)"
            )
        return self.model_copy(update={"code": named})

    @property
    def region(self) -> str:
        return str(unit(self.code)["region"])

    @property
    def county_wage_index(self) -> float:
        """The wage index of the county's own places (1 when the section gives none)."""
        index = self.county_wage_index_by_region
        return 1.0 if index is None else float(getattr(index, self.region))


def regional_outside_cities(census: CensusCounty, cities: list) -> list:
    """The scenario's outside cities with the distances, wages, costs and job chances of the
    census county's region (those the region's entry gives)."""
    changes = getattr(census.outside_cities_by_region, census.region)
    result = []
    for city in cities:
        change = getattr(changes, city.region).model_dump(exclude_none=True)
        result.append(city.model_copy(update=change))
    return result
