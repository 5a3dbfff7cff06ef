"""Schedules: a lever value per year.

A lever is written in a scenario either as a plain number (constant over the run) or as a
schedule of (year, value) points:

    settlement_years_county: 3                              # constant
    settlement_years_county: {steps: [[2012, 3], [2014, 0]]} # 3 until 2013, 0 from 2014
    residence_permit_access: {ramp: [[2024, 0], [2028, 1]]}  # linear from 2024 to 2028

Before the first point a schedule holds the first value, after the last point the last. A
ramp needs at least two points (one point is a constant: write the number), and a schedule
must have a point within the simulated years, or it would never change the lever
(``schedules_outside``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    field_validator,
)

Year = Annotated[int, Field(ge=1900, le=2200, json_schema_extra={"unit": "calendar year"})]


class ScheduleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @staticmethod
    def _points_in_order(points: list[tuple[int, float]], form: str) -> list[tuple[int, float]]:
        years = [year for year, _ in points]
        if not points:
            raise ValueError("a schedule needs at least one [year, value] point")
        if form == "ramp" and len(points) < 2:
            raise ValueError(
                "a ramp needs at least two [year, value] points to go from one value to "
                "another; for a constant, write the number"
            )
        if any(b <= a for a, b in zip(years, years[1:], strict=False)):
            raise ValueError(f"schedule years must increase: {years}")
        return points


def schedule(unit: str, **bounds) -> object:
    """The type of a lever: a bounded number, or steps or a ramp of bounded values."""
    value = Annotated[float, Field(json_schema_extra={"unit": unit}, **bounds)]
    steps = _points_model("steps", value, unit, bounds)
    ramp = _points_model("ramp", value, unit, bounds)
    return Annotated[
        Annotated[value, Tag("number")]
        | Annotated[steps, Tag("steps")]
        | Annotated[ramp, Tag("ramp")],
        Discriminator(
            _form,
            custom_error_type="schedule",
            custom_error_message="expected a number, {steps: [[year, value], ...]} "
            "or {ramp: [[year, value], ...]}",
        ),
    ]


SCHEDULE_FORMS = ("steps", "ramp")


def _points_model(form: str, value, unit: str, bounds: dict) -> type[ScheduleModel]:
    """The model of one schedule form for one kind of value, made once and kept in this
    module under an identifier name, so that scenarios pickle (for worker processes)."""
    tag = "_".join([form, unit, *(f"{k}{v}" for k, v in sorted(bounds.items()))])
    name = "Schedule_" + re.sub(r"\W", "_", tag)
    if name not in globals():
        check = field_validator(form)(
            classmethod(lambda cls, v, form=form: cls._points_in_order(v, form))
        )
        globals()[name] = create_model(
            name,
            __base__=ScheduleModel,
            __module__=__name__,
            __validators__={"ordered": check},
            **{form: (list[tuple[Year, value]], ...)},
        )
    return globals()[name]


def is_schedule(data) -> bool:
    """Whether YAML data is a schedule mapping ({steps: ...} or {ramp: ...}): such a mapping
    is one value, which a scenario built on another replaces whole instead of merging."""
    return isinstance(data, dict) and len(data) == 1 and next(iter(data)) in SCHEDULE_FORMS


def _form(data) -> str | None:
    """Which form of schedule the data is, so that errors speak of that form only."""
    if isinstance(data, int | float) and not isinstance(data, bool):
        return "number"
    if isinstance(data, dict) and len(data) == 1:
        key = next(iter(data))
        return key if key in SCHEDULE_FORMS else None
    if isinstance(data, ScheduleModel):
        return "steps" if hasattr(data, "steps") else "ramp"
    return None


def points_of(lever) -> list[tuple[int, float]]:
    """The (year, value) points of a schedule (empty for a plain number)."""
    if isinstance(lever, ScheduleModel):
        return list(getattr(lever, "steps", None) or getattr(lever, "ramp", None) or [])
    return []


def schedules_outside(
    model: BaseModel, first: int, last: int, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], dict, str]]:
    """``(key steps, schedule as data, message)`` for every schedule in ``model`` with no
    point in the years ``first`` to ``last``: it would hold one value for the whole run,
    which is never what a schedule is written for."""
    if isinstance(model, ScheduleModel):
        points = points_of(model)
        if all(not first <= year <= last for year, _ in points):
            years = ", ".join(str(year) for year, _ in points)
            message = (
                f"no year of this schedule ({years}) lies in the simulated years {first} to "
                f"{last}, so the lever would never change; use years within them, or a number"
            )
            yield path, model.model_dump(mode="json"), message
        return
    if isinstance(model, BaseModel):
        for name, info in type(model).model_fields.items():
            yield from schedules_outside(
                getattr(model, name), first, last, (*path, info.alias or name)
            )
    elif isinstance(model, list | tuple):
        for index, item in enumerate(model):
            yield from schedules_outside(item, first, last, (*path, index))


def value_at(lever, year: int) -> float:
    """The value of a lever (number, steps or ramp) in a year."""
    if isinstance(lever, int | float):
        return float(lever)
    if hasattr(lever, "steps"):
        years = np.array([y for y, _ in lever.steps])
        values = [v for _, v in lever.steps]
        i = int(np.searchsorted(years, year, side="right")) - 1
        return float(values[max(i, 0)])
    years = [y for y, _ in lever.ramp]
    values = [v for _, v in lever.ramp]
    return float(np.interp(year, years, values))


def growth_factor(lever, start: int, year: int) -> float:
    """How much a quantity growing at a yearly rate (a number or a schedule of rates) has
    grown from ``start`` to ``year``: the product of (1 + rate of y) for y = start+1 .. year,
    1 at or before ``start``. A number gives (1 + rate) ** (year - start)."""
    if isinstance(lever, int | float):
        return float((1 + lever) ** max(year - start, 0))
    rates = np.array([value_at(lever, y) for y in range(start + 1, year + 1)])
    return float(np.prod(1 + rates))


def rate_sum(lever, start: int, year: int) -> float:
    """The sum of a yearly rate (a number or a schedule) over the years start+1 .. year."""
    if isinstance(lever, int | float):
        return float(lever) * max(year - start, 0)
    return float(sum(value_at(lever, y) for y in range(start + 1, year + 1)))
