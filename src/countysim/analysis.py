"""Analysis of a run: convergence, inequality and migration measures as DataFrames.

``Analysis(results)`` (or ``results.analysis()``, or ``Analysis.load(result_dir)``) applies
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

import math
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from countysim.config.schema import LEVELS
from countysim.measures import (
    beta_convergence,
    bilateral_net,
    boundary_split,
    coefficient_of_variation,
    composition,
    gross_migration,
    grouped_mean,
    grouped_median,
    level_balance,
    local_share,
    migration_efficiency,
    net_migration,
    net_migration_rate,
    return_share,
    sigma,
    two_group_gini,
)

if TYPE_CHECKING:
    from countysim.results import Results

__all__ = ["COLUMNS", "GROUPS", "INDICATORS", "TOP_AGE_BAND_WIDTH", "Analysis"]

#: Groups of places for the convergence measures: name -> levels.
GROUPS: dict[str, tuple[str, ...]] = {
    "county": ("county_town", "township", "village"),
    "villages": ("village",),
}

#: Width in years assumed for the open top age band (65+ is taken as 65-74) when a mean or
#: median age is computed from the age bands.
TOP_AGE_BAND_WIDTH = 10.0

_BETA_FIELDS = ("beta", "se", "intercept", "r2", "n", "speed", "half_life")

#: The columns of every accessor's DataFrame, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sigma": (
        "year",
        "sigma_county",
        "sigma_villages",
        "cv_county",
        "cv_villages",
        "n_county",
        "n_villages",
    ),
    "beta": ("group", "start", "end", *_BETA_FIELDS),
    "beta_points": (
        "place_id",
        "name",
        "level",
        "residents_start",
        "income_start",
        "income_end",
        "log_income_start",
        "growth",
    ),
    "theil": (
        "year",
        "theil",
        "theil_between_residence",
        "theil_within_residence",
        "between_share_residence",
        "theil_between_hukou",
        "theil_within_hukou",
        "between_share_hukou",
    ),
    "inequality": (
        "year",
        "gini",
        "gini_between_residence",
        "theil",
        "urban_share",
        "income_urban_pc",
        "income_rural_pc",
        "income_ratio",
    ),
    "flow_matrix": ("start", "end", "origin_level", "destination_level", "persons_per_year"),
    "migration_flows": ("year", "level_a", "level_b", "a_to_b", "b_to_a", "gross", "net_a_to_b"),
    "level_balance": (
        "year",
        "level",
        "inflow",
        "outflow",
        "net",
        "gross",
        "within",
        "efficiency",
    ),
    "county_boundary": (
        "year",
        "within_county",
        "leaving",
        "entering",
        "net_leaving",
        "between_outside",
    ),
    "net_migration": (
        "start",
        "end",
        "place_id",
        "name",
        "level",
        "residents",
        "moves_in",
        "moves_out",
        "net",
        "gross",
        "net_per_year",
        "net_rate_per_1000",
        "efficiency",
    ),
    "return_migration": ("year", "moves", "returns", "return_share"),
    "migrant_workers": (
        "year",
        "local",
        "out",
        "total",
        "local_share",
        "near",
        "province",
        "far",
        "near_share",
        "province_share",
        "far_share",
    ),
    "age_profile": (
        "age_band",
        "age_lower",
        "moves",
        "returns",
        "migrant_workers_local",
        "migrant_workers_out",
        "moves_share",
        "return_share",
        "local_share",
    ),
    "migrant_ages": (
        "year",
        "mean_age_movers",
        "median_age_movers",
        "mean_age_returners",
        "mean_age_local_workers",
        "mean_age_out_workers",
    ),
    "indicators": ("indicator", "label", "unit"),  # followed by one column per year
}

#: Headline indicators of :meth:`Analysis.indicators`: (key, label, unit). Units: persons,
#: yuan (per person per year), share (0-1), ratio, index, years.
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("residents_county", "Residents of the county", "persons"),
    ("urbanization_resident", "Resident urbanization", "share"),
    ("urbanization_registered", "Registered (hukou) urbanization", "share"),
    ("income_urban_pc", "Urban disposable income per person", "yuan"),
    ("income_rural_pc", "Rural disposable income per person", "yuan"),
    ("income_ratio", "Urban/rural income ratio", "ratio"),
    ("gini", "Gini coefficient, county residents", "index"),
    ("theil", "Theil T index, county residents", "index"),
    ("between_share_residence", "Theil share between urban and rural residents", "share"),
    ("between_share_hukou", "Theil share between hukou types", "share"),
    ("sigma_county", "Sigma: sd of log income across county places", "index"),
    ("sigma_villages", "Sigma: sd of log income across villages", "index"),
    ("migrant_workers", "Migrant workers (rural hukou, non-farm)", "persons"),
    ("local_share", "Migrant workers working locally", "share"),
    ("near_share", "Out-migrant workers in county or prefecture", "share"),
    ("net_leaving", "Net out-migration from the county", "persons"),
    ("return_share", "Return moves among all moves", "share"),
    ("mean_age_movers", "Mean age of movers", "years"),
    ("left_behind_children", "Left-behind children", "persons"),
)


def _age_lower(label: str) -> int:
    """Lower edge of an age band label such as ``"20-24"`` or ``"65+"``."""
    return int(label.split("-")[0].rstrip("+"))


class Analysis:
    """Convergence, inequality and migration measures of one run.

    Results holding several replicates (a ``replicate`` column) are analysed one replicate
    at a time: ``replicate`` picks it (default: the first).

    >>> a = Analysis(results)           # or results.analysis(), Analysis.load("results/x")
    >>> a.sigma()                       # sigma convergence per year
    >>> a.beta(2012, 2020)              # beta convergence over a window
    >>> a.net_migration(2020)           # per place
    """

    def __init__(self, results: Results, replicate: int | None = None) -> None:
        self.results = results
        names = ("county", "places", "flows", "ages", "world")
        tables = {name: getattr(results, name) for name in names}
        if "replicate" in results.county.columns:
            # a run with replicates: analyse one of them (default: the first)
            if replicate is None:
                replicate = int(results.county["replicate"].min())
            for name, df in tables.items():
                if "replicate" in df.columns:
                    tables[name] = df[df["replicate"] == replicate]
        elif replicate is not None:
            raise ValueError("these results have no replicates")
        self.replicate = replicate
        self.county: pd.DataFrame = tables["county"]
        self.places: pd.DataFrame = tables["places"]
        self.flows: pd.DataFrame = tables["flows"]
        self.ages: pd.DataFrame = tables["ages"]
        self.world: pd.DataFrame = tables["world"]
        self.years: list[int] = sorted(int(y) for y in self.county["year"].unique())
        if not self.years:
            raise ValueError("the county table has no years to analyse")

    @classmethod
    def load(cls, directory: str | os.PathLike) -> Analysis:
        """The analysis of a saved result directory."""
        from countysim.results import Results

        return cls(Results.load(directory))

    # ------------------------------------------------------------------ helpers

    def _window(self, start: int | None, end: int | None) -> tuple[int, int]:
        start = self.years[0] if start is None else int(start)
        end = self.years[-1] if end is None else int(end)
        for year in (start, end):
            if year not in self.years:
                raise ValueError(
                    f"year {year} is not in the run ({self.years[0]}..{self.years[-1]})"
                )
        if start > end:
            raise ValueError(f"window start {start} is after its end {end}")
        return start, end

    def _cross_section(self, year: int, group: str) -> pd.DataFrame:
        """Places of ``group`` with residents and positive income in ``year``."""
        p = self.places
        keep = (
            (p["year"] == year)
            & p["level"].isin(GROUPS[group])
            & (p["residents"] > 0)
            & (p["income_pc"] > 0)
        )
        return p.loc[keep]

    def _flow_matrices(self) -> dict[int, np.ndarray]:
        """Per year, the level x level matrix ``F[o, d]`` of persons moving (LEVELS order)."""
        f = self.flows
        table = f.pivot_table(
            index=["year", "origin_level"],
            columns="destination_level",
            values="persons",
            aggfunc="sum",
            fill_value=0,
        )
        full = pd.MultiIndex.from_product([self.years, LEVELS])
        table = table.reindex(index=full, columns=list(LEVELS), fill_value=0)
        n = len(LEVELS)
        return {y: table.loc[y].to_numpy(dtype=float).reshape(n, n) for y in self.years}

    def _ages(self) -> pd.DataFrame:
        a = self.ages.copy()
        a["age_lower"] = a["age_band"].map(_age_lower)
        return a.sort_values(["year", "age_lower"])

    # -------------------------------------------------------------- convergence

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
                row.update(dict.fromkeys(_BETA_FIELDS, math.nan), n=len(pts))
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

    # --------------------------------------------------------------- inequality

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

    # ---------------------------------------------------------------- migration

    def flow_matrix(self, start: int | None = None, end: int | None = None) -> pd.DataFrame:
        """Moves between levels, mean persons per year over ``start..end``.

        One row per (``origin_level``, ``destination_level``) in level order, with
        ``persons_per_year``; ``start`` and ``end`` repeat the window. Same-level rows are
        moves between two places of that level.
        """
        start, end = self._window(start, end)
        mats = self._flow_matrices()
        mean = np.mean([mats[y] for y in self.years if start <= y <= end], axis=0)
        o, d = np.meshgrid(np.arange(len(LEVELS)), np.arange(len(LEVELS)), indexing="ij")
        return pd.DataFrame(
            {
                "start": start,
                "end": end,
                "origin_level": np.array(LEVELS)[o.ravel()],
                "destination_level": np.array(LEVELS)[d.ravel()],
                "persons_per_year": mean.ravel(),
            },
            columns=COLUMNS["flow_matrix"],
        )

    def migration_flows(self) -> pd.DataFrame:
        """Gross and net flows between each pair of levels, per year.

        One row per year and pair ``level_a``, ``level_b`` (``a`` before ``b`` in the order
        village, township, county town, city): ``a_to_b``, ``b_to_a`` (persons),
        ``gross`` ``= a_to_b + b_to_a`` and ``net_a_to_b`` ``= a_to_b - b_to_a``
        (:func:`countysim.measures.bilateral_net`).
        """
        rows = []
        for year, f in self._flow_matrices().items():
            net = bilateral_net(f)
            for a in range(len(LEVELS)):
                for b in range(a + 1, len(LEVELS)):
                    rows.append(
                        {
                            "year": year,
                            "level_a": LEVELS[a],
                            "level_b": LEVELS[b],
                            "a_to_b": f[a, b],
                            "b_to_a": f[b, a],
                            "gross": f[a, b] + f[b, a],
                            "net_a_to_b": net[a, b],
                        }
                    )
        return pd.DataFrame(rows, columns=COLUMNS["migration_flows"])

    def level_balance(self) -> pd.DataFrame:
        """Migration balance of each level per year (:func:`countysim.measures.level_balance`).

        ``inflow``, ``outflow`` (persons arriving from / leaving for another level), ``net``
        ``= inflow - outflow``, ``gross`` ``= inflow + outflow``, ``within`` (moves between
        places of the same level) and ``efficiency`` ``= net / gross``.
        """
        rows = []
        for year, f in self._flow_matrices().items():
            bal = level_balance(f)
            eff = migration_efficiency(bal.inflow, bal.outflow)
            for i, level in enumerate(LEVELS):
                rows.append(
                    {
                        "year": year,
                        "level": level,
                        "inflow": bal.inflow[i],
                        "outflow": bal.outflow[i],
                        "net": bal.net[i],
                        "gross": bal.gross[i],
                        "within": bal.within[i],
                        "efficiency": eff[i],
                    }
                )
        return pd.DataFrame(rows, columns=COLUMNS["level_balance"])

    def county_boundary(self) -> pd.DataFrame:
        """In-county and out-of-county moves per year (:func:`countysim.measures.boundary_split`).

        ``within_county`` (both ends in the county), ``leaving`` (county -> outside city),
        ``entering`` (outside city -> county), ``net_leaving`` ``= leaving - entering`` and
        ``between_outside`` (between outside cities), in persons.
        """
        inside = np.array([level != "city" for level in LEVELS])
        rows = []
        for year, f in self._flow_matrices().items():
            split = boundary_split(f, inside)
            rows.append(
                {
                    "year": year,
                    "within_county": split.within,
                    "leaving": split.leaving,
                    "entering": split.entering,
                    "net_leaving": split.net_leaving,
                    "between_outside": split.outside,
                }
            )
        return pd.DataFrame(rows, columns=COLUMNS["county_boundary"])

    def net_migration(
        self, year: int | None = None, *, start: int | None = None, end: int | None = None
    ) -> pd.DataFrame:
        """Migration balance of every place over one ``year`` or the window ``start..end``.

        Without arguments: the whole run. Per place (``place_id``, ``name``, ``level``):
        ``residents`` (mean over the years), ``moves_in``, ``moves_out``, ``net`` ``= in -
        out`` and ``gross`` ``= in + out`` summed over the window, ``net_per_year``,
        ``net_rate_per_1000`` ``= 1000 net / Σ_t residents_t`` (per 1,000 residents per
        year) and ``efficiency`` ``= net / gross``; ``start`` and ``end`` repeat the window.
        """
        if year is not None:
            if start is not None or end is not None:
                raise ValueError("give either year or start/end, not both")
            start = end = year
        start, end = self._window(start, end)
        p = self.places
        p = p[(p["year"] >= start) & (p["year"] <= end)]
        g = p.groupby("place_id", sort=True).agg(
            name=("name", "first"),
            level=("level", "first"),
            person_years=("residents", "sum"),
            moves_in=("moves_in", "sum"),
            moves_out=("moves_out", "sum"),
        )
        n_years = sum(start <= y <= end for y in self.years)
        moves_in, moves_out = g["moves_in"].to_numpy(float), g["moves_out"].to_numpy(float)
        net = net_migration(moves_in, moves_out)
        return pd.DataFrame(
            {
                "start": start,
                "end": end,
                "place_id": g.index.to_numpy(),
                "name": g["name"].to_numpy(),
                "level": g["level"].to_numpy(),
                "residents": g["person_years"].to_numpy(float) / n_years,
                "moves_in": moves_in,
                "moves_out": moves_out,
                "net": net,
                "gross": gross_migration(moves_in, moves_out),
                "net_per_year": net / n_years,
                "net_rate_per_1000": net_migration_rate(moves_in, moves_out, g["person_years"]),
                "efficiency": migration_efficiency(moves_in, moves_out),
            },
            columns=COLUMNS["net_migration"],
        )

    def return_migration(self) -> pd.DataFrame:
        """Return moves per year: ``moves`` (all moves), ``returns`` (moves back to the
        household home) and ``return_share`` ``= returns / moves``."""
        a = self.ages.groupby("year", sort=True)[["moves", "returns"]].sum()
        return pd.DataFrame(
            {
                "year": a.index.astype(int).to_numpy(),
                "moves": a["moves"].to_numpy(float),
                "returns": a["returns"].to_numpy(float),
                "return_share": return_share(a["returns"], a["moves"]),
            },
            columns=COLUMNS["return_migration"],
        )

    def migrant_workers(self) -> pd.DataFrame:
        """Where migrant workers (rural hukou, non-farm work) work, per year.

        ``local`` (in the home township), ``out`` (elsewhere), ``total``, ``local_share``
        ``= local / total``; out-migrant workers by destination: ``near`` (in the county or
        the prefecture city), ``province`` (elsewhere in the province), ``far`` (outside
        the province) and their shares of ``out``.
        """
        c = self.county.sort_values("year")
        local = c["migrant_workers_local"].to_numpy(float)
        out = c["migrant_workers_out"].to_numpy(float)
        dest = c[["migrants_near", "migrants_province", "migrants_far"]].to_numpy(float)
        shares = composition(dest)
        return pd.DataFrame(
            {
                "year": c["year"].astype(int).to_numpy(),
                "local": local,
                "out": out,
                "total": local + out,
                "local_share": local_share(local, out),
                "near": dest[:, 0],
                "province": dest[:, 1],
                "far": dest[:, 2],
                "near_share": shares[:, 0],
                "province_share": shares[:, 1],
                "far_share": shares[:, 2],
            },
            columns=COLUMNS["migrant_workers"],
        )

    def age_profile(self, start: int | None = None, end: int | None = None) -> pd.DataFrame:
        """Age profile of migrants, mean per year over ``start..end`` (default: the run).

        One row per age band (``age_band`` label, ``age_lower`` its first year of age):
        ``moves`` and ``returns`` (persons moving per year), ``migrant_workers_local`` and
        ``migrant_workers_out`` (persons, mean stock); ``moves_share`` (the band's share of
        all moves), ``return_share`` ``= returns / moves`` and ``local_share`` ``= local /
        (local + out)`` within the band.
        """
        start, end = self._window(start, end)
        a = self._ages()
        a = a[(a["year"] >= start) & (a["year"] <= end)]
        counts = ["moves", "returns", "migrant_workers_local", "migrant_workers_out"]
        m = a.groupby(["age_lower", "age_band"], sort=True)[counts].mean().reset_index()
        m["moves_share"] = composition(m["moves"])
        m["return_share"] = return_share(m["returns"], m["moves"])
        m["local_share"] = local_share(m["migrant_workers_local"], m["migrant_workers_out"])
        return m[list(COLUMNS["age_profile"])]

    def migrant_ages(self) -> pd.DataFrame:
        """Mean and median ages of migrants per year, from the age bands.

        ``mean_age_movers``, ``median_age_movers``, ``mean_age_returners``,
        ``mean_age_local_workers``, ``mean_age_out_workers`` in years
        (:func:`countysim.measures.grouped_mean` and ``grouped_median``; the open top band is
        taken as :data:`TOP_AGE_BAND_WIDTH` years wide).
        """
        means = {
            "mean_age_movers": "moves",
            "mean_age_returners": "returns",
            "mean_age_local_workers": "migrant_workers_local",
            "mean_age_out_workers": "migrant_workers_out",
        }
        rows = []
        for year, a in self._ages().groupby("year", sort=True):
            edges = a["age_lower"].to_numpy()
            row = {"year": int(year)}
            row.update(
                {key: grouped_mean(a[col], edges, TOP_AGE_BAND_WIDTH) for key, col in means.items()}
            )
            row["median_age_movers"] = grouped_median(a["moves"], edges, TOP_AGE_BAND_WIDTH)
            rows.append(row)
        return pd.DataFrame(rows, columns=COLUMNS["migrant_ages"])

    # --------------------------------------------------------------- headlines

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
