"""Summary outputs: the few numbers a sweep keeps from each run's yearly county table.

A sweep names its outputs in YAML with a small vocabulary, e.g.

    urbanization_2035: {column: urbanization_resident, year: 2035}
    mean_unemployment: {column: unemployment_county_town, stat: mean, years: [2020, 2035]}
    ratio_below_2: {first_year_below: {column: income_ratio, threshold: 2.0}}

Each output is one number per run, which is what sensitivity analysis needs. A year that the
run did not simulate is an error (the run is recorded as failed), not a silent gap.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from countysim.config.schema import Strict

Year = Annotated[int, Field(ge=1950, le=2200, json_schema_extra={"unit": "calendar year"})]

#: The forms an output may take, for error messages, and the keys each form consists of.
FORMS = {
    "{column, year}": {"column", "year"},
    "{column, stat: mean|min|max, years: [first, last]}": {"column", "stat", "years"},
    "{first_year_below: {column, threshold}}": {"first_year_below"},
    "{first_year_above: {column, threshold}}": {"first_year_above"},
}


class Threshold(Strict):
    column: str
    threshold: float


class OutputSpec(Strict):
    """One summary number of a run, computed from its county table (see ``FORMS``)."""

    column: str | None = None
    year: Year | None = None
    stat: Literal["mean", "min", "max"] | None = None
    years: Annotated[list[Year], Field(min_length=2, max_length=2)] | None = None
    first_year_below: Threshold | None = None
    first_year_above: Threshold | None = None

    @model_validator(mode="after")
    def _one_form(self) -> OutputSpec:
        given = {name for name in type(self).model_fields if getattr(self, name) is not None}
        if given not in FORMS.values():
            raise ValueError(f"an output is one of {', '.join(FORMS)}; got keys {sorted(given)}")
        if self.years is not None and self.years[0] > self.years[1]:
            raise ValueError(f"years {self.years}: the first year must not be after the last")
        return self

    @property
    def crossing(self) -> Threshold | None:
        return self.first_year_below or self.first_year_above

    @property
    def column_name(self) -> str:
        """The county-table column the output reads."""
        return self.crossing.column if self.crossing else self.column

    def years_needed(self) -> list[int]:
        """The years that must be simulated for the output to exist."""
        if self.year is not None:
            return [self.year]
        return list(self.years) if self.years is not None else []

    def describe(self) -> str:
        """What the output is, in words (for figure labels)."""
        if self.year is not None:
            return f"{self.column} in {self.year}"
        if self.stat is not None:
            return f"{self.stat} of {self.column}, {self.years[0]}-{self.years[1]}"
        side = "below" if self.first_year_below else "above"
        return f"first year {self.crossing.column} is {side} {self.crossing.threshold:g}"

    def evaluate(self, county: pd.DataFrame) -> float:
        """The output of one run; NaN when a threshold is never crossed."""
        if self.column_name not in county.columns:
            raise KeyError(f"the county table has no column {self.column_name!r}")
        years = county["year"].to_numpy()
        values = county[self.column_name].to_numpy(dtype=float)
        missing = [y for y in self.years_needed() if y not in years]
        if missing:
            span = f"{years.min()}-{years.max()}" if len(years) else "none"
            raise LookupError(
                f"output '{self.describe()}' needs year {missing[0]}, "
                f"but the run simulated years {span}"
            )
        if self.year is not None:
            return float(values[years == self.year][0])
        if self.stat is not None:
            inside = values[(years >= self.years[0]) & (years <= self.years[1])]
            return float({"mean": np.mean, "min": np.min, "max": np.max}[self.stat](inside))
        if self.first_year_below:
            crossed = values < self.first_year_below.threshold
        else:
            crossed = values > self.first_year_above.threshold
        return float(years[crossed][0]) if crossed.any() else float("nan")
