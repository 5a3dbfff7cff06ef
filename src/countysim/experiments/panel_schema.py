"""The panel-file schema: every key a file in ``scenarios/panels/`` may hold.

A panel runs one scenario for many real counties (each built from the 2010 census) and
compares them with a later census. It follows the conventions of the scenario and sweep
schemas (``extra="forbid"``, bounds with ``Field``, units in ``json_schema_extra``, input
files marked ``{"file": True}`` and resolved against the panel file's folder), so the
scenario loader reports a bad panel file with file:line, dotted key and did-you-mean. What
the schema cannot know (whether a code is in the census, whether the targets file has the
right columns) is checked in ``panel.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from countysim.config.schema import Strict
from countysim.experiments.seeds import Streams
from countysim.experiments.sweep_schema import ExecutionSpec

Region = Literal["east", "central", "northeast", "west"]
UnitType = Literal["county", "county_city", "banner", "district", "other"]
Code = Annotated[str, Field(pattern=r"^[0-9]{6}$", json_schema_extra={"unit": "6-digit code"})]


def _count(unit: str, **bounds: Any) -> Any:
    return Field(json_schema_extra={"unit": unit}, **bounds)


class Sample(Strict):
    """A random subset of the selected counties, stratified so that every stratum keeps its
    share (at least one county from each)."""

    size: Annotated[int, _count("counties", ge=1)]
    stratify: Literal["province", "region", "unit_type", "none"] = "province"
    seed: Annotated[int, _count("integer", ge=0, le=2**32 - 1)] = 0


class Counties(Strict):
    """Which counties the panel runs: those of a 2010 census file (default: the one the
    census builder reads), optionally filtered by province (code or name), region or unit
    type, or a list of codes; then only those with targets (unless ``with_targets_only`` is
    false), and a stratified sample of them."""

    census: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    codes: Annotated[list[Code], Field(min_length=1)] | None = None
    provinces: Annotated[list[str | int], Field(min_length=1)] | None = None
    regions: Annotated[list[Region], Field(min_length=1)] | None = None
    unit_types: Annotated[list[UnitType], Field(min_length=1)] | None = None
    with_targets_only: bool = True
    sample: Sample | None = None


class Years(Strict):
    """The census years compared: the runs start in ``start`` (the census the counties are
    built from) and are compared with the targets in ``end``."""

    start: Annotated[int, _count("calendar year", ge=2010, le=2010)] = 2010
    end: Annotated[int, _count("calendar year", ge=2011, le=2100)] = 2020

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


class NullModels(Strict):
    """How the null models are fitted: k-fold cross-validation on the targets."""

    folds: Annotated[int, _count("folds", ge=2, le=1000)] = 10
    seed: Annotated[int, _count("integer", ge=0, le=2**32 - 1)] = 0


class PanelFile(Strict):
    """A county panel: counties, the scenario they run (default: ``scenarios/history.yaml``),
    the scenario whose ``county.census`` section turns census figures into places (used when
    the scenario has none; default: ``scenarios/census_county.yaml``), the census they are
    compared with (default: the calibration half of 2020 in
    ``seeds/data``), the scale and replicates of the runs, and where and how they execute."""

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str = ""
    counties: Counties = Counties()
    scenario: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    county_rules: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    overrides: Annotated[dict[str, Any], Field(alias="set")] = {}
    targets: Annotated[str | None, Field(json_schema_extra={"file": True})] = None
    scale: Annotated[int, _count("persons per simulated row", ge=1, le=1000)]
    replicates: Annotated[int, _count("runs per county", ge=1, le=1000)] = 1
    streams: Streams = "common"
    years: Years = Years()
    null_models: NullModels = NullModels()
    execution: ExecutionSpec = ExecutionSpec()
