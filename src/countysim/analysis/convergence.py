"""Convergence and inequality measures of a run: sigma and beta convergence across places,
the Theil decompositions and the Gini coefficient (formulas in :mod:`countysim.measures`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from countysim.analysis.columns import BETA_FIELDS, COLUMNS, GROUPS
from countysim.analysis.tables import RunTables
from countysim.measures import (
    beta_convergence,
    coefficient_of_variation,
    sigma,
    two_group_gini,
)


class ConvergenceMeasures(RunTables):
    """Sigma and beta convergence across places; inequality among residents."""

    def sigma(self, *, weighted: bool = False) -> pd.DataFrame:
        """Sigma convergence per year: dispersion of per-capita income across places.

        Columns ``year``; ``sigma_county``, ``sigma_villages``: sd of log income
        (:func:`countysim.measures.sigma`) across county places and across villages;
        ``cv_county``, ``cv_villages``: coefficient of variation of income levels
        (:func:`countysim.measures.coefficient_of_variation`); ``n_county``,
        ``n_villages``: number of places. Each place counts once unless ``weighted``, which
        weights places by their residents (dispersion across persons). ``NaN`` without
        places.
        """
        rows = []
        for year in self.years:
            row: dict[str, float] = {"year": year}
            for group in GROUPS:
                cs = self._cross_section(year, group)
                w = cs["residents"].to_numpy(float) if weighted else None
                y = cs["income_pc"].to_numpy(float)
                row[f"sigma_{group}"] = sigma(y, w) if len(y) else math.nan
                row[f"cv_{group}"] = coefficient_of_variation(y, w) if len(y) else math.nan
                row[f"n_{group}"] = len(y)
            rows.append(row)
        return pd.DataFrame(rows, columns=COLUMNS["sigma"])

    def beta_points(self, start: int | None = None, end: int | None = None) -> pd.DataFrame:
        """The places of a beta-convergence regression over ``start..end``.

        One row per county place with residents and positive income in both years:
        ``place_id``, ``name``, ``level``, ``residents_start``, ``income_start`` and
        ``income_end`` (yuan per person per year), ``log_income_start`` ``= ln y_0`` and
        ``growth`` ``= ln(y_T / y_0) / T``, the average annual log growth (``T = end -
        start``).
        """
        start, end = self._window(start, end)
        if start == end:
            raise ValueError("a beta-convergence window needs end > start")
        first = self._cross_section(start, "county").set_index("place_id")
        last = self._cross_section(end, "county").set_index("place_id")
        both = first.index.intersection(last.index)
        y0 = first.loc[both, "income_pc"].to_numpy(float)
        y1 = last.loc[both, "income_pc"].to_numpy(float)
        return pd.DataFrame(
            {
                "place_id": both.to_numpy(),
                "name": first.loc[both, "name"].to_numpy(),
                "level": first.loc[both, "level"].to_numpy(),
                "residents_start": first.loc[both, "residents"].to_numpy(float),
                "income_start": y0,
                "income_end": y1,
                "log_income_start": np.log(y0),
                "growth": np.log(y1 / y0) / (end - start),
            },
            columns=COLUMNS["beta_points"],
        )

    def beta(
        self, start: int | None = None, end: int | None = None, *, weighted: bool = False
    ) -> pd.DataFrame:
        """Absolute beta convergence across places over ``start..end`` (default: the run).

        One row per group of places (``county``, ``villages``): ``group``, ``start``,
        ``end`` and the fields of :class:`countysim.measures.BetaResult` -- ``beta`` (slope
        of ``ln(y_T/y_0)/T`` on ``ln y_0``), ``se``, ``intercept``, ``r2``, ``n``, ``speed``
        ``λ = -ln(1 + βT)/T`` and ``half_life`` ``= ln 2 / λ`` in years. ``weighted``
        weights places by their residents at ``start``. Where beta is not identified
        (fewer than 3 places, or equal initial incomes) its fields are ``NaN``.
        """
        points = self.beta_points(start, end)
        s, e = self._window(start, end)
        rows = []
        for group, levels in GROUPS.items():
            pts = points[points["level"].isin(levels)]
            row: dict[str, object] = {"group": group, "start": s, "end": e}
            try:
                fit = beta_convergence(
                    pts["income_start"],
                    pts["income_end"],
                    e - s,
                    weights=pts["residents_start"] if weighted else None,
                )
            except ValueError:  # not identified: too few places or no variation
                row.update(dict.fromkeys(BETA_FIELDS, math.nan), n=len(pts))
            else:
                row.update(fit.to_dict())
            rows.append(row)
        return pd.DataFrame(rows, columns=COLUMNS["beta"])

    def beta_windows(self, length: int = 5, *, weighted: bool = False) -> pd.DataFrame:
        """Beta convergence over consecutive windows of ``length`` years.

        Windows ``[y0, y0 + length]``, ``[y0 + length, y0 + 2 length]``, ... within the run
        (the last one may be shorter); the columns of :meth:`beta`, one row per window and
        group.
        """
        if length < 1:
            raise ValueError(f"window length must be at least 1 year, got {length}")
        first, last = self.years[0], self.years[-1]
        starts = range(first, last, length)
        frames = [self.beta(s, min(s + length, last), weighted=weighted) for s in starts]
        if not frames:
            return pd.DataFrame(columns=COLUMNS["beta"])
        return pd.concat(frames, ignore_index=True)

    def theil(self) -> pd.DataFrame:
        """The Theil T index of county residents and its two decompositions, per year.

        ``theil`` ``= between + within`` for each split (recorded by
        :mod:`countysim.recorder` with :func:`countysim.measures.theil_decomposition`):
        by urban/rural residence (``theil_between_residence``, ``theil_within_residence``)
        and by hukou type (``theil_between_hukou``, ``theil_within_hukou``);
        ``between_share_*`` ``= between / theil``.
        """
        c = self.county.sort_values("year")
        total = c["theil"].to_numpy(float)
        out = pd.DataFrame({"year": c["year"].astype(int).to_numpy(), "theil": total})
        for split, prefix in (("residence", "theil"), ("hukou", "theil_hukou")):
            between = c[f"{prefix}_between"].to_numpy(float)
            out[f"theil_between_{split}"] = between
            out[f"theil_within_{split}"] = c[f"{prefix}_within"].to_numpy(float)
            out[f"between_share_{split}"] = np.divide(
                between, total, out=np.full_like(total, np.nan), where=total > 0
            )
        return out[list(COLUMNS["theil"])]

    def inequality(self) -> pd.DataFrame:
        """Income inequality among county residents per year.

        ``gini`` and ``theil`` over persons; ``urban_share`` (resident urbanization, the
        share living in the county town or a township seat); ``income_urban_pc``,
        ``income_rural_pc`` (yuan per person per year) and ``income_ratio`` (urban/rural);
        ``gini_between_residence``: the Gini if everyone had the mean income of their
        urban or rural group, :func:`countysim.measures.two_group_gini` of ``urban_share``
        and ``income_ratio``.
        """
        c = self.county.sort_values("year")
        share, ratio = c["urbanization_resident"], c["income_ratio"]
        between = [
            two_group_gini(u, r) if np.isfinite(r) and r > 0 else math.nan
            for u, r in zip(share, ratio, strict=True)
        ]
        return pd.DataFrame(
            {
                "year": c["year"].astype(int).to_numpy(),
                "gini": c["gini"].to_numpy(float),
                "gini_between_residence": between,
                "theil": c["theil"].to_numpy(float),
                "urban_share": share.to_numpy(float),
                "income_urban_pc": c["income_urban_pc"].to_numpy(float),
                "income_rural_pc": c["income_rural_pc"].to_numpy(float),
                "income_ratio": ratio.to_numpy(float),
            },
            columns=COLUMNS["inequality"],
        )
