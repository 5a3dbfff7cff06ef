"""National statistics drawn beside a run's series, for reference.

The model's county series and these national series are different concepts: the county's
resident urbanization counts the share of its residents living in the county town or a
township seat, the national rate counts urban residents of the whole country; the county's
incomes are means over its urban and rural residents, the national ones are the household
survey's. They are drawn as points labelled "national, for reference", never fitted to.

Series breaks (see the data file's notes) are respected by taking one consistent series
each: urbanization as first published (not the revised yearbook series), incomes and the
urban/rural ratio on the disposable-income basis that starts in 2013 (the ratio from 2012),
migrant-worker shares from the monitoring survey.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

#: The national statistics to 2019 (a copy of ``seeds/data/china_statistics_to_2019.csv``
#: shipped inside the package, so an installed copy draws them too).
STATISTICS_SOURCE = "seeds/data/china_statistics_to_2019.csv"
STATISTICS_FILE = Path(__file__).resolve().parents[1] / "data" / "china_statistics_to_2019.csv"


@dataclass(frozen=True)
class ReferenceSeries:
    """How one model indicator's national counterpart is read from the statistics file:
    ``numerator`` (and ``denominator`` for a share) are series names, ``factor`` turns the
    published unit into the model's (percent -> fraction)."""

    label: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0


#: Model indicator (county-table or analysis column) -> its national reference series.
REFERENCE: dict[str, ReferenceSeries] = {
    "urbanization_resident": ReferenceSeries(
        "national resident urbanization (as published), for reference",
        "resident_urbanization_rate_as_published",
        factor=0.01,
    ),
    "urbanization_registered": ReferenceSeries(
        "national hukou urbanization, for reference", "hukou_urbanization_rate", factor=0.01
    ),
    "income_urban_pc": ReferenceSeries(
        "national urban disposable income, for reference", "per_capita_disposable_income_urban"
    ),
    "income_rural_pc": ReferenceSeries(
        "national rural disposable income, for reference", "per_capita_disposable_income_rural"
    ),
    "income_ratio": ReferenceSeries(
        "national urban/rural ratio, for reference", "urban_rural_income_ratio_new_basis"
    ),
    "local_share": ReferenceSeries(
        "national monitoring survey: local share, for reference", "local", "total"
    ),
    "far_share": ReferenceSeries(
        "national monitoring survey: cross-province share of out-migrants, for reference",
        "out_cross_province",
        "out_migrant",
    ),
}


@cache
def _statistics(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path)
    return table.pivot_table(index="year", columns="series", values="value", aggfunc="first")


def reference_series(indicator: str, path: Path = STATISTICS_FILE) -> pd.Series:
    """The national reference values of ``indicator`` by year (empty when the indicator has
    no reference or the statistics file is not there, e.g. in an installed package)."""
    spec = REFERENCE.get(indicator)
    if spec is None or not Path(path).is_file():
        return pd.Series(dtype=float, name=indicator)
    wide = _statistics(Path(path))
    if spec.numerator not in wide or (spec.denominator and spec.denominator not in wide):
        return pd.Series(dtype=float, name=indicator)
    values = wide[spec.numerator] * spec.factor
    if spec.denominator:
        values = values / wide[spec.denominator]
    return values.dropna().rename(indicator)


#: How reference points look on every figure: open grey diamonds, not a line, so they are
#: not read as a model series.
REFERENCE_STYLE = {
    "linestyle": "none",
    "marker": "D",
    "markersize": 4.5,
    "markerfacecolor": "white",
    "markeredgewidth": 1.1,
}


def draw_reference(ax, indicator: str, years, *, factor: float = 1.0, color: str = "0.35"):
    """Draw the national reference of ``indicator`` on ``ax`` for the years in the span of
    ``years`` (values times ``factor``, e.g. 100 for percent); returns the line or None."""
    values = reference_series(indicator)
    if values.empty or not len(years):
        return None
    lo, hi = min(years), max(years)
    values = values[(values.index >= lo) & (values.index <= hi)]
    if values.empty:
        return None
    (line,) = ax.plot(
        values.index,
        values.to_numpy(float) * factor,
        color=color,
        markeredgecolor=color,
        label=REFERENCE[indicator].label,
        **REFERENCE_STYLE,
    )
    return line
