"""Analysis of a run: convergence, inequality and migration measures as DataFrames.

``Analysis(results)`` (or ``Analysis.load(result_dir)``) applies
the formulas of :mod:`countysim.measures` to the tables of a run (see
:mod:`countysim.recorder` for what each recorded column means). Every accessor returns a
new pandas DataFrame whose columns are listed in :data:`COLUMNS` and in its docstring.

Places and groups of places:

- *county places* are the county town, the township seats and the villages (outside cities
  are left out of the convergence measures); *villages* are the villages alone;
- a place enters a cross-section only in years when it has residents and a positive
  per-capita income (``income_pc`` is the mean over its residents of the co-resident
  household's per-capita disposable income, in yuan per year).

Windows ``start..end`` are calendar years of the run, both included; ``None`` means the
first or the last year.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from countysim.analysis.columns import COLUMNS, GROUPS, INDICATORS, TOP_AGE_BAND_WIDTH
from countysim.analysis.convergence import ConvergenceMeasures
from countysim.analysis.migration import MigrationMeasures

__all__ = [
    "COLUMNS",
    "GROUPS",
    "INDICATORS",
    "MIN_ROWS_PER_PLACE",
    "PLACE_MEASURES",
    "TOP_AGE_BAND_WIDTH",
    "Analysis",
]

#: Simulated person rows the median village needs for the place-level measures to be read
#: as the county's. A place's income per person is a mean over its simulated households;
#: with few rows its sampling error adds to the true spread across places, inflating sigma
#: and shortening the beta half-life (the baseline's sigma in 2035 is 0.158 at scale 10,
#: 81 rows per median village, against 0.106 at scale 1, 811 rows). Taking that error's
#: variance as c/rows, those two values give c = 1.2 and a true sigma near 0.099: sigma is
#: then about 12% too high at 500 rows, 7% at 800 and 60% at 80.
MIN_ROWS_PER_PLACE = 500

#: The measures that compare places with each other and depend on the scale.
PLACE_MEASURES = (
    "sigma and beta convergence across places",
    "the county map's income colours",
    "net migration per place",
)


class Analysis(ConvergenceMeasures, MigrationMeasures):
    """Convergence, inequality and migration measures of one run.

    Results holding several replicates (a ``replicate`` column) are analysed one replicate
    at a time: ``replicate`` picks it (default: the first).

    >>> a = Analysis(results)           # or Analysis.load("results/x")
    >>> a.sigma()                       # sigma convergence per year
    >>> a.beta(2012, 2020)              # beta convergence over a window
    >>> a.net_migration(2020)           # per place
    """

    def indicators(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """Headline indicators (:data:`INDICATORS`) at chosen years.

        One row per indicator (``indicator`` key, ``label``, ``unit``) and one column per
        year, default :meth:`default_years`. Shares are fractions (0-1).
        """
        years = self.default_years() if years is None else [int(y) for y in years]
        for y in years:
            self._window(y, y)
        derived = pd.concat(
            [
                self.theil().set_index("year")[["between_share_residence", "between_share_hukou"]],
                self.sigma().set_index("year")[["sigma_county", "sigma_villages"]],
                self.migrant_workers()
                .set_index("year")[["total", "local_share", "near_share"]]
                .rename(columns={"total": "migrant_workers"}),
                self.county_boundary().set_index("year")[["net_leaving"]],
                self.return_migration().set_index("year")[["return_share"]],
                self.migrant_ages().set_index("year")[["mean_age_movers"]],
            ],
            axis=1,
        )
        keys = [key for key, _, _ in INDICATORS]
        recorded = [key for key in keys if key not in derived.columns]  # county table columns
        by_year = pd.concat([self.county.set_index("year")[recorded], derived], axis=1)
        values = by_year.loc[years, keys].T
        values.columns = [int(y) for y in years]
        meta = pd.DataFrame(INDICATORS, columns=list(COLUMNS["indicators"]))
        return pd.concat([meta, values.reset_index(drop=True)], axis=1)

    def default_years(self) -> list[int]:
        """The first, middle and last year of the run (fewer if the run is shorter)."""
        ys = self.years
        return sorted({ys[0], ys[len(ys) // 2], ys[-1]})

    def rows_per_village(self) -> float:
        """Simulated person rows of the median village in the first year (residents divided
        by ``simulation.scale``); ``NaN`` without villages."""
        scale = float(self.results.manifest["scenario"]["simulation"]["scale"])
        p = self.places
        villages = p[(p["year"] == self.years[0]) & (p["level"] == "village")]
        if villages.empty:
            return float("nan")
        return float(villages["residents"].median()) / scale

    def scale_warnings(self) -> list[str]:
        """Why place-level measures (:data:`PLACE_MEASURES`) are not reliable at this run's
        ``simulation.scale``: one sentence, or none when the median village has at least
        :data:`MIN_ROWS_PER_PLACE` simulated rows, or when each row is one person (at scale 1
        the spread across small villages is the county's own, not sampling noise of the
        simulation). County totals and shares are not affected in this way (they average
        over every row of the county)."""
        scale = self.results.manifest["scenario"]["simulation"]["scale"]
        rows = self.rows_per_village()
        if scale <= 1 or not rows < MIN_ROWS_PER_PLACE:
            return []
        return [
            f"At simulation.scale={scale} the median village has {rows:,.0f} simulated "
            f"persons (fewer than {MIN_ROWS_PER_PLACE}), so measures that compare places "
            f"({'; '.join(PLACE_MEASURES)}) mix sampling noise into the spread across "
            "places: sigma comes out too high and the beta half-life too short. Run at a "
            "smaller scale to read them."
        ]
